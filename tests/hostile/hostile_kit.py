"""Shared pieces of the hostile-input tests: the spying listener, the requests they send and
the assertions every attack ends with (a clear 4xx, no stack trace, nothing fetched or read).
"""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import requests

from live_server import Server

TOKEN = "hostile-test-token"
TIMEOUT_S = 2  # the server's query time limit (--timeout)
MARKER = "ecpl-hostile-marker-7f3a"
CASE_GRAPH = "https://w3id.org/ecpl/graph/case/hostile-xss"
CASE_IRI = "https://w3id.org/ecpl/case/hostile-xss"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Listener:
    """A local HTTP server that records every request path it gets (it must get none)."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                hits.append(f"{self.command} {self.path}")
                body = b'{"@context": {"x": "http://example.org/x"}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = _record

            def log_message(self, *args: object) -> None:
                pass

        self.hits = hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def sparql_get(server: Server, query: str, **headers: str) -> requests.Response:
    return requests.get(
        server.url + "/sparql", params={"query": query}, headers=headers, timeout=TIMEOUT_S + 20
    )


def ask_marker(server: Server) -> bool:
    """Whether the marker literal reached the store (it must not)."""
    answer = sparql_get(
        server,
        f'ASK {{ {{ ?s ?p "{MARKER}" }} UNION {{ GRAPH ?g {{ ?s ?p "{MARKER}" }} }} }}',
        Accept="application/sparql-results+json",
    )
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["boolean"])


def assert_clear_4xx(response: requests.Response, status: int, *words: str) -> None:
    """The expected status, a message naming the problem, and no stack trace."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    text = response.text
    assert "Traceback" not in text and 'File "' not in text
    for word in words:
        assert word.lower() in text.lower(), (word, text[:500])


def post_validate(server: Server, body: bytes, content_type: str) -> requests.Response:
    return requests.post(
        server.url + "/validate",
        data=body,
        headers={"Content-Type": content_type, "Accept": "application/json"},
        timeout=60,
    )


def put_case(
    server: Server, body: bytes, content_type: str, graph: str = CASE_GRAPH
) -> requests.Response:
    return requests.put(
        server.url + "/data",
        params={"graph": graph},
        data=body,
        headers={"Content-Type": content_type, **AUTH},
        timeout=60,
    )


UPLOADERS = {"validate": post_validate, "data": put_case}


def write_marker_file(folder: Path) -> Path:
    """A local N-Triples file with a marker triple: its content must never be read."""
    path = folder / "secret.nt"
    path.write_text(f'<urn:x:secret> <urn:x:says> "{MARKER}" .\n', encoding="utf-8")
    return path


def warm_up(server: Server) -> None:
    """Validate one small case: the server loads its shapes on the first upload (once), so
    the time bounds of the tests measure the attack, not that one-off load."""
    case = b"<https://w3id.org/ecpl/case/warm> a <https://w3id.org/ecpl/ontology#Case> ."
    response = requests.post(
        server.url + "/validate",
        data=case,
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=180,
    )
    assert response.status_code == 200, response.text[:300]
