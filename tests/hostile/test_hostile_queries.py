"""Hostile queries: garbage, oversized, runaway and deeply nested queries, updates without
the token. Each gets a clear 4xx (or a 503 from the time limit) and the service keeps answering.
"""

from __future__ import annotations

import threading
import time
import urllib.parse

import pytest
import requests
from hostile_kit import (
    MARKER,
    TIMEOUT_S,
    TOKEN,
    ask_marker,
    assert_clear_4xx,
    sparql_get,
)

from live_server import Server
from test_faults import process_tree

pytestmark = pytest.mark.slow


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


def test_wrong_content_type_on_sparql_is_415(server: Server) -> None:
    response = requests.post(
        server.url + "/sparql",
        data=b"SELECT * WHERE { ?s ?p ?o }",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert_clear_4xx(response, 415, "application/json")


def test_non_utf8_query_is_400(server: Server) -> None:
    body = 'SELECT * WHERE { ?s ?p "案例" }'.encode("gb18030")
    response = requests.post(
        server.url + "/sparql",
        data=body,
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert_clear_4xx(response, 400, "UTF-8")
