"""Faults and persistence: kill -9 in the middle of updates, concurrent writers, the remote store
going away and coming back.

On-disk store: every update the service acknowledged (2xx) must be there after the whole server
process tree is killed with SIGKILL and started again on the same folder, and the store must
open cleanly. Remote store (Virtuoso): while it is down requests fail fast with 503 and a
message; when it is back the same ``ecpl serve`` answers again without a restart.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from live_server import ROOT, Server, free_port, start_server

pytestmark = pytest.mark.slow

TOKEN = "faults-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CASE = "https://w3id.org/ecpl/graph/case/"
SEQ = "urn:ecpl-test:seq"
VIRTUOSO = ROOT / "scripts" / "virtuoso.sh"
SERVE = (sys.executable, "-m", "ecpl", "serve")


OPEN_STORE = f"""
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[1])
graph = ox.NamedNode("{CASE}fault-stream")
inserted = sum(1 for _ in store.quads_for_pattern(None, ox.NamedNode("{SEQ}"), None, graph))
print(len(store), inserted)
"""


# -- helpers ---------------------------------------------------------------------------------
def process_tree(root: int) -> list[int]:
    """``root`` and every process below it (from /proc), children first."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[stat.rfind(")") + 2 :].split()[1])
    tree = [root]
    for pid in tree:
        tree.extend(child for child, parent in parents.items() if parent == pid)
    return list(reversed(tree))


def kill_9(server: Server) -> None:
    """SIGKILL the server process and its query workers: nothing gets to clean up."""
    for pid in process_tree(server.process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.process.wait(10)
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in process_tree(server.process.pid)[:-1]):
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)


def case_turtle(slug: str, n: int) -> bytes:
    return f"""
@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/ecpl/case/{slug}> a ecpl:Case ;
    rdfs:label "故障测试 {n}"@zh, "fault test {n}"@en ;
    <{SEQ}> {n} .
""".encode()


def insert_data(n: int, graph: str = CASE + "fault-stream") -> str:
    return f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:ecpl-test:item/{n}> <{SEQ}> {n} }} }}"


