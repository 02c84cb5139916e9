"""Limits that belong to the store and hold for every caller (issue 13: memory, workers, bytes).

In process, against :class:`OxigraphStore` and its worker pool: the memory limit per worker, the
wait for a worker, the lane for long queries, the byte caps on answers, a bug in a worker, and
the second wall against server-side requests (workers have no network).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from ecpl import results
from ecpl.errors import InputError, Unavailable
from ecpl.store import pool as pool_module
from ecpl.store.base import Limits
from ecpl.store.execution import Job
from ecpl.store.oxigraph import OxigraphStore
from ecpl.store.pool import Busy, QueryPool, WorkerFault

EX = "http://example.org/"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c OPTIONAL { ?d ?e ?f OPTIONAL { ?g ?h ?i } } }"


def _json(kind: str) -> str:
    return results.SPARQL_JSON if kind != "graph" else results.NTRIPLES


@pytest.fixture
def store() -> Iterator[OxigraphStore]:
    graph = Graph()
    for i in range(400):
        graph.add((URIRef(f"{EX}s{i}"), URIRef(f"{EX}p"), Literal(f"value {i}")))
    limits = Limits(timeout_s=20, row_limit=1000, max_response_bytes=4000, max_term_bytes=2000)
    opened = OxigraphStore(None, workers=2, limits=limits)
    opened.add_graph(EX + "g", graph)
    yield opened
    opened.close()


def test_memory_limit_stops_a_query_and_the_store_answers_on(store: OxigraphStore) -> None:
    fenced = OxigraphStore(None, workers=1, limits=Limits(timeout_s=60, memory_mb=150))
    graph = Graph()
    for i in range(3000):
        graph.add((URIRef(f"{EX}s{i}"), URIRef(f"{EX}p"), Literal(i)))
    fenced.add_graph(EX + "g", graph)
    try:
        with pytest.raises(Unavailable, match="memory limit of 150 MB"):
            fenced.serialise(RUNAWAY, _json)
        answer = fenced.serialise("ASK { ?s ?p 7 }", _json)
        assert json.loads(answer.body)["boolean"] is True
    finally:
        fenced.close()


def test_long_queries_leave_a_worker_for_cheap_ones(store: OxigraphStore) -> None:
    errors: list[Exception] = []

    def runaway() -> None:
        try:
            store.serialise(RUNAWAY, _json, timeout_s=20)
        except Exception as exc:  # noqa: BLE001 (any failure is recorded and asserted on)
            errors.append(exc)

    threads = [threading.Thread(target=runaway) for _ in range(2)]
    for thread in threads:
        thread.start()
    answered = None
    while answered is None and any(t.is_alive() for t in threads):
        try:
            answered = store.serialise(f"ASK {{ <{EX}s1> ?p ?o }}", _json)
            still_running = any(t.is_alive() for t in threads)
        except Busy as exc:  # told at once, with a hint when to come back
            assert exc.headers["Retry-After"]
    for thread in threads:
        thread.join()
    assert answered is not None and still_running  # answered while a runaway query ran
    assert json.loads(answered.body)["boolean"] is True
    busy = [e for e in errors if isinstance(e, Busy)]
    assert busy, errors  # the second long query was stopped, not left to hold both workers
    assert busy[0].headers["Retry-After"]
    assert busy[0].status == 503


def test_no_free_worker_is_503_with_retry_after() -> None:
    lock = threading.RLock()
    pool = QueryPool(lambda seconds: __import__("time").sleep(seconds), 1, lock, acquire_s=0.2)
    try:
        holder = threading.Thread(target=pool.run, args=(3.0, 10))
        holder.start()
        __import__("time").sleep(0.5)
        with pytest.raises(Busy) as caught:
            pool.run(0.0, 10)
        assert caught.value.headers["Retry-After"]
        holder.join()
    finally:
        pool.close()


def _sleep(seconds: float) -> float:
    __import__("time").sleep(seconds)
    return seconds


def _hold(pool: QueryPool, seconds: float, lane: str = "user") -> threading.Thread:
    """A thread whose request holds one worker of ``lane`` for ``seconds``."""
    holder = threading.Thread(target=pool.run, args=(seconds, 30), kwargs={"lane": lane})
    holder.start()
    __import__("time").sleep(0.4)  # the request has its worker
    return holder


def test_known_requests_have_workers_client_queries_cannot_take() -> None:
    pool = QueryPool(_sleep, 1, threading.RLock(), acquire_s=0.3, reserved=1)
    try:
        holder = _hold(pool, 3.0)  # a client's query holds the only user-lane worker
        with pytest.raises(Busy):  # the reserved worker is idle, but not for client text
            pool.run(0.0, 10)
        started = __import__("time").monotonic()
        assert pool.run(0.1, 10, lane="known") == 0.1  # a page or named query: served at once
        assert __import__("time").monotonic() - started < 1.0
        holder.join()
    finally:
        pool.close()


def test_requests_waiting_for_a_worker_are_served_in_the_order_they_came() -> None:
    """One worker, six requests lined up behind a running one: they finish in arrival order
    (no request waits several turns while later ones overtake it)."""
    pool = QueryPool(_sleep, 1, threading.RLock(), acquire_s=30, reserved=0)
    finished: list[int] = []

    def request(number: int) -> None:
        pool.run(0.05, 30)
        finished.append(number)

    try:
        holder = _hold(pool, 1.0)
        waiting = []
        for number in range(6):
            waiter = threading.Thread(target=request, args=(number,))
            waiter.start()
            waiting.append(waiter)
            deadline = __import__("time").monotonic() + 5
            while len(pool._line["user"]) < number + 1:  # it is in the line: the next may come
                assert __import__("time").monotonic() < deadline, "the request never waited"
                __import__("time").sleep(0.005)
        holder.join()
        for waiter in waiting:
            waiter.join(30)
        assert finished == list(range(6))
    finally:
        pool.close()


def test_a_released_worker_wakes_only_the_next_request_in_line() -> None:
    """Twelve threads share one worker: each request costs its own thread a few sleeps (the
    wait in line, the wait for the answer), not one per waiting thread. Waking every waiter
    on each release cost about 30 context switches per request here; this takes about 3."""
    import resource

    pool = QueryPool(_sleep, 1, threading.RLock(), acquire_s=30, reserved=0, recycle_mb=None)

    def client() -> None:
        for _ in range(50):
            pool.run(0.0, 30)

    clients = [threading.Thread(target=client) for _ in range(12)]
    try:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw  # exited threads count too
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(60)
        switches = resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw - before
    finally:
        pool.close()
    assert switches / (12 * 50) < 8


def _open_files(_: object) -> list[str]:
    """What this process's descriptors point at (run in a worker), as /proc shows them."""
    fds = Path("/proc/self/fd")
    links = []
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):
            links.append(os.readlink(fd))
    return links


