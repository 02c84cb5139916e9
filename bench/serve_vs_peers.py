"""``ecpl serve`` against Oxigraph's own server and rdflib-endpoint on the same data (issue 14).

One command: builds the data (the project's graph plus N synthetic cases from
``bench_queries.bench_root``), starts one server at a time on a free 127.0.0.1 port, waits for its
first answer and measures, with the same query texts for every server:

- lookup by a random case IRI at 8 and 64 clients, a 3-pattern join at 8 clients (req/s, p50, p99;
  ``wrk -t2`` with a Lua script when ``wrk`` is installed, else ``bench/loadgen.py``);
- the GROUP BY aggregate over all cases and one named query (``data/queries/``), one client,
  median ms;
- startup (process start to the first answered query; also per 100k cases) and memory (PSS and RSS
  of the server's whole process tree, from /proc/*/smaps_rollup), next to a bare pyoxigraph
  in-memory store holding the same quads;
- whether every server gave the same answers (a wrong answer is not a fast one).

Then prints the issue's table with absolute figures and ratios ecpl/peer, and writes it as Markdown
to ``--output``. Every server is stopped at the end, also on Ctrl-C or an error.

    .venv/bin/python bench/serve_vs_peers.py --output var/bench/serve-10k.md   # 10-15 minutes
    .venv/bin/python bench/serve_vs_peers.py --cases 100000 --output var/bench/serve-100k.md
    .venv/bin/python bench/serve_vs_peers.py --cases 100000 --servers ecpl,oxigraph ...
    .venv/bin/python bench/serve_vs_peers.py --ecpl-disk --virtuoso ...   # more ecpl backends
    .venv/bin/python bench/serve_vs_peers.py --servers ecpl --duration 5  # just the service

The peers live in their own virtualenvs under ``var/bench-venvs/`` (created on first use with pip,
so the project's dependencies are untouched): ``oxigraph`` (its ``oxigraph`` CLI loads the data with
``oxigraph load`` before its start is timed) and ``rdflib-endpoint[cli]`` (loads the file itself at
start; at 100,000 cases it needs about 5 GB and several minutes, leave it out with ``--servers``
where memory is short). The peers hold the same triples as one default graph; ecpl's default
graph is the union of its named graphs. ``ecpl serve`` runs with its defaults (one front process
per CPU, each with 2 query workers; 30 s limit) except ``ECPL_ROW_LIMIT`` and
``ECPL_MAX_RESPONSE_BYTES`` raised so that no answer is cut (an answer ecpl still cuts is
reported as cut, from its truncation header, not compared). The machine's load average
is recorded before and after: on a shared machine quote ratios from one run, not absolute figures.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "service"), str(ROOT / "bench")]

import loadgen  # noqa: E402
from bench_queries import AGGREGATE, bench_root  # noqa: E402

E = "https://w3id.org/ecpl/ontology#"
CASE_PREFIX = "https://w3id.org/ecpl/case/bench-"
CASES_GRAPH = "https://w3id.org/ecpl/graph/data/bench/cases"
ACCEPT = "application/sparql-results+json"
TRUNCATED = "X-ECPL-Results-Truncated"  # ecpl's header on an answer cut at a cap
VENVS = ROOT / "var" / "bench-venvs"
PEER_PACKAGES = {"oxigraph": "oxigraph==0.5.13", "rdflib-endpoint": "rdflib-endpoint[cli]==0.6.3"}
DEFAULT_NAMED = "cq07-presumed-fault-cases"

# The same texts for every server; %IRI% becomes a random case IRI per request.
LOOKUP = "SELECT ?p ?o WHERE { %IRI% ?p ?o }"
JOIN = f"""PREFIX ecpl: <{E}>
SELECT ?holding ?principle ?provision WHERE {{
  %IRI% ecpl:holding ?holding .
  ?holding ecpl:faultPrincipleApplied ?principle .
  ?holding ecpl:appliedProvision ?provision .
}}"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
OWN_PROBE = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"  # the project's own data has no bench cases
SERVERS = ("ecpl", "oxigraph", "rdflib-endpoint")
ROCKSDB_NOTE = "data in RocksDB files, the OS page cache not counted"

ROWS = (
    "lookup8",
    "lookup64",
    "join8",
    "aggregate",
    "named",
    "startup",
    "startup_own",
    "startup100k",
    "memory",
)
ROW_LABELS = {
    "lookup8": "lookup by case IRI, 8 clients",
    "lookup64": "lookup by case IRI, 64 clients",
    "join8": "3-pattern join, 8 clients",
    "aggregate": "GROUP BY over all cases, one client",
    "named": "named query {named}, one client",
    "startup": "startup (start to first answer)",
    "startup_own": "startup, the project's own data (no synthetic cases)",
    "startup100k": "startup per 100k cases (above the own data)",
    "memory": "memory of the process tree",
}


