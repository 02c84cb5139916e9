"""What the graph says about one IRI: the RDF description served for it and its page model.

The description is the resource's own triples, the triples pointing to it (from named
resources), the OWL axiom annotations on its relations (where their legal basis sits), its
provision versions, and the labels of everything it links to, so a page or a client needs no
second request to show names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.term import Node

from ecpl import iri, prefixes
from ecpl.errors import NotFound
from ecpl.iri import ECPL
from ecpl.linkeddata.access import GraphAccess
from ecpl.linkeddata.resolve import href

LABELS = (SKOS.prefLabel, RDFS.label)
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
BASIS = (ECPL.legalBasis, ECPL.definedIn, ECPL.usedIn)
# Shown in their own sections, not in the generic property table.
_SECTIONED = {*LABELS, SKOS.altLabel, SKOS.definition, ECPL.statutoryTerm, ECPL.text, RDF.type}
_SECTIONED |= {*MAPPINGS, *BASIS, ECPL.hasVersion}
_AXIOM_PARTS = (OWL.annotatedSource, OWL.annotatedProperty, OWL.annotatedTarget)


def _describe_query(resource: URIRef) -> str:
    """The resource, its inbound links, axioms and versions, and the labels of its neighbours.

    The neighbours are collected first (a DISTINCT subquery) and then looked up: joined inside
    the union, the engine matched every label in the store against every branch, and the page
    of a provision that 2,000 synthetic cases cite ran past the 30 s limit (0.7 s this way).
    """
    r = resource.n3()  # a validated URIRef: safe to place in the query text
    return f"""
