"""Human-readable documentation of the ontology and the shapes, generated from the graph.

A small pyLODE-like generator: one section per kind of term, one entry per term with an
anchor named after its local name, so ``https://w3id.org/ecpl/ontology#Duty`` lands on
``/ontology#Duty``. Generated at request time from the loaded graph (cached by the web layer);
nothing generated is committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ecpl import iri, prefixes
from ecpl.linkeddata.access import GraphAccess
from ecpl.linkeddata.describe import Value, label, value

ONTOLOGY_GRAPHS = iri.ONTOLOGY_GRAPHS
SHAPES_GRAPHS = iri.SHAPES_GRAPHS

_HIDDEN = {RDFS.label, SKOS.prefLabel, SKOS.definition, SKOS.altLabel, RDFS.comment}

ONTOLOGY_SECTIONS: tuple[tuple[str, str, tuple[URIRef, ...]], ...] = (
    ("classes", "类 · Classes", (OWL.Class, RDFS.Class)),
    ("object-properties", "对象属性 · Object properties", (OWL.ObjectProperty,)),
    ("datatype-properties", "数据属性 · Datatype properties", (OWL.DatatypeProperty,)),
    ("annotation-properties", "注释属性 · Annotation properties", (OWL.AnnotationProperty,)),
    ("individuals", "个体 · Named individuals", (OWL.NamedIndividual,)),
)
SHAPES_SECTIONS: tuple[tuple[str, str, tuple[URIRef, ...]], ...] = (
    ("node-shapes", "节点形状 · Node shapes", (SH.NodeShape,)),
    ("property-shapes", "属性形状 · Property shapes", (SH.PropertyShape,)),
    ("rules", "规则 · Rules", (SH.SPARQLRule, SH.TripleRule)),
)


@dataclass
class Entry:
    anchor: str
    iri: str
    href: str
    title: str
    labels: list[Value] = field(default_factory=list)
    definitions: list[Value] = field(default_factory=list)
    facts: list[tuple[Value, list[Value]]] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Documentation:
    title: str
    iri: str
    header: list[tuple[Value, list[Value]]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    triples: int = 0
    diagrams: list[Any] = field(default_factory=list)  # ecpl.visual.diagrams.Diagram


def merged_graph(access: GraphAccess, prefix: str) -> Graph:
    """The union of the named graphs whose name starts with ``prefix`` (e.g. the modules)."""
    merged = Graph()
    for name in access.graph_names():
        if str(name).startswith(prefix):
            for triple in access.named_graph(name):
                merged.add(triple)
    return prefixes.bind(merged, ("ecpl", "shapes", "skos", "owl", "sh", "dcterms"), override=True)


def _literal_values(graph: Graph, subject: Node, *predicates: URIRef) -> list[Value]:
    found = {o for p in predicates for o in graph.objects(subject, p) if isinstance(o, Literal)}
    ordered = sorted(found, key=lambda lit: (lit.language != "zh", lit.language or "", str(lit)))
    return [Value(str(o), lang=o.language) for o in ordered]


def _facts(graph: Graph, subject: Node, base_url: str) -> list[tuple[Value, list[Value]]]:
    grouped: dict[Node, list[Value]] = {}
    for predicate, obj in graph.predicate_objects(subject):
        if predicate in _HIDDEN:
            continue
        if isinstance(obj, URIRef | Literal):
            shown = value(graph, obj, base_url)
        else:  # a blank node: an OWL restriction, a SHACL path or list …
            shown = Value("(" + _blank_summary(graph, obj) + ")")
        grouped.setdefault(predicate, []).append(shown)
    return [
        (value(graph, p, base_url), sorted(vals, key=lambda v: v.text))
        for p, vals in sorted(grouped.items(), key=lambda item: label(graph, item[0]))
    ]


def _blank_summary(graph: Graph, node: Node) -> str:
    """A one-line reading of an anonymous node (restriction or path)."""
    parts = []
    for predicate, obj in sorted(graph.predicate_objects(node), key=lambda po: str(po[0])):
        if predicate == RDF.type:
            continue
        shown = str(obj) if isinstance(obj, Literal) else label(graph, obj)
        parts.append(f"{label(graph, predicate)} {shown}")
    return "; ".join(parts) or "anonymous"


def _anchor(subject: URIRef, namespace: str) -> str:
    text = str(subject)
    return text[len(namespace) :] if text.startswith(namespace) else text.rsplit("/", 1)[-1]


def document(
    graph: Graph,
    subject_iri: URIRef,
    namespace: str,
    sections: tuple[tuple[str, str, tuple[URIRef, ...]], ...],
    title: str,
    base_url: str = "/",
) -> Documentation:
    """Documentation of the terms in ``namespace`` that ``graph`` declares, by section."""
    doc = Documentation(title=title, iri=str(subject_iri), triples=len(graph))
    doc.header = _facts(graph, subject_iri, base_url)
    seen: set[Node] = set()
    for key, section_title, classes in sections:
        section = Section(key, section_title)
        subjects = {
            s
            for c in classes
            for s in graph.subjects(RDF.type, c)
            if isinstance(s, URIRef) and str(s).startswith(namespace) and s not in seen
        }
        for subject in sorted(subjects, key=str):
            seen.add(subject)
            link = value(graph, subject, base_url)
            entry = Entry(
                anchor=_anchor(subject, namespace),
                iri=str(subject),
                href=link.href or str(subject),
                title=label(graph, subject),
                labels=_literal_values(graph, subject, SKOS.prefLabel, RDFS.label),
                definitions=_literal_values(graph, subject, SKOS.definition, RDFS.comment),
                facts=_facts(graph, subject, base_url),
            )
            section.entries.append(entry)
        doc.sections.append(section)
    return doc


def ontology_documentation(graph: Graph, base_url: str = "/") -> Documentation:
    titles = _literal_values(graph, iri.ONTOLOGY_IRI, DCTERMS.title, RDFS.label, SKOS.prefLabel)
    title = " · ".join(dict.fromkeys(t.text for t in titles)) or "ecpl ontology"
    doc = document(graph, iri.ONTOLOGY_IRI, str(iri.ECPL), ONTOLOGY_SECTIONS, title, base_url)
    doc.diagrams = ontology_diagrams(graph, base_url)
    return doc


def ontology_diagrams(graph: Graph, base_url: str = "/") -> list[Any]:
    """The platform-term hierarchy across the laws and the duties by phase, drawn from
    ``graph`` (ecpl.visual.diagrams); a diagram with nothing to draw is left out."""
    from ecpl.linkeddata.resolve import href
    from ecpl.visual.diagrams import duties_by_phase, platform_terms

    def link(target: str) -> str:
        return href(target, base_url) or "#"

    drawn = [platform_terms(graph, link), duties_by_phase(graph, link)]
    return [d for d in drawn if d.nodes]


def shapes_documentation(graph: Graph, base_url: str = "/") -> Documentation:
    subject = iri.SHAPES_DOCUMENT
    return document(
        graph, subject, str(iri.SHAPES), SHAPES_SECTIONS, "ecpl shapes · 形状", base_url
    )