def test_query_workers_do_not_hold_the_servers_listening_socket() -> None:
    """A worker forked after the port was bound closes its copy: the port is free when the
    server stops, even while a worker has not yet seen its parent gone. The socket is named by
    its inode, as the kernel lists it, not by the check the worker runs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    name = f"socket:[{os.fstat(listener.fileno()).st_ino}]"
    pool = QueryPool(_open_files, 1, threading.RLock(), reserved=0, recycle_mb=None)
    try:
        assert name in _open_files(None)  # this process holds it, and the check can see it
        assert name not in pool.run(None, 10)
    finally:
        pool.close()
        listener.close()


def test_known_requests_also_use_idle_user_workers() -> None:
    pool = QueryPool(_sleep, 1, threading.RLock(), acquire_s=0.3, reserved=1)
    try:
        holder = _hold(pool, 2.0, lane="known")  # the reserved worker is taken
        assert pool.run(0.1, 10, lane="known") == 0.1  # the idle user-lane worker answers
        holder.join()
    finally:
        pool.close()


def test_a_known_request_is_not_cut_by_the_long_query_rule() -> None:
    """The long-query lane bounds client queries; the service's own text runs to its deadline."""
    pool = QueryPool(_sleep, 2, threading.RLock(), acquire_s=0.3, long_after_s=0.2, reserved=1)
    try:
        holder = _hold(pool, 3.0)  # a client's long query takes the one long slot
        assert pool.run(1.0, 10, lane="known") == 1.0  # 5 × long_after_s, still answered
        with pytest.raises(Busy, match="long queries"):  # a second long client query is not
            pool.run(1.0, 10)
        holder.join()
    finally:
        pool.close()


def test_client_queries_run_at_a_lower_cpu_priority_than_the_services_own() -> None:
    base = __import__("os").nice(0)
    pool = QueryPool(lambda _: __import__("os").nice(0), 1, threading.RLock(), reserved=1)
    try:
        assert pool.run(None, 10) > base  # a client's query yields the CPU when it is scarce
        assert pool.run(None, 10, lane="known") == base  # pages and named queries do not
    finally:
        pool.close()


_HELD: list[bytearray] = []


def _grow(megabytes: int) -> int:
    """Keep ``megabytes`` of written memory in this worker (as a query's leftovers would)."""
    _HELD.append(bytearray(b"x" * (megabytes * 1024 * 1024)))
    return __import__("os").getpid()


