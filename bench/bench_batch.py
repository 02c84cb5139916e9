"""Scale-out measurements: batch validation over processes, memory of the in-memory store.

``ecpl.validation.validate`` serialises pySHACL behind a lock inside one process, so the way to
use more cores is more processes: ``validate_many`` parses the shapes once, then forks a
process pool that inherits them and spreads the case graphs over it. ``memory_per_million``
loads synthetic case triples into pyoxigraph in memory in a fresh process and reports
resident memory per million triples::

    .venv/bin/python bench/bench_batch.py validate --copies 10 --processes 1 2
    .venv/bin/python bench/bench_batch.py memory --triples 1000000
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"


def case_files() -> list[Path]:
    """Every case graph in the repository (real cases and the per-shape examples)."""
    return sorted(CASES.rglob("*.ttl"))


def _warm() -> None:
    """Pool initializer: parse the shapes and reference data once per process."""
    from ecpl.validation.engine import resources

    resources()


def validate_file(path: str) -> dict[str, Any]:
    """Validate one case graph file; a picklable summary (what a batch job would store)."""
    from ecpl.rdfio import parse_rdf
    from ecpl.validation import validate

    data = Path(path).read_bytes()
    graph = parse_rdf(data, filename=path, max_bytes=50 * 1024 * 1024)
    report = validate(graph)
    summary = report.to_json()
    return {
        "file": Path(path).name,
        "conforms": summary["conforms"],
        "breached_duties": summary["breached_duties"],
        "findings": sorted(json.dumps(f, sort_keys=True) for f in summary["findings"]),
    }


def validate_many(paths: Sequence[Path | str], processes: int) -> list[dict[str, Any]]:
    """Validate every file, spread over ``processes`` processes; results in input order."""
    names = [str(p) for p in paths]
    if processes <= 1:
        _warm()
        return [validate_file(name) for name in names]
    # fork after warming up: the children inherit the parsed shapes instead of parsing them again
    _warm()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        chunk = max(1, len(names) // (processes * 4))
        return list(pool.map(validate_file, names, chunksize=chunk))


def throughput(paths: Sequence[Path], processes: int) -> tuple[float, list[dict[str, Any]]]:
    """Cases per second over the batch (process start-up and shape parsing included)."""
    started = time.perf_counter()
    results = validate_many(paths, processes)
    return len(paths) / (time.perf_counter() - started), results


# -- memory per million triples ----------------------------------------------------------------
_MEMORY_SCRIPT = r"""
import sys, gc
import pyoxigraph as ox

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024

n = int(sys.argv[1])
ECPL = "https://w3id.org/ecpl/ontology#"
store = ox.Store()
gc.collect()
before = rss()
def quads():
    per_case = 40
    for c in range(n // per_case + 1):
        case = f"https://w3id.org/ecpl/case/synthetic-{c}"
        g = ox.NamedNode(f"https://w3id.org/ecpl/graph/case/synthetic-{c}")
        s = ox.NamedNode(case)
        yield ox.Quad(s, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode(ECPL + "Case"), g)
        for k in range(per_case - 1):
            e = ox.NamedNode(f"{case}/event-{k // 3}")
            if k % 3 == 0:
                yield ox.Quad(s, ox.NamedNode(ECPL + "event"), e, g)
            elif k % 3 == 1:
                yield ox.Quad(e, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                              ox.Literal(f"事件 {c}-{k}", language="zh"), g)
            else:
                yield ox.Quad(e, ox.NamedNode(ECPL + "amountCNY"),
                              ox.Literal(str(c * 7 + k), datatype=ox.NamedNode(
                                  "http://www.w3.org/2001/XMLSchema#decimal")), g)
store.extend(q for i, q in zip(range(n), quads()))
gc.collect()
after = rss()
print(len(store), before, after)
"""


def memory_per_million(triples: int) -> dict[str, float]:
    """Resident bytes that ``triples`` synthetic case quads add to a fresh in-memory store."""
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, str(triples)],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    ).stdout.split()
    count, before, after = (int(x) for x in out)
    return {
        "triples": count,
        "rss_before_mb": before / 2**20,
        "rss_after_mb": after / 2**20,
        "mb_per_million": (after - before) / 2**20 / (count / 1e6),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    batch = commands.add_parser("validate", help="cases per second, by number of processes")
    batch.add_argument("--copies", type=int, default=5, help="repeat the case files N times")
    batch.add_argument("--processes", type=int, nargs="+", default=[1, os.cpu_count() or 1])
    memory = commands.add_parser("memory", help="in-memory store: MB per million triples")
    memory.add_argument("--triples", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    if args.command == "validate":
        if args.copies < 1 or any(p < 1 for p in args.processes):
            parser.error("--copies and --processes must be positive")
        paths = case_files() * args.copies
        baseline: list[dict[str, Any]] | None = None
        for processes in args.processes:
            rate, results = throughput(paths, processes)
            same = baseline is None or results == baseline
            baseline = baseline or results
            print(
                f"{len(paths)} cases, {processes} process(es): {rate:.1f} cases/s"
                f"{'' if same else '  (RESULTS DIFFER from the first run)'}"
            )
    else:
        if args.triples < 1000:
            parser.error("--triples must be at least 1000")
        print(json.dumps(memory_per_million(args.triples), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
