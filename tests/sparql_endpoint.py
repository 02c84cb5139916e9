"""A SPARQL 1.1 Protocol endpoint over a pyoxigraph store, for the remote store's own code path.

:class:`ecpl.store.remote.RemoteStore` speaks the protocol to Virtuoso; pointed at this
endpoint it runs every step of its own (policy, dataset parameters, parameter substitution,
the POST, reading the answer) against an engine whose answers the tests trust. The endpoint
does only what the protocol says: ``query`` or ``update`` from a form body, the dataset from
``default-graph-uri`` / ``named-graph-uri``, SPARQL JSON results or N-Triples back.
"""

from __future__ import annotations

import http.server
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox


def _answer(store: ox.Store, form: dict[str, list[str]]) -> tuple[int, str, bytes]:
    """Status, media type and body for one protocol request."""
    try:
        if "update" in form:
            store.update(form["update"][0])
            return 204, "text/plain", b""
        options: dict[str, object] = {}
        if "default-graph-uri" in form:
            options["default_graph"] = [ox.NamedNode(g) for g in form["default-graph-uri"]]
        if "named-graph-uri" in form:
            options["named_graphs"] = [ox.NamedNode(g) for g in form["named-graph-uri"]]
        answer = store.query(form["query"][0], **options)  # type: ignore[arg-type]
        if isinstance(answer, ox.QueryTriples):
            return 200, "application/n-triples", answer.serialize(format=ox.RdfFormat.N_TRIPLES)
        body = answer.serialize(format=ox.QueryResultsFormat.JSON)
        return 200, "application/sparql-results+json", body
    except (SyntaxError, RuntimeError, ValueError) as exc:  # the protocol's 400
        return 400, "text/plain", f"syntax error: {exc}".encode()


@contextmanager
def endpoint(store: ox.Store) -> Iterator[str]:
    """Serve ``store`` at a local URL (yielded) until the block ends."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
            status, media_type, body = _answer(store, form)
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
