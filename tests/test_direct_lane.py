"""The direct query lane answers exactly as the Flask route does, and only where it may.

The oracle is the Flask app itself, with the lane taken out (``Flask.wsgi_app``): for every
request below both must give the same status, headers, body and log line. The requests cover
what the lane answers (every answer kind and format, ``format=``, the protocol's dataset
parameters, a cut answer) and what it must hand over or render through Flask (errors from the
policy, the parser, negotiation and the limits; a browser's page; an update, a second query,
a bad percent-encoding, HEAD). Flask's ``request_started`` signal tells who answered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask, request_started
from werkzeug.test import Client

from ecpl.config import Settings
from ecpl.web.app import create_app
from ecpl.web.context import STORE_KEY

ROOT = Path(__file__).resolve().parents[1]
OPERATOR = "<https://w3id.org/ecpl/ontology#EcommercePlatformOperator>"
CLASS = "<http://www.w3.org/2002/07/owl#Class>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
CLASSES = f"SELECT ?c WHERE {{ ?c a {CLASS} FILTER(isIRI(?c)) }} ORDER BY ?c"
LABELS = f"SELECT ?l WHERE {{ {OPERATOR} {LABEL} ?l }} ORDER BY ?l"
ASK = f"ASK {{ {OPERATOR} a {CLASS} }}"
CONSTRUCT = f"CONSTRUCT {{ {OPERATOR} ?p ?o }} WHERE {{ {OPERATOR} ?p ?o FILTER(!isBlank(?o)) }}"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
JSON = {"Accept": "application/sparql-results+json"}

# (query-string parameters, request headers, answered by the lane?)
Case = tuple[list[tuple[str, str]], dict[str, str], bool]
CASES: dict[str, Case] = {
    "select json": ([("query", LABELS)], JSON, True),
    "select xml": ([("query", LABELS)], {"Accept": "application/sparql-results+xml"}, True),
    "select csv": ([("query", LABELS)], {"Accept": "text/csv"}, True),
    "select tsv, q-values": (
        [("query", LABELS)],
        {"Accept": "text/csv;q=0.5, text/tab-separated-values"},
        True,
    ),
    "select, no Accept": ([("query", LABELS)], {}, True),
    "select, format=": ([("query", LABELS), ("format", "xml")], JSON, True),
    "select, cut at the row limit": ([("query", CLASSES)], JSON, True),
    "ask": ([("query", ASK)], JSON, True),
    "construct turtle": ([("query", CONSTRUCT)], {"Accept": "text/turtle"}, True),
    "construct n-triples": ([("query", CONSTRUCT)], {"Accept": "application/n-triples"}, True),
    "unknown parameter ignored": ([("query", ASK), ("timeout", "5")], JSON, True),
    "named-graph-uri": (
        [("query", GRAPHS), ("named-graph-uri", "https://w3id.org/ecpl/graph/ontology")],
        JSON,
        True,
    ),
    "default-graph-uri": (
        [("query", LABELS), ("default-graph-uri", "https://w3id.org/ecpl/graph/ontology")],
        JSON,
        True,
    ),
    # errors raised while answering: rendered by Flask's handlers
    "syntax error": ([("query", "SELECT WHERE {")], JSON, True),
    "syntax error, plain text": ([("query", "SELECT WHERE {")], {"Accept": "text/plain"}, True),
    "SERVICE refused": (
        [("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")],
        JSON,
        True,
    ),
    "not acceptable": ([("query", LABELS)], {"Accept": "image/png"}, True),
    "unknown graph": (
        [("query", LABELS), ("default-graph-uri", "https://example.org/no-such-graph")],
        JSON,
        True,
    ),
    "query over the size limit": ([("query", ASK + " #" + "x" * 5000)], JSON, True),
    # handed to Flask before anything runs
    "browser page": ([("query", LABELS)], {"Accept": "text/html,*/*;q=0.8"}, False),
    "update in a GET": ([("update", "CLEAR ALL")], JSON, False),
    "query and update": ([("query", ASK), ("update", "CLEAR ALL")], JSON, False),
    "two queries": ([("query", ASK), ("query", ASK)], JSON, False),
    "empty query": ([("query", "  ")], {"Accept": "text/turtle"}, False),
    "no query: service description": ([], {"Accept": "text/turtle"}, False),
}


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    application = create_app(
        Settings(root=ROOT, workers=1, row_limit=5, max_query_bytes=4096, query_timeout_s=10)
    )
    yield application
    application.extensions[STORE_KEY].close()


def _flask_only(app: Flask) -> Client:
    return Client(Flask.wsgi_app.__get__(app))


def _fetch(
    client: Client, path: str, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> tuple[int, list[tuple[str, str]], bytes, list[str]]:
    caplog.clear()
    response = client.get(path, headers=headers, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    lines = [
        re.sub(r" [0-9.]+ms$", "", r.getMessage())
        for r in caplog.records
        if r.name == "ecpl.web" and '"GET ' in r.getMessage()
    ]
    return response.status_code, sorted(response.headers.items()), response.get_data(), lines


@pytest.mark.parametrize("name", CASES)
def test_the_lane_answers_as_flask_does(
    app: Flask, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    params, headers, direct = CASES[name]
    path = "/sparql?" + urlencode(params) if params else "/sparql"
    caplog.set_level(logging.INFO, logger="ecpl.web")
    flask_calls: list[object] = []

    def started(sender: object, **_: object) -> None:
        flask_calls.append(sender)

    request_started.connect(started, app)
    try:
        through_lane = _fetch(app.test_client(), path, headers, caplog)
        answered_by_lane = not flask_calls
        reference = _fetch(_flask_only(app), path, headers, caplog)
    finally:
        request_started.disconnect(started, app)
    assert through_lane == reference
    assert len(through_lane[3]) == 1  # one log line, the same
    status = through_lane[0]
    if direct and status == 200:
        assert answered_by_lane
    if not direct:
        assert not answered_by_lane


def test_the_cut_answer_says_so(app: Flask) -> None:
    """The row limit case above is really cut (so the equality covers the header)."""
    response = app.test_client().get("/sparql?" + urlencode({"query": CLASSES}), headers=JSON)
    assert response.status_code == 200
    assert response.headers["X-ECPL-Results-Truncated"].startswith("true")
    assert len(response.get_json()["results"]["bindings"]) == 5


def test_a_bad_percent_encoding_is_refused_by_flask(app: Flask) -> None:
    """Bytes that are not UTF-8 after percent-decoding: 400 naming the problem (not U+FFFD)."""
    response = app.test_client().get("/sparql?query=ASK%20%7B%7D%FF", headers=JSON)
    assert response.status_code == 400
    assert "UTF-8" in response.get_json()["message"]


def test_head_is_left_to_flask(app: Flask) -> None:
    response = app.test_client().head("/sparql?" + urlencode({"query": ASK}), headers=JSON)
    assert response.status_code == 200
    assert response.get_data() == b""
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
