"""Datasets and the protocol over HTTP, with expectations from the W3C specs.

SPARQL 1.1 Query §13 (RDF dataset: FROM / FROM NAMED define it; the merge of several default
graphs is an RDF merge, so a triple held by two graphs is one triple), Protocol §2.1.4 /
§2.2.3 (default-graph-uri / named-graph-uri and using-graph-uri / using-named-graph-uri override
the text; both at once is an error for updates), §2.1 (exactly one query= / update=).
Two case graphs hold one shared triple: A = {a, both}, B = {b, both}.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests

from ecpl import iri
from live_server import start_server

TOKEN = "dataset-secret"
A = iri.CASE_GRAPH_PREFIX + "ds-a"
B = iri.CASE_GRAPH_PREFIX + "ds-b"
S, P = "urn:ex:s", "urn:ex:p"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with start_server(
        "--update-token", TOKEN, "--timeout", "10", log_dir=tmp_path_factory.mktemp("ds")
    ) as running:
        _update(
            running.url,
            f'INSERT DATA {{ GRAPH <{A}> {{ <{S}> <{P}> "a", "both" }} '
            f'GRAPH <{B}> {{ <{S}> <{P}> "b", "both" }} }}',
        )
        yield running.url


def _update(url: str, text: str, **params: str) -> requests.Response:
    response = requests.post(
        url + "/sparql", data={"update": text, **params}, headers=AUTH, timeout=30
    )
    assert response.status_code == 204, response.text
    return response


def _select(url: str, query: str, **params: object) -> list[dict]:
    response = requests.get(
        url + "/sparql",
        params={"query": query, **params},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]  # type: ignore[no-any-return]


def _objects(url: str, query: str, **params: object) -> list[str]:
    return sorted(row["o"]["value"] for row in _select(url, query, **params))


def _count(url: str, query: str, **params: object) -> int:
    return int(_select(url, query, **params)[0]["n"]["value"])


OBJECTS = f"SELECT ?o WHERE {{ <{S}> <{P}> ?o }}"


def test_from_defines_the_default_graph(server: str) -> None:
    assert _objects(server, f"SELECT ?o FROM <{A}> WHERE {{ <{S}> <{P}> ?o }}") == ["a", "both"]
    assert _objects(server, f"SELECT ?o FROM <{B}> WHERE {{ <{S}> <{P}> ?o }}") == ["b", "both"]


def test_several_from_graphs_are_merged_not_added(server: str) -> None:
    query = f"SELECT ?o FROM <{A}> FROM <{B}> WHERE {{ <{S}> <{P}> ?o }}"
    assert _objects(server, query) == ["a", "b", "both"]  # "both" once
    count = f"SELECT (COUNT(*) AS ?n) FROM <{A}> FROM <{B}> WHERE {{ ?s ?p ?o }}"
    assert _count(server, count) == 3


def test_the_default_graph_is_the_merge_of_all_graphs(server: str) -> None:
    assert _objects(server, OBJECTS) == ["a", "b", "both"]
    merged = _count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    distinct = _count(
        server,
        "SELECT (COUNT(*) AS ?n) WHERE { "
        "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }",
    )
    assert merged == distinct
    assert requests.get(server + "/health", timeout=30).json()["triples"] == distinct


def test_protocol_graphs_override_the_text(server: str) -> None:
    query = f"SELECT ?o FROM <{B}> WHERE {{ <{S}> <{P}> ?o }}"
    assert _objects(server, query, **{"default-graph-uri": A}) == ["a", "both"]
    both = {"default-graph-uri": [A, B]}
    assert _objects(server, OBJECTS, **both) == ["a", "b", "both"]


def test_named_graphs_only_leave_the_default_graph_empty(server: str) -> None:
    ask = requests.get(
        server + "/sparql",
        params={"query": "ASK { ?s ?p ?o }", "named-graph-uri": A},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert ask.json()["boolean"] is False
    graphs = _select(
        server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": A}
    )
    assert [row["g"]["value"] for row in graphs] == [A]


def test_from_named_limits_graph_and_hides_private_graphs(server: str) -> None:
    query = (
        f"SELECT DISTINCT ?g FROM <{A}> FROM <{B}> FROM NAMED <{A}> "
        "WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    assert [row["g"]["value"] for row in _select(server, query)] == [A]
    only_from = f"SELECT ?g FROM <{A}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert _select(server, only_from) == []  # FROM without FROM NAMED: no named graphs


def test_removing_a_graph_keeps_triples_other_graphs_hold(server: str) -> None:
    extra = iri.CASE_GRAPH_PREFIX + "ds-c"
    _update(server, f'INSERT DATA {{ GRAPH <{extra}> {{ <{S}> <{P}> "both", "c" }} }}')
    assert _objects(server, OBJECTS) == ["a", "b", "both", "c"]
    _update(server, f"DROP GRAPH <{extra}>")
    assert _objects(server, OBJECTS) == ["a", "b", "both"]  # A and B still hold "both"


def test_two_query_parameters_are_refused(server: str) -> None:
    response = requests.get(
        server + "/sparql", params=[("query", "ASK {}"), ("query", "ASK { ?s ?p ?o }")], timeout=30
    )
    assert response.status_code == 400 and "query=" in response.text
    updates = requests.post(
        server + "/sparql",
        data=[("update", "CLEAR SILENT GRAPH <urn:x>")] * 2,
        headers=AUTH,
        timeout=30,
    )
    assert updates.status_code == 400 and "update=" in updates.text


def test_using_graph_uri_is_the_update_dataset(server: str) -> None:
    target = iri.CASE_GRAPH_PREFIX + "ds-copy"
    copy = f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    _update(server, copy, **{"using-graph-uri": A})
    query = f"SELECT ?o FROM <{target}> WHERE {{ ?s ?p ?o }}"
    assert _objects(server, query) == ["a", "both"]
    twice = requests.post(
        server + "/sparql",
        data={"update": copy.replace("WHERE", f"USING <{B}> WHERE"), "using-graph-uri": A},
        headers=AUTH,
        timeout=30,
    )
    assert twice.status_code == 400 and "using-graph-uri" in twice.text


def test_head_answers_like_get_without_a_body(server: str) -> None:
    params = {"query": "ASK {}"}
    get = requests.get(server + "/sparql", params=params, timeout=30)
    head = requests.head(server + "/sparql", params=params, timeout=30)
    assert head.status_code == get.status_code == 200
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.content == b""


def test_bad_utf8_in_the_query_string_is_400(server: str) -> None:
    response = requests.get(server + "/sparql?query=ASK%20%7B%7D%20%23%FF", timeout=30)
    assert response.status_code == 400 and "UTF-8" in response.text


def test_no_location_from_the_host_header(server: str) -> None:
    response = requests.get(
        server + "/sparql",
        headers={"Accept": "text/html", "Host": "evil.example"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303
    assert "evil.example" not in response.headers["Location"]


def test_relative_iris_resolve_against_the_endpoint(server: str) -> None:
    # RFC 3986 §5.2: <s> against http://host:port/sparql is http://host:port/s
    response = requests.get(
        server + "/sparql",
        params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
        headers={"Accept": "application/n-triples"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.text.startswith(f"<{server}/s> <{server}/p> ")
    graph = iri.CASE_GRAPH_PREFIX + "ds-base"
    _update(server, f"INSERT DATA {{ GRAPH <{graph}> {{ <a> <b> <test> }} }}")
    ask = f"ASK {{ <{server}/a> <{server}/b> <{server}/test> }}"
    assert requests.get(server + "/sparql", params={"query": ask}, timeout=30).json()["boolean"]
    based = requests.get(
        server + "/sparql",
        params={"query": "BASE <http://example.org/d/> CONSTRUCT { <s> <p> 1 } WHERE {}"},
        headers={"Accept": "application/n-triples"},
        timeout=30,
    )
    assert based.text.startswith("<http://example.org/d/s> <http://example.org/d/p> ")


@pytest.mark.parametrize(
    "update",
    [
        "DROP ALL",
        "CLEAR DEFAULT",
        "INSERT DATA { <urn:ex:x> <urn:ex:y> <urn:ex:z> }",
        f"INSERT DATA {{ GRAPH <{iri.GRAPH}ontology/actors> {{ <urn:ex:x> <urn:ex:y> 1 }} }}",
        f"DROP GRAPH <{iri.INFERRED_GRAPH}>",
        f"DELETE WHERE {{ GRAPH <{iri.CASE_GRAPH_PREFIX}ds-a/findings> {{ ?s ?p ?o }} }}",
        "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
        f"MOVE <{A}> TO <{iri.GRAPH}shapes/structure>",
    ],
)
def test_updates_may_not_write_source_graphs(server: str, update: str) -> None:
    response = requests.post(server + "/sparql", data={"update": update}, headers=AUTH, timeout=30)
    assert response.status_code == 403, response.text
    assert "case graphs" in response.text
    assert _objects(server, OBJECTS) == ["a", "b", "both"]


@pytest.mark.parametrize(
    ("params", "accept"),
    [
        ({"format": "xml"}, "application/rdf+xml"),  # SPARQLWrapper's default for CONSTRUCT
        ({}, "application/xml"),  # roqet, generic XML clients
        ({"format": "pdf"}, "application/rdf+xml"),  # a format on no offer falls back to Accept
    ],
)
def test_xml_for_a_graph_is_rdf_xml(server: str, params: dict, accept: str) -> None:
    response = requests.get(
        server + "/sparql",
        params={"query": f"CONSTRUCT WHERE {{ <{S}> <{P}> ?o }}", **params},
        headers={"Accept": accept},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/rdf+xml")
    parsed = list(ox.parse(response.content, format=ox.RdfFormat.RDF_XML))
    assert sorted(q.object.value for q in parsed) == ["a", "b", "both"]
