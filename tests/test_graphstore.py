"""Graph Store Protocol ``/data`` on a live server with an on-disk store and the update token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from rdflib import Graph

from ecpl import iri
from live_server import Server, start_server

pytestmark = pytest.mark.slow

TOKEN = "gsp-token-42"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROOT = Path(__file__).resolve().parents[1]
CASE_FILE = ROOT / "data" / "cases" / "zhou-v-kuaike.ttl"
GRAPH = iri.CASE_GRAPH_PREFIX + "zhou-v-kuaike"
TURTLE = {"Content-Type": "text/turtle"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gsp") / "db"


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[Server]:
    with start_server(
        "--update-token", TOKEN, "--store", str(folder), "--timeout", "10", log_dir=folder.parent
    ) as running:
        yield running


def _put(base: str, body: bytes, graph: str = GRAPH, headers: dict | None = None):
    return requests.put(
        base + "/data",
        params={"graph": graph},
        data=body,
        headers={**TURTLE, **AUTH, **(headers or {})},
        timeout=60,
    )


def test_put_get_delete_with_findings(server: Server) -> None:
    base = server.url
    body = CASE_FILE.read_bytes()
    created = _put(base, body)
    assert created.status_code == 201, created.text
    again = _put(base, body)
    assert again.status_code == 204

    got = requests.get(
        base + "/data", params={"graph": GRAPH}, headers={"Accept": "text/turtle"}, timeout=30
    )
    assert got.status_code == 200
    assert set(Graph().parse(data=got.text, format="turtle")) == set(
        Graph().parse(CASE_FILE, format="turtle")
    )
    findings = requests.get(
        base + "/data",
        params={"graph": str(iri.findings_graph(GRAPH))},
        headers={"Accept": "application/n-triples"},
        timeout=30,
    )
    assert findings.status_code == 200
    assert len(Graph().parse(data=findings.text, format="nt")) > 0

    # the stored case is visible to SPARQL over the union default graph
    ask = f"ASK {{ GRAPH <{GRAPH}> {{ <https://w3id.org/ecpl/case/zhou-v-kuaike> ?p ?o }} }}"
    answer = requests.get(base + "/sparql", params={"query": ask}, timeout=30).json()
    assert answer["boolean"] is True

    deleted = requests.delete(base + "/data", params={"graph": GRAPH}, headers=AUTH, timeout=30)
    assert deleted.status_code == 204
    assert requests.get(base + "/data", params={"graph": GRAPH}, timeout=30).status_code == 404
    gone = requests.get(
        base + "/data", params={"graph": str(iri.findings_graph(GRAPH))}, timeout=30
    )
    assert gone.status_code == 404


def test_post_adds_triples(server: Server) -> None:
    graph = iri.CASE_GRAPH_PREFIX + "post-demo"
    first = b'<http://example.org/a> <http://example.org/p> "1" .'
    second = b'<http://example.org/a> <http://example.org/p> "2" .'
    for body in (first, second):
        response = requests.post(
            server.url + "/data",
            params={"graph": graph},
            data=body,
            headers={"Content-Type": "application/n-triples", **AUTH},
            timeout=30,
        )
        assert response.status_code in (201, 204), response.text
    got = requests.get(server.url + "/data", params={"graph": graph, "format": "nt"}, timeout=30)
    assert len(Graph().parse(data=got.text, format="nt")) == 2


@pytest.mark.parametrize(
    ("graph", "headers", "body", "status"),
    [
        (GRAPH, {"Authorization": ""}, b"<a:b> <a:c> <a:d> .", 401),
        (GRAPH, {"Authorization": "Bearer wrong"}, b"<a:b> <a:c> <a:d> .", 403),
        (str(iri.source_graph("ontology", "actors.ttl")), {}, b"<a:b> <a:c> <a:d> .", 403),
        (GRAPH + "/findings", {}, b"<a:b> <a:c> <a:d> .", 403),
        (GRAPH, {}, b"@prefix broken", 400),
        (GRAPH, {"Content-Type": "application/pdf"}, b"%PDF", 415),
        (
            GRAPH,
            {"Content-Type": "application/rdf+xml"},
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>',
            400,
        ),
        (GRAPH, {}, b"x" * (6 * 1024 * 1024), 413),
    ],
)
def test_write_errors(server: Server, graph: str, headers: dict, body: bytes, status: int) -> None:
    response = _put(server.url, body, graph=graph, headers=headers)
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text


def test_chunked_body_over_the_limit_is_413(server: Server) -> None:
    def body():  # no Content-Length: requests sends it chunked
        line = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
        for _ in range(6 * 1024 * 1024 // len(line) + 1):
            yield line

    response = requests.put(
        server.url + "/data",
        params={"graph": iri.CASE_GRAPH_PREFIX + "chunked"},
        data=body(),
        headers={"Content-Type": "application/n-triples", **AUTH},
        timeout=60,
    )
    assert response.status_code == 413


def test_graph_parameter_not_an_iri(server: Server) -> None:
    assert (
        requests.get(server.url + "/data", params={"graph": "a b"}, timeout=30).status_code == 400
    )
    response = requests.get(
        server.url + "/sparql", params={"query": "ASK {}", "default-graph-uri": "0"}, timeout=30
    )
    assert response.status_code == 400


def test_get_errors(server: Server) -> None:
    assert requests.get(server.url + "/data", timeout=30).status_code == 400
    assert requests.get(server.url + "/data", params={"default": ""}, timeout=30).status_code == 400
    missing = requests.get(
        server.url + "/data", params={"graph": "http://example.org/none"}, timeout=30
    )
    assert missing.status_code == 404


def test_stored_case_survives_restart(folder: Path, server: Server) -> None:
    graph = iri.CASE_GRAPH_PREFIX + "kept-across-restart"
    assert (
        _put(server.url, b'<http://example.org/k> <http://example.org/p> "1" .', graph).status_code
        == 201
    )
    server.process.terminate()
    server.process.wait(15)
    with start_server("--store", str(folder), log_dir=folder.parent) as again:
        got = requests.get(again.url + "/data", params={"graph": graph, "format": "nt"}, timeout=30)
        assert got.status_code == 200
        assert "http://example.org/k" in got.text
