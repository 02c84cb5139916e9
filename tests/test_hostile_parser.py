"""Parser differentials: the policy must judge exactly what the engine executes (issue 13).

The oracle is the engine itself: generated queries and updates (comment, white space, escape,
case, prefix and BASE variants around SERVICE and LOAD) run through pyoxigraph in a throwaway
store whose SERVICE/LOAD target is a local listener; whenever the engine called out, the
policy must have refused the request and named that endpoint. Benign variants must give the
same answers from the user's text and from the canonical text the service executes.
"""

from __future__ import annotations

import http.server
import itertools
import random
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecpl.config import Settings
from ecpl.errors import Forbidden, InputError
from ecpl.sparql import iri
from ecpl.store import policy
from ecpl.store.oxigraph import OxigraphStore
from ecpl.web.app import create_app

TOKEN = "parser-test-token"


class Listener:
    """A local HTTP endpoint that records every request path and answers at once."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                hits.append(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                body = b'{"head": {"vars": []}, "results": {"bindings": []}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.hits = hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.timeout = 2
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def contacted(self, tag: str) -> bool:
        return any(tag in path for path in self.hits)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    spy = Listener()
    yield spy
    spy.close()


SUBJECT, PREDICATE, OBJECT, GRAPH = (ox.NamedNode(f"urn:{n}") for n in "spog")


def _engine_store() -> ox.Store:
    store = ox.Store()
    store.add(ox.Quad(SUBJECT, PREDICATE, OBJECT))
    store.add(ox.Quad(SUBJECT, PREDICATE, ox.Literal("a # b"), GRAPH))
    store.add(ox.Quad(OBJECT, PREDICATE, ox.Literal("c", language="en")))
    return store


def _answer(result: object) -> object:
    """An engine answer in a comparable form (consuming it, which runs every SERVICE)."""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return sorted(tuple(str(row[n]) for n in names) for row in result)
    return sorted(str(t) for t in result)  # type: ignore[attr-defined]


def _run(text: str, *, update: bool, base_iri: str | None = None) -> object:
    """The engine's answer to ``text`` or the exception it raised."""
    store = _engine_store()
    try:
        if update:
            store.update(text, base_iri=base_iri)
            return sorted(str(q) for q in store)
        return _answer(store.query(text, base_iri=base_iri))
    except Exception as exc:  # noqa: BLE001 (the engine's errors are outcomes too)
        return exc


def _judge(text: str, *, update: bool) -> policy.Prepared | Exception:
    prepare = policy.prepare_update if update else policy.prepare_query
    try:
        return prepare(text)
    except (Forbidden, InputError) as exc:
        return exc


# -- the bypasses of issue 13 item 1 ---------------------------------------------------------
def _bypasses(url: str) -> list[tuple[str, str, bool]]:
    return [
        (f"SELECT * WHERE {{ #\r SERVICE <{url}/i1> {{ ?x ?y ?z }} \n}}", "/i1", False),
        (
            f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ #\r SERVICE <{url}/i2> "
            "{ ?x ?y ?z } \n} }",
            "/i2",
            False,
        ),
        (
            f"INSERT DATA {{ <urn:a> <urn:b> <urn:c> }} #\r ; LOAD <{url}/i3>",
            "/i3",
            True,
        ),
        (f"SELECT * WHERE {{ #\r\n SERVICE <{url}/i4> {{ ?x ?y ?z }} }}", "/i4", False),
    ]


def test_the_engine_calls_out_on_each_bypass(listener: Listener) -> None:
    """The oracle works: unguarded, the engine really contacts the listener."""
    for text, tag, update in _bypasses(listener.url):
        _run(text, update=update)
        assert listener.contacted(tag), text


def test_each_bypass_is_refused_and_nothing_called_out(listener: Listener) -> None:
    store = OxigraphStore(None, workers=1)
    for text, tag, update in _bypasses(listener.url):
        with pytest.raises(Forbidden, match=r"SERVICE|LOAD") as refused:
            if update:
                store.update(text)
            else:
                store.query(text)
        assert f"{listener.url}{tag}" in str(refused.value)
        assert not listener.contacted(tag + "-store")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    root: Path = tmp_path_factory.mktemp("root")
    app = create_app(
        Settings(root=root, workers=1, update_token=TOKEN), OxigraphStore(None, workers=1)
    )
    return app.test_client()