# -- small pure helpers (tested in tests/test_bench_harness.py) ------------------------------
def wrk_script(before: str, after: str, random_count: int, accept: str = ACCEPT) -> str:
    """A wrk Lua script: GET ``before + random number + after``; prints one WRK_JSON line."""
    return f"""-- generated by bench/serve_vs_peers.py
local before = {json.dumps(before)}
local after = {json.dumps(after)}
local count = {int(random_count)}
local headers = {{["Accept"] = {json.dumps(accept)}}}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end
function init(args)
  math.randomseed(os.time() + 7919 * (thread_id or 0))
end
function request()
  local number = ""
  if after ~= "" then number = tostring(math.random(0, count - 1)) end
  return wrk.format("GET", wrk.path .. before .. number .. after, headers)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def parse_wrk(output: str) -> dict[str, Any]:
    """wrk's WRK_JSON line as the load generator's figures (non-2xx and socket errors count as
    errors, not as throughput)."""
    raw = loadgen.parse_result(output, tag="WRK_JSON ")
    seconds = raw["duration_us"] / 1e6
    ok = raw["requests"] - raw["status"]
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    return {
        "requests": ok,
        "errors": errors,
        "seconds": seconds,
        "rps": ok / seconds if seconds > 0 else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
    }


_NUMERIC = {
    f"http://www.w3.org/2001/XMLSchema#{name}"
    for name in ("integer", "decimal", "double", "float", "long", "int", "nonNegativeInteger")
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _term_key(term: dict[str, str]) -> tuple[str, ...]:
    kind = "literal" if term.get("type") == "typed-literal" else term.get("type", "")
    if kind == "bnode":
        return ("bnode",)  # labels are per response
    value, datatype = term.get("value", ""), term.get("datatype", "")
    if kind == "literal" and datatype in _NUMERIC:
        with contextlib.suppress(InvalidOperation):
            return ("number", str(Decimal(value).normalize()))
    if datatype == _XSD_STRING:
        datatype = ""
    return (kind, value, datatype, term.get("xml:lang", "").lower())


def answer_key(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    """SPARQL JSON results as a sorted list of rows, comparable across servers: numbers by
    value (1200.0 = 1200), xsd:string = plain literal, blank nodes by position only."""
    variables = document.get("head", {}).get("vars", [])
    rows = document.get("results", {}).get("bindings", [])
    return sorted(
        tuple((var, _term_key(row[var]) if var in row else ("unbound",)) for var in variables)
        for row in rows
    )


def ratio(ecpl: float | None, peer: float | None) -> float | None:
    if ecpl is None or peer is None or peer == 0:
        return None
    return ecpl / peer


def _num(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def cell(row: str, figures: dict[str, Any] | None) -> str:
    """One table cell from a server's figures for ``row``."""
    if figures is None:
        return "not run"
    value = figures.get(row)
    if value is None:
        return figures.get("notes", {}).get(row, "—")
    if row in ("lookup8", "lookup64", "join8"):
        text = (
            f"{value['rps']:,.0f} req/s, p50 {_num(value['p50_ms'])} ms, "
            f"p99 {_num(value['p99_ms'])} ms"
        )
        return text + (f", **{value['errors']:,} errors**" if value["errors"] else "")
    if row in ("aggregate", "named"):
        return f"{_num(value['median_ms'])} ms (n={value['n']})"
    if row in ("startup", "startup_own", "startup100k"):
        return f"{_num(value)} s"
    if row == "memory":
        text = (
            f"PSS {value['pss_mb']:,.0f} MB (RSS {value['rss_mb']:,.0f} MB, {value['procs']} proc.)"
        )
        note = figures.get("memory_note")
        return f"{text}; {note}" if note else text
    return str(value)


def headline(row: str, figures: dict[str, Any] | None) -> float | None:
    """The one number a ratio is taken of: req/s, ms, s or PSS MB."""
    if figures is None or figures.get(row) is None:
        return None
    value = figures[row]
    if row in ("lookup8", "lookup64", "join8"):
        return float(value["rps"])
    if row in ("aggregate", "named"):
        return float(value["median_ms"])
    if row == "memory":
        return float(value["pss_mb"])
    return float(value)