PREFIX rdfs: <{RDFS}> PREFIX skos: <{SKOS}> PREFIX owl: <{OWL}> PREFIX ecpl: <{ECPL}>
CONSTRUCT {{
  {r} ?p ?o . ?s ?q {r} . ?ax ?ap ?ao . ?v ?vp ?vo . ?n ?lp ?label .
  ?cx owl:annotatedSource ?cs ; owl:annotatedProperty ?cp ; owl:annotatedTarget ?ct ;
      ecpl:legalBasis {r} .
}} WHERE {{
  {{ {r} ?p ?o }}
  UNION {{ ?s ?q {r} FILTER(!isBlank(?s)) }}
  UNION {{ ?ax owl:annotatedSource {r} ; ?ap ?ao }}
  UNION {{ {r} ecpl:hasVersion ?v . ?v ?vp ?vo }}
  UNION {{ ?cx ecpl:legalBasis {r} ; owl:annotatedSource ?cs ; owl:annotatedProperty ?cp ;
             owl:annotatedTarget ?ct }}
  UNION {{
    {{ SELECT DISTINCT ?n WHERE {{
      {{ {r} ?p2 ?n }} UNION {{ ?n ?p2 {r} }} UNION {{ {r} ?n ?o2 }} UNION {{ ?s2 ?n {r} }}
      UNION {{ ?ax2 owl:annotatedSource {r} ; ?ap2 ?n }}
      UNION {{ ?ax3 owl:annotatedSource {r} ; ?n ?o3 }}
      UNION {{ ?ax4 ecpl:legalBasis {r} ; ?p4 ?n }}
      FILTER(isIRI(?n))
    }} }}
    VALUES ?lp {{ rdfs:label skos:prefLabel }}
    ?n ?lp ?label .
  }}
}}"""


def describe(access: GraphAccess, resource: URIRef) -> Graph:
    """The RDF description of ``resource``; NotFound when the graph never mentions it."""
    graph = access.construct(_describe_query(resource))
    if (resource, None, None) not in graph and (None, None, resource) not in graph:
        raise NotFound(f"no resource {resource} in the graph")
    return prefixes.bind(graph, ("ecpl", "skos", "owl"), override=True)


# ------------------------------------------------------------------------------------------
# Page model: plain data for the HTML template (all escaping is the template engine's job).
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    text: str
    href: str | None = None  # None for literals
    lang: str | None = None
    iri: str | None = None


@dataclass
class ResourcePage:
    iri: str
    title: str
    labels: list[Value] = field(default_factory=list)
    alt_labels: list[Value] = field(default_factory=list)
    definitions: list[Value] = field(default_factory=list)
    statutory_terms: list[Value] = field(default_factory=list)
    types: list[Value] = field(default_factory=list)
    legal_basis: list[tuple[str, list[Value]]] = field(default_factory=list)
    properties: list[tuple[Value, list[Value]]] = field(default_factory=list)
    axioms: list[tuple[Value, Value, list[Value]]] = field(default_factory=list)
    cited_by_axioms: list[tuple[Value, Value, Value]] = field(default_factory=list)
    incoming: list[tuple[Value, list[Value]]] = field(default_factory=list)
    mappings: list[tuple[str, list[Value]]] = field(default_factory=list)
    versions: list[dict[str, Value | None]] = field(default_factory=list)
    text: list[Value] = field(default_factory=list)


def _local_name(node: Node) -> str:
    text = str(node)
    for sep in ("#", "/"):
        if sep in text.rstrip(sep):
            text = text.rstrip(sep).rsplit(sep, 1)[-1]
    return text


def label(graph: Graph, node: Node) -> str:
    """A display name: 'zh · en' labels where present, else the local name."""
    found: dict[str, str] = {}
    for predicate in LABELS:
        for value in graph.objects(node, predicate):
            if isinstance(value, Literal):
                found.setdefault(value.language or "", str(value))
    parts = [found[lang] for lang in ("zh", "en", "") if lang in found]
    if not parts and found:
        parts = [next(iter(found.values()))]
    return " · ".join(dict.fromkeys(parts)) or _local_name(node)


def value(graph: Graph, node: Node, base_url: str) -> Value:
    if isinstance(node, URIRef):
        return Value(label(graph, node), href(str(node), base_url), iri=str(node))
    if isinstance(node, Literal):
        return Value(str(node), lang=node.language)
    return Value("(blank node)")


def _literals(graph: Graph, subject: URIRef, predicate: URIRef) -> list[Value]:
    found = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    found.sort(key=lambda lit: (lit.language != "zh", lit.language or "", str(lit)))
    return [Value(str(o), lang=o.language) for o in found]


def _sorted_values(graph: Graph, nodes: list[Node], base_url: str) -> list[Value]:
    return sorted((value(graph, n, base_url) for n in set(nodes)), key=lambda v: v.text)


def page_model(graph: Graph, resource: URIRef, base_url: str = "/") -> ResourcePage:
    """Everything the resource page shows, from the description graph."""
    page = ResourcePage(iri=str(resource), title=label(graph, resource))
    page.labels = _literals(graph, resource, SKOS.prefLabel) or _literals(
        graph, resource, RDFS.label
    )
    page.alt_labels = _literals(graph, resource, SKOS.altLabel)
    page.definitions = _literals(graph, resource, SKOS.definition)
    page.statutory_terms = _literals(graph, resource, ECPL.statutoryTerm)
    page.text = _literals(graph, resource, ECPL.text)
    page.types = _sorted_values(graph, list(graph.objects(resource, RDF.type)), base_url)
    for predicate in BASIS:
        targets = list(graph.objects(resource, predicate))
        if targets:
            page.legal_basis.append(
                (label(graph, predicate), _sorted_values(graph, targets, base_url))
            )
    for predicate in MAPPINGS:
        targets = list(graph.objects(resource, predicate))
        if targets:
            name = str(predicate).rsplit("#", 1)[-1]
            page.mappings.append((name, _sorted_values(graph, targets, base_url)))
    outgoing: dict[Node, list[Node]] = {}
    for out_p, obj in graph.predicate_objects(resource):
        if out_p not in _SECTIONED:
            outgoing.setdefault(out_p, []).append(obj)
    page.properties = [
        (value(graph, p, base_url), _sorted_values(graph, objs, base_url))
        for p, objs in sorted(outgoing.items(), key=lambda item: str(item[0]))
    ]
    incoming: dict[Node, list[Node]] = {}
    for subject, in_p in graph.subject_predicates(resource):
        if isinstance(subject, URIRef) and subject != resource:
            incoming.setdefault(in_p, []).append(subject)
    page.incoming = [
        (value(graph, p, base_url), _sorted_values(graph, subs, base_url))
        for p, subs in sorted(incoming.items(), key=lambda item: str(item[0]))
    ]
    for axiom in graph.subjects(OWL.annotatedSource, resource):
        prop = graph.value(axiom, OWL.annotatedProperty)
        target = graph.value(axiom, OWL.annotatedTarget)
        if prop is None or target is None:
            continue
        bases = _sorted_values(graph, list(graph.objects(axiom, ECPL.legalBasis)), base_url)
        page.axioms.append((value(graph, prop, base_url), value(graph, target, base_url), bases))
    page.axioms.sort(key=lambda row: (row[0].text, row[1].text))
    for axiom in graph.subjects(ECPL.legalBasis, resource):
        parts = [graph.value(axiom, p) for p in _AXIOM_PARTS]
        if any(part is None for part in parts) or parts[0] == resource:
            continue
        shown = [value(graph, part, base_url) for part in parts if part is not None]
        page.cited_by_axioms.append((shown[0], shown[1], shown[2]))
    page.cited_by_axioms.sort(key=lambda row: (row[0].text, row[1].text, row[2].text))
    page.versions = _versions(graph, resource, base_url)
    return page


def _versions(graph: Graph, resource: URIRef, base_url: str) -> list[dict[str, Value | None]]:
    rows = []
    for version in graph.objects(resource, ECPL.hasVersion):

        def one(predicate: URIRef, node: Node = version) -> Value | None:
            found = graph.value(node, predicate)
            return None if found is None else value(graph, found, base_url)

        rows.append(
            {
                "version": value(graph, version, base_url),
                "number": one(ECPL.versionNumber),
                "from": one(ECPL.inForceFrom),
                "until": one(ECPL.inForceUntil),
                "status": one(ECPL.numberingStatus),
            }
        )
    rows.sort(key=lambda row: row["from"].text if row["from"] else "")
    return rows


# ------------------------------------------------------------------------------------------
# Index pages: /law, /case, /doctrine, /term list what each family holds.
# ------------------------------------------------------------------------------------------

# family -> (IRI prefix, heading). Listed: typed IRIs with one more name after the prefix, so
# laws, cases and positions themselves (a law's articles are on the law's page), and every
# term of the vocabulary.
INDEX_FAMILIES: dict[str, tuple[str, str]] = {
    "law": (f"{iri.BASE}law/", "法律文件 · Legal instruments"),
    "case": (f"{iri.BASE}case/", "案例 · Cases"),
    "doctrine": (f"{iri.BASE}doctrine/", "学说立场 · Doctrinal positions"),
    "term": (str(ECPL), "本体术语 · Vocabulary terms"),
}
# Term kinds in the order the /term index shows them; anything else is an individual.
TERM_KINDS: tuple[tuple[URIRef, str], ...] = (
    (OWL.Class, "类 · Classes"),
    (OWL.ObjectProperty, "对象属性 · Object properties"),
    (OWL.DatatypeProperty, "数据属性 · Data properties"),
    (OWL.AnnotationProperty, "注释属性 · Annotation properties"),
)
INDIVIDUALS = "个体 · Individuals"
# The example case graphs the tests use hold invented facts: listed apart from the real cases.
EXAMPLES_GRAPHS = str(iri.source_graph("data", "cases/examples/x")).removesuffix("x")
EXAMPLES = (
    "示例（虚构事实，供测试用，并非真实案例）· "
    "Examples (invented facts for the tests, not real cases)"
)


def _index_query(prefix: str) -> str:
    p = Literal(prefix).n3()
    return f"""