@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_bypass_is_refused_over_http(client: FlaskClient, listener: Listener, how: str) -> None:
    target = f"{listener.url}/http-{how}"
    query = f"SELECT * WHERE {{ #\r SERVICE <{target}> {{ ?x ?y ?z }} \n}}"
    if how == "get":
        response = client.get("/sparql", query_string={"query": query})
    elif how == "form":
        response = client.post("/sparql", data={"query": query})
    else:
        response = client.post(
            "/sparql", data=query.encode(), content_type="application/sparql-query"
        )
    assert response.status_code == 403
    assert target in response.get_data(as_text=True)
    assert not listener.contacted(f"/http-{how}")


def test_load_after_a_cr_comment_is_refused_over_http(
    client: FlaskClient, listener: Listener
) -> None:
    update = f"INSERT DATA {{ <urn:a> <urn:b> <urn:c> }} #\r ; LOAD <{listener.url}/http-load>"
    response = client.post(
        "/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 403 and "LOAD" in response.get_data(as_text=True)
    assert not listener.contacted("/http-load")
    ask = client.get("/sparql", query_string={"query": "ASK { <urn:a> <urn:b> <urn:c> }"})
    assert ask.get_json()["boolean"] is False  # the whole request was refused, nothing stored


# -- the differential --------------------------------------------------------------------------
_RAW_SEPARATORS = [" ", "\n", "\r", "\r\n", "\t", "#c\r", "#c\n", "#c\r\n", ' # " < { }\r']
_ESCAPED_SEPARATORS = [
    "\\u0020",
    "\\u000A",
    "\\u000D",
    "#x\\u000D",
    "#x\\u000A",
    "\\u0023x\n",
    "\\u0023x\r",
    "#\\u0023\r",
]
_SERVICE = ["SERVICE", "service", "SeRvIcE", "\\u0053ERVICE", "SERV\\u0049CE", "\\u0073ervice"]
_SILENT = ["", "SILENT ", "silent\r", "SILENT#c\r"]
_POSITIONS = [
    "{svc}",
    "?s ?p ?o FILTER EXISTS {{ {svc} }}",
    "?s ?p ?o FILTER NOT EXISTS {{ {svc} }}",
    "?s ?p ?o OPTIONAL {{ {svc} }}",
    "{{ ?s ?p ?o }} UNION {{ {svc} }}",
    "{{ SELECT * WHERE {{ {svc} }} }}",
    "?s ?p ?o MINUS {{ {svc} }}",
    "?s ?p ?o FILTER EXISTS {{ ?s ?p ?o FILTER NOT EXISTS {{ {svc} }} }}",
    "?s ?p ?o FILTER(EXISTS {{ {svc} }} || true)",
]
_DECOYS = [
    "",
    'BIND("#" AS ?h) ',
    "BIND('''x\r#''' AS ?h) ",
    "?s <urn:p#x> ?o . ",
    "# SERVICE <http://example.invalid/>\n",
    "BIND('\\u0023' AS ?h) ",
    'BIND("\\"#" AS ?h) ',
]
_numbers = itertools.count()
Choose = Callable[[Sequence[str]], str]


def _endpoint(choose: Choose, url: str, tag: str) -> tuple[str, str]:
    """(prologue, endpoint text) naming ``url``/…``tag`` in one of the IRI spellings."""
    return {
        "iri": ("", f"<{url}/q{tag}>"),
        "escaped iri": ("", f"<{url}/\\u0071{tag}>"),
        "prefixed": (f"PREFIX e: <{url}/>\n", f"e:q{tag}"),
        "escaped local": (f"prefix e: <{url}/>\r", f"e:q\\-{tag}"),
        "percent local": (f"PREFIX e: <{url}/>#c\r", f"e:%71{tag}"),
        "base": (f"BASE <{url}/>\n", f"<q{tag}#frag>"),
        "relative base": (f"BASE <{url}/sub/> ", f"<../q{tag}>"),
    }[choose(_ENDPOINT_FORMS)]


_ENDPOINT_FORMS = [
    "iri",
    "escaped iri",
    "prefixed",
    "escaped local",
    "percent local",
    "base",
    "relative base",
]


def _hostile(choose: Choose, url: str) -> tuple[str, str, bool]:
    """(text, tag, is an update): a request naming the listener, by ``choose``'s picks."""
    tag = f"{next(_numbers):06d}"
    prologue, target = _endpoint(choose, url, tag)

    def sep() -> str:  # raw separators three times as likely: the engine reads those
        return choose(_RAW_SEPARATORS * 3 + _ESCAPED_SEPARATORS)

    kind = choose(["query", "query", "load", "update where"])
    if kind == "load":
        into = choose(["", " INTO GRAPH <urn:g>", " into graph<urn:g>"])
        text = (
            f"{prologue}INSERT DATA {{ <urn:a> <urn:b> <urn:c> }}{sep()};{sep()}"
            f"LOAD{sep()}{choose(_SILENT)}{target}{into}"
        )
        return text, tag, True
    service = f"{choose(_SERVICE)}{sep()}{choose(_SILENT)}{target}{sep()}{{ ?x ?y ?z }}"
    if kind == "update where":
        text = f"{prologue}INSERT {{ <urn:a> <urn:b> ?x }} WHERE {{ ?s ?p ?o .{sep()}{service} }}"
        return text, tag, True
    pattern = choose(_POSITIONS).format(svc=service)
    text = f"{prologue}{sep()}SELECT * WHERE {{ {choose(_DECOYS)}{sep()}{pattern}{sep()}}}"
    return text, tag, False


def _check(listener: Listener, text: str, tag: str, update: bool) -> bool:
    """Run the user's text on the engine, judge it, and assert they agree; True if called."""
    _run(text, update=update)
    judged = _judge(text, update=update)
    called = listener.contacted(tag)
    if called:
        assert isinstance(judged, Forbidden), (text, judged)
        assert f"127.0.0.1:{listener.url.rsplit(':', 1)[1]}/" in str(judged)
        assert tag in str(judged), (text, judged)
    if isinstance(judged, policy.Prepared):  # accepted: its canonical text calls nobody
        _run(judged.text, update=update)
        assert not listener.contacted(tag), (text, judged.text)
    return called


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_whatever_the_engine_calls_the_policy_refused(
    listener: Listener, data: st.DataObject
) -> None:
    def choose(options: Sequence[str]) -> str:
        return data.draw(st.sampled_from(options))

    _check(listener, *_hostile(choose, listener.url))


def test_the_generated_requests_do_call_out(listener: Listener) -> None:
    """The differential has teeth: a seeded sample of the same generator reaches the engine's
    call-out often (every one refused by the policy)."""
    rng = random.Random(13)
    called = sum(_check(listener, *_hostile(rng.choice, listener.url)) for _ in range(150))
    assert called >= 25  # 30 with this seed; the rest the engine refuses as syntax errors


_BENIGN_PATTERNS = [
    "?s ?p ?o",
    "?s <urn:p> ?o FILTER EXISTS {{ ?o ?p ?x }}",
    "GRAPH <urn:g> {{ ?s ?p ?o }}",
    "GRAPH ?g {{ ?s ?p ?o FILTER(CONTAINS(?o, '#')) }}",
    "{{ SELECT ?s WHERE {{ ?s ?p ?o }} }}",
    "?s e:p ?o",
    "?s e:\\-p ?o",
    "?s <p> ?o",
    "?s ?p 'c'@en",
    '?s ?p "a \\u0023 b"',
    "?s ?p '''a # b'''",
    "?s ?p ?o FILTER(?o != <urn:\\u006F>)",
]
_BENIGN_PROLOGUES = [
    "PREFIX e: <urn:>\n",
    "prefix e: <urn:> # x\r",
    "BASE <urn:> PREFIX e: <urn:>\n",
    "PREFIX e: <http://other/>\nPREFIX e: <urn:>\n",
]


@st.composite
def _benign(draw: st.DrawFn) -> str:
    sep = st.sampled_from(_RAW_SEPARATORS)
    pattern = draw(st.sampled_from(_BENIGN_PATTERNS)).format()
    dataset = draw(st.sampled_from(["", "FROM <urn:g> ", "FROM NAMED <urn:g> ", "from<urn:g>"]))
    head = draw(st.sampled_from(["SELECT *", "select distinct *", "ASK", "CONSTRUCT WHERE"]))
    if head == "CONSTRUCT WHERE":
        pattern, dataset = "?s ?p ?o", ""
    return (
        f"{draw(st.sampled_from(_BENIGN_PROLOGUES))}{draw(sep)}{head}{draw(sep)}{dataset}"
        f"{'' if head.startswith('CONSTRUCT') else 'WHERE'}{draw(sep)}{{{draw(sep)}"
        f"{pattern}{draw(sep)}}}{draw(sep)}"
    )


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_benign())
def test_benign_queries_answer_the_same_from_the_canonical_text(text: str) -> None:
    original = _run(text, update=False)
    judged = _judge(text, update=False)
    if isinstance(original, Exception):
        return  # the engine refused the user's text; nothing to compare
    assert isinstance(judged, policy.Prepared), (text, judged)
    assert _run(judged.text, update=False, base_iri=judged.base_iri) == original, judged.text