def render_markdown(results: dict[str, dict[str, Any] | None], meta: dict[str, Any]) -> str:
    """The issue's table (absolute figures), the ratio table and the answer check as Markdown.

    ``results`` maps a server key to its figures (None: did not run) in column order; keys that
    start with ``ecpl`` are the service's own backends, the others are peers.
    """
    labels = meta["labels"]
    named = meta.get("named", DEFAULT_NAMED)
    keys = list(results)
    ours = [k for k in keys if k.startswith("ecpl")]
    peers = [k for k in keys if not k.startswith("ecpl")]
    out = [
        f"## ecpl serve vs peers: {meta['cases']:,} cases, {meta.get('quads', 0):,} quads",
        "",
        f"{meta.get('date', '')}; load generator: {meta.get('loadgen', '?')}, "
        f"{meta.get('duration', 0):g} s per row; {meta.get('cpus', '?')} CPUs; load average "
        f"before {meta.get('load_before', '?')}, after {meta.get('load_after', '?')}.",
        "",
        "| | " + " | ".join(labels[k] for k in keys) + " |",
        "|---|" + "---|" * len(keys),
    ]
    for row in ROWS:
        label = ROW_LABELS[row].format(named=named)
        out.append(f"| {label} | " + " | ".join(cell(row, results[k]) for k in keys) + " |")
    if "bare_pss_mb" in meta:
        out.append(
            f"\nBare pyoxigraph in-memory store with the same quads: PSS "
            f"{meta['bare_pss_mb']:,.0f} MB."
        )
    for key in keys:
        loaded = (results[key] or {}).get("load_s")
        if loaded is not None:
            out.append(
                f"{labels[key]}: loading the data before the timed start took {loaded:.1f} s."
            )
    pairs = [(o, p) for o in ours for p in peers]
    if pairs:
        out += [
            "",
            "Ratios ecpl/peer (throughput: above 1 = ecpl faster; times and memory: below 1 = "
            "ecpl faster or smaller):",
            "",
            "| | " + " | ".join(f"{labels[o]} / {labels[p]}" for o, p in pairs) + " |",
            "|---|" + "---|" * len(pairs),
        ]
        for row in ROWS:
            label = ROW_LABELS[row].format(named=named)
            cells = []
            for o, p in pairs:
                value = ratio(headline(row, results[o]), headline(row, results[p]))
                cells.append("—" if value is None else f"{value:.2f}×")
            out.append(f"| {label} | " + " | ".join(cells) + " |")
    goals = goal_lines(results, meta)
    if goals:
        out += ["", "Issue 14 goals (for `ecpl serve`, embedded memory store):", "", *goals]
    if meta.get("answers"):
        out += ["", "Answers: " + meta["answers"]]
    return "\n".join(out) + "\n"


def goal_lines(results: dict[str, dict[str, Any] | None], meta: dict[str, Any]) -> list[str]:
    """The measurable goals of issue 14, met or not, for the ``ecpl`` column."""
    ecpl = results.get("ecpl")
    if not ecpl:
        return []
    ox, rd = results.get("oxigraph"), results.get("rdflib-endpoint")
    lines: list[str] = []

    def check(text: str, value: float | None, limit: float, at_least: bool) -> None:
        if value is None:
            return
        met = value >= limit if at_least else value <= limit
        lines.append(f"- {text}: {value:.2f} ({'met' if met else 'not met'})")

    check(
        "lookups at 8 clients / rdflib-endpoint ≥ 5",
        ratio(headline("lookup8", ecpl), headline("lookup8", rd)),
        5,
        True,
    )
    check(
        "lookups at 64 clients / Oxigraph ≥ 0.2",
        ratio(headline("lookup64", ecpl), headline("lookup64", ox)),
        0.2,
        True,
    )
    check(
        "lookups at 64 clients / own 8-client rate ≥ 0.9",
        ratio(headline("lookup64", ecpl), headline("lookup8", ecpl)),
        0.9,
        True,
    )
    if ecpl.get("lookup64"):
        check("p99 at 64 clients ≤ 100 ms", ecpl["lookup64"]["p99_ms"], 100, False)
    check(
        "aggregate / Oxigraph ≤ 1.5",
        ratio(headline("aggregate", ecpl), headline("aggregate", ox)),
        1.5,
        False,
    )
    check(
        "named query / Oxigraph ≤ 1.5",
        ratio(headline("named", ecpl), headline("named", ox)),
        1.5,
        False,
    )
    if ecpl.get("startup_own") is not None:
        check("startup on the project's own data ≤ 2 s", ecpl["startup_own"], 2, False)
    if meta.get("bare_pss_mb"):
        check(
            "PSS / bare pyoxigraph store ≤ 2",
            ratio(headline("memory", ecpl), meta["bare_pss_mb"]),
            2,
            False,
        )
    return lines


def _show(rows: list[tuple[Any, ...]]) -> str:
    """Short text of a small answer: the values only."""
    return "; ".join(", ".join(str(term[1][-1]) for term in row) for row in rows) or "no rows"