PREFIX rdfs: <{RDFS}> PREFIX skos: <{SKOS}>
CONSTRUCT {{ ?r a ?type ; ?lp ?label . ?type ?tp ?typeLabel }} WHERE {{
  ?r a ?type
  FILTER(isIRI(?r) && STRSTARTS(STR(?r), {p}))
  BIND(STRAFTER(STR(?r), {p}) AS ?name)
  FILTER(STRLEN(?name) > 0 && !CONTAINS(?name, "/") && !CONTAINS(?name, "#"))
  OPTIONAL {{ VALUES ?lp {{ rdfs:label skos:prefLabel }} ?r ?lp ?label }}
  OPTIONAL {{ VALUES ?tp {{ rdfs:label skos:prefLabel }} ?type ?tp ?typeLabel }}
}}"""


def index_graph(access: GraphAccess, family: str) -> Graph:
    """The resources of one family (``law``, ``case``, ``doctrine``, ``term``): types, labels."""
    prefix, _heading = INDEX_FAMILIES[family]
    graph = access.construct(_index_query(prefix))
    return prefixes.bind(graph, ("ecpl", "skos", "owl"), override=True)


def example_cases(access: GraphAccess) -> set[URIRef]:
    """The cases typed in the example graphs (data/cases/examples/)."""
    found = access.construct(
        f"""CONSTRUCT {{ ?r a <{ECPL.Case}> }} WHERE {{
  GRAPH ?g {{ ?r a <{ECPL.Case}> }} FILTER(STRSTARTS(STR(?g), {Literal(EXAMPLES_GRAPHS).n3()}))
}}"""
    )
    return {s for s in found.subjects(RDF.type, ECPL.Case) if isinstance(s, URIRef)}


@dataclass(frozen=True)
class IndexEntry:
    zh: str
    en: str
    href: str | None
    iri: str
    types: tuple[str, ...]


def _lang_label(graph: Graph, node: Node, lang: str) -> str:
    for predicate in LABELS:
        for found in graph.objects(node, predicate):
            if isinstance(found, Literal) and found.language == lang:
                return str(found)
    return ""


def index_model(
    graph: Graph, family: str, base_url: str = "/", examples: frozenset[URIRef] = frozenset()
) -> list[tuple[str, list[IndexEntry]]]:
    """Sections of (heading, entries sorted by IRI) for an index page, labels in zh and en.

    ``examples`` (invented test cases) get a section of their own after the real ones.
    """
    groups: dict[str, list[IndexEntry]] = {}
    resources = sorted({s for s in graph.subjects(RDF.type) if isinstance(s, URIRef)}, key=str)
    for resource in resources:
        types = set(graph.objects(resource, RDF.type))
        heading = INDEX_FAMILIES[family][1]
        if family == "term":
            heading = next((name for kind, name in TERM_KINDS if kind in types), INDIVIDUALS)
        elif resource in examples:
            heading = EXAMPLES
        shown = sorted(
            label(graph, t) for t in types if isinstance(t, URIRef) and t != OWL.NamedIndividual
        )
        groups.setdefault(heading, []).append(
            IndexEntry(
                zh=_lang_label(graph, resource, "zh"),
                en=_lang_label(graph, resource, "en") or _local_name(resource),
                href=href(str(resource), base_url),
                iri=str(resource),
                types=tuple(shown),
            )
        )
    order = [INDEX_FAMILIES[family][1], *(name for _kind, name in TERM_KINDS), INDIVIDUALS]
    order.append(EXAMPLES)
    return sorted(groups.items(), key=lambda item: order.index(item[0]))