def test_benign_corpus_is_not_vacuous() -> None:
    """The generated benign queries mostly run: the comparison above is not skipped."""
    ran = 0
    for prologue, pattern in itertools.product(_BENIGN_PROLOGUES, _BENIGN_PATTERNS):
        text = f"{prologue}SELECT * WHERE {{ {pattern.format()} }}"
        ran += not isinstance(_run(text, update=False), Exception)
    # all but the relative <p> where no BASE is declared
    assert ran == len(_BENIGN_PROLOGUES) * len(_BENIGN_PATTERNS) - 3


# -- the allow-list compares parsed parts -----------------------------------------------------
@pytest.mark.parametrize(
    ("endpoint", "allowed"),
    [
        ("http://allowed.example/", True),
        ("http://allowed.example/sparql", True),
        ("HTTP://Allowed.Example/sparql", True),  # scheme and host are case-insensitive
        ("http://allowed.example:80/sparql", True),  # the default port
        ("http://allowed.example/sparql?query=x", True),
        ("http://allowed.example@127.0.0.1:9/", False),  # userinfo, real host 127.0.0.1
        ("http://user@allowed.example/", False),  # no userinfo at all
        ("http://allowed.example.invalid/", False),
        ("http://allowed.examplex/", False),
        ("http://xallowed.example/", False),
        ("https://allowed.example/", False),  # other scheme
        ("http://allowed.example:8080/", False),  # other port
        ("http://allowed.example:/", True),  # empty port = default (RFC 3986 §3.2.3)
        ("http://127.0.0.1/", False),
        ("ftp://allowed.example/", False),
        ("http://allowed.example%2e/", False),
        ("http://[::1]/", False),
        ("urn:allowed.example", False),
    ],
)
def test_allow_list_on_a_host(endpoint: str, allowed: bool) -> None:
    assert policy.service_allowed(endpoint, ["http://allowed.example/"]) is allowed