def compare_answers(answers: dict[str, dict[str, Any]], labels: dict[str, str]) -> str:
    """One sentence: which check queries every server answered alike, and where they differ.

    An answer is its rows, or a string when the server said it cut the answer: a cut answer is
    reported as cut, never compared (its rows are a prefix, not a different answer)."""
    if not answers:
        return ""
    reference_key = next(iter(answers))
    reference = answers[reference_key]
    problems = []
    for key, theirs in answers.items():
        for name, cut in theirs.items():
            if isinstance(cut, str):
                problems.append(f"{labels[key]} cut its answer to {name} ({cut})")
    for key, theirs in answers.items():
        for name, rows in reference.items():
            other = theirs.get(name)
            if other is None:
                problems.append(f"{labels[key]} gave no answer to {name}")
            elif isinstance(other, str) or isinstance(rows, str):
                continue  # reported above
            elif other != rows:
                shown = (
                    f"{_show(other)} vs {_show(rows)}"
                    if max(len(other), len(rows)) <= 2
                    else f"{len(other)} rows vs {len(rows)}"
                )
                problems.append(
                    f"{labels[key]} differs on {name} ({shown} from {labels[reference_key]})"
                )
    if problems:
        return "**DIFFERENT** — " + "; ".join(problems) + "."
    return (
        f"every server gave the same rows for {', '.join(reference)} "
        f"({', '.join(f'{k}: {len(v)} rows' for k, v in reference.items())})."
    )


# -- processes -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def session_pids(session: int) -> list[int]:
    """Every live process in the session ``session`` (a server is started as its leader, so its
    query workers, fork servers and threads' children all belong to it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[3]) == session and fields[0] != "Z":
            pids.append(int(entry.name))
    return sorted(pids)


def smaps_rollup(pid: int) -> tuple[float, float]:
    """(PSS, RSS) of one process in MB; (0, 0) when it is gone."""
    pss = rss = 0.0
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0, 0.0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            pss = int(line.split()[1]) / 1024
        elif line.startswith("Rss:"):
            rss = int(line.split()[1]) / 1024
    return pss, rss


def tree_memory(pids: list[int]) -> dict[str, Any]:
    sizes = [smaps_rollup(pid) for pid in pids]
    return {
        "pss_mb": sum(s[0] for s in sizes),
        "rss_mb": sum(s[1] for s in sizes),
        "procs": sum(1 for s in sizes if s[1] > 0),
    }


def stop_session(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's whole process group, SIGKILL to whatever is left after 15 s."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(15)
    for pid in session_pids(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)


@contextlib.contextmanager
def started(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A server process as the leader of its own session; stopped with everything it started."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True
        )
    try:
        yield process
    finally:
        stop_session(process)


def _terminate_on_sigterm() -> None:
    """SIGTERM (and SIGHUP) act like Ctrl-C, so the ``finally`` blocks stop every server."""

    def handler(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


# -- the data --------------------------------------------------------------------------------
@dataclass
class Data:
    root: Path  # a project root for ECPL_ROOT
    triples: Path  # N-Triples: the union of every named graph, for the peers' default graph
    quads: Path  # N-Quads: the same named graphs as the service holds
    quad_count: int


def prepare_data(cases: int, work: Path) -> Data:
    """The project's sources plus ``cases`` synthetic cases, and their N-Triples / N-Quads as the
    service's own store holds them after loading (with the inferred graph)."""
    from rdflib import Graph

    from ecpl.config import Settings
    from ecpl.store import open_store

    root = bench_root(cases, work)
    synthetic = (root / "data" / "bench" / "cases.ttl").read_text(encoding="utf-8")
    store = open_store(Settings(root=root, workers=1))
    try:
        quad_count = store.triple_count()
        lines = [line for line in synthetic.splitlines() if line.strip()]
        if store.triple_count(CASES_GRAPH) != len(lines):
            raise SystemExit(f"the store's {CASES_GRAPH} does not hold the synthetic cases")
        merged, nquads = Graph(), []
        for name in store.graphs():
            if name == CASES_GRAPH:
                continue
            graph = store.get_graph(name)
            merged += graph
            for line in graph.serialize(format="nt", encoding="utf-8").decode().splitlines():
                if line.strip():
                    nquads.append(line.rstrip()[:-1].rstrip() + f" <{name}> .\n")
    finally:
        store.close()
    triples = work / f"peers-{cases}.nt"
    with triples.open("w", encoding="utf-8") as out:
        out.write(merged.serialize(format="nt", encoding="utf-8").decode())
        out.write(synthetic)
    quads = work / f"dataset-{cases}.nq"
    with quads.open("w", encoding="utf-8") as out:
        out.writelines(nquads)
        for line in lines:
            out.write(line.rstrip()[:-1].rstrip() + f" <{CASES_GRAPH}> .\n")
    return Data(root, triples, quads, quad_count)


def prepared(cases: int, work: Path) -> Data:
    """:func:`prepare_data` in a child process, so that the store it opens (GBs at 100k cases)
    goes back to the system instead of staying in this process during the measurements."""
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(prepare_data, cases, work).result()


