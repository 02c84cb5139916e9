"""Content negotiation and the result serialisers (pure functions, no server)."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result

from ecpl.errors import NotAcceptable
from ecpl.store.base import QueryResult
from ecpl.web import conneg
from ecpl.web.conneg import RDF_TYPES, RESULT_TYPES, negotiate

RESULTS = RESULT_TYPES


@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        (None, None, "application/sparql-results+json"),
        ("", None, "application/sparql-results+json"),
        ("*/*", None, "application/sparql-results+json"),
        ("application/sparql-results+xml", None, "application/sparql-results+xml"),
        ("text/csv", None, "text/csv"),
        ("text/tab-separated-values", None, "text/tab-separated-values"),
        ("text/*", None, "text/csv"),
        ("text/csv;q=0.5, text/tab-separated-values", None, "text/tab-separated-values"),
        (
            "application/sparql-results+json;q=0.1, */*;q=0.2",
            None,
            "application/sparql-results+xml",
        ),
        ("application/json", None, "application/sparql-results+json"),
        ("application/xml", None, "application/sparql-results+xml"),
        ("text/html, */*;q=0.1", None, "application/sparql-results+json"),
        ("text/html", "csv", "text/csv"),
        ("text/csv", "json", "application/sparql-results+json"),
        ("TEXT/CSV", None, "text/csv"),
        ("text/csv; charset=utf-8; q=0.9", None, "text/csv"),
    ],
)
def test_negotiate_results(accept: str | None, fmt: str | None, expected: str) -> None:
    assert negotiate(accept, RESULTS, fmt) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("text/plain", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.8", "application/rdf+xml"),
        ("application/*", "application/n-triples"),
    ],
)
def test_negotiate_rdf(accept: str | None, expected: str) -> None:
    assert negotiate(accept, RDF_TYPES) == expected


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/html", None),
        ("image/png, text/html;q=0.9", None),
        ("text/csv;q=0", None),
        ("*/*;q=0", None),
        ("text/html", "pdf"),  # a format naming nothing on offer leaves it to Accept
        ("image/png", "turtle"),  # an RDF format for a SELECT, and an Accept nothing meets
    ],
)
def test_not_acceptable(accept: str | None, fmt: str | None) -> None:
    with pytest.raises(NotAcceptable):
        negotiate(accept, RESULTS, fmt)


@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        (None, "pdf", conneg.SPARQL_JSON),
        (None, "turtle", conneg.SPARQL_JSON),  # an RDF format for a SELECT: Accept decides
        ("text/csv", "turtle", conneg.CSV),
        ("application/sparql-results+xml", "rdfxml", conneg.SPARQL_XML),
        ("text/tab-separated-values", "", conneg.TSV),
    ],
)
def test_format_naming_nothing_on_offer_falls_back_to_accept(
    accept: str | None, fmt: str, expected: str
) -> None:
    assert negotiate(accept, RESULTS, fmt) == expected


# What real clients send for CONSTRUCT/DESCRIBE (read from their sources and captured on the
# wire): SPARQLWrapper's default is Accept application/rdf+xml with format=xml; rdflib's
# SPARQLStore sends both XML types; rasqal's roqet sends application/sparql-results+xml only.
@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        ("application/rdf+xml", "xml", conneg.RDFXML),  # SPARQLWrapper default
        (None, "xml", conneg.RDFXML),
        ("application/xml", None, conneg.RDFXML),
        ("text/xml", None, conneg.RDFXML),
        ("application/sparql-results+xml, application/rdf+xml", None, conneg.RDFXML),  # rdflib
        ("application/sparql-results+xml", None, conneg.SPARQL_XML),  # roqet: a table
        ("text/turtle", "json", conneg.JSONLD),  # the JSON form of a graph
        ("application/json", None, conneg.JSONLD),
        (None, "n3", conneg.TURTLE),  # SPARQLWrapper's N3 / TURTLE
        ("application/rdf+xml", "pdf", conneg.RDFXML),
        (None, None, conneg.TURTLE),
        ("*/*", None, conneg.TURTLE),
    ],
)
def test_negotiate_graph_results(accept: str | None, fmt: str | None, expected: str) -> None:
    assert negotiate(accept, conneg.GRAPH_RESULT_TYPES, fmt) == expected


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("xml", conneg.RDFXML), ("owl", conneg.RDFXML), ("html", conneg.HTML), ("ttl", conneg.TURTLE)],
)
def test_names_mean_the_form_for_linked_data(fmt: str, expected: str) -> None:
    assert negotiate("text/html", (conneg.HTML, *RDF_TYPES), fmt) == expected


def test_one_registry_each_name_unique_within_a_kind() -> None:
    for kind in ("results", "graph", "page"):
        names = [n for f in conneg.FORMATS if f.kind == kind for n in f.names]
        aliases = [a for f in conneg.FORMATS if f.kind == kind for a in f.aliases]
        assert len(names) == len(set(names)), kind
        assert len(aliases) == len(set(aliases)), kind


def test_garbage_accept_is_not_a_crash() -> None:
    with pytest.raises(NotAcceptable):
        negotiate(";;;,,q=abc,/", RESULTS)
    assert negotiate("text/csv;q=abc, application/sparql-results+xml", RESULTS).endswith("+xml")


EX = "http://example.org/"
SELECT = QueryResult(
    "select",
    variables=["s", "label", "n", "blank", "missing"],
    rows=[
        {
            "s": URIRef(EX + "a"),
            "label": Literal('平台 "quoted"\tand\nnew line', lang="zh"),
            "n": Literal(3, datatype=XSD.integer),
            "blank": BNode("b1"),
        },
        {"s": URIRef(EX + "b"), "label": Literal("plain, with comma")},
    ],
)


@pytest.mark.parametrize(
    ("media", "rdflib_format"),
    [
        (conneg.SPARQL_JSON, "json"),
        (conneg.SPARQL_XML, "xml"),
        (conneg.TSV, "tsv"),
    ],
)
def test_select_round_trips(media: str, rdflib_format: str) -> None:
    data = conneg.serialize_result(SELECT, media)
    parsed = Result.parse(io.BytesIO(data), format=rdflib_format)
    rows = [dict(row.asdict()) for row in parsed]  # type: ignore[union-attr]
    assert [str(v) for v in parsed.vars or []] == SELECT.variables
    assert rows[0]["s"] == URIRef(EX + "a")
    assert rows[0]["label"] == SELECT.rows[0]["label"]
    assert rows[0]["n"] == Literal(3, datatype=XSD.integer)
    assert isinstance(rows[0]["blank"], BNode)
    assert "missing" not in rows[0]
    assert rows[1]["label"] == Literal("plain, with comma")


def test_csv_is_plain_values() -> None:
    text = conneg.serialize_result(SELECT, conneg.CSV).decode()
    lines = text.split("\r\n")
    assert lines[0] == "s,label,n,blank,missing"
    assert lines[1].startswith(EX + "a,")
    assert lines[1].endswith(",3,_:b1,")
    assert '"plain, with comma"' in text


@pytest.mark.parametrize("media", RESULT_TYPES)
def test_ask(media: str) -> None:
    body = conneg.serialize_result(QueryResult("ask", boolean=True), media).decode()
    assert "true" in body


def test_truncation_is_said_in_json_and_xml() -> None:
    cut = QueryResult("select", variables=["s"], rows=[{"s": URIRef(EX)}], truncated=True)
    assert json.loads(conneg.serialize_result(cut, conneg.SPARQL_JSON))["truncated"] is True
    assert b"row limit" in conneg.serialize_result(cut, conneg.SPARQL_XML)


@pytest.mark.parametrize(("media", "fmt"), [(m, conneg.RDFLIB_FORMATS[m]) for m in RDF_TYPES])
def test_graph_formats_round_trip(media: str, fmt: str) -> None:
    triples = [(URIRef(EX + "s"), URIRef(EX + "p"), Literal("电子商务平台经营者", lang="zh"))]
    result = QueryResult("graph", triples=triples)  # type: ignore[arg-type]
    data = conneg.serialize_result(result, media)
    assert set(Graph().parse(data=data, format=fmt)) == set(triples)


def test_graph_asked_for_as_a_table_is_rows_of_triples() -> None:
    triples = [
        (URIRef(EX + "s"), URIRef(EX + "p"), Literal("电子商务平台经营者", lang="zh")),
        (URIRef(EX + "s"), URIRef(EX + "q"), URIRef(EX + "o")),
    ]
    result = QueryResult("graph", triples=triples)  # type: ignore[arg-type]
    lines = conneg.serialize_result(result, conneg.CSV).decode().split("\r\n")
    assert lines[0] == "subject,predicate,object"  # SPARQL 1.1 CSV: header of variable names
    parsed = Result.parse(io.BytesIO(conneg.serialize_result(result, conneg.SPARQL_XML)))
    assert {(r["subject"], r["predicate"], r["object"]) for r in parsed} == set(triples)  # type: ignore[index]


def test_rdf_format_refused_for_select() -> None:
    with pytest.raises(NotAcceptable):
        conneg.serialize_result(SELECT, conneg.TURTLE)


@settings(max_examples=300, deadline=None)
@given(
    accept=st.one_of(st.none(), st.text(max_size=80)),
    fmt=st.one_of(st.none(), st.text(max_size=20)),
)
def test_negotiate_never_fails_otherwise(accept: str | None, fmt: str | None) -> None:
    """Any header or format value yields an offer or NotAcceptable (a 406), nothing else."""
    for offers in (RESULT_TYPES, RDF_TYPES, conneg.GRAPH_RESULT_TYPES):
        with contextlib.suppress(NotAcceptable):
            assert negotiate(accept, offers, fmt) in offers


def test_chooser_decides_per_kind_once_the_kind_is_known() -> None:
    choose = conneg.chooser("application/xml", [])
    assert choose("graph") == conneg.RDFXML
    assert choose("select") == conneg.SPARQL_XML
    assert choose("ask") == conneg.SPARQL_XML
    assert conneg.chooser(None, ["json"])("graph") == conneg.JSONLD
