"""Graph Store writes are all or nothing: input the store cannot hold is a 4xx before anything
changes, and the old case graph and its findings stay as they were; POST to the store and
multipart POST follow the Graph Store Protocol (W3C, 2013) §5.5.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import requests
from hostile_kit import (
    AUTH,
    assert_clear_4xx,
    put_case,
)
from rdflib import BNode, Graph

from live_server import Server

pytestmark = pytest.mark.slow


ROOT = Path(__file__).resolve().parents[2]
ZHOU = (ROOT / "data" / "cases" / "zhou-v-kuaike.ttl").read_bytes()
PREFIX = "https://w3id.org/ecpl/graph/case/"


def graph_triples(server: Server, graph: str) -> set[tuple[str, str, str]]:
    """The graph's triples as N-Triples lines split in three (blank nodes kept as labels)."""
    response = requests.get(
        server.url + "/data", params={"graph": graph, "format": "nt"}, timeout=30
    )
    assert response.status_code == 200, response.text[:300]
    found = Graph().parse(data=response.text, format="nt")
    return {(s.n3(), p.n3(), o.n3()) for s, p, o in found if not isinstance(s, BNode)}


UNSTORABLE = {
    "json-ld @id with a quote": (
        "application/ld+json",
        b'{"@id": "http://x.org/a\\"b", "http://x.org/p": "v"}',
    ),
    "turtle IRI with an escaped quote": (
        "text/turtle",
        b"<http://x.org/a\\u0022b> <http://x.org/p> 1 .",
    ),
    "json-ld 5,000-digit number": (
        "application/ld+json",
        b'{"@id": "http://x.org/a", "http://x.org/p": ' + b"9" * 5000 + b"}",
    ),
    "percent escape that is not one": ("text/turtle", b"<http://x.org/%zz> <http://x.org/p> 1 ."),
    "syntax error after good triples": (
        "text/turtle",
        b"<http://x.org/a> <http://x.org/p> 1 .\n<http://x.org/b> <http://x.org/p> ;;; .",
    ),
    "over the triple cap": (
        "application/n-triples",
        "".join(
            f"<http://x.org/s> <http://x.org/p> <http://x.org/o{i}> .\n" for i in range(6000)
        ).encode(),
    ),
}


@pytest.fixture(scope="module")
def stored_case(server: Server) -> str:
    graph = PREFIX + "atomic-zhou"
    response = put_case(server, ZHOU, "text/turtle", graph=graph)
    assert response.status_code in (201, 204), response.text[:300]
    return graph