def bare_pyoxigraph_pss(quads: Path) -> float:
    """PSS (MB) of a Python process holding the quads in a pyoxigraph in-memory store."""
    code = (
        "import sys, pyoxigraph as ox\n"
        "s = ox.Store(); s.load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)\n"
        "assert len(s) > 0\n"
        "line = [l for l in open('/proc/self/smaps_rollup') if l.startswith('Pss:')][0]\n"
        "print(int(line.split()[1]) / 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(quads)], capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return float(done.stdout.strip().splitlines()[-1])


def peer_venv(name: str) -> Path:
    """``var/bench-venvs/NAME``, created with pip on first use."""
    venv = VENVS / name
    marker = venv / ".installed"
    if not marker.exists():
        print(f"setting up {venv} ({PEER_PACKAGES[name]}) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", PEER_PACKAGES[name]], check=True
        )
        marker.write_text(PEER_PACKAGES[name] + "\n")
    return venv


# -- one server ------------------------------------------------------------------------------
@dataclass
class ServerPlan:
    key: str
    label: str
    path: str  # the SPARQL endpoint's path
    command: Callable[[int], list[str]]  # port -> command line
    env: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[], float] | None = None  # loads data before the timed start; seconds
    extra_pids: Callable[[], list[int]] = list  # processes outside its session (Virtuoso)
    memory_note: str = ""  # what the memory figure leaves out


def get_json(url: str, query: str, timeout: float) -> dict[str, Any]:
    response = requests.get(
        url, params={"query": query}, headers={"Accept": ACCEPT}, timeout=timeout
    )
    response.raise_for_status()
    return dict(response.json())


def wait_for_answer(
    url: str,
    process: subprocess.Popen[bytes],
    start: float,
    limit_s: float,
    log: Path,
    probe: str = "",
) -> float:
    """Seconds from ``start`` to the first non-empty answer to ``probe`` (default: a lookup)."""
    query = probe or LOOKUP.replace("%IRI%", f"<{CASE_PREFIX}0>")
    while True:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"exited with {process.returncode} before answering:\n{tail}")
        with contextlib.suppress(requests.RequestException, ValueError):
            if get_json(url, query, timeout=5).get("results", {}).get("bindings"):
                return time.monotonic() - start
        if time.monotonic() - start > limit_s:
            raise RuntimeError(f"no answer within {limit_s:g} s")
        time.sleep(0.05)


def timed_single(
    url: str, query: str, duration_s: float, timeout_s: float, min_reps: int = 3
) -> tuple[dict[str, Any], list[tuple[Any, ...]] | str]:
    """One client, the same query again and again for ``duration_s`` (``min_reps`` to 50 times):
    median ms, and the first answer (for the answer check) or, when the server said it cut the
    answer (ecpl's truncation header), why."""
    session = requests.Session()
    times: list[float] = []
    first: list[tuple[Any, ...]] | None = None
    deadline = time.monotonic() + duration_s
    while len(times) < 50 and (len(times) < min_reps or time.monotonic() < deadline):
        begun = time.perf_counter()
        response = session.get(
            url, params={"query": query}, headers={"Accept": ACCEPT}, timeout=timeout_s
        )
        response.raise_for_status()
        body = response.content  # the whole answer is part of the time
        times.append((time.perf_counter() - begun) * 1000)
        if first is None:
            cut = response.headers.get(TRUNCATED)
            if cut:
                return {"median_ms": statistics.median(times), "n": len(times)}, f"cut: {cut}"
            first = answer_key(json.loads(body))
    return {"median_ms": statistics.median(times), "n": len(times)}, first or []


def run_load(
    kind: str, url: str, query: str, clients: int, args: argparse.Namespace, work: Path
) -> dict[str, Any]:
    """One load row with wrk (Lua script for random IRIs) or bench/loadgen.py."""
    limit = args.duration + args.request_timeout + 60
    if kind == "wrk":
        before, after = loadgen.split_query(query, CASE_PREFIX)
        script = work / "random-iri.lua"
        script.write_text(wrk_script(before, after, args.cases))
        target = url + ("&" if "?" in url else "?") + "query="
        command = [
            "wrk",
            f"-t{min(2, clients)}",
            f"-c{clients}",
            f"-d{max(1, round(args.duration))}s",  # wrk takes whole seconds
            f"--timeout={max(1, round(args.request_timeout))}s",
            "-s",
            str(script),
            target,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit)
        if "WRK_JSON" not in done.stdout:
            raise ValueError(f"wrk: {(done.stderr or done.stdout).strip()[-200:]}")
        return parse_wrk(done.stdout)
    command = [
        sys.executable,
        str(ROOT / "bench" / "loadgen.py"),
        "--url",
        url,
        "--query",
        query,
        "--iri-prefix",
        CASE_PREFIX,
        "--random-count",
        str(args.cases),
        "--clients",
        str(clients),
        "--processes",
        str(args.client_processes),
        "--duration",
        str(args.duration),
        "--timeout",
        str(args.request_timeout),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=limit)
    if loadgen.RESULT_TAG not in done.stdout:
        raise ValueError(f"loadgen: {(done.stderr or done.stdout).strip()[-200:]}")
    return loadgen.parse_result(done.stdout)


