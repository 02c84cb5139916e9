"""Markup in stored labels, validated cases and query text is escaped on every HTML page."""

from __future__ import annotations

import pytest
import requests
from hostile_kit import (
    CASE_IRI,
    put_case,
)

from live_server import Server

pytestmark = pytest.mark.slow


SCRIPT = "<script>alert('ecpl-xss')</script>"


def xss_case() -> bytes:
    return f"""
@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{CASE_IRI}> a ecpl:Case ;
    rdfs:label "{SCRIPT}"@en, "案例{SCRIPT}"@zh ;
    skos:prefLabel "{SCRIPT}"@en ;
    skos:note "<img src=x onerror=alert(1)>" ;
    ecpl:party <{CASE_IRI}/p> .
<{CASE_IRI}/p> a ecpl:EcommercePlatformOperator ; rdfs:label "<b onmouseover=alert(2)>P</b>"@en .
""".encode()


def assert_escaped(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b onmouseover" not in html


def test_markup_in_a_stored_label_is_escaped_on_its_page(server: Server) -> None:
    stored = put_case(server, xss_case(), "text/turtle")
    assert stored.status_code in (201, 204), stored.text
    page = requests.get(
        server.url + "/case/hostile-xss", headers={"Accept": "text/html"}, timeout=30
    )
    assert page.status_code == 200, page.text[:500]
    assert "ecpl-xss" in page.text, "the label is not on the page at all"
    assert_escaped(page.text)
    assert "&lt;script&gt;" in page.text


def test_markup_in_a_validated_case_is_escaped_in_the_report(server: Server) -> None:
    response = requests.post(
        server.url + "/validate",
        data=xss_case(),
        headers={"Content-Type": "text/turtle", "Accept": "text/html"},
        timeout=60,
    )
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/html")
    assert_escaped(response.text)


@pytest.mark.parametrize("path", ["/sparql", "/"])
def test_markup_in_query_text_is_escaped(server: Server, path: str) -> None:
    query = f"SELECT * WHERE {{ ?s ?p ?o }} {SCRIPT} <img src=x onerror=alert(1)>"
    response = requests.get(
        server.url + path, params={"query": query}, headers={"Accept": "text/html"}, timeout=30
    )
    assert response.status_code in (200, 400, 406), response.status_code
    assert_escaped(response.text)
