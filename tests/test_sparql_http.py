"""The SPARQL 1.1 Protocol endpoint against a live ``ecpl serve`` on a free port."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from ecpl import iri, queries
from ecpl.config import Settings
from ecpl.sparql.substitute import substitute
from ecpl.store import open_store
from live_server import start_server

pytestmark = pytest.mark.slow

ECPL = iri.ECPL
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
TOKEN = "test-token-0123456789"
ROOT = Path(__file__).resolve().parents[1]
CLASSES = f"SELECT ?c WHERE {{ ?c a <{OWL.Class}> FILTER(isIRI(?c)) }} ORDER BY ?c"
PLATFORM_ASK = f"ASK {{ <{ECPL.EcommercePlatformOperator}> a <{OWL.Class}> }}"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with updates switched on and a small row limit."""
    with start_server(
        "--update-token",
        TOKEN,
        "--timeout",
        "5",
        env={"ECPL_ROW_LIMIT": "20"},
        log_dir=tmp_path_factory.mktemp("writable"),
    ) as server:
        yield server.url


class Listener:
    """A TCP listener on 127.0.0.1 counting connection attempts (to prove no call-out)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        self.sock.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    opened = Listener()
    yield opened
    opened.close()


def _get(base: str, query: str, **kwargs) -> requests.Response:
    return requests.get(base + "/sparql", params={"query": query}, timeout=30, **kwargs)


# -- clients ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_every_format(live_server: str, fmt: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(CLASSES)
    client.setReturnFormat(fmt)
    converted = client.query().convert()
    if fmt == JSON:
        values = {b["c"]["value"] for b in converted["results"]["bindings"]}
    elif fmt == XML:
        values = {n.firstChild.nodeValue for n in converted.getElementsByTagName("uri")}
    else:
        text = converted.decode() if isinstance(converted, bytes) else converted
        values = {line.strip().strip("<>") for line in text.splitlines()[1:] if line.strip()}
    assert str(ECPL.EcommercePlatformOperator) in values
    assert str(ECPL.Consumer) in values


def test_sparqlwrapper_ask(live_server: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(PLATFORM_ASK)
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, N3, "json-ld"])
def test_sparqlwrapper_construct(live_server: str, fmt: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(
        f"CONSTRUCT {{ ?c a <{OWL.Class}> }} WHERE {{ ?c a <{OWL.Class}> FILTER(isIRI(?c)) }}"
    )
    client.setReturnFormat(fmt)
    result = client.query()
    data = result.response.read()
    content_type = result.response.headers["Content-Type"].split(";")[0]
    parse_as = {
        "text/turtle": "turtle",
        "application/rdf+xml": "xml",
        "application/ld+json": "json-ld",
        "application/n-triples": "nt",
    }[content_type]
    graph = Graph().parse(data=data, format=parse_as)
    assert (ECPL.EcommercePlatformOperator, RDF.type, OWL.Class) in graph


def test_rdflib_sparqlstore_reads(live_server: str) -> None:
    graph = Graph(store=SPARQLStore(live_server + "/sparql", returnFormat="xml"))
    rows = list(graph.query(CLASSES))
    assert (ECPL.Consumer,) in [tuple(row) for row in rows]
    assert (ECPL.EcommercePlatformOperator, RDF.type, OWL.Class) in graph


# -- content negotiation over HTTP -------------------------------------------------------------
@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        (None, None, "application/sparql-results+json"),
        ("*/*", None, "application/sparql-results+json"),
        ("application/sparql-results+xml", None, "application/sparql-results+xml"),
        ("text/csv;q=0.4, text/tab-separated-values;q=0.9", None, "text/tab-separated-values"),
        ("text/*", None, "text/csv"),
        ("text/html", "xml", "application/sparql-results+xml"),
    ],
)
def test_conneg_select(live_server: str, accept, fmt, expected: str) -> None:
    params = {"query": CLASSES}
    if fmt:
        params["format"] = fmt
    headers = {"Accept": accept} if accept else {}
    response = requests.get(live_server + "/sparql", params=params, headers=headers, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected
    assert "Accept" in response.headers.get("Vary", "")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("text/turtle;q=0.5, application/rdf+xml", "application/rdf+xml"),
        ("*/*", "text/turtle"),
    ],
)
def test_conneg_construct(live_server: str, accept: str, expected: str) -> None:
    response = _get(live_server, "CONSTRUCT WHERE { ?s a ?o } LIMIT 3", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected


def test_three_request_forms_agree(live_server: str) -> None:
    url = live_server + "/sparql"
    accept = {"Accept": "application/sparql-results+json"}
    by_get = requests.get(url, params={"query": CLASSES}, headers=accept, timeout=30).json()
    by_form = requests.post(url, data={"query": CLASSES}, headers=accept, timeout=30).json()
    by_body = requests.post(
        url,
        data=CLASSES.encode(),
        headers={**accept, "Content-Type": "application/sparql-query"},
        timeout=30,
    ).json()
    assert by_get == by_form == by_body
    assert len(by_get["results"]["bindings"]) > 5


def test_protocol_graph_parameters(live_server: str) -> None:
    actors = str(iri.source_graph("ontology", "actors.ttl"))
    laws = str(iri.source_graph("data", "laws/ecl.ttl"))
    query = f"ASK {{ <{ECPL.EcommercePlatformOperator}> a <{OWL.Class}> }}"
    inside = requests.get(
        live_server + "/sparql",
        params={"query": query, "default-graph-uri": actors},
        timeout=30,
    ).json()
    outside = requests.get(
        live_server + "/sparql", params={"query": query, "default-graph-uri": laws}, timeout=30
    ).json()
    assert inside["boolean"] is True and outside["boolean"] is False


def test_service_description(live_server: str) -> None:
    response = requests.get(live_server + "/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    service = URIRef(live_server + "/sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_TSV") in formats
    assert URIRef("http://www.w3.org/ns/formats/JSON-LD") in formats


# -- errors ------------------------------------------------------------------------------------
def test_syntax_error_400_with_position(live_server: str) -> None:
    response = _get(live_server, "SELECT ?s WHERE { ?s ?p ", headers={"Accept": "application/json"})
    assert response.status_code == 400
    message = response.json()["message"]
    assert "syntax" in message and "1:" in message


@pytest.mark.parametrize(
    ("method", "kwargs", "status"),
    [
        (  # format= naming nothing on offer leaves it to Accept, which names nothing either
            "get",
            {"params": {"query": "ASK {}", "format": "pdf"}, "headers": {"Accept": "image/png"}},
            406,
        ),
        ("get", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406),
        ("post", {"data": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
        ("post", {"data": b"ASK {}"}, 415),
        ("post", {"data": {"neither": "x"}}, 400),
        ("put", {"data": b"ASK {}"}, 405),
        ("get", {"params": {"query": "ASK {}", "default-graph-uri": "file:///etc/passwd"}}, 400),
        ("post", {"data": {"update": "CLEAR ALL"}}, 403),
        ("get", {"params": {"update": "CLEAR ALL"}}, 400),
        ("post", {"data": {"query": "ASK {} #" + "x" * 300_000}}, 413),
        (
            "post",
            {
                "data": b"x" * (6 * 1024 * 1024),
                "headers": {"Content-Type": "application/sparql-query"},
            },
            413,
        ),
        (
            "post",
            {"data": b"\xff\xfe ASK", "headers": {"Content-Type": "application/sparql-query"}},
            400,
        ),
    ],
)
def test_error_statuses(live_server: str, method: str, kwargs: dict, status: int) -> None:
    response = getattr(requests, method)(live_server + "/sparql", timeout=30, **kwargs)
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text
    assert response.text.strip()


def test_huge_get_query_is_refused_and_service_goes_on(live_server: str) -> None:
    response = _get(live_server, "ASK {} #" + "x" * 1_000_000)
    assert 400 <= response.status_code < 500
    assert _get(live_server, PLATFORM_ASK).json()["boolean"] is True


def test_not_found_is_404(live_server: str) -> None:
    response = requests.get(
        live_server + "/no/such/page", headers={"Accept": "application/json"}, timeout=30
    )
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_update_refused_on_read_only_service_with_reason(live_server: str) -> None:
    response = requests.post(
        live_server + "/sparql",
        data="INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }",
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer x"},
        timeout=30,
    )
    assert response.status_code == 403
    assert "read-only" in response.text


def test_cors(live_server: str) -> None:
    preflight = requests.options(
        live_server + "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=30,
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    response = _get(live_server, "ASK {}", headers={"Origin": "https://yasgui.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# -- policy: nothing leaves the machine ---------------------------------------------------------
def test_service_refused_without_call_out(live_server: str, listener: Listener) -> None:
    target = f"http://127.0.0.1:{listener.port}/sparql"
    response = _get(live_server, f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}")
    assert response.status_code == 403
    assert "SERVICE" in response.text
    response = _get(live_server, f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}")
    assert response.status_code == 400
    time.sleep(0.3)
    assert listener.connections == 0


def test_load_refused_without_call_out(writable: str, listener: Listener) -> None:
    response = requests.post(
        writable + "/sparql",
        data={"update": f"LOAD <http://127.0.0.1:{listener.port}/x.ttl>"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert response.status_code == 403
    assert "LOAD" in response.text
    time.sleep(0.3)
    assert listener.connections == 0


# -- timeout -----------------------------------------------------------------------------------
def test_timeout_503_and_service_still_answers(live_server: str) -> None:
    started = time.monotonic()
    response = _get(live_server, CARTESIAN)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "time limit" in response.text
    assert 4 <= elapsed < 10  # the live server's limit is 5 s
    for _ in range(4):  # every query worker still answers
        assert _get(live_server, PLATFORM_ASK).json()["boolean"] is True


# -- updates -----------------------------------------------------------------------------------
def test_update_needs_the_token(writable: str) -> None:
    graph = "https://w3id.org/ecpl/graph/case/t1"
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <http://e/s> <http://e/p> 1 }} }}"
    url = writable + "/sparql"
    missing = requests.post(url, data={"update": update}, timeout=30)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = requests.post(
        url, data={"update": update}, headers={"Authorization": "Bearer nope"}, timeout=30
    )
    assert wrong.status_code == 403
    ask = "ASK { <http://e/s> <http://e/p> 1 }"
    assert _get(writable, ask).json()["boolean"] is False
    done = requests.post(
        url, data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert done.status_code == 204
    for _ in range(4):  # whichever query worker answers
        assert _get(writable, ask).json()["boolean"] is True


def test_row_cap_is_announced(writable: str) -> None:
    response = _get(writable, "SELECT ?s WHERE { ?s ?p ?o }")
    assert response.status_code == 200
    assert response.headers["X-ECPL-Results-Truncated"].startswith("true")
    body = response.json()
    assert body["truncated"] is True and len(body["results"]["bindings"]) == 20
    small = _get(writable, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3")
    assert "X-ECPL-Results-Truncated" not in small.headers


# -- named queries: same answer over HTTP as in process -----------------------------------------
def _canonical(rows: list[dict]) -> list[tuple]:
    """Rows as sorted tuples; GROUP_CONCAT strings compared as sorted parts (order is free)."""

    def value(term: object) -> object:
        return " ".join(sorted(str(term).split(" "))) if isinstance(term, Literal) else term

    return sorted((tuple(sorted((k, value(v)) for k, v in row.items())) for row in rows), key=repr)


def _rows(result_json: dict) -> list[tuple]:
    data = io.BytesIO(requests.compat.json.dumps(result_json).encode())
    parsed = Result.parse(data, format="json")
    return _canonical([r.asdict() for r in parsed])  # type: ignore[union-attr]


@pytest.mark.parametrize("name", sorted(queries.load_all()))
def test_named_queries_same_over_http(live_server: str, name: str) -> None:
    named = queries.get(name)
    bindings = named.bindings({})
    store = open_store(Settings(workers=1))
    try:
        local = store.query(named.text, bindings=bindings)
    finally:
        store.close()
    text = substitute(named.text, bindings)
    response = _get(live_server, text, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    remote = _rows(response.json())
    assert remote == _canonical(local.rows)


def test_browser_without_query_goes_to_the_editor(live_server: str) -> None:
    response = requests.get(
        live_server + "/sparql",
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
