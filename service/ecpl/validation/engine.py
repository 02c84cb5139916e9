"""validate(graph) -> Report: the project's shapes and rules over one case graph.

Shapes, ontology and reference data are loaded once per process (:func:`resources`). Instead of
handing pyshacl the ontology on every call (it copies the schema into each data graph, ~4x
slower), what the shapes need from it is precomputed: the superclass closure, added as rdf:type
triples to a copy of the case graph, and the reference individuals the rules read (liability
rules, duties, doctrinal positions). Validation always runs on a plain in-memory rdflib graph:
pyshacl over an Oxigraph-backed graph gave different results (research/perf-baselines.md).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from pyshacl import Validator
from pyshacl.graph_abstraction import DataGraph
from pyshacl.shapes_graph import ShapesGraph
from rdflib import OWL, RDF, RDFS, SH, SKOS, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from ecpl import config, sources
from ecpl.iri import ECPL, SHAPES
from ecpl.validation.report import Finding, Report, Result, short

# Subjects typed with these classes are copied into every validated graph (the rules read them) ...
REFERENCE_CLASSES = (ECPL.LiabilityRule, ECPL.DoctrinalPosition)
# ... and only the properties the rules in shapes/rules.ttl read from them.
REFERENCE_PROPERTIES = (
    ECPL.liabilityForm,
    ECPL.liabilityNature,
    ECPL.faultPrinciple,
    ECPL.legalBasis,
    ECPL.fineMinCNY,
    ECPL.fineMaxCNY,
    ECPL.seriousFineMinCNY,
    ECPL.seriousFineMaxCNY,
    ECPL.aboutProvision,
    ECPL.claimsForm,
    ECPL.claimsNature,
    ECPL.withinPosition,
)
DECLARED_VOCABULARY_SHAPE = SHAPES.DeclaredVocabulary
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Resources:
    """Everything validation needs that does not depend on the case graph."""

    shapes: Graph
    shapes_wrapper: ShapesGraph
    superclasses: dict[Node, frozenset[Node]]
    reference: Graph
    declared: frozenset[URIRef]
    labels: dict[tuple[Node, str], str]
    shape_meta: dict[Node, tuple[str | None, tuple[str, ...]]]  # shape -> (duty, legal bases)


_lock = threading.Lock()


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _WorkGraph(Graph):
    """An in-memory graph that parses each SPARQL text once per process.

    pyshacl hands the SHACL-AF rules to ``Graph.query`` as strings, and rdflib's parser takes
    ~100 ms per rule per call; the parsed and translated query is reusable (it is what
    ``prepareQuery`` returns), so it is cached by its text.
    """

    def query(  # type: ignore[override]
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,
        initBindings: Mapping[str, Any] | None = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str) and not initNs and not kwargs.get("base"):
            query_object = _prepared(query_object)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


@cache
def resources(root: Path | None = None) -> Resources:
    """Load shapes, ontology and reference data once (per root) and precompute closures."""
    base = root or config.project_root()
    shapes = sources.load_graph(("shapes",), base)
    ontology = sources.load_graph(("ontology",), base)
    data = Graph()
    for source in sources.iter_sources(base, ("data",)):
        if source.path.parent.name in ("doctrine", "laws") or source.path.parent.name == "data":
            data.parse(source.path, format="turtle")
    known = ontology + data

    superclasses: dict[Node, frozenset[Node]] = {}
    for cls in set(ontology.subjects(RDFS.subClassOf, None)) | set(
        ontology.subjects(RDF.type, OWL.Class)
    ):
        if isinstance(cls, URIRef):
            closure = {
                c
                for c in ontology.transitive_objects(cls, RDFS.subClassOf)
                if isinstance(c, URIRef) and c != cls
            }
            superclasses[cls] = frozenset(closure)

    reference = Graph()
    for cls in REFERENCE_CLASSES:
        for subject in set(known.subjects(RDF.type, cls)):
            reference.add((subject, RDF.type, cls))
            for prop in REFERENCE_PROPERTIES:
                for value in known.objects(subject, prop):
                    reference.add((subject, prop, value))

    declared = frozenset(
        s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ECPL))
    )
    labels: dict[tuple[Node, str], str] = {}
    for graph in (known, shapes):
        for prop in (SKOS.prefLabel, RDFS.label):
            for subject, label in graph.subject_objects(prop):
                if isinstance(label, Literal) and label.language in ("zh", "en"):
                    labels.setdefault((subject, label.language), str(label))

    return Resources(
        shapes=shapes,
        shapes_wrapper=ShapesGraph(shapes),
        superclasses=superclasses,
        reference=reference,
        declared=declared,
        labels=labels,
        shape_meta=_shape_meta(shapes),
    )


def _shape_meta(shapes: Graph) -> dict[Node, tuple[str | None, tuple[str, ...]]]:
    """For every shape (node or property shape), the duty it checks and its legal bases."""
    meta: dict[Node, tuple[str | None, tuple[str, ...]]] = {}
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    for shape in node_shapes:
        duty = shapes.value(shape, ECPL.checksDuty)
        bases = tuple(sorted(str(b) for b in shapes.objects(shape, ECPL.legalBasis)))
        entry = (str(duty) if duty else None, bases)
        meta[shape] = entry
        for prop in shapes.objects(shape, SH.property):
            own_duty = shapes.value(prop, ECPL.checksDuty)
            own_bases = tuple(sorted(str(b) for b in shapes.objects(prop, ECPL.legalBasis)))
            meta[prop] = (str(own_duty) if own_duty else entry[0], own_bases or bases)
    return meta


def prepare(graph: Graph, res: Resources) -> Graph:
    """A copy of the case graph with the type closure and the reference individuals added."""
    work = _WorkGraph()
    add = work.add
    for triple in graph:
        add(triple)
    for subject, cls in list(graph.subject_objects(RDF.type)):
        for sup in res.superclasses.get(cls, ()):
            add((subject, RDF.type, sup))
    for triple in res.reference:
        add(triple)
    return work


def validate(graph: Graph, *, root: Path | None = None) -> Report:
    """Validate one case graph with the project's shapes; derive findings with its rules."""
    res = resources(root)
    work = prepare(graph, res)
    validator = Validator(
        DataGraph.from_rdflib(work),
        shacl_graph=res.shapes,
        options={
            "advanced": True,
            "inplace": True,
            "allow_warnings": True,
            "inference": "none",
        },
    )
    validator.shacl_graph = res.shapes_wrapper  # reuse the parsed shapes across calls
    with _lock:  # ShapesGraph caches are shared; pyshacl is not thread-safe over them
        conforms, report_graph, _text = validator.run()
    results = _results(report_graph, res) + _undeclared(graph, res)
    findings, findings_graph = _findings(work)
    conforms = not any(r.severity == "Violation" for r in results)

    def label(node: Node, lang: str) -> str:
        for key in ((node, lang), (node, "en" if lang == "zh" else "zh")):
            if key in res.labels:
                return res.labels[key]
        for value in graph.objects(node, RDFS.label):  # the case graph's own names
            if isinstance(value, Literal) and value.language in (lang, None):
                return str(value)
        return short(str(node))

    return Report(
        conforms=conforms,
        results=results,
        findings=findings,
        report_graph=report_graph,
        findings_graph=findings_graph,
        labeller=label,
        cases=sorted(str(c) for c in graph.subjects(RDF.type, ECPL.Case) if isinstance(c, URIRef)),
    )


