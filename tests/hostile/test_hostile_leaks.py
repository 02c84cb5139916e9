"""Leaks: what the service shows about itself (store path, working directory, Python internals,
the update token on the command line) and the headers that keep browsers from sniffing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hostile_kit import (
    UPLOADERS,
    post_validate,
)

from live_server import Server, start_server
from test_faults import process_tree

pytestmark = pytest.mark.slow


ROOT = Path(__file__).resolve().parents[2]
TOKEN_IN_FILE = "token-from-a-file-5d1c"


@pytest.fixture(scope="module")
def disk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """A server on an on-disk store, its update token read from a file."""
    folder = tmp_path_factory.mktemp("leaks")
    token_file = folder / "token"
    token_file.write_text(TOKEN_IN_FILE + "\n", encoding="utf-8")
    store = folder / "store-folder-name-7e2"
    with start_server(
        "--store", str(store), "--update-token-file", str(token_file), log_dir=folder
    ) as running:
        yield running, store


def test_health_does_not_show_the_store_path(disk_server: tuple[Server, Path]) -> None:
    running, store = disk_server
    response = requests.get(running.url + "/health", timeout=30)
    assert response.status_code == 200
    assert response.json()["store"] == "disk"
    assert store.name not in response.text and str(store.parent) not in response.text


def test_the_token_file_keeps_the_token_off_the_command_line(
    disk_server: tuple[Server, Path],
) -> None:
    running, _store = disk_server
    for pid in process_tree(running.process.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        assert TOKEN_IN_FILE.encode() not in cmdline
    written = requests.put(
        running.url + "/data",
        params={"graph": "https://w3id.org/ecpl/graph/case/token-file"},
        data=b"<http://example.org/a> <http://example.org/p> 1 .",
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN_IN_FILE}"},
        timeout=60,
    )
    assert written.status_code == 201, written.text[:300]


def test_relative_iris_in_an_anonymous_validation_never_name_the_server_folder(
    server: Server,
) -> None:
    body = b"""@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
<some-case> a ecpl:Case ; ecpl:party <platform> .
<platform> a ecpl:EcommercePlatformOperator ."""
    response = post_validate(server, body, "text/turtle")
    assert response.status_code == 200, response.text[:300]
    assert "file:" not in response.text
    assert str(ROOT) not in response.text
    turtle = requests.post(
        server.url + "/validate",
        data=body,
        headers={"Content-Type": "text/turtle", "Accept": "text/turtle"},
        timeout=60,
    )
    assert "file:" not in turtle.text and str(ROOT) not in turtle.text


INTERNALS = (
    "local variable",
    "has no attribute",
    "NoneType",
    "object is not",
    "unhashable",
    "positional argument",
    "Traceback",
    'File "',
    "site-packages",
)


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/ld+json", b'"a string"'),
        ("application/ld+json", b'{"@graph": 5}'),
        ("application/ld+json", b'{"@id": 5, "http://example.org/p": "v"}'),
        ("application/ld+json", b'{"@type": {"x": 1}, "@id": "http://example.org/a"}'),
        ("application/ld+json", b'{"@context": {"@vocab": 5}, "p": "v"}'),
        ("application/ld+json", b'{"http://example.org/p": {"@value": "x", "@language": 5}}'),
        ("application/ld+json", b'{"http://example.org/p": {"@list": {"@list": [1]}}}'),
        ("text/turtle", b"@base <%%> . <a> <b> <c> ."),
        ("text/turtle", b'<http://example.org/a> <http://example.org/p> "x"@1-2-3 .'),
        (
            "application/rdf+xml",
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:li/></rdf:RDF>',
        ),
        ("application/rdf+xml", b'<x xmlns="http://example.org/" rdf:about="y"/>'),
    ],
)
def test_errors_show_no_python_internals(
    server: Server, endpoint: str, content_type: str, body: bytes
) -> None:
    response = UPLOADERS[endpoint](server, body, content_type)
    assert response.status_code != 500, response.text[:300]
    for internal in INTERNALS:
        assert internal not in response.text, (internal, response.text[:300])


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/", None),
        ("GET", "/health", None),
        ("GET", "/sparql?query=ASK%7B%7D", None),
        ("GET", "/sparql?query=SELEKT", None),
        ("GET", "/law/ecl/art/38/para/2", None),
        ("GET", "/law/ecl/art/38/para/99", None),
        ("GET", "/queries", None),
        ("GET", "/data?graph=https://w3id.org/ecpl/graph/case/none", None),
        ("POST", "/validate", b"@prefix broken"),
        ("GET", "/export?format=nope", None),
    ],
)
def test_every_response_forbids_content_sniffing(
    server: Server, method: str, path: str, body: bytes | None
) -> None:
    response = requests.request(
        method,
        server.url + path,
        data=body,
        headers={"Content-Type": "text/turtle"} if body else {},
        timeout=60,
    )
    assert response.headers.get("X-Content-Type-Options") == "nosniff", (path, response.status_code)