@pytest.mark.parametrize(
    ("endpoint", "allowed"),
    [
        ("https://q.example/sparql", True),
        ("https://q.example/sparql/", True),
        ("https://q.example/sparql/sub", True),
        ("https://q.example/sparqlx", False),  # a prefix on segment boundaries only
        ("https://q.example/sparq", False),
        ("https://q.example/", False),
        ("https://q.example/other/../sparql", True),  # dot segments removed first
        ("https://q.example/sparql/../admin", False),
        ("https://q.example/sparql/%2e%2e/admin", False),  # encoded dots are refused
        ("https://q.example/sparql%2F..%2Fadmin", False),
        ("https://q.example:443/sparql", True),
    ],
)
def test_allow_list_on_a_path(endpoint: str, allowed: bool) -> None:
    assert policy.service_allowed(endpoint, ["https://q.example/sparql"]) is allowed


def test_allowed_service_passes_and_is_listed() -> None:
    prepared = policy.prepare_query(
        "PREFIX w: <https://query.wikidata.org/>\nSELECT * WHERE { SERVICE w:sparql { ?s ?p ?o } }",
        service_allow_list=["https://query.wikidata.org/"],
    )
    assert prepared.services == ("https://query.wikidata.org/sparql",)
    assert "SERVICE <https://query.wikidata.org/sparql>" in prepared.text


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT $e { ?s ?p ?o } }",
    ],
)
def test_service_by_variable_is_refused(query: str) -> None:
    # the endpoint would be chosen at run time (from the data or VALUES): it cannot be judged
    with pytest.raises(Forbidden, match="variable"):
        policy.prepare_query(query, service_allow_list=["http://allowed.example/"])


