"""The remote store sends the engine the canonical text the policy judged, never the user's.

A recording SPARQL endpoint stands in for Virtuoso: it keeps every posted query and update.
SPARQL 1.1 §19.8 ends a comment at CR or LF; the canonical text has no comments, no prefixed
names and no relative IRIs, so whatever the remote engine's own reading, it runs the tokens
the policy saw.
"""

from __future__ import annotations

import http.server
import threading
import urllib.parse
from collections.abc import Iterator

import pytest

from ecpl.store.remote import RemoteStore

RESULTS_JSON = "application/sparql-results+json"


class Recorder:
    """A SPARQL endpoint that keeps every posted form; ``refuse`` set: answers
    ``refuse_status`` (500 unless set) with it."""

    def __init__(self) -> None:
        posted: list[dict[str, list[str]]] = []
        self.refuse: bytes | None = None
        self.refuse_status = 500
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
                posted.append(form)
                text = (form.get("query") or [""])[0]
                if recorder.refuse is not None:
                    body, status, kind = recorder.refuse, recorder.refuse_status, "text/plain"
                elif text.lstrip().upper().startswith("ASK"):
                    body, status, kind = b'{"head": {}, "boolean": true}', 200, RESULTS_JSON
                else:
                    body = b'{"head": {"vars": []}, "results": {"bindings": []}}'
                    status, kind = 200, RESULTS_JSON
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.posted = posted
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts(self, key: str) -> list[str]:
        return [form[key][0] for form in self.posted if key in form]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    yield rec
    rec.server.shutdown()
    rec.server.server_close()


def test_a_query_reaches_the_remote_engine_as_canonical_text(recorder: Recorder) -> None:
    store = RemoteStore(recorder.url)
    user_text = "PREFIX ex: <http://example.org/>\nSELECT * WHERE { # a comment\r ?s ex:p ?o }"
    store.query(user_text)
    sent = [t for t in recorder.texts("query") if "example.org" in t]
    assert sent, recorder.posted
    assert all("#" not in t and "ex:p" not in t for t in sent)
    assert any("<http://example.org/p>" in t for t in sent)
    store.close()


def test_a_relative_iri_is_resolved_before_it_is_sent(recorder: Recorder) -> None:
    store = RemoteStore(recorder.url)
    store.query("SELECT * WHERE { ?s <p> ?o }", base_iri="http://service.example/sparql")
    sent = [t for t in recorder.texts("query") if "service.example" in t]
    assert sent and all("<http://service.example/p>" in t for t in sent)
    assert all("BASE" not in t.upper().split("WHERE")[0] for t in sent)
    store.close()


def test_inserts_are_chunked_with_each_blank_node_in_one_request() -> None:
    from rdflib import BNode, URIRef

    from ecpl.store.remote import chunks

    p = URIRef("urn:p")
    plain = [(URIRef(f"urn:s{i}"), p, URIRef(f"urn:o{i}")) for i in range(25)]
    a, b, c = BNode(), BNode(), BNode()
    linked = [(URIRef("urn:x"), p, a), (a, p, b), (b, p, URIRef("urn:y")), (c, p, c)]
    triples = plain[:7] + linked[:2] + plain[7:] + linked[2:]
    batches = list(chunks(triples, 10))
    assert sorted(t for batch in batches for t in batch) == sorted(triples)  # nothing lost
    for node in (a, b, c):  # every blank node's triples (a-b linked) in exactly one batch
        holding = [i for i, batch in enumerate(batches) if any(node in t for t in batch)]
        assert len(holding) == 1, node
    assert len({i for i, batch in enumerate(batches) if any(a in t or b in t for t in batch)}) == 1
    assert all(len(batch) <= 10 for batch in batches)
