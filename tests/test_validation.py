"""validate(): report formats, determinism, unknown terms, rdflib vs Oxigraph-backed input."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import RDF, SH, XSD, Graph, Literal, URIRef

from ecpl.iri import ECPL
from ecpl.validation import validate

ROOT = Path(__file__).resolve().parents[1]
NEGATIVE = ROOT / "data" / "cases" / "examples" / "rule-ecl-38-2-positive.ttl"


def summary(report) -> tuple:
    return (
        report.conforms,
        tuple(
            (r.shape, r.focus_node, r.severity, tuple(sorted(r.message.items())))
            for r in report.results
        ),
        tuple(sorted(json.dumps(f.to_json(), sort_keys=True) for f in report.findings)),
    )


def test_results_are_deterministic() -> None:
    first = summary(validate(Graph().parse(NEGATIVE)))
    for _ in range(3):
        assert summary(validate(Graph().parse(NEGATIVE))) == first


def test_validate_does_not_change_the_input_graph() -> None:
    graph = Graph().parse(NEGATIVE)
    before = set(graph)
    validate(graph)
    assert set(graph) == before


def test_same_results_from_an_oxigraph_loaded_graph() -> None:
    """Input parsed by pyoxigraph (as the store does) gives the same report as rdflib's parser."""
    import pyoxigraph

    store = pyoxigraph.Store()
    store.load(NEGATIVE.read_bytes(), pyoxigraph.RdfFormat.TURTLE)
    graph = Graph()
    for quad in store:
        graph.add(tuple(_to_rdflib(term) for term in (quad.subject, quad.predicate, quad.object)))
    assert summary(validate(graph)) == summary(validate(Graph().parse(NEGATIVE)))


def _to_rdflib(term):
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    from rdflib import BNode

    return BNode(term.value)


def test_unknown_property_is_a_warning_not_a_crash() -> None:
    graph = Graph().parse(
        ROOT / "data" / "cases" / "examples" / "identity-verification-positive.ttl"
    )
    case = next(graph.subjects(RDF.type, ECPL.Case))
    graph.add((case, ECPL.docketNumbr, Literal("typo")))
    report = validate(graph)
    assert report.conforms
    warnings = [r for r in report.results if r.focus_node == str(ECPL.docketNumbr)]
    assert len(warnings) == 1 and warnings[0].severity == "Warning"
    assert "docketNumbr" in warnings[0].message["en"]


def test_wrong_datatype_is_a_violation() -> None:
    graph = Graph().parse(
        ROOT / "data" / "cases" / "examples" / "identity-verification-positive.ttl"
    )
    case = next(graph.subjects(RDF.type, ECPL.Case))
    graph.remove((case, ECPL.decisionDate, None))
    graph.add((case, ECPL.decisionDate, Literal("June 2024")))
    report = validate(graph)
    assert not report.conforms
    assert any(r.shape.endswith("#CaseDate") for r in report.violations)


def test_event_after_decision_is_a_violation() -> None:
    graph = Graph().parse(
        ROOT / "data" / "cases" / "examples" / "identity-verification-positive.ttl"
    )
    case = next(graph.subjects(RDF.type, ECPL.Case))
    graph.set((case, ECPL.decisionDate, Literal("2022-01-01", datatype=XSD.date)))
    report = validate(graph)
    assert any(r.shape.endswith("#CaseDatesInOrder") for r in report.violations)


def test_report_renderings() -> None:
    report = validate(Graph().parse(NEGATIVE))
    data = report.to_json()
    json.dumps(data)  # serialisable
    assert data["conforms"] is False
    assert str(ECPL.QualificationReviewDuty) in data["breached_duties"]
    assert "https://w3id.org/ecpl/law/ecl/art/38/para/2" in data["results"][0][
        "legal_basis"
    ] or any(
        "https://w3id.org/ecpl/law/ecl/art/38/para/2" in r["legal_basis"] for r in data["results"]
    )
    graph = report.graph()
    assert (None, RDF.type, SH.ValidationReport) in graph
    assert len(set(graph.subjects(RDF.type, ECPL.Finding))) == len(report.findings)
    assert (None, ECPL.legalBasis, URIRef("https://w3id.org/ecpl/law/ecl/art/38/para/2")) in graph
    zh, en = report.to_text("zh"), report.to_text("en")
    assert "不符合" in zh and "电子商务法第38条第2款" in zh
    assert "does not conform" in en and "ECL 38(2)" in en