# -- IRIs: RFC 3986 §5.4 reference resolution ------------------------------------------------
_RFC_BASE = "http://a/b/c/d;p?q"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("g:h", "g:h"),
        ("g", "http://a/b/c/g"),
        ("./g", "http://a/b/c/g"),
        ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"),
        ("//g", "http://g"),
        ("?y", "http://a/b/c/d;p?y"),
        ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q#s"),
        ("g#s", "http://a/b/c/g#s"),
        ("g?y#s", "http://a/b/c/g?y#s"),
        (";x", "http://a/b/c/;x"),
        ("g;x", "http://a/b/c/g;x"),
        ("g;x?y#s", "http://a/b/c/g;x?y#s"),
        ("", "http://a/b/c/d;p?q"),
        (".", "http://a/b/c/"),
        ("./", "http://a/b/c/"),
        ("..", "http://a/b/"),
        ("../", "http://a/b/"),
        ("../g", "http://a/b/g"),
        ("../..", "http://a/"),
        ("../../", "http://a/"),
        ("../../g", "http://a/g"),
        # §5.4.2 abnormal examples
        ("../../../g", "http://a/g"),
        ("../../../../g", "http://a/g"),
        ("/./g", "http://a/g"),
        ("/../g", "http://a/g"),
        ("g.", "http://a/b/c/g."),
        (".g", "http://a/b/c/.g"),
        ("g..", "http://a/b/c/g.."),
        ("..g", "http://a/b/c/..g"),
        ("./../g", "http://a/b/g"),
        ("./g/.", "http://a/b/c/g/"),
        ("g/./h", "http://a/b/c/g/h"),
        ("g/../h", "http://a/b/c/h"),
        ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
        ("g;x=1/../y", "http://a/b/c/y"),
        ("g?y/./x", "http://a/b/c/g?y/./x"),
        ("g?y/../x", "http://a/b/c/g?y/../x"),
        ("g#s/./x", "http://a/b/c/g#s/./x"),
        ("g#s/../x", "http://a/b/c/g#s/../x"),
    ],
)
def test_rfc3986_resolution(ref: str, expected: str) -> None:
    assert iri.resolve(ref, _RFC_BASE) == expected


def test_resolution_agrees_with_the_engine() -> None:
    """The RFC examples give the same IRIs in pyoxigraph (its own resolver, oxiri)."""
    refs = ["g", "./g", "/g", "//g", "?y", "#s", "", ".", "..", "../../../g", "g/../h", ";x"]
    values = " ".join(f"(<{ref}>)" for ref in refs)
    query = f"SELECT ?i WHERE {{ VALUES (?i) {{ {values} }} }}"
    answer = ox.Store().query(query, base_iri=_RFC_BASE)
    assert isinstance(answer, ox.QuerySolutions)
    engine = [row["i"].value for row in answer if row["i"] is not None]
    assert engine == [iri.resolve(ref, _RFC_BASE) for ref in refs]


def test_base_and_relative_iris_in_a_query() -> None:
    prepared = policy.prepare_query(
        "BASE <http://data.example/a/> PREFIX d: <docs/>\n"
        "SELECT * FROM <data.ttl> FROM NAMED d:g1 FROM NAMED <../g2> WHERE { ?s ?p ?o }"
    )
    assert prepared.default_graphs == ("http://data.example/a/data.ttl",)
    assert prepared.named_graphs == (
        "http://data.example/a/docs/g1",
        "http://data.example/g2",
    )
    assert prepared.has_dataset


def test_the_requests_base_iri_resolves_what_has_no_base() -> None:
    # issue 12: CONSTRUCT { <s> <p> 1 } WHERE {} resolves against the endpoint
    prepared = policy.prepare_query(
        "CONSTRUCT { <s> <p> 1 } WHERE {}", base_iri="http://service.example/sparql"
    )
    assert prepared.form == "construct" and prepared.base_iri == "http://service.example/sparql"
    assert "<http://service.example/s> <http://service.example/p> 1" in prepared.text
    with pytest.raises(InputError, match="relative IRI <s>"):
        policy.prepare_query("CONSTRUCT { <s> <p> 1 } WHERE {}")


