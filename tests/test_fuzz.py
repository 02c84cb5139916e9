"""Fuzzing the request parsers and content negotiation with hypothesis: never a 500.

Runs against the Flask test client (one app, memory store) so that thousands of requests take
seconds. Every answer must be a success or a deliberate error: 4xx, or 503 for a query stopped
by the time limit — never 500, which would mean a user's input reached an unhandled exception.
"""

from __future__ import annotations

import string
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecpl.config import Settings
from ecpl.web.app import create_app

TOKEN = "fuzz-token"
CASE_GRAPH = "https://w3id.org/ecpl/graph/case/fuzz"

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    application = create_app(
        Settings.from_env(
            update_token=TOKEN, query_timeout_s=3, workers=1, row_limit=200, store="memory"
        )
    )
    yield application
    from ecpl.web.context import STORE_KEY

    application.extensions[STORE_KEY].close()


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def assert_handled(status: int, body: bytes) -> None:
    assert status != 500, body[:500]
    assert status < 500 or status == 503, (status, body[:500])
    assert b"Traceback" not in body


# -- strategies --------------------------------------------------------------------------------
MEDIA = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "application/json",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
    "text/turtle",
    "text/csv",
    "text/tab-separated-values",
    "text/html",
    "text/plain",
    "application/xml",
    "*/*",
    "text/*",
    "application/*",
    "image/png",
]
token_text = st.text(alphabet=string.printable + "中文\u00e9\x00\ufeff", max_size=40)
q_value = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(lambda f: f"{f:.3f}"),
    token_text,
)
media_range = st.builds(
    lambda media, q, extra: media + (f";q={q}" if q is not None else "") + extra,
    st.one_of(st.sampled_from(MEDIA), token_text),
    st.one_of(st.none(), q_value),
    st.sampled_from(["", ";charset=utf-8", ";level=1", ";;", ";q", ";=", " ; q = 0.5"]),
)
accept_header = st.one_of(
    token_text,
    st.lists(media_range, max_size=6).map(", ".join),
)
format_param = st.one_of(
    st.none(),
    st.sampled_from(
        ["json", "xml", "csv", "tsv", "turtle", "ttl", "nt", "jsonld", "rdfxml", "html", "sparql"]
    ),
    token_text,
)
SPARQL_PARTS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "*",
    "?s",
    "?p",
    "?o",
    "WHERE",
    "{",
    "}",
    ".",
    ";",
    "(",
    ")",
    "<urn:x>",
    "<https://w3id.org/ecpl/ontology#Duty>",
    "a",
    "FILTER",
    "regex(?o, 'a')",
    "LIMIT 5",
    "OFFSET 1",
    "ORDER BY ?s",
    "GROUP BY ?s",
    "COUNT(*)",
    "AS",
    "?n",
    '"x"@zh',
    '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
    "GRAPH ?g",
    "OPTIONAL",
    "UNION",
    "VALUES ?s { <urn:x> }",
    "BIND(1 AS ?b)",
    "SERVICE <http://127.0.0.1:9/>",
    "FROM <file:///etc/passwd>",
    "FROM NAMED <http://127.0.0.1:9/>",
    "PREFIX ecpl: <https://w3id.org/ecpl/ontology#>",
    "ecpl:Duty",
    "_:b",
    "[]",
    "\\u0053ERVICE",
    "INSERT DATA",
    "LOAD <file:///etc/passwd>",
    "DELETE WHERE",
    "#",
    "\n",
]
sparql_text = st.one_of(
    st.lists(st.sampled_from(SPARQL_PARTS), max_size=25).map(" ".join),
    st.text(max_size=200),
)
body_bytes = st.one_of(
    st.binary(max_size=400),
    sparql_text.map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"<urn:x:a> <urn:x:b> <urn:x:c> .",
            b'{"@id": "urn:x:a", "urn:x:p": "v"}',
            b'{"@context": "http://127.0.0.1:9/c", "@id": "urn:x:a"}',
            b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            b"@prefix ex: <http://example.org/> . ex:a ex:b ex:c .",
            b"\xff\xfe\x00\x00",
            b"",
        ]
    ),
)
content_type = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "application/sparql-query",
            "application/sparql-update",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "text/turtle",
            "text/turtle; charset=latin-1",
            "application/ld+json",
            "application/n-triples",
            "application/rdf+xml",
            "application/json",
            "text/plain",
            "application/octet-stream",
        ]
    ),
    token_text,
)
param_name = st.one_of(
    st.sampled_from(
        [
            "query",
            "update",
            "format",
            "default-graph-uri",
            "named-graph-uri",
            "graph",
            "default",
            "syntax",
            "data",
            "lang",
            "date",
            "law",
            "article",
            "actor",
        ]
    ),
    token_text,
)
params = st.dictionaries(param_name, st.one_of(sparql_text, token_text), max_size=4)


GRAPH_PARAMS = ("graph", "default-graph-uri", "named-graph-uri")


def header_safe(value: str) -> str:
    """Werkzeug's test client refuses newlines in header values; a real client cannot send them."""
    return value.replace("\r", " ").replace("\n", " ")


