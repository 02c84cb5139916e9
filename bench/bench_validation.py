"""Benchmark: validate() against a naive per-case pyshacl.validate call, in one run.

Reports the median time per ~40-triple synthetic case graph (bench/synthetic.py) for
``ecpl.validation.validate`` (shapes parsed once, ontology precomputed as a type closure plus
reference individuals, SPARQL rules parsed once) and for the naive baseline
``pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology + doctrine, advanced=True)``
with the shapes and ontology graphs loaded once and passed in on every call; then batches of
1,000 and 10,000 cases over both cores (multiprocessing), and the peak memory (RSS).
Not a test: run it by hand.

    .venv/bin/python bench/bench_validation.py [--naive 20] [--median 200] [--batches 1000,10000]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "service"))

import pyshacl  # noqa: E402
from rdflib import Graph  # noqa: E402

import synthetic  # noqa: E402
from ecpl import sources  # noqa: E402
from ecpl.validation import validate  # noqa: E402


def median_ms(func, graphs: list[Graph]) -> float:
    times = []
    for graph in graphs:
        start = time.perf_counter()
        func(graph)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _work(bounds: tuple[int, int]) -> tuple[int, int]:
    """Validate cases [start, stop) in a worker; returns (cases, violating cases)."""
    start, stop = bounds
    violating = 0
    for index in range(start, stop):
        if not validate(synthetic.case_graph(index)).conforms:
            violating += 1
    return stop - start, violating


def batch(count: int, workers: int) -> tuple[float, int]:
    chunk = max(1, count // (workers * 8))
    bounds = [(i, min(i + chunk, count)) for i in range(0, count, chunk)]
    start = time.perf_counter()
    with Pool(workers, initializer=_warm) as pool:
        results = pool.map(_work, bounds)
    elapsed = time.perf_counter() - start
    assert sum(n for n, _ in results) == count
    return elapsed, sum(v for _, v in results)


def _warm() -> None:
    validate(synthetic.case_graph(0))


def peak_rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive", type=int, default=20, help="cases for the naive baseline")
    parser.add_argument("--median", type=int, default=200, help="cases for validate()'s median")
    parser.add_argument("--batches", default="1000,10000")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    shapes = sources.load_graph(("shapes",))
    ontology = sources.load_graph(("ontology",))
    for path in sorted((sources.config.resource_dir("data") / "doctrine").glob("*.ttl")):
        ontology.parse(path, format="turtle")
    graphs = list(synthetic.cases(max(args.median, args.naive)))
    print(f"synthetic cases: mean {statistics.mean(len(g) for g in graphs):.1f} triples")

    start = time.perf_counter()
    validate(graphs[0])
    print(f"validate(): first call (loads shapes + ontology) {time.perf_counter() - start:.2f} s")

    def naive(graph: Graph) -> None:
        pyshacl.validate(
            graph, shacl_graph=shapes, ont_graph=ontology, advanced=True, allow_warnings=True
        )

    ours = median_ms(validate, graphs[: args.median])
    base = median_ms(naive, graphs[: args.naive])
    print(
        f"median per case: validate() {ours:.1f} ms (n={args.median}); "
        f"naive pyshacl.validate {base:.1f} ms (n={args.naive}); speed-up {base / ours:.1f}x"
    )

    def naive_core(graph: Graph) -> None:  # no SHACL-AF: no findings, fewer SPARQL parses
        pyshacl.validate(graph, shacl_graph=shapes, ont_graph=ontology, allow_warnings=True)

    core = median_ms(naive_core, graphs[: args.naive])
    print(
        f"  (naive without SHACL-AF rules, so no findings: {core:.1f} ms; "
        f"validate() is {core / ours:.1f}x faster while also deriving findings)"
    )

    agree = sum(
        validate(g).conforms
        == pyshacl.validate(
            g, shacl_graph=shapes, ont_graph=ontology, advanced=True, allow_warnings=True
        )[0]
        for g in graphs[: args.naive]
    )
    print(f"conforms agrees with the naive baseline on {agree}/{args.naive} cases")

    for count in (int(n) for n in args.batches.split(",") if n):
        elapsed, violating = batch(count, args.workers)
        print(
            f"batch {count:>6}: {elapsed:.1f} s on {args.workers} processes "
            f"({elapsed * 1000 / count:.1f} ms/case wall), {violating} with violations"
        )
    own, children = peak_rss_mb()
    print(f"peak RSS: main process {own:.0f} MB, largest worker {children:.0f} MB")


if __name__ == "__main__":
    main()