def test_a_base_in_the_query_wins_over_the_requests() -> None:
    prepared = policy.prepare_query(
        "BASE <other/> SELECT * FROM <g> WHERE {}", base_iri="http://service.example/sparql"
    )
    assert prepared.default_graphs == ("http://service.example/other/g",)


def test_service_hidden_behind_base_and_prefix_is_resolved() -> None:
    for text in [
        "BASE <http://allowed.example/> SELECT * WHERE { SERVICE <//127.0.0.1:9/> {} }",
        "PREFIX a: <http://allowed.example/> PREFIX a: <http://127.0.0.1:9/> "
        "SELECT * WHERE { SERVICE a:x {} }",
    ]:
        with pytest.raises(Forbidden, match=r"http://127\.0\.0\.1:9/"):
            policy.prepare_query(text, service_allow_list=["http://allowed.example/"])


def test_double_escapes_are_refused() -> None:
    with pytest.raises(InputError, match="escape"):
        policy.prepare_query(r"SELECT * WHERE { \u005Cu0053ERVICE <http://127.0.0.1:9/> {} }")
    with pytest.raises(InputError, match="escape"):
        policy.prepare_query("SELECT * WHERE { ?s ?p '\\\\u0075 0041' }".replace(" 0", "0"))


# -- updates: the dataset they name and the graphs they write ---------------------------------
@pytest.mark.parametrize(
    ("update", "default", "named", "with_graph", "written", "writes_all"),
    [
        (
            "WITH <urn:w> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 . GRAPH <urn:h> { ?s ?p 2 } } "
            "USING <urn:u> USING NAMED <urn:n> WHERE { GRAPH <urn:r> { ?s ?p ?o } }",
            ("urn:u",),
            ("urn:n",),
            "urn:w",
            ("urn:w", "urn:h"),
            False,
        ),
        ("INSERT { GRAPH ?g { ?s ?p 1 } } WHERE { GRAPH ?g {} }", (), (), None, None, False),
        ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", (), (), None, (), True),
        ("DROP ALL", (), (), None, (), True),
        ("CLEAR DEFAULT", (), (), None, (), True),
        ("DROP SILENT NAMED", (), (), None, (), True),
        ("CLEAR GRAPH <urn:c>", (), (), None, ("urn:c",), False),
        ("CREATE SILENT GRAPH <urn:c>", (), (), None, ("urn:c",), False),
        ("COPY DEFAULT TO <urn:b>", (), (), None, ("urn:b",), False),
        ("MOVE GRAPH <urn:a> TO <urn:b>", (), (), None, ("urn:b", "urn:a"), False),
        ("ADD <urn:a> TO DEFAULT", (), (), None, (), True),
        (
            "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }",
            (),
            (),
            None,
            ("urn:g",),
            False,
        ),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", (), (), None, (), True),
        ("DELETE WHERE { GRAPH <urn:g> { ?s ?p ?o } }", (), (), None, ("urn:g",), False),
        (
            "PREFIX e: <http://e/> INSERT DATA { GRAPH e:g { e:a e:b e:c } } ; "
            "BASE <http://f/> DELETE DATA { GRAPH <g2> { <a> <b> <c> } } ;",
            (),
            (),
            None,
            ("http://e/g", "http://f/g2"),
            False,
        ),
        ("", (), (), None, (), False),
    ],
)
def test_update_fields(
    update: str,
    default: tuple[str, ...],
    named: tuple[str, ...],
    with_graph: str | None,
    written: tuple[str, ...] | None,
    writes_all: bool,
) -> None:
    prepared = policy.prepare_update(update)
    assert prepared.form == "update"
    assert (prepared.default_graphs, prepared.named_graphs) == (default, named)
    assert prepared.with_graph == with_graph
    assert prepared.written_graphs == written
    assert prepared.writes_all is writes_all
    assert prepared.has_dataset is bool(default or named or with_graph)


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://example.org/data.ttl>",
        "LOAD SILENT <http://example.org/data.ttl> INTO GRAPH <urn:g>",
        "load <file:///etc/passwd>",
    ],
)
def test_load_is_always_refused(update: str) -> None:
    with pytest.raises(Forbidden, match="LOAD"):
        policy.prepare_update(update, service_allow_list=["http://example.org/"])


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> } INSERT DATA {}",  # no ';'
        "DROP GRAPH",
        "COPY <urn:a> <urn:b>",
        "WITH <urn:w> WHERE { }",
        "SELECT * {}",
    ],
)
def test_malformed_updates_are_input_errors(update: str) -> None:
    with pytest.raises(InputError):
        policy.prepare_update(update)