# -- tests -------------------------------------------------------------------------------------
@FUZZ
@given(query=sparql_text, accept=accept_header, fmt=format_param, method=st.sampled_from("GP"))
def test_sparql_query_never_500(
    client: FlaskClient, query: str, accept: str, fmt: str | None, method: str
) -> None:
    args = {"query": query} | ({"format": fmt} if fmt is not None else {})
    headers = {"Accept": header_safe(accept)}
    if method == "G":
        response = client.get("/sparql", query_string=args, headers=headers)
    else:
        response = client.post("/sparql", data=args, headers=headers)
    assert_handled(response.status_code, response.data)


@FUZZ
@given(
    path=st.sampled_from(
        [
            "/sparql",
            "/validate",
            "/data",
            "/queries",
            "/",
            "/health",
            "/term/Duty",
            "/case/zhou-v-kuaike",
            "/law/ecl/art/38/para/2",
            "/doctrine/x",
            "/shapes",
            "/ontology",
            "/.well-known/void",
            "/export",
        ]
    ),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
    body=body_bytes,
    ctype=content_type,
    accept=accept_header,
    query_args=params,
    authorised=st.booleans(),
)
def test_any_request_never_500(
    client: FlaskClient,
    path: str,
    method: str,
    body: bytes,
    ctype: str | None,
    accept: str,
    query_args: dict[str, str],
    authorised: bool,
) -> None:
    headers = {"Accept": header_safe(accept)}
    if ctype is not None:
        headers["Content-Type"] = header_safe(ctype)
    if authorised:
        headers["Authorization"] = f"Bearer {TOKEN}"
    if path == "/data" and "graph" not in query_args:
        query_args = {**query_args, "graph": CASE_GRAPH}
    response = client.open(path, method=method, data=body, headers=headers, query_string=query_args)
    assert_handled(response.status_code, response.data)


@FUZZ
@given(body=body_bytes, ctype=content_type, accept=accept_header, fmt=format_param)
def test_validate_never_500(
    client: FlaskClient, body: bytes, ctype: str | None, accept: str, fmt: str | None
) -> None:
    headers = {"Accept": header_safe(accept)}
    if ctype is not None:
        headers["Content-Type"] = header_safe(ctype)
    query_string = {"format": fmt} if fmt is not None else {}
    response = client.post("/validate", data=body, headers=headers, query_string=query_string)
    assert_handled(response.status_code, response.data)


@FUZZ
@given(
    text=st.one_of(st.text(max_size=300), sparql_text),
    syntax=st.one_of(
        st.none(), st.sampled_from(["turtle", "jsonld", "ntriples", "rdfxml"]), token_text
    ),
    fmt=st.one_of(st.none(), st.sampled_from(["json", "html", "turtle", "jsonld"]), token_text),
    upload=st.booleans(),
    filename=st.one_of(st.sampled_from(["case.ttl", "case.jsonld", "case.rdf", "x"]), token_text),
)
def test_validate_form_never_500(
    client: FlaskClient,
    text: str,
    syntax: str | None,
    fmt: str | None,
    upload: bool,
    filename: str,
) -> None:
    import io

    form: dict[str, object] = {}
    if syntax is not None:
        form["syntax"] = syntax
    if fmt is not None:
        form["format"] = fmt
    if upload:
        form["file"] = (io.BytesIO(text.encode("utf-8", "surrogatepass")), filename or "f")
    else:
        form["data"] = text
    response = client.post("/validate", data=form, content_type="multipart/form-data")
    assert_handled(response.status_code, response.data)


@FUZZ
@given(
    name=st.one_of(
        st.sampled_from(
            ["cq01-platform-terms", "cq02-duties-by-phase", "provision-by-number-on-date", "nope"]
        ),
        token_text,
    ),
    query_args=params,
    accept=accept_header,
)
def test_named_queries_never_500(
    client: FlaskClient, name: str, query_args: dict[str, str], accept: str
) -> None:
    response = client.get(
        "/queries/" + name.replace("/", "_").replace("?", "_").replace("#", "_")
        if name
        else "/queries/x",
        query_string=query_args,
        headers={"Accept": header_safe(accept)},
    )
    assert_handled(response.status_code, response.data)


@FUZZ
@given(
    graph=st.one_of(st.text(max_size=80), st.just(CASE_GRAPH)),
    body=body_bytes,
    ctype=content_type,
    method=st.sampled_from(["PUT", "POST", "GET", "DELETE"]),
)
def test_graph_store_never_500(
    client: FlaskClient, graph: str, body: bytes, ctype: str | None, method: str
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if ctype is not None:
        headers["Content-Type"] = header_safe(ctype)
    response = client.open(
        "/data", method=method, data=body, headers=headers, query_string={"graph": graph}
    )
    assert_handled(response.status_code, response.data)


@pytest.mark.parametrize("value", ["0", "a b", "<>", "http://example.org/ y"])
@pytest.mark.parametrize("param", GRAPH_PARAMS)
def test_invalid_graph_iri_is_400(client: FlaskClient, param: str, value: str) -> None:
    if param == "graph":
        response = client.get("/data", query_string={"graph": value})
    else:
        query = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", param: value}
        response = client.get("/sparql", query_string=query)
    assert response.status_code == 400, response.data[:300]
    assert b"IRI" in response.data