def _results(report: Graph, res: Resources) -> list[Result]:
    out = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(node, SH.sourceShape)
        if shape is None:
            continue
        duty, bases = res.shape_meta.get(shape, (None, ()))
        message: dict[str, str] = {}
        for text in sorted(report.objects(node, SH.resultMessage), key=str):
            if isinstance(text, Literal):
                # pyshacl drops the language tag when it fills in {$this}/{?var}
                lang = text.language or ("zh" if _CJK.search(str(text)) else "en")
                message.setdefault(lang, str(text))
        if not message:
            message = {"en": "constraint not met", "zh": "不满足约束"}
        severity_node = report.value(node, SH.resultSeverity)
        severity = (
            _SEVERITIES.get(severity_node, "Violation")
            if isinstance(severity_node, URIRef)
            else "Violation"
        )
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        out.append(
            Result(
                focus_node=str(report.value(node, SH.focusNode)),
                shape=str(shape) if isinstance(shape, URIRef) else _named_parent(shape, res),
                severity=severity,
                message=message,
                legal_basis=list(bases),
                duty=duty,
                path=str(path) if isinstance(path, URIRef) else None,
                value=str(value) if value is not None else None,
            )
        )
    out.sort(key=lambda r: (r.severity, r.shape, r.focus_node, r.message.get("en", "")))
    return out


