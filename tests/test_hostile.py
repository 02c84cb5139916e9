"""Hostile input against a live ``ecpl serve``: every attack gets a clear 4xx (or a 503 for a
query stopped by the time limit) and the service keeps answering afterwards.

Call-outs (SERVICE, FROM, LOAD, JSON-LD contexts, XXE) are checked from the outside: a local
HTTP listener records every request it receives, and a temp file holds a marker triple that
must never show up in an answer or in the store.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from live_server import Server, start_server
from test_faults import process_tree

pytestmark = pytest.mark.slow

TOKEN = "hostile-test-token"
TIMEOUT_S = 2  # the server's query time limit (--timeout)
MARKER = "ecpl-hostile-marker-7f3a"
CASE_GRAPH = "https://w3id.org/ecpl/graph/case/hostile-xss"
CASE_IRI = "https://w3id.org/ecpl/case/hostile-xss"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


# -- fixtures --------------------------------------------------------------------------------
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


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    spy = Listener()
    yield spy
    spy.close()


@pytest.fixture
def no_callout(listener: Listener) -> Iterator[Listener]:
    """The listener, asserting after the test that nothing contacted it."""
    before = len(listener.hits)
    yield listener
    assert listener.hits[before:] == [], f"the service made outbound requests: {listener.hits}"


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local N-Triples file with a marker triple: its content must never be read."""
    path = tmp_path_factory.mktemp("secret") / "secret.nt"
    path.write_text(f'<urn:x:secret> <urn:x:says> "{MARKER}" .\n', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A writable server with a short time limit, so runaway queries are stopped quickly."""
    with start_server(
        "--timeout",
        str(TIMEOUT_S),
        "--workers",
        "2",
        "--update-token",
        TOKEN,
        # a cap above the 24,000 triples of the long validation below, under the 60,000 of
        # the largest upload (the default, 5,000, would refuse both)
        env={"ECPL_MAX_CASE_TRIPLES": "30000"},
        log_dir=tmp_path_factory.mktemp("hostile"),
    ) as running:
        yield running


@pytest.fixture(autouse=True)
def still_answers(server: Server) -> Iterator[None]:
    """After every attack the service answers a plain query correctly."""
    yield
    assert server.process.poll() is None, "the server process died"
    answer = requests.get(
        server.url + "/sparql",
        params={"query": "ASK { ?s a <https://w3id.org/ecpl/ontology#Duty> }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=TIMEOUT_S + 10,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["boolean"] is True


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


# -- queries ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "SELEKT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ",
        "\x00\x01\x02 garbage \ufffd",
        "PREFIX : <unterminated SELECT",
        "SELECT * WHERE { ?s ?p ?o } LIMIT -1",
        "}" * 2000,
    ],
)
def test_syntax_garbage_is_400(server: Server, query: str) -> None:
    assert_clear_4xx(sparql_get(server, query), 400, "syntax")


def test_one_megabyte_query_by_get_is_refused(server: Server) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_048_576
    response = requests.get(server.url + "/sparql", params={"query": query}, timeout=30)
    # waitress refuses request heads over 64 KB itself (431), Flask would say 413/414
    assert response.status_code in (400, 413, 414, 431), response.status_code
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "content_type", ["application/sparql-query", "application/x-www-form-urlencoded"]
)
def test_one_megabyte_query_by_post_is_413(server: Server, content_type: str) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_048_576
    form = content_type.endswith("urlencoded")
    body = "query=" + urllib.parse.quote(query) if form else query
    response = requests.post(
        server.url + "/sparql", data=body, headers={"Content-Type": content_type}, timeout=30
    )
    assert_clear_4xx(response, 413, "limit")


def test_catastrophic_regex_is_harmless(server: Server) -> None:
    """``^(a+)+$`` backtracks exponentially in Python; the engine must answer (or stop) quickly."""
    subject = "a" * 5000 + "!"
    query = f'ASK {{ BIND("{subject}" AS ?o) FILTER regex(?o, "^(a+)+$") }}'
    started = time.monotonic()
    response = sparql_get(server, query, Accept="application/sparql-results+json")
    elapsed = time.monotonic() - started
    assert elapsed < TIMEOUT_S + 5
    assert response.status_code in (200, 503), response.text
    if response.status_code == 200:
        assert response.json()["boolean"] is False


RUNAWAY = {
    "cartesian": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "property-path": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:x:none>|!<urn:x:none>)* ?b . "
        "?c (!<urn:x:none>)+ ?d }"
    ),
}


@pytest.mark.parametrize("name", sorted(RUNAWAY))
def test_runaway_query_is_stopped_by_the_timeout(server: Server, name: str) -> None:
    started = time.monotonic()
    response = sparql_get(server, RUNAWAY[name], Accept="application/json")
    elapsed = time.monotonic() - started
    assert_clear_4xx(response, 503, "time limit")
    assert elapsed < TIMEOUT_S + 8, f"stopped only after {elapsed:.1f} s"


def test_workers_recover_after_runaway_queries(server: Server) -> None:
    """Two runaway queries at once (both workers busy), then both workers answer again.

    The stopped workers are killed and replaced: the server keeps the same number of processes
    but the two query workers have new pids."""
    assert sparql_get(server, "ASK {}").status_code == 200  # the pool exists
    before = process_tree(server.process.pid)
    results: list[int] = []

    def runaway() -> None:
        results.append(sparql_get(server, RUNAWAY["cartesian"]).status_code)

    threads = [threading.Thread(target=runaway) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == [503, 503]
    quick: list[int] = []

    def simple() -> None:
        quick.append(sparql_get(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 3").status_code)

    threads = [threading.Thread(target=simple) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert quick == [200] * 4
    assert time.monotonic() - started < TIMEOUT_S + 5
    after = process_tree(server.process.pid)
    assert len(after) == len(before), (before, after)
    assert len(set(before) - set(after)) == 2, "the two stopped workers were not replaced"


DEEP = {
    "groups": "SELECT * WHERE " + "{" * 3000 + "?s ?p ?o" + "}" * 3000,
    "expression": "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deeply_nested_query_is_400(server: Server, name: str) -> None:
    response = requests.post(
        server.url + "/sparql",
        data=DEEP[name].encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
        timeout=30,
    )
    assert response.status_code != 500
    assert_clear_4xx(response, 400, "")


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deeply_nested_query_does_not_take_the_service_down(server: Server, name: str) -> None:
    for _ in range(3):  # more than the number of workers
        response = requests.post(
            server.url + "/sparql",
            data=DEEP[name].encode(),
            headers={"Content-Type": "application/sparql-query"},
            timeout=30,
        )
        assert response.status_code in (400, 503), response.text[:300]
        assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        "select * where {{ service <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}/x> {{ ?s ?q ?r }} }} }} LIMIT 1",
        "SELECT * WHERE {{ BIND(<{url}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    ],
)
def test_service_to_loopback_is_refused(
    server: Server, no_callout: Listener, template: str
) -> None:
    response = sparql_get(server, template.format(url=no_callout.url))
    assert response.status_code in (400, 403), response.text
    assert "SERVICE" in response.text
    time.sleep(0.3)  # a call-out would be in flight by now


def test_service_in_an_update_is_refused(server: Server, no_callout: Listener) -> None:
    update = (
        "INSERT { GRAPH <https://w3id.org/ecpl/graph/case/x> { ?s ?p ?o } } "
        f"WHERE {{ SERVICE <{no_callout.url}/sparql> {{ ?s ?p ?o }} }}"
    )
    response = requests.post(
        server.url + "/sparql", data={"update": update}, headers=AUTH, timeout=30
    )
    assert_clear_4xx(response, 403, "SERVICE")


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_from_a_local_file_reads_nothing(server: Server, secret_file: Path, clause: str) -> None:
    query = f"SELECT * {clause} <{secret_file.as_uri()}> WHERE {{ ?s ?p ?o }}"
    response = sparql_get(server, query)
    assert_clear_4xx(response, 400, "not in this store")
    assert MARKER not in response.text
    assert not ask_marker(server)


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_from_an_http_iri_fetches_nothing(
    server: Server, no_callout: Listener, clause: str
) -> None:
    response = sparql_get(server, f"SELECT * {clause} <{no_callout.url}/g.nt> WHERE {{ ?s ?p ?o }}")
    assert_clear_4xx(response, 400, "not in this store")


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_protocol_graph_parameters_fetch_nothing(
    server: Server, no_callout: Listener, secret_file: Path, param: str
) -> None:
    for graph in (secret_file.as_uri(), no_callout.url + "/g.nt"):
        response = requests.get(
            server.url + "/sparql",
            params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", param: graph},
            timeout=30,
        )
        assert_clear_4xx(response, 400, "not in this store")
        assert MARKER not in response.text


@pytest.mark.parametrize("target", ["file", "http"])
def test_load_is_refused_even_with_the_token(
    server: Server, no_callout: Listener, secret_file: Path, target: str
) -> None:
    source = secret_file.as_uri() if target == "file" else f"{no_callout.url}/g.nt"
    for update in (
        f"LOAD <{source}>",
        f"LOAD SILENT <{source}> INTO GRAPH <https://w3id.org/ecpl/graph/case/loaded>",
    ):
        response = requests.post(
            server.url + "/sparql", data={"update": update}, headers=AUTH, timeout=30
        )
        assert_clear_4xx(response, 403, "LOAD")
    assert not ask_marker(server)


INSERT = (
    "INSERT DATA { GRAPH <https://w3id.org/ecpl/graph/case/intruder> "
    f'{{ <urn:x:intruder> <urn:x:says> "{MARKER}" }} }}'
)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong-token"}, 403),
        ({"Authorization": f"Basic {TOKEN}"}, 401),
        ({"Authorization": "Bearer "}, 401),
        ({"Authorization": f"Bearer {TOKEN}x"}, 403),
    ],
)
def test_update_without_the_right_token_changes_nothing(
    server: Server, headers: dict[str, str], status: int
) -> None:
    form = requests.post(
        server.url + "/sparql", data={"update": INSERT}, headers=headers, timeout=30
    )
    assert_clear_4xx(form, status, "token")
    direct = requests.post(
        server.url + "/sparql",
        data=INSERT.encode(),
        headers={"Content-Type": "application/sparql-update", **headers},
        timeout=30,
    )
    assert_clear_4xx(direct, status, "token")
    put = requests.put(
        server.url + "/data",
        params={"graph": "https://w3id.org/ecpl/graph/case/intruder"},
        data=f'<urn:x:intruder> <urn:x:says> "{MARKER}" .'.encode(),
        headers={"Content-Type": "text/turtle", **headers},
        timeout=30,
    )
    assert_clear_4xx(put, status, "token")
    assert not ask_marker(server)


def test_update_by_get_is_refused(server: Server) -> None:
    response = requests.get(server.url + "/sparql", params={"update": INSERT}, timeout=30)
    assert_clear_4xx(response, 400, "POST")
    assert not ask_marker(server)


@pytest.mark.parametrize(
    ("name", "param", "template", "says"),
    [
        ("cq02-duties-by-phase", "actor", "{ecpl}X> }} SERVICE <{url}/> {{ ?s ?p ?o }} #", "IRI"),
        ("cq10-cited-provisions", "date", '2026-01-01"^^<x> }} }} SERVICE <{url}/> {{', "date"),
        ("provision-by-number-on-date", "number", "23 }} SERVICE <{url}/> {{", "integer"),
    ],
)
def test_named_query_parameters_cannot_inject_sparql(
    server: Server, no_callout: Listener, name: str, param: str, template: str, says: str
) -> None:
    """Parameters are bound as RDF terms: SPARQL in a value is an invalid value, never run."""
    value = template.format(ecpl="https://w3id.org/ecpl/ontology#", url=no_callout.url)
    response = requests.get(
        f"{server.url}/queries/{name}",
        params={param: value},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert_clear_4xx(response, 400, param, says)


# -- uploads: /validate and /data --------------------------------------------------------------
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="urn:x:lol"><rdfs:label>&lol9;</rdfs:label></rdf:Description>
</rdf:RDF>
"""


def xxe(path: Path) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "{path.as_uri()}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="urn:x:xxe"><rdfs:label>&secret;</rdfs:label></rdf:Description>
</rdf:RDF>
""".encode()


MALFORMED = [
    ("text/turtle", b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;;; . ] [", "Turtle"),
    ("application/ld+json", b'{"@id": "urn:x:a", "urn:x:p": [1, 2', "JSON-LD"),
    ("application/rdf+xml", b"<rdf:RDF xmlns:rdf='nope'><unclosed></rdf:RDF>", "RDF/XML"),
    ("application/n-triples", b"<urn:x:a> <urn:x:b> .\n", "N-Triples"),
]


def post_validate(server: Server, body: bytes, content_type: str) -> requests.Response:
    return requests.post(
        server.url + "/validate",
        data=body,
        headers={"Content-Type": content_type, "Accept": "application/json"},
        timeout=60,
    )


def put_case(server: Server, body: bytes, content_type: str) -> requests.Response:
    return requests.put(
        server.url + "/data",
        params={"graph": CASE_GRAPH},
        data=body,
        headers={"Content-Type": content_type, **AUTH},
        timeout=60,
    )


UPLOADERS = {"validate": post_validate, "data": put_case}


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize(("content_type", "body", "title"), MALFORMED)
def test_malformed_upload_is_400(
    server: Server, endpoint: str, content_type: str, body: bytes, title: str
) -> None:
    response = UPLOADERS[endpoint](server, body, content_type)
    assert_clear_4xx(response, 400, "malformed")


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
def test_billion_laughs_is_refused_fast(server: Server, endpoint: str) -> None:
    started = time.monotonic()
    response = UPLOADERS[endpoint](server, BILLION_LAUGHS, "application/rdf+xml")
    assert_clear_4xx(response, 400, "DOCTYPE")
    assert time.monotonic() - started < 5
    assert "lollol" not in response.text


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
def test_xxe_reads_no_local_file(server: Server, secret_file: Path, endpoint: str) -> None:
    response = UPLOADERS[endpoint](server, xxe(secret_file), "application/rdf+xml")
    assert_clear_4xx(response, 400, "ENTITY")
    assert MARKER not in response.text
    assert not ask_marker(server)


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize("where", ["http", "file", "nested-http", "import"])
def test_json_ld_contexts_are_not_fetched(
    server: Server, no_callout: Listener, secret_file: Path, endpoint: str, where: str
) -> None:
    remote = f"{no_callout.url}/context.jsonld"
    context: object = {
        "http": remote,
        "file": secret_file.as_uri(),
        "nested-http": [{"ex": "http://example.org/"}, remote],
        "import": {"@import": remote},
    }[where]
    document = {"@context": context, "@id": "urn:x:a", "http://example.org/p": "v"}
    body = json.dumps(document).encode()
    response = UPLOADERS[endpoint](server, body, "application/ld+json")
    assert_clear_4xx(response, 400, "context")
    assert MARKER not in response.text


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/turtle", b"<urn:x:a> <urn:x:b> " + b"(" * 50_000 + b")" * 50_000 + b" ."),
        ("text/turtle", b"<urn:x:a> <urn:x:b> " + b"[" * 50_000 + b"]" * 50_000 + b" ."),
        ("application/ld+json", b"[" * 100_000 + b"]" * 100_000),
    ],
)
def test_deeply_nested_upload_is_400(
    server: Server, endpoint: str, content_type: str, body: bytes
) -> None:
    response = UPLOADERS[endpoint](server, body, content_type)
    assert_clear_4xx(response, 400, "")


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize("content_type", ["application/pdf", "text/html", "image/png"])
def test_wrong_content_type_is_415(server: Server, endpoint: str, content_type: str) -> None:
    response = UPLOADERS[endpoint](server, b"<urn:x:a> <urn:x:b> <urn:x:c> .", content_type)
    assert_clear_4xx(response, 415, content_type)


def test_wrong_content_type_on_sparql_is_415(server: Server) -> None:
    response = requests.post(
        server.url + "/sparql",
        data=b"SELECT * WHERE { ?s ?p ?o }",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert_clear_4xx(response, 415, "application/json")


NOT_UTF8 = '<urn:x:a> <urn:x:b> "案例" .\n'.encode("gb18030")


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
def test_non_utf8_upload_is_400(server: Server, endpoint: str) -> None:
    response = UPLOADERS[endpoint](server, NOT_UTF8, "text/turtle")
    assert_clear_4xx(response, 400, "UTF-8")


def test_non_utf8_query_is_400(server: Server) -> None:
    body = 'SELECT * WHERE { ?s ?p "案例" }'.encode("gb18030")
    response = requests.post(
        server.url + "/sparql",
        data=body,
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert_clear_4xx(response, 400, "UTF-8")


def raw_request(server: Server, head: str, body: bytes, wait_s: float = 10) -> tuple[bytes, float]:
    """Send a request head and a few body bytes, never the rest; the answer and how long it took."""
    port = int(server.url.rsplit(":", 1)[1])
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait_s) as sock:
        sock.sendall(head.encode("ascii") + body)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            pass
    return data, time.monotonic() - started


@pytest.mark.parametrize(
    ("method", "path", "content_type", "auth"),
    [
        ("POST", "/validate", "text/turtle", ""),
        ("PUT", f"/data?graph={CASE_GRAPH}", "text/turtle", f"Authorization: Bearer {TOKEN}\r\n"),
        ("POST", "/sparql", "application/sparql-query", ""),
        ("POST", "/sparql", "application/x-www-form-urlencoded", ""),
    ],
)
def test_oversized_body_gets_413_before_it_is_read(
    server: Server, method: str, path: str, content_type: str, auth: str
) -> None:
    """Content-Length says 2 GB, a few bytes arrive: the answer is 413 at once, not a hang."""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {2 * 1024**3}\r\n{auth}Connection: close\r\n\r\n"
    )
    answer, elapsed = raw_request(server, head, b"<urn:x:a> <urn:x:b> ")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert elapsed < 5


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "/validate", "application/n-triples"),
        ("PUT", f"/data?graph={CASE_GRAPH}", "application/n-triples"),
        ("POST", "/sparql", "application/sparql-query"),
    ],
)
def test_chunked_body_over_the_limit_is_413(
    server: Server, method: str, path: str, content_type: str
) -> None:
    """A body without Content-Length (chunked) is refused once it passes the limit, not cut."""

    def chunks() -> Iterator[bytes]:
        line = b'<urn:x:a> <urn:x:b> "' + b"x" * 65_000 + b'" .\n'
        for _ in range(100):  # ~6.5 MB, above the 5 MB default
            yield line

    response = requests.request(
        method,
        server.url + path,
        data=chunks(),
        headers={"Content-Type": content_type, "Accept": "application/json", **AUTH},
        timeout=60,
    )
    assert response.status_code == 413, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text


def big_case(events: int) -> bytes:
    """A case graph of ``3 * events`` triples (about 80 bytes each), valid N-Triples."""
    ecpl = "https://w3id.org/ecpl/ontology#"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    lines = [f"<urn:x:c> <{rdf_type}> <{ecpl}Case> ."]
    for i in range(events):
        lines.append(f"<urn:x:c> <{ecpl}event> <urn:x:e{i}> .")
        lines.append(f"<urn:x:e{i}> <{rdf_type}> <{ecpl}Purchase> .")
        lines.append(f"<urn:x:e{i}> <{ecpl}agent> <urn:x:p{i % 50}> .")
    return "\n".join(lines).encode()


def test_validation_of_the_largest_upload_is_bounded_by_the_time_limit(server: Server) -> None:
    body = big_case(20_000)
    assert len(body) < 5 * 1024 * 1024
    started = time.monotonic()
    response = requests.post(
        server.url + "/validate",
        data=body,
        headers={"Content-Type": "application/n-triples", "Accept": "application/json"},
        timeout=120,
    )
    elapsed = time.monotonic() - started
    # refused by the triple cap (ECPL_MAX_CASE_TRIPLES, 413) or stopped by the time limit (503)
    assert response.status_code in (200, 413, 503), response.text[:300]
    assert elapsed < TIMEOUT_S + 5, f"validation ran {elapsed:.1f} s past a {TIMEOUT_S} s limit"


def test_queries_answer_while_a_big_case_is_validated(server: Server) -> None:
    """A long validation holds one thread and the pySHACL lock, not the query path."""
    body = big_case(8_000)
    done: list[int] = []

    def validate() -> None:
        response = requests.post(
            server.url + "/validate",
            data=body,
            headers={"Content-Type": "application/n-triples", "Accept": "application/json"},
            timeout=120,
        )
        done.append(response.status_code)

    worker = threading.Thread(target=validate)
    worker.start()
    time.sleep(1.0)
    try:
        for _ in range(3):
            started = time.monotonic()
            answer = sparql_get(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 5")
            assert answer.status_code == 200
            assert time.monotonic() - started < 3
        still_validating = not done
    finally:
        worker.join(120)
    assert done == [200]
    assert still_validating, "the validation was too quick to show anything; use a bigger case"


def test_slow_clients_do_not_block_the_service(server: Server) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    held = []
    try:
        for _ in range(8):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            held.append(sock)
        time.sleep(0.5)
        try:
            answer = requests.get(server.url + "/health", timeout=5)
        except requests.Timeout:
            pytest.fail("8 half-sent requests made the service stop answering")
        assert answer.status_code == 200
    finally:
        for sock in held:
            sock.close()


# -- HTML pages escape markup --------------------------------------------------------------------
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