def select_seq(url: str, graph: str) -> set[int]:
    query = f"SELECT ?n WHERE {{ GRAPH <{graph}> {{ ?s <{SEQ}> ?n }} }}"
    response = requests.get(
        url + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return {int(b["n"]["value"]) for b in response.json()["results"]["bindings"]}


def stored_seq(url: str, graph: str) -> set[int]:
    """The sequence numbers in one stored graph, read with the Graph Store Protocol."""
    response = requests.get(
        url + "/data",
        params={"graph": graph},
        headers={"Accept": "application/n-triples"},
        timeout=60,
    )
    if response.status_code == 404:
        return set()
    assert response.status_code == 200, response.text
    found = set()
    for line in response.text.splitlines():
        if f"<{SEQ}>" in line:
            found.add(int(line.split(f"<{SEQ}>", 1)[1].strip().split('"')[1]))
    return found


def case_graphs(url: str, prefix: str) -> set[str]:
    query = (
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }}'
    )
    response = requests.get(
        url + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return {b["g"]["value"] for b in response.json()["results"]["bindings"]}


# -- the on-disk store -------------------------------------------------------------------------
def test_kill_9_during_updates_keeps_every_acknowledged_one(tmp_path: Path) -> None:
    store = tmp_path / "store"
    flags = ("--store", str(store), "--update-token", TOKEN, "--workers", "1", "--timeout", "20")
    acked_inserts: set[int] = set()
    acked_puts: set[int] = set()
    stop = threading.Event()

    def stream(url: str, kind: str) -> None:
        session = requests.Session()
        n = 0
        while not stop.is_set():
            n += 1
            try:
                if kind == "insert":
                    response = session.post(
                        url + "/sparql", data={"update": insert_data(n)}, headers=AUTH, timeout=30
                    )
                else:
                    response = session.put(
                        url + "/data",
                        params={"graph": f"{CASE}fault-put-{n}"},
                        data=case_turtle(f"fault-put-{n}", n),
                        headers={"Content-Type": "text/turtle", **AUTH},
                        timeout=30,
                    )
            except requests.RequestException:
                continue  # not acknowledged (the server is being killed)
            if response.status_code in (200, 201, 204):
                (acked_inserts if kind == "insert" else acked_puts).add(n)

    with start_server(*flags, log_dir=tmp_path, wait_s=120) as server:
        writers = [
            threading.Thread(target=stream, args=(server.url, kind), daemon=True)
            for kind in ("insert", "put")
        ]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 60
        while len(acked_inserts) < 10 or len(acked_puts) < 5:
            assert time.monotonic() < deadline, (len(acked_inserts), len(acked_puts))
            time.sleep(0.1)
        kill_9(server)  # mid-stream: both writers have requests in flight
        stop.set()
        for writer in writers:
            writer.join(40)
    assert acked_inserts and acked_puts

    # the folder opens cleanly with pyoxigraph itself, before the service touches it
    opened = subprocess.run(
        [sys.executable, "-c", OPEN_STORE, str(store)], capture_output=True, text=True, timeout=120
    )
    assert opened.returncode == 0, opened.stderr[-2000:]
    quads, inserted = (int(x) for x in opened.stdout.split())
    assert quads > 1000
    assert inserted >= len(acked_inserts)

    with start_server(*flags, log_dir=tmp_path, wait_s=120) as server:
        health = requests.get(server.url + "/health", timeout=30).json()
        assert health["status"] == "ok" and health["triples"] > 1000, health
        # Read back through the process that holds the store (Graph Store GET), not through
        # the query workers: see test_queries_right_after_a_crash_restart for those.
        assert acked_inserts <= stored_seq(server.url, CASE + "fault-stream")
        for n in sorted(acked_puts):
            assert stored_seq(server.url, f"{CASE}fault-put-{n}") == {n}, f"PUT {n} lost"
        # the sources are still there (the store was not wiped by a reload)
        ontology = requests.get(
            server.url + "/data",
            params={"graph": "https://w3id.org/ecpl/graph/ontology/duties"},
            headers={"Accept": "application/n-triples"},
            timeout=30,
        )
        assert ontology.status_code == 200 and ontology.text.count("\n") > 50
        # and the store takes writes again
        response = requests.post(
            server.url + "/sparql", data={"update": insert_data(10_000)}, headers=AUTH, timeout=30
        )
        assert response.status_code == 204, response.text
        assert 10_000 in stored_seq(server.url, CASE + "fault-stream")


def test_queries_right_after_a_crash_restart(tmp_path: Path) -> None:
    """Query workers read the folder right after crash recovery (RocksDB compacts then)."""
    flags = ("--store", str(tmp_path / "store"), "--update-token", TOKEN, "--workers", "1")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for cycle in range(8):
        with start_server(*flags, log_dir=tmp_path, wait_s=120) as server:
            for _ in range(3):
                response = requests.get(server.url + "/sparql", params={"query": count}, timeout=60)
                assert response.status_code == 200, f"restart {cycle}: {response.text[:300]}"
            for n in range(20):
                requests.post(
                    server.url + "/sparql",
                    data={"update": insert_data(cycle * 100 + n)},
                    headers=AUTH,
                    timeout=60,
                )
            kill_9(server)


def test_concurrent_writers_lose_no_update(tmp_path: Path) -> None:
    """Eight writers at once: POSTs adding to one case graph and INSERT DATA into another."""
    flags = ("--store", str(tmp_path / "store"), "--update-token", TOKEN, "--workers", "1")
    per_writer = 6
    graph = CASE + "concurrent"
    failures: list[str] = []

    def writer(w: int) -> None:
        session = requests.Session()
        for i in range(per_writer):
            n = w * 100 + i
            if w % 2:
                response = session.post(
                    url + "/data",
                    params={"graph": graph},
                    data=f"<urn:ecpl-test:item/{n}> <{SEQ}> {n} .".encode(),
                    headers={"Content-Type": "text/turtle", **AUTH},
                    timeout=120,
                )
            else:
                response = session.post(
                    url + "/sparql",
                    data={"update": insert_data(n, CASE + "concurrent-sparql")},
                    headers=AUTH,
                    timeout=120,
                )
            if response.status_code not in (201, 204):
                failures.append(f"{n}: {response.status_code} {response.text[:200]}")

    with start_server(*flags, log_dir=tmp_path, wait_s=120) as server:
        url = server.url
        threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        assert not failures, failures
        expected_post = {w * 100 + i for w in range(1, 8, 2) for i in range(per_writer)}
        expected_sparql = {w * 100 + i for w in range(0, 8, 2) for i in range(per_writer)}
        assert select_seq(url, graph) == expected_post
        assert select_seq(url, CASE + "concurrent-sparql") == expected_sparql
        # the findings of the case graph were recomputed from the whole graph
        assert CASE + "concurrent/findings" in case_graphs(url, CASE + "concurrent/")


def test_a_second_server_on_the_same_folder_fails_clearly(tmp_path: Path) -> None:
    """The folder is locked by the first server: the second one says so and exits non-zero."""
    store = tmp_path / "store"
    with start_server("--store", str(store), "--workers", "1", log_dir=tmp_path) as first:
        second = subprocess.run(
            [*SERVE, "--port", str(free_port()), "--store", str(store), "--workers", "1"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert second.returncode != 0
        assert "another ecpl process" in second.stderr, second.stderr[-1000:]
        assert requests.get(first.url + "/health", timeout=30).status_code == 200


def test_a_second_server_on_the_same_folder_prints_no_traceback(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with start_server("--store", str(store), "--workers", "1", log_dir=tmp_path):
        second = subprocess.run(
            [*SERVE, "--port", str(free_port()), "--store", str(store), "--workers", "1"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
    assert second.returncode != 0
    assert "Traceback" not in second.stderr


def test_sigterm_stops_the_server_and_its_query_workers(tmp_path: Path) -> None:
    """Graceful shutdown: exit status 0, no traceback, no query worker left behind."""
    flags = ("--store", str(tmp_path / "store"), "--workers", "2")
    with start_server(*flags, log_dir=tmp_path) as server:
        answer = requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
        assert answer.status_code == 200  # the query workers exist now
        tree = process_tree(server.process.pid)
        assert len(tree) >= 3, tree
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(30) == 0
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in tree):
            assert time.monotonic() < deadline, "query workers outlived the server"
            time.sleep(0.1)
        assert "Traceback" not in server.output()
        assert "stopped" in server.output()


# -- the remote store (Virtuoso) ---------------------------------------------------------------
def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Virtuoso:
    """A private Virtuoso started and stopped with scripts/virtuoso.sh."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.http_port = free_port()
        self.sql_port = free_port()
        self.url = f"http://127.0.0.1:{self.http_port}/sparql"

    def start(self) -> None:
        result = subprocess.run(
            [
                "bash",
                str(VIRTUOSO),
                "start",
                str(self.folder),
                str(self.http_port),
                str(self.sql_port),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr + result.stdout

    def stop(self) -> None:
        subprocess.run(
            ["bash", str(VIRTUOSO), "stop", str(self.folder), str(self.sql_port)],
            capture_output=True,
            timeout=60,
        )
        deadline = time.monotonic() + 30
        while _port_open(self.http_port) and time.monotonic() < deadline:
            time.sleep(0.2)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
        pytest.skip("virtuoso-t / isql-vt are not installed (make system-deps installs them)")
    if not VIRTUOSO.is_file():
        pytest.skip("scripts/virtuoso.sh is missing")
    instance = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    instance.start()
    yield instance
    instance.stop()


@pytest.mark.virtuoso
def test_remote_store_down_gives_fast_503_and_recovers(virtuoso: Virtuoso, tmp_path: Path) -> None:
    query = "/queries/cq02-duties-by-phase"
    accept = {"Accept": "application/sparql-results+json"}
    with start_server(
        "--store",
        virtuoso.url,
        "--timeout",
        "10",
        "--workers",
        "2",
        log_dir=tmp_path,
        wait_s=300,
    ) as server:
        before = requests.get(server.url + query, headers=accept, timeout=60)
        assert before.status_code == 200, before.text
        rows = before.json()["results"]["bindings"]
        assert rows

        virtuoso.stop()
        try:
            for path in (query, "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", "/health"):
                started = time.monotonic()
                down = requests.get(server.url + path, headers=accept, timeout=60)
                elapsed = time.monotonic() - started
                assert down.status_code == 503, (path, down.status_code, down.text[:300])
                assert "not reachable" in down.text or "unavailable" in down.text, down.text
                assert "Traceback" not in down.text
                assert elapsed < 5, f"{path} took {elapsed:.1f} s to fail"
        finally:
            virtuoso.start()

        deadline = time.monotonic() + 60
        while True:  # the same ecpl serve, no restart
            after = requests.get(server.url + query, headers=accept, timeout=60)
            if after.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert after.status_code == 200, after.text
        assert after.json()["results"]["bindings"] == rows
        assert server.process.poll() is None


@pytest.mark.virtuoso
def test_several_workers_start_on_an_empty_remote_store(tmp_path: Path) -> None:
    """Four gunicorn workers on an empty Virtuoso: the sources are loaded once, no deadlock."""
    if shutil.which("virtuoso-t") is None or not VIRTUOSO.is_file():
        pytest.skip("virtuoso-t or scripts/virtuoso.sh is missing")
    fresh = Virtuoso(tmp_path / "virtuoso")
    fresh.start()
    try:
        with start_server(
            "--store", fresh.url, "--workers", "4", log_dir=tmp_path, wait_s=300
        ) as server:
            answer = requests.get(server.url + "/health", timeout=30)
            assert answer.status_code == 200, answer.text
    finally:
        fresh.stop()
