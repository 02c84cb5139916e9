"""``ecpl serve --processes N``: front processes on one port (read-only, in-memory store).

Which process answered a request is read from the kernel, not from the service: the owner of
the server side of the TCP connection (``/proc/net/tcp`` and ``/proc/PID/fd``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from ecpl.store.pool import RESERVED_WORKERS
from live_server import ROOT, Server, free_port, start_server

pytestmark = pytest.mark.slow

SERVE = (sys.executable, "-m", "ecpl", "serve")
ASK = {"query": "ASK { ?s ?p ?o }"}
JSON = {"Accept": "application/sparql-results+json"}


def children(pid: int) -> list[int]:
    """Live direct children of ``pid`` (zombies left out), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split()[0] != "Z"


def tree(pid: int) -> list[int]:
    out = [pid]
    for child in out:
        out.extend(children(child))
    return out


def wait_until(condition: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _tcp_inodes(port: int, keep: Callable[[list[str]], bool]) -> set[str]:
    """``socket:[inode]`` of the /proc/net/tcp entries on local ``port`` that ``keep`` accepts."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if int(parts[1].rsplit(":", 1)[1], 16) == port and keep(parts):
            found.add(f"socket:[{parts[9]}]")
    return found


def _held(pid: int, inodes: set[str]) -> set[str]:
    """Which of ``inodes`` process ``pid`` holds open."""
    held = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if (link := os.readlink(fd)) in inodes:
                    held.add(link)
    return held


def connection_owner(server_port: int, client_port: int, candidates: list[int]) -> int | None:
    """The process among ``candidates`` holding the server side of 127.0.0.1:client_port's
    connection to ``server_port``."""
    inodes = _tcp_inodes(server_port, lambda p: int(p[2].rsplit(":", 1)[1], 16) == client_port)
    return next((pid for pid in candidates if _held(pid, inodes)), None)


def open_listeners(port: int) -> set[str]:
    """Every listening socket on ``port`` (state 0A in /proc/net/tcp)."""
    return _tcp_inodes(port, lambda parts: parts[3] == "0A")


def listening_sockets(pid: int, port: int) -> set[str]:
    """The listening sockets on ``port`` that process ``pid`` holds."""
    return _held(pid, open_listeners(port))


def answering_processes(server: Server, fronts: list[int], connections: int) -> set[int]:
    """Open ``connections`` at once, ask /health on each, return who answered them."""
    port = int(server.url.rsplit(":", 1)[1])
    socks = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(connections)]
    try:
        for sock in socks:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        owners = set()
        for sock in socks:
            head = sock.recv(65536)
            assert head.startswith(b"HTTP/1.1 200"), head[:200]
            owner = connection_owner(port, sock.getsockname()[1], fronts)
            assert owner is not None, "no front holds the connection"
            owners.add(owner)
        return owners
    finally:
        for sock in socks:
            sock.close()


def test_two_fronts_each_with_own_workers_both_answer(tmp_path: Path) -> None:
    with start_server("--processes", "2", "--workers", "2", log_dir=tmp_path) as server:
        fronts = children(server.process.pid)
        assert len(fronts) == 2, fronts
        # each front forked its own query workers; the parent holds none
        for front in fronts:  # a front forks its workers one by one as it starts
            wait_until(
                lambda front=front: len(children(front)) == 2 + RESERVED_WORKERS,
                30,
                f"front {front} has not forked its workers",
            )
        seen: set[int] = set()
        for _ in range(10):  # which front accepts a connection is the kernel's choice
            seen |= answering_processes(server, fronts, 16)
            if seen == set(fronts):
                break
        assert seen == set(fronts)
        for _ in range(10):
            answer = requests.get(server.url + "/sparql", params=ASK, headers=JSON, timeout=30)
            assert answer.status_code == 200, answer.text
            assert answer.json()["boolean"] is True
        assert "(2 processes)" in server.output()


def test_a_killed_front_is_replaced_and_the_service_keeps_answering(tmp_path: Path) -> None:
    with start_server("--processes", "2", "--workers", "1", log_dir=tmp_path) as server:
        fronts = children(server.process.pid)
        assert len(fronts) == 2
        victim = fronts[0]
        its_workers = children(victim)
        assert its_workers
        port = int(server.url.rsplit(":", 1)[1])
        its_socket = listening_sockets(victim, port)
        assert len(its_socket) == 1  # its own; its query workers hold none
        assert not any(listening_sockets(worker, port) for worker in its_workers)
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: not alive(victim), 10, "the killed front is still there")
        # Its socket closes as its last thread exits (connections queued on it then are
        # reset, as its open ones are); from then every new connection is answered.
        wait_until(lambda: not its_socket & open_listeners(port), 10, "its socket stays open")
        for _ in range(20):
            answer = requests.get(server.url + "/sparql", params=ASK, headers=JSON, timeout=30)
            assert answer.status_code == 200, answer.text

        def replaced() -> bool:
            now = children(server.process.pid)
            return len(now) == 2 and victim not in now

        wait_until(replaced, 30, "the killed front was not replaced")
        # its query workers do not outlive it
        wait_until(lambda: not any(alive(w) for w in its_workers), 10, "orphaned query workers")
        new = (set(children(server.process.pid)) - set(fronts)).pop()
        wait_until(lambda: children(new), 30, "the new front has no query workers")
        for _ in range(10):
            answer = requests.get(server.url + "/sparql", params=ASK, headers=JSON, timeout=30)
            assert answer.status_code == 200, answer.text
        assert "Respawning worker" in server.output()


def test_sigterm_stops_every_front_and_worker(tmp_path: Path) -> None:
    with start_server("--processes", "2", "--workers", "2", log_dir=tmp_path) as server:
        answer = requests.get(server.url + "/sparql", params=ASK, headers=JSON, timeout=30)
        assert answer.status_code == 200
        expected = 1 + 2 + 2 * (2 + RESERVED_WORKERS)
        wait_until(lambda: len(tree(server.process.pid)) == expected, 30, "the tree is not up")
        everything = tree(server.process.pid)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(30) == 0
        wait_until(lambda: not any(alive(p) for p in everything), 15, "processes outlived it")
        assert "Traceback" not in server.output()
        assert "stopped" in server.output()


def test_default_is_one_front_per_cpu_when_read_only(tmp_path: Path) -> None:
    cpus = len(os.sched_getaffinity(0))
    with start_server("--workers", "1", log_dir=tmp_path) as server:
        fronts = children(server.process.pid)
        if cpus == 1:  # one process serves and holds the query worker itself
            assert all(children(f) == [] for f in fronts)
        else:
            assert len(fronts) == cpus
            wait_until(
                lambda: all(len(children(f)) == 1 + RESERVED_WORKERS for f in fronts),
                30,
                "the fronts have not forked their workers",
            )


def test_an_update_token_keeps_one_process(tmp_path: Path) -> None:
    env = {"ECPL_UPDATE_TOKEN": "fronts-test-token"}
    with start_server("--workers", "2", env=env, log_dir=tmp_path) as server:
        answer = requests.get(server.url + "/sparql", params=ASK, headers=JSON, timeout=30)
        assert answer.status_code == 200
        # the query workers of the one serving process
        wait_until(
            lambda: len(children(server.process.pid)) == 2 + RESERVED_WORKERS,
            30,
            "the query workers are not up",
        )
        workers = children(server.process.pid)
        assert all(children(w) == [] for w in workers)
        assert "processes)" not in server.output()


@pytest.mark.parametrize(
    ("flags", "env", "message"),
    [
        (("--processes", "2", "--update-token", "t"), {}, "read-only"),
        (("--processes", "2"), {"ECPL_UPDATE_TOKEN": "t"}, "read-only"),
        (("--processes", "0"), {}, "0"),
        (("--processes", "2", "--store", "http://127.0.0.1:9/sparql"), {}, "in-memory"),
        ((), {"ECPL_PROCESSES": "two"}, "ECPL_PROCESSES"),
    ],
)
def test_processes_refused_where_unsafe(
    flags: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    run = subprocess.run(
        [*SERVE, "--port", str(free_port()), *flags],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("ECPL_")}, **env},
    )
    assert run.returncode != 0
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_port_in_use_is_a_message_with_fronts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        run = subprocess.run(
            [*SERVE, "--port", str(port), "--processes", "2"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
    assert run.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in run.stderr
    assert "Traceback" not in run.stderr


def test_killing_the_supervisor_leaves_no_process(tmp_path: Path) -> None:
    with start_server("--processes", "2", "--workers", "1", log_dir=tmp_path) as server:
        expected = 1 + 2 + 2 * (1 + RESERVED_WORKERS)
        wait_until(lambda: len(tree(server.process.pid)) == expected, 30, "the tree is not up")
        everything = tree(server.process.pid)
        server.process.kill()
        server.process.wait(10)
        wait_until(lambda: not any(alive(p) for p in everything), 15, "fronts outlived it")
