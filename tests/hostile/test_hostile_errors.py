"""No 500s from uploads: malformed, odd or unstorable input is a 4xx naming the problem, never a
stack trace, never a silently dropped node.
"""

from __future__ import annotations

import json

import pytest
from hostile_kit import (
    UPLOADERS,
    assert_clear_4xx,
)

from live_server import Server

pytestmark = pytest.mark.slow


MALFORMED = [
    ("text/turtle", b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;;; . ] [", "Turtle"),
    ("application/ld+json", b'{"@id": "urn:x:a", "urn:x:p": [1, 2', "JSON-LD"),
    ("application/rdf+xml", b"<rdf:RDF xmlns:rdf='nope'><unclosed></rdf:RDF>", "RDF/XML"),
    ("application/n-triples", b"<urn:x:a> <urn:x:b> .\n", "N-Triples"),
]


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize(("content_type", "body", "title"), MALFORMED)
def test_malformed_upload_is_400(
    server: Server, endpoint: str, content_type: str, body: bytes, title: str
) -> None:
    response = UPLOADERS[endpoint](server, body, content_type)
    assert_clear_4xx(response, 400, "malformed")


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize("content_type", ["application/pdf", "text/html", "image/png"])
def test_wrong_content_type_is_415(server: Server, endpoint: str, content_type: str) -> None:
    response = UPLOADERS[endpoint](server, b"<urn:x:a> <urn:x:b> <urn:x:c> .", content_type)
    assert_clear_4xx(response, 415, content_type)


LONG_NUMBER = "1" * 5000  # past Python's 4,300-digit limit for reading an int


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize(
    ("content_type", "body", "says"),
    [
        (
            "application/ld+json",
            f'{{"@id": "urn:x:a", "urn:x:p": {LONG_NUMBER}}}'.encode(),
            "digits",
        ),
        ("text/turtle", f"<urn:x:a> <urn:x:p> {LONG_NUMBER} .".encode(), "digits"),
        ("application/ld+json", b'"just a string"', "object or array"),
        ("application/ld+json", b"42", "object or array"),
        ("application/ld+json", b"null", "object or array"),
    ],
)
def test_odd_json_ld_and_huge_numbers_are_400(
    server: Server, endpoint: str, content_type: str, body: bytes, says: str
) -> None:
    response = UPLOADERS[endpoint](server, body, content_type)
    assert_clear_4xx(response, 400, says)


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize("bad_id", ["http://example.org/a b", 'http://example.org/a"b', "<x>"])
def test_a_json_ld_node_with_an_invalid_id_is_an_error_not_dropped(
    server: Server, endpoint: str, bad_id: str
) -> None:
    """JSON-LD 1.1 §9.2: an @id must be an IRI (or blank node identifier); the node with a bad
    one would otherwise vanish from the graph without a word."""
    body = json.dumps({"@id": bad_id, "http://example.org/p": "v"}).encode()
    response = UPLOADERS[endpoint](server, body, "application/ld+json")
    assert_clear_4xx(response, 400, "@id")


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize(
    "body",
    [
        b"<http://example.org/a\\u0022b> <http://example.org/p> <http://example.org/c> .",
        b'<http://example.org/a> <http://example.org/p> "x"^^<http://example.org/%zz> .',
    ],
)
def test_an_iri_the_store_cannot_hold_is_400(server: Server, endpoint: str, body: bytes) -> None:
    response = UPLOADERS[endpoint](server, body, "text/turtle")
    assert_clear_4xx(response, 400, "cannot be stored")