def test_query_form() -> None:
    assert policy.prepare_query("# SELECT\nCONSTRUCT WHERE { ?s ?p ?o }").form == "construct"
    assert policy.prepare_query("PREFIX s: <urn:select#> ask {}").form == "ask"
    assert policy.prepare_query("describe <urn:a>").form == "describe"
    with pytest.raises(InputError, match="update"):
        policy.prepare_query("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_depth_is_counted_on_tokens() -> None:
    brackets = "'" + "{" * 100 + "' <x" + "(" * 100 + ">\n# " + "[" * 100 + "\n"
    policy.check_depth(f"SELECT * WHERE {{ ?s ?p {brackets} }}")
    with pytest.raises(InputError, match="65 levels"):
        policy.check_depth("SELECT * WHERE " + "{" * 65 + "}" * 65)


@pytest.mark.parametrize(
    "update",
    [
        'PREFIX e: <urn:e:> # c\rINSERT DATA { e:a e:b \'x\\\'y\' , """l\nl"""@en }',
        "BASE <urn:e:> INSERT DATA { GRAPH <urn:g2> { <urn:a> <urn:b> 1.5e0, -2, .5 } }",
        "INSERT DATA { <urn:a> <urn:b> 'caf\\u00E9' } ;\r\nDELETE DATA { <urn:a> <urn:b> 'x' }",
        "PREFIX e: <urn:e:> WITH <urn:g> DELETE { ?s ?p ?o } INSERT { ?s e:\\~p ?o } "
        "WHERE { ?s ?p ?o FILTER(isLITERAL(?o)) }",
        "DELETE WHERE { ?s ?p <urn:o> } ; CLEAR GRAPH <urn:g> ; COPY DEFAULT TO <urn:h>",
        "INSERT { GRAPH ?g { ?s <urn:seen> true } } WHERE { GRAPH ?g { ?s ?p ?o } }",
    ],
)
def test_benign_updates_write_the_same_from_the_canonical_text(update: str) -> None:
    original = _run(update, update=True)
    assert not isinstance(original, Exception), original
    judged = policy.prepare_update(update)
    assert _run(judged.text, update=True) == original


@pytest.mark.parametrize(
    "graph",
    [
        "urn:x> { ?s ?p ?o } } ASK { SERVICE <http://127.0.0.1:9/> { ?a ?b ?c",
        "http://example.org/a b",
        'urn:x"',
        "relative/graph",
        "urn:x\n",
    ],
)
def test_graph_parameters_that_are_not_iris_never_reach_the_store(graph: str) -> None:
    # the remote store asks its endpoint "ASK { GRAPH <name> … }": a name is never spliced
    asked: list[str] = []
    with pytest.raises(InputError, match="not an absolute IRI"):
        policy.check_graphs([graph], lambda name: asked.append(name) or True, what="FROM")
    assert asked == []


def test_the_remote_store_never_splices_a_graph_name(listener: Listener) -> None:
    from ecpl.store.remote import RemoteStore

    remote = RemoteStore(f"{listener.url}/remote-sparql")
    injected = "urn:x> { ?s ?p ?o } } ASK { SERVICE <http://127.0.0.1:9/> { ?a ?b ?c"
    before = len(listener.hits)
    with pytest.raises(InputError, match="not an absolute IRI"):
        remote.get_graph(injected)
    with pytest.raises(InputError, match="not an absolute IRI"):
        remote.query("SELECT * WHERE { ?s ?p ?o }", default_graphs=[injected])
    with pytest.raises(InputError, match="not an absolute IRI"):
        remote.triple_count(injected)
    assert listener.hits[before:] == []
    remote.close()