def check_queries() -> dict[str, str]:
    """Queries whose answers are compared across servers (besides the timed single queries)."""
    case = f"<{CASE_PREFIX}0>"
    return {"lookup": LOOKUP.replace("%IRI%", case), "join": JOIN.replace("%IRI%", case)}


def measure(
    plan: ServerPlan, args: argparse.Namespace, named_text: str, work: Path, kind: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Start one server, measure every row, stop it: (figures, answers to the check queries)."""
    figures: dict[str, Any] = {"notes": {}}
    if plan.prepare is not None:
        figures["load_s"] = plan.prepare()
    port = free_port()
    url = f"http://127.0.0.1:{port}{plan.path}"
    log = work / f"{plan.key}-{port}.log"
    env = {**os.environ, **plan.env}
    env.pop("ECPL_UPDATE_TOKEN", None)
    print(f"\n### {plan.label} on 127.0.0.1:{port}", flush=True)
    begun = time.monotonic()
    with started(plan.command(port), env, log) as process:
        figures["startup"] = wait_for_answer(url, process, begun, args.start_timeout, log)
        print(f"first answer after {figures['startup']:.2f} s", flush=True)
        if args.warmup > 0:
            warm = argparse.Namespace(**{**vars(args), "duration": args.warmup})
            try:
                run_load(kind, url, LOOKUP, 8, warm, work)
            except (subprocess.TimeoutExpired, ValueError, OSError) as exc:
                print(f"  warm-up: {exc}", flush=True)
        for row, text, clients in (
            ("lookup8", LOOKUP, 8),
            ("lookup64", LOOKUP, 64),
            ("join8", JOIN, 8),
        ):
            try:
                figures[row] = run_load(kind, url, text, clients, args, work)
                print(f"  {row}: {cell(row, figures)}", flush=True)
            except (subprocess.TimeoutExpired, ValueError, OSError) as exc:
                figures["notes"][row] = f"failed: {str(exc).splitlines()[0][:80]}"
                print(f"  {row}: {figures['notes'][row]}", flush=True)
        answers: dict[str, Any] = {}
        for name, text in check_queries().items():
            with contextlib.suppress(requests.RequestException, ValueError):
                answers[name] = answer_key(get_json(url, text, timeout=args.query_timeout))
        # Slow single queries last: a peer that cannot stop a query stays busy with it.
        busy = False
        for row, text in (("aggregate", AGGREGATE), ("named", named_text), ("count", COUNT)):
            if busy:
                figures["notes"][row] = "not run (server still busy)"
                continue
            try:
                once = row == "count"  # only for the answer check
                timed, answers[row] = timed_single(
                    url, text, 0 if once else args.duration, args.query_timeout, 1 if once else 3
                )
                if row != "count":
                    figures[row] = timed
                    print(f"  {row}: {cell(row, figures)}", flush=True)
            except requests.Timeout:
                figures["notes"][row] = f"> {args.query_timeout:g} s"
                print(f"  {row}: no answer within {args.query_timeout:g} s", flush=True)
                busy = True
            except (requests.RequestException, ValueError) as exc:
                figures["notes"][row] = f"failed: {str(exc)[:80]}"
                print(f"  {row}: {figures['notes'][row]}", flush=True)
        figures["memory"] = tree_memory(session_pids(process.pid) + plan.extra_pids())
        if plan.memory_note:
            figures["memory_note"] = plan.memory_note
        print(f"  memory: {cell('memory', figures)}", flush=True)
    return figures, answers


# -- the plans -------------------------------------------------------------------------------
def plans(
    args: argparse.Namespace,
    data: Data,
    work: Path,
    remote: tuple[str, Callable[[], list[int]]] | None = None,
) -> list[ServerPlan]:
    """The servers to measure on ``data``, in column order (ecpl's backends first).

    ``remote``: a running Virtuoso's endpoint and pids, for the ``ecpl serve + Virtuoso`` column.
    """
    tag = str(data.quad_count)
    # no cap may cut an answer the peers give whole (cq07 at 100k cases is over 64 MB of JSON)
    ecpl_env = {
        "ECPL_ROOT": str(data.root),
        "ECPL_ROW_LIMIT": "10000000",
        "ECPL_MAX_RESPONSE_BYTES": str(1024**3),
    }

    def ecpl_command(store: str) -> Callable[[int], list[str]]:
        def command(port: int) -> list[str]:
            line = [sys.executable, "-m", "ecpl", "serve", "--host", "127.0.0.1"]
            line += ["--port", str(port), "--workers", str(args.workers)]
            return line + (["--store", store] if store != "memory" else [])

        return command

    def ecpl_first_start(store: str, key: str) -> Callable[[], float]:
        """Start once so that the store gets filled; the timed start is the second one."""

        def prepare() -> float:
            port = free_port()
            log = work / f"{key}-{tag}-prepare.log"
            begun = time.monotonic()
            with started(ecpl_command(store)(port), {**os.environ, **ecpl_env}, log) as process:
                url = f"http://127.0.0.1:{port}/sparql"
                return wait_for_answer(url, process, begun, args.start_timeout, log, OWN_PROBE)

        return prepare

    def oxigraph_plan() -> ServerPlan:
        binary = peer_venv("oxigraph") / "bin" / "oxigraph"
        location = work / f"oxigraph-db-{tag}"

        def load() -> float:
            shutil.rmtree(location, ignore_errors=True)
            begun = time.monotonic()
            subprocess.run(
                [str(binary), "load", "--location", str(location), "--file", str(data.triples)],
                check=True,
                capture_output=True,
                timeout=3600,
            )
            return time.monotonic() - begun

        def command(port: int) -> list[str]:
            return [
                str(binary),
                "serve",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{port}",
            ]

        plan = ServerPlan("oxigraph", "Oxigraph server", "/query", command, prepare=load)
        plan.memory_note = ROCKSDB_NOTE
        return plan

    def rdflib_endpoint_plan() -> ServerPlan:
        binary = peer_venv("rdflib-endpoint") / "bin" / "rdflib-endpoint"

        def command(port: int) -> list[str]:
            files = [str(binary), "serve", str(data.triples)]
            return [*files, "--host", "127.0.0.1", "--port", str(port)]

        return ServerPlan("rdflib-endpoint", "rdflib-endpoint", "/", command)

    out: list[ServerPlan] = []
    selected = [s.strip() for s in args.servers.split(",") if s.strip()]
    if "ecpl" in selected:
        out.append(ServerPlan("ecpl", "ecpl serve", "/sparql", ecpl_command("memory"), ecpl_env))
    if args.ecpl_disk:
        folder = str(work / f"ecpl-store-{tag}")
        disk = ServerPlan("ecpl-disk", "ecpl serve --store DIR", "/sparql", ecpl_command(folder))
        disk.env, disk.prepare = ecpl_env, ecpl_first_start(folder, "ecpl-disk")
        disk.memory_note = ROCKSDB_NOTE
        out.append(disk)
    if remote is not None:
        endpoint, pids = remote
        on_virtuoso = ServerPlan(
            "ecpl-virtuoso", "ecpl serve + Virtuoso", "/sparql", ecpl_command(endpoint), ecpl_env
        )
        on_virtuoso.prepare = ecpl_first_start(endpoint, "ecpl-virtuoso")
        on_virtuoso.extra_pids = pids
        out.append(on_virtuoso)
    if "oxigraph" in selected:
        out.append(oxigraph_plan())
    if "rdflib-endpoint" in selected:
        out.append(rdflib_endpoint_plan())
    return out


def startup_only(plan: ServerPlan, args: argparse.Namespace, work: Path) -> float:
    """Seconds from start to the first answer (after the plan's preparation, not timed)."""
    if plan.prepare is not None:
        plan.prepare()
    port = free_port()
    log = work / f"{plan.key}-{port}-startup.log"
    env = {**os.environ, **plan.env}
    begun = time.monotonic()
    with started(plan.command(port), env, log) as process:
        url = f"http://127.0.0.1:{port}{plan.path}"
        return wait_for_answer(url, process, begun, args.start_timeout, log, probe=OWN_PROBE)


@contextlib.contextmanager
def virtuoso(work: Path) -> Iterator[tuple[str, Callable[[], list[int]]]]:
    """A private Virtuoso (scripts/virtuoso.sh) for the ``ecpl serve --store URL`` column."""
    folder = work / "virtuoso"
    shutil.rmtree(folder, ignore_errors=True)  # a fresh database every run
    http_port, sql_port = free_port(), free_port()
    script = str(ROOT / "scripts" / "virtuoso.sh")
    subprocess.run(
        [script, "start", str(folder), str(http_port), str(sql_port)], check=True, timeout=300
    )

    def pids() -> list[int]:
        lock = folder / "virtuoso.lck"
        with contextlib.suppress(OSError, ValueError):
            for line in lock.read_text().splitlines():
                if line.startswith("VIRT_PID="):
                    return [int(line.split("=", 1)[1])]
        return []

    try:
        yield f"http://127.0.0.1:{http_port}/sparql", pids
    finally:
        subprocess.run([script, "stop", str(folder), str(sql_port)], timeout=120, check=False)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", type=int, default=10_000, help="synthetic cases (default 10,000)"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per row (default 10)")
    parser.add_argument("--output", type=Path, help="write the Markdown table here")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--servers", default="ecpl,oxigraph,rdflib-endpoint")
    parser.add_argument("--ecpl-disk", action="store_true", help="add ecpl serve --store DIR")
    parser.add_argument("--virtuoso", action="store_true", help="add ecpl serve on Virtuoso")
    parser.add_argument("--named", default=DEFAULT_NAMED, help="named query (data/queries/)")
    parser.add_argument("--workers", type=int, default=2, help="ecpl serve --workers")
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--client-processes", type=int, default=2, help="for bench/loadgen.py")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of lookups first")
    parser.add_argument("--request-timeout", type=float, default=10.0, help="per load request")
    parser.add_argument("--query-timeout", type=float, default=120.0, help="single queries (s)")
    parser.add_argument("--start-timeout", type=float, default=1800.0, help="per server (s)")
    parser.add_argument(
        "--no-own-startup",
        dest="own_startup",
        action="store_false",
        help="skip the startup on the project's own data (for the per-100k figure)",
    )
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temp folder)")
    args = parser.parse_args()
    if args.cases < 1 or args.duration <= 0:
        parser.error("--cases and --duration must be positive")
    unknown = {s.strip() for s in args.servers.split(",") if s.strip()} - set(SERVERS)
    if unknown:
        parser.error(
            f"--servers: unknown {', '.join(sorted(unknown))} (one of {', '.join(SERVERS)})"
        )
    kind = "wrk" if args.loadgen in ("auto", "wrk") and shutil.which("wrk") else "python"
    if args.loadgen == "wrk" and kind != "wrk":
        parser.error("--loadgen wrk: wrk is not installed (apt-get install -y wrk)")

    from ecpl import queries
    from ecpl.sparql.substitute import substitute

    named = queries.load_all().get(args.named)
    if named is None:
        parser.error(f"--named {args.named}: no such query in data/queries/")
    named_text = substitute(named.text, named.bindings({}))

    _terminate_on_sigterm()
    meta: dict[str, Any] = {
        "cases": args.cases,
        "named": args.named,
        "duration": args.duration,
        "loadgen": "wrk -t2"
        if kind == "wrk"
        else f"bench/loadgen.py ({args.client_processes} processes)",
        "cpus": os.cpu_count(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": load_average(),
    }
    results: dict[str, dict[str, Any] | None] = {}
    answers: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        if args.keep:
            work = args.keep.resolve()
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="ecpl-serve-bench-"))
            )
        print(f"preparing {args.cases:,} cases in {work} ...", flush=True)
        data = prepared(args.cases, work)
        meta["quads"] = data.quad_count
        meta["bare_pss_mb"] = bare_pyoxigraph_pss(data.quads)
        print(
            f"{data.quad_count:,} quads; bare pyoxigraph PSS {meta['bare_pss_mb']:.0f} MB",
            flush=True,
        )
        remote = stack.enter_context(virtuoso(work)) if args.virtuoso else None
        server_plans = plans(args, data, work, remote)
        meta["labels"] = {plan.key: plan.label for plan in server_plans}
        for plan in server_plans:
            try:
                results[plan.key], answers[plan.key] = measure(plan, args, named_text, work, kind)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                print(f"{plan.label}: {exc}", flush=True)
                results[plan.key] = {"notes": {row: "did not start" for row in ROWS}}
        if args.own_startup:
            print("\nstartup on the project's own data (no synthetic cases) ...", flush=True)
            own = prepared(0, work / "own")
            for plan in plans(args, own, work / "own"):  # Virtuoso: not repeated
                figures = results.get(plan.key) or {}
                try:
                    figures["startup_own"] = startup_only(plan, args, work / "own")
                except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                    figures.setdefault("notes", {})["startup_own"] = "did not start"
                    print(f"{plan.label}: {exc}", flush=True)
                    continue
                grown = figures.get("startup", 0.0) - figures["startup_own"]
                if grown > 0:
                    figures["startup100k"] = grown * 100_000 / args.cases
                else:
                    figures.setdefault("notes", {})["startup100k"] = "no growth above noise"
                print(f"  {plan.label}: {figures['startup_own']:.2f} s", flush=True)
    meta["load_after"] = load_average()
    meta["answers"] = compare_answers(answers, meta["labels"])
    table = render_markdown(results, meta)
    print("\n" + table, flush=True)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(table, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=2, default=str))


if __name__ == "__main__":
    main()