def _named_parent(shape: Node, res: Resources) -> str:
    """A property shape given as a blank node is reported under its node shape's IRI."""
    for parent in res.shapes.subjects(SH.property, shape):
        return str(parent)
    return str(shape)


def _undeclared(graph: Graph, res: Resources) -> list[Result]:
    """Warn about ecpl: properties and classes the ontology does not declare (likely typos)."""
    used: set[URIRef] = set()
    for _subject, predicate, obj in graph:
        for term in (predicate, obj if predicate == RDF.type else None):
            if isinstance(term, URIRef) and term.startswith(str(ECPL)) and term not in res.declared:
                used.add(term)
    return [
        Result(
            focus_node=str(term),
            shape=str(DECLARED_VOCABULARY_SHAPE),
            severity="Warning",
            message={
                "zh": f"{short(str(term))} 不是本体中声明的术语（拼写错误？），已忽略。",
                "en": f"{short(str(term))} is not declared in the ontology (a typo?); ignored.",
            },
        )
        for term in sorted(used)
    ]


def _findings(work: Graph) -> tuple[list[Finding], Graph]:
    findings: list[Finding] = []
    triples = Graph()
    triples.bind("ecpl", ECPL)
    for node in sorted(set(work.subjects(RDF.type, ECPL.Finding)), key=str):
        for triple in work.triples((node, None, None)):
            triples.add(triple)

        def one(prop: URIRef, node: Node = node) -> str | None:
            value = work.value(node, prop)
            return str(value) if value is not None else None

        def many(prop: URIRef, node: Node = node) -> list[str]:
            return sorted(str(v) for v in work.objects(node, prop))

        def amount(prop: URIRef, node: Node = node) -> float | None:
            value = work.value(node, prop)
            if isinstance(value, Literal) and isinstance(value.toPython(), int | float | Decimal):
                return float(value.toPython())
            return None

        enlarged = work.value(node, ECPL.enlargedPartOnly)
        findings.append(
            Finding(
                iri=str(node),
                case=one(ECPL.inCase) or "",
                rule=one(ECPL.appliesRule) or "",
                status=one(ECPL.findingStatus),
                duties=many(ECPL.dutyBreached),
                forms=many(ECPL.resultingForm),
                natures=many(ECPL.resultingNature),
                liable_party=one(ECPL.liablePartyInCase),
                co_liable_parties=many(ECPL.coLiablePartyInCase),
                recourse_against=many(ECPL.recourseAgainstParty),
                fault_principle=one(ECPL.findingFaultPrinciple),
                position=one(ECPL.underPosition),
                fine_min_cny=amount(ECPL.findingFineMinCNY),
                fine_max_cny=amount(ECPL.findingFineMaxCNY),
                serious_fine_min_cny=amount(ECPL.findingSeriousFineMinCNY),
                serious_fine_max_cny=amount(ECPL.findingSeriousFineMaxCNY),
                enlarged_part_only=isinstance(enlarged, Literal) and enlarged.toPython() is True,
                legal_basis=many(ECPL.legalBasis),
            )
        )
    return findings, triples
