"""``ecpl serve`` side by side with Oxigraph's own server and rdflib-endpoint, same data.

Starts each server in turn on the project's graph plus ``--cases`` synthetic cases
(``bench_queries.bench_root``), drives it with ``wrk`` (random case IRIs from a Lua table) and
prints the ratio table of issue 14::

    .venv/bin/python bench/bench_serve.py --cases 10000 --seconds 10

The peers come from a separate venv (``--peers-venv``, default ``var/bench-venv``) holding
``pip install oxigraph rdflib-endpoint click uvicorn``; a peer that is not installed is
skipped. Oxigraph runs read-only with ``--union-default-graph`` (the lookups name no graph).
Measurements, not tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_queries import AGGREGATE, CASE, E, bench_root

ROOT = Path(__file__).resolve().parents[1]

LOOKUP = "SELECT ?p ?o WHERE {{ <{case}> ?p ?o }}"
JOIN = (
    "SELECT ?date ?principle ?amount WHERE {{ <{case}> <"
    + E
    + "decisionDate> ?date ; <"
    + E
    + "holding> ?h . ?h <"
    + E
    + "faultPrincipleApplied> ?principle . <{case}> <"
    + E
    + "event> ?loss . ?loss <"
    + E
    + "amountCNY> ?amount }}"
)


@dataclass
class Peer:
    name: str
    command: list[str]
    query_url: str
    env: dict[str, str] | None = None


@dataclass
class Row:
    requests_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(peer: Peer, log: Path) -> Iterator[float]:
    """Start a server; yield its startup time (until a query answers); stop it."""
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            peer.command, stdout=out, stderr=subprocess.STDOUT, env=peer.env, cwd=ROOT
        )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{peer.name} exited:\n{log.read_text()[-2000:]}")
            try:
                ok = requests.get(
                    peer.query_url, params={"query": "ASK { ?s ?p ?o }"}, timeout=2
                ).ok
                if ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() - started > 600:
                raise RuntimeError(f"{peer.name} did not come up")
            time.sleep(0.1)
        yield time.monotonic() - started
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def wrk(url: str, template: str, cases: int, clients: int, seconds: int, work: Path) -> Row:
    """``wrk`` with a Lua table of request paths (random case IRIs)."""
    parts = urllib.parse.urlsplit(url)
    rng = random.Random(11)
    paths = []
    for _ in range(2000):
        query = template.format(case=f"{CASE}bench-{rng.randrange(cases)}")
        paths.append(parts.path + "?" + urllib.parse.urlencode({"query": query}))
    script = work / "paths.lua"
    table = ",\n".join(f'"{p}"' for p in paths)
    script.write_text(
        f"paths = {{\n{table}\n}}\ncounter = 0\n"
        "request = function()\n  counter = counter + 1\n"
        "  return wrk.format('GET', paths[(counter % #paths) + 1], "
        "{['Accept'] = 'application/sparql-results+json'})\nend\n"
        "done = function(summary, latency, requests)\n"
        "  io.write(string.format('P50 %d\\nP99 %d\\nERR %d\\n', latency:percentile(50), "
        "latency:percentile(99), summary.errors.status + summary.errors.connect + "
        "summary.errors.read + summary.errors.write + summary.errors.timeout))\nend\n"
    )
    origin = f"{parts.scheme}://{parts.netloc}/"
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "-s", str(script), origin],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = int(re.search(r"P50 (\d+)", out).group(1)) / 1000  # type: ignore[union-attr]
    p99 = int(re.search(r"P99 (\d+)", out).group(1)) / 1000  # type: ignore[union-attr]
    errors = int(re.search(r"ERR (\d+)", out).group(1))  # type: ignore[union-attr]
    return Row(rate, p50, p99, errors)


def one_client_ms(url: str, query: str, runs: int) -> float:
    """Median latency of ``query`` from one client (after one warm-up)."""
    session = requests.Session()
    times = []
    for index in range(runs + 1):
        started = time.perf_counter()
        response = session.get(
            url, params={"query": query}, headers={"Accept": "application/sparql-results+json"}
        )
        response.raise_for_status()
        if index:
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def dataset_file(root: Path, work: Path) -> Path:
    """The project's sources (one graph per file) as one N-Quads file, for the peers."""
    from ecpl.store import loader

    os.environ["ECPL_ROOT"] = str(root)
    store = ox.Store()
    for graph, path in loader.source_files(root):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
    target = work / "data.nq"
    store.dump(str(target), format=ox.RdfFormat.N_QUADS)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--peers-venv", type=Path, default=ROOT / "var" / "bench-venv")
    parser.add_argument("--only", nargs="*", help="servers to run (ecpl, oxigraph, rdflib)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench_serve needs wrk (apt-get install wrk)")
    work = Path(tempfile.mkdtemp(prefix="bench-serve-", dir=ROOT / "var"))
    root = bench_root(args.cases, ROOT / "var" / "bench")
    data = dataset_file(root, work)
    peers: list[Peer] = []
    port = free_port()
    peers.append(
        Peer(
            "ecpl",
            [
                sys.executable,
                *("-m", "ecpl", "serve", "--port", str(port)),
                *("--workers", str(args.workers), "--timeout", "60"),
            ],
            f"http://127.0.0.1:{port}/sparql",
            {**os.environ, "ECPL_ROOT": str(root), "ECPL_ROW_LIMIT": "100000"},
        )
    )
    oxigraph = args.peers_venv / "bin" / "oxigraph"
    if oxigraph.exists():
        location = work / "oxigraph"
        subprocess.run(
            [str(oxigraph), "load", "--location", str(location), "--file", str(data)],
            check=True,
            capture_output=True,
        )
        port = free_port()
        peers.append(
            Peer(
                "oxigraph",
                [
                    str(oxigraph),
                    *("serve-read-only", "--location", str(location)),
                    *("--bind", f"127.0.0.1:{port}", "--union-default-graph"),
                ],
                f"http://127.0.0.1:{port}/query",
            )
        )
    endpoint = args.peers_venv / "bin" / "rdflib-endpoint"
    if endpoint.exists():
        port = free_port()
        peers.append(
            Peer(
                "rdflib",
                [str(endpoint), "serve", str(data), "--host", "127.0.0.1", "--port", str(port)],
                f"http://127.0.0.1:{port}/",
            )
        )
    table: dict[str, dict[str, str]] = {}
    for peer in peers:
        if args.only and peer.name not in args.only:
            continue
        figures: dict[str, str] = {}
        with running(peer, work / f"{peer.name}.log") as startup:
            figures["startup"] = f"{startup:.1f} s"
            for label, template, clients in (
                ("lookup, 8 clients", LOOKUP, 8),
                ("lookup, 64 clients", LOOKUP, 64),
                ("3-pattern join, 8 clients", JOIN, 8),
            ):
                row = wrk(peer.query_url, template, args.cases, clients, args.seconds, work)
                figures[label] = (
                    f"{row.requests_s:,.0f} req/s, p50 {row.p50_ms:.1f} ms, "
                    f"p99 {row.p99_ms:.1f} ms" + (f", {row.errors} errors" if row.errors else "")
                )
                figures[label + " rate"] = f"{row.requests_s:.1f}"
            runs = 3 if peer.name == "rdflib" else 10
            figures["GROUP BY, one client"] = (
                f"{one_client_ms(peer.query_url, AGGREGATE, runs):.0f} ms"
            )
        table[peer.name] = figures
        print(peer.name, figures, file=sys.stderr, flush=True)
    names = list(table)
    labels = [k for k in next(iter(table.values())) if not k.endswith(" rate")]
    print("| | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for label in labels:
        print(f"| {label} | " + " | ".join(table[n].get(label, "") for n in names) + " |")
    if "ecpl" in table:
        ours = table["ecpl"]
        for other in names:
            if other == "ecpl":
                continue
            ratios = []
            for label in labels:
                if label + " rate" in ours and label + " rate" in table[other]:
                    ratio = float(ours[label + " rate"]) / float(table[other][label + " rate"])
                    ratios.append(f"{label}: {ratio:.2f}×")
            print(f"\necpl / {other}: " + "; ".join(ratios))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