def test_workers_that_grew_are_replaced_by_fresh_forks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recycler's round replaces idle workers that grew. (The default limit also scales
    with the parent: a quarter of its resident size.)"""
    monkeypatch.setattr(pool_module, "HEAVY_CPU_S", 3600.0)  # no query counts as heavy here
    # the limit is 32 MB here, whatever the size of the test process
    limit = {"recycle_mb": 32, "recycle_share": 0.0, "recycle_every_s": 3600}
    pool = QueryPool(_grow, 1, threading.RLock(), reserved=0, **limit)
    try:
        small = pool.run(1, 10)
        assert pool.recycle() == 0  # a worker that holds little keeps serving
        assert pool.run(0, 10) == small
        pool.run(100, 10)  # now it holds 100 MB of its own
        assert pool.recycle() == 1
        assert pool.run(0, 10) != small  # a fresh fork answers
    finally:
        pool.close()


def _scan(megabytes: int) -> int:
    """Like a scan of the store: CPU for a while, and pages written (kept, as copied pages are)."""
    started = time.process_time()
    if megabytes:
        _HELD.append(bytearray(b"x" * (megabytes * 1024 * 1024)))
        while time.process_time() - started < 0.2:
            pass
    return os.getpid()


def test_a_worker_that_grew_in_a_heavy_query_is_replaced_at_once() -> None:
    """Not at the recycler's next round (an hour here): right after the query that grew it."""
    limit = {"recycle_mb": 32, "recycle_share": 0.0, "recycle_every_s": 3600}
    pool = QueryPool(_scan, 1, threading.RLock(), reserved=0, **limit)
    try:
        grown = pool.run(100, 10)
        deadline = time.monotonic() + 20
        while pool.run(0, 10) == grown and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pool.run(0, 10) != grown
    finally:
        pool.close()


def test_pages_and_named_queries_answer_while_runaways_hold_every_client_worker(
    store: OxigraphStore,
) -> None:
    done = threading.Event()

    def runaway() -> None:
        while not done.is_set():
            # stopped by a limit or told the service is busy: try again
            with contextlib.suppress(Unavailable):
                store.serialise(RUNAWAY, _json, timeout_s=5)

    threads = [threading.Thread(target=runaway) for _ in range(4)]
    for thread in threads:
        thread.start()
    slowest = 0.0
    try:
        __import__("time").sleep(1.5)  # every user-lane worker is running a runaway query
        for _ in range(10):
            started = __import__("time").monotonic()
            found = store.query(f"ASK {{ <{EX}s1> ?p ?o }}", lane="known")
            slowest = max(slowest, __import__("time").monotonic() - started)
            assert found.boolean is True
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert slowest < 1.0, f"a known request waited {slowest:.2f} s"


def test_a_bug_in_a_worker_is_a_logged_500(caplog: pytest.LogCaptureFixture) -> None:
    pool = QueryPool(lambda value: 1 // value, 1, threading.RLock())
    try:
        with caplog.at_level(logging.ERROR), pytest.raises(WorkerFault) as caught:
            pool.run(0, 10)
        assert caught.value.status == 500
        assert "Traceback" not in str(caught.value)
        assert "ZeroDivisionError" in caplog.text
        assert pool.run(1, 10) == 1  # the worker answers on
    finally:
        pool.close()


def test_a_user_mistake_in_a_worker_is_4xx(store: OxigraphStore) -> None:
    with pytest.raises(InputError):
        store.serialise("SELECT * WHERE { ?s ?p }", _json)


def test_response_bytes_are_capped_at_a_row(store: OxigraphStore) -> None:
    answer = store.serialise("SELECT ?s ?o WHERE { ?s ?p ?o }", _json)
    assert answer.truncated and "size limit" in answer.truncated
    assert len(answer.body) <= 4000
    body = json.loads(answer.body)  # well-formed
    assert 0 < len(body["results"]["bindings"]) < 400
    graph = store.serialise("CONSTRUCT WHERE { ?s ?p ?o }", lambda kind: results.TURTLE)
    assert graph.truncated and len(graph.body) <= 4000
    assert 0 < len(list(ox.parse(graph.body, format=ox.RdfFormat.TURTLE))) < 400


def test_a_term_over_the_term_cap_cuts_before_its_row(store: OxigraphStore) -> None:
    query = (
        'SELECT ?x WHERE { VALUES ?n { 1 2 } BIND(IF(?n = 1, "short", CONCAT('
        + ", ".join(['"' + "x" * 500 + '"'] * 5)
        + ")) AS ?x) } ORDER BY ?n"
    )
    answer = store.serialise(query, _json)
    assert answer.truncated and "term longer than 2000" in answer.truncated
    assert [b["x"]["value"] for b in json.loads(answer.body)["results"]["bindings"]] == ["short"]


class Listener:
    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]

    def attempts(self) -> int:
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return count
            conn.close()
            count += 1


def test_workers_cannot_reach_the_network_even_past_the_policy(store: OxigraphStore) -> None:
    if not store.network_isolation().startswith("isolated"):
        pytest.skip(f"network namespaces unavailable here: {store.network_isolation()}")
    listener = Listener()
    try:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}"
        job = Job(query, media_type=results.SPARQL_JSON)  # handed straight to a worker
        with pytest.raises((InputError, Unavailable), match=r"unreachable|refused|network"):
            store._get_pool().run(job, 10)
        assert listener.attempts() == 0
    finally:
        listener.sock.close()