@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize("name", sorted(UNSTORABLE))
def test_a_failed_write_leaves_the_case_and_its_findings_intact(
    server: Server, stored_case: str, method: str, name: str
) -> None:
    findings = stored_case + "/findings"
    case_before, findings_before = (
        graph_triples(server, stored_case),
        graph_triples(server, findings),
    )
    assert case_before and findings_before
    content_type, body = UNSTORABLE[name]
    response = requests.request(
        method,
        server.url + "/data",
        params={"graph": stored_case},
        data=body,
        headers={"Content-Type": content_type, **AUTH},
        timeout=60,
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text
    assert graph_triples(server, stored_case) == case_before
    assert graph_triples(server, findings) == findings_before


def test_relative_iris_in_rdfxml_resolve_against_the_graph_iri(server: Server) -> None:
    """RFC 3986 §5.1: the base of a representation is the IRI it is sent to (here the graph's),
    never the server's working directory; the result is what urljoin (RFC 3986 §5.2) gives."""
    graph = PREFIX + "relative-xml"
    body = (
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns:ex="http://example.org/">'
        b'<rdf:Description rdf:about="thing"><ex:p rdf:resource="../other#x"/></rdf:Description>'
        b"</rdf:RDF>"
    )
    response = put_case(server, body, "application/rdf+xml", graph=graph)
    assert response.status_code == 201, response.text[:300]
    expected = (
        f"<{urllib.parse.urljoin(graph, 'thing')}>",
        "<http://example.org/p>",
        f"<{urllib.parse.urljoin(graph, '../other#x')}>",
    )
    assert graph_triples(server, graph) == {expected}


def test_post_to_the_store_creates_a_new_graph(server: Server) -> None:
    """GSP §5.5: POST to the graph store itself names a new graph: 201 and its IRI in
    Location; the Host header (which a client may forge) is not echoed into it."""
    response = requests.post(
        server.url + "/data",
        data=b"<http://example.org/new> <http://example.org/p> 1 .",
        headers={"Content-Type": "text/turtle", "Host": "evil.example", **AUTH},
        timeout=60,
    )
    assert response.status_code == 201, response.text[:300]
    location = response.headers["Location"]
    assert "evil.example" not in location
    assert location.startswith(PREFIX)
    assert graph_triples(server, location) == {
        (
            "<http://example.org/new>",
            "<http://example.org/p>",
            '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
        )
    }
    again = requests.post(
        server.url + "/data",
        data=b"<http://example.org/new> <http://example.org/p> 2 .",
        headers={"Content-Type": "text/turtle", **AUTH},
        timeout=60,
    )
    assert again.status_code == 201 and again.headers["Location"] != location


def test_multipart_post_merges_every_part(server: Server) -> None:
    """GSP §5.5: a multipart/form-data POST carries several RDF documents, merged into the graph."""
    graph = PREFIX + "multipart"
    files = [
        ("a", ("a.ttl", b"<http://example.org/a> <http://example.org/p> 1 .", "text/turtle")),
        (
            "b",
            (
                "b.nt",
                b"<http://example.org/b> <http://example.org/p> <http://example.org/c> .\n",
                "application/n-triples",
            ),
        ),
        (
            "c",
            (
                "c.jsonld",
                b'{"@id": "http://example.org/d", "http://example.org/p": "v"}',
                "application/ld+json",
            ),
        ),
    ]
    response = requests.post(
        server.url + "/data", params={"graph": graph}, files=files, headers=AUTH, timeout=60
    )
    assert response.status_code == 201, response.text[:300]
    subjects = {s for s, _p, _o in graph_triples(server, graph)}
    assert subjects == {
        "<http://example.org/a>",
        "<http://example.org/b>",
        "<http://example.org/d>",
    }


def test_a_multipart_post_with_one_bad_part_stores_nothing(server: Server) -> None:
    graph = PREFIX + "multipart-bad"
    files = [
        ("a", ("a.ttl", b"<http://example.org/a> <http://example.org/p> 1 .", "text/turtle")),
        ("b", ("b.rdf", BAD_XML, "application/rdf+xml")),
    ]
    response = requests.post(
        server.url + "/data", params={"graph": graph}, files=files, headers=AUTH, timeout=60
    )
    assert_clear_4xx(response, 400, "DOCTYPE")
    assert (
        requests.get(server.url + "/data", params={"graph": graph}, timeout=30).status_code == 404
    )


BAD_XML = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]>'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
)


def test_the_export_follows_every_write(server: Server) -> None:
    """The export is built once per data version: a write must show in the next export."""
    graph = PREFIX + "export-marker"
    marker = "export-marker-3b9d"
    body = f'<http://example.org/e> <http://example.org/p> "{marker}" .'.encode()

    def export() -> str:
        response = requests.get(server.url + "/export", params={"format": "nquads"}, timeout=120)
        assert response.status_code == 200
        return response.text

    assert marker not in export()
    assert put_case(server, body, "text/turtle", graph=graph).status_code == 201
    assert marker in export()
    deleted = requests.delete(
        server.url + "/data", params={"graph": graph}, headers=AUTH, timeout=30
    )
    assert deleted.status_code == 204
    assert marker not in export()


def test_concurrent_exports_are_built_once_and_all_answered(server: Server) -> None:
    answers: list[requests.Response] = []

    def fetch() -> None:
        answers.append(requests.get(server.url + "/export", params={"format": "trig"}, timeout=120))

    threads = [threading.Thread(target=fetch) for _ in range(16)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    elapsed = time.monotonic() - started
    assert [a.status_code for a in answers] == [200] * 16
    assert len({a.content for a in answers}) == 1
    assert elapsed < 60, f"16 exports took {elapsed:.0f} s"
