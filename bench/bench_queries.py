"""Benchmark: named queries over 1,000 / 10,000 / 100,000 synthetic cases.

For each size: load time and memory (pyoxigraph store vs rdflib Dataset on the same data),
named-query latency p50/p99 in process (pyoxigraph, and rdflib's engine as the baseline, in the
same run), over HTTP (``ecpl serve`` on a free loopback port), and throughput
under concurrent load. rdflib is only measured up to ``--rdflib-max`` cases (it needs ~5 GB and
~5 minutes to load 100,000) and each of its queries is stopped after ``--rdflib-limit`` seconds.

    .venv/bin/python bench/bench_queries.py                   # 1k, 10k, 100k (~15 minutes)
    .venv/bin/python bench/bench_queries.py --sizes 1000 --duration 5
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "service"), str(ROOT / "tests"), str(ROOT / "bench")]

from rdflib import Dataset, URIRef  # noqa: E402

from ecpl import queries  # noqa: E402
from ecpl.config import Settings  # noqa: E402
from ecpl.sparql.substitute import substitute  # noqa: E402
from ecpl.store import open_store  # noqa: E402
from ecpl.store.oxigraph import OxigraphStore  # noqa: E402
from load import percentile, run_load  # noqa: E402

E = "https://w3id.org/ecpl/ontology#"
CASE = "https://w3id.org/ecpl/case/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PROVISIONS = [
    "ecl/art/38/para/1",
    "ecl/art/38/para/2",
    "crpl/art/44/para/1",
    "cc/art/1197/para/1",
    "ecl/art/27/para/1",
]
DUTIES = ["QualificationReviewDuty", "NecessaryMeasuresDuty", "IdentityVerificationDuty"]

# Bench-only queries next to the named ones: a lookup by case IRI and an aggregate over all.
LOOKUP = "SELECT ?p ?o WHERE { ?case ?p ?o }"
AGGREGATE = f"""PREFIX ecpl: <{E}>
SELECT ?principle (COUNT(?case) AS ?cases) (SUM(?amount) AS ?total)
WHERE {{
  ?case a ecpl:Case ; ecpl:decisionDate ?date ; ecpl:holding ?h ; ecpl:event ?loss .
  ?h ecpl:faultPrincipleApplied ?principle .
  ?loss a ecpl:Damage ; ecpl:amountCNY ?amount .
  FILTER (?date >= "2021-01-01"^^<{XSD}date>)
}} GROUP BY ?principle"""


def synthetic_cases(count: int, seed: int = 7) -> str:
    """N-Triples (valid Turtle) for ``count`` cases of about 40 triples each."""
    rng = random.Random(seed)
    out: list[str] = []
    add = out.append
    law = "https://w3id.org/ecpl/law/"
    for i in range(count):
        c = f"<{CASE}bench-{i}>"
        n = f"{CASE}bench-{i}/"
        year = 2019 + i % 6
        date = f'"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"^^<{XSD}date>'
        add(f"{c} <{RDF_TYPE}> <{E}Case> .")
        add(f'{c} <{LABEL}> "合成案例 {i}"@zh .')
        add(f'{c} <{LABEL}> "synthetic case {i}"@en .')
        add(f'{c} <{E}docketNumber> "（{year}）京0491民初{i}号" .')
        add(f"{c} <{E}decisionDate> {date} .")
        add(f"{c} <{E}court> <{n}court> .")
        add(f'<{n}court> <{LABEL}> "北京互联网法院"@zh .')
        for role, cls in (
            ("platform", "EcommercePlatformOperator"),
            ("seller", "InPlatformOperator"),
            ("consumer", "Consumer"),
        ):
            add(f"{c} <{E}party> <{n}{role}> .")
            add(f"<{n}{role}> <{RDF_TYPE}> <{E}{cls}> .")
            add(f'<{n}{role}> <{LABEL}> "{role} {i}"@en .')
        for step, cls in (
            ("purchase", "Purchase"),
            ("request", "RefundRequest"),
            ("loss", "Damage"),
        ):
            add(f"{c} <{E}event> <{n}{step}> .")
            add(f"<{n}{step}> <{RDF_TYPE}> <{E}{cls}> .")
            add(f"<{n}{step}> <{E}date> {date} .")
            add(f"<{n}{step}> <{E}agent> <{n}consumer> .")
        add(f'<{n}loss> <{E}amountCNY> "{rng.randint(100, 90000)}"^^<{XSD}decimal> .')
        add(f"<{n}purchase> <{E}subject> <{n}goods> .")
        add(f"<{n}goods> <{RDF_TYPE}> <{E}GoodsOrService> .")
        add(f"<{n}goods> <{E}soldBy> <{n}seller> .")
        add(f"<{n}goods> <{E}onPlatform> <{n}platform> .")
        add(f'<{n}goods> <{E}affectsLifeAndHealth> "{str(i % 3 == 0).lower()}"^^<{XSD}boolean> .')
        add(f"{c} <{E}holding> <{n}holding> .")
        principle = "PresumedFault" if i % 4 == 0 else "FaultLiability"
        add(f"<{n}holding> <{E}faultPrincipleApplied> <{E}{principle}> .")
        add(f"<{n}holding> <{E}appliedProvision> <{law}{rng.choice(PROVISIONS)}> .")
        add(f"<{n}finding> <{RDF_TYPE}> <{E}Finding> .")
        add(f"<{n}finding> <{E}inCase> {c} .")
        add(f"<{n}finding> <{E}breachOf> <{E}{rng.choice(DUTIES)}> .")
        add(f"<{n}finding> <{E}findingFaultPrinciple> <{E}{principle}> .")
        add(f"<{n}finding> <{E}legalBasis> <{law}{rng.choice(PROVISIONS)}> .")
    return "\n".join(out) + "\n"


def bench_root(count: int, folder: Path) -> Path:
    """A project root with the real sources plus ``data/bench/cases.ttl`` (one named graph)."""
    root = folder / f"root-{count}"
    (root / "data" / "bench").mkdir(parents=True, exist_ok=True)
    links = [(root / name, ROOT / name) for name in ("ontology", "shapes")]
    links += [(root / "data" / child.name, child) for child in (ROOT / "data").iterdir()]
    for link, target in links:
        if link.is_symlink():  # a root made from another checkout: point it at this one
            link.unlink()
        if not link.exists():
            link.symlink_to(target)
    (root / "data" / "bench" / "cases.ttl").write_text(synthetic_cases(count), encoding="utf-8")
    return root


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pss_mb(pid: int) -> float:
    """Proportional set size: shared copy-on-write pages split between the processes."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def tree_rss_mb(pid: int) -> float:
    """Memory of a process and its descendants (PSS, so forked workers' shared pages count once)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += pss_mb(current)
        for task in Path(f"/proc/{current}/task").iterdir():
            children = (task / "children").read_text().split()
            todo.extend(int(c) for c in children)
    return total


def timed(fn: Callable[[], Any], reps: int, budget_s: float) -> list[float]:
    times: list[float] = []
    deadline = time.monotonic() + budget_s
    while len(times) < reps and (not times or time.monotonic() < deadline):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(times), "p99": percentile(times, 0.99), "n": len(times)}


def workload(count: int) -> dict[str, tuple[str, Callable[[int], dict]]]:
    """name -> (query text, i -> bindings) for every named query and the two bench queries."""
    items: dict[str, tuple[str, Callable[[int], dict]]] = {}
    for name, named in queries.load_all().items():
        fixed = named.bindings({})
        items[name] = (named.text, lambda _i, fixed=fixed: fixed)
    items["bench-lookup-case"] = (
        LOOKUP,
        lambda i: {"case": URIRef(f"{CASE}bench-{(i * 7919) % count}")},
    )
    items["bench-aggregate"] = (AGGREGATE, lambda _i: {})
    return items


def _rdflib_worker(conn: Any, dataset: Dataset, text: str, bindings: dict, reps: int) -> None:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        list(dataset.query(text, initBindings=bindings))
        times.append((time.perf_counter() - started) * 1000)
        conn.send(times)


def rdflib_latency(dataset: Dataset, text: str, bindings: dict, limit_s: float) -> dict:
    """rdflib's engine in a forked child, killed after ``limit_s`` (it cannot be interrupted)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_rdflib_worker, args=(child, dataset, text, bindings, 5))
    process.start()
    times: list[float] = []
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and (process.is_alive() or parent.poll()):
        if parent.poll(0.05):
            times = parent.recv()
            if len(times) >= 5:
                break
    process.kill()
    process.join()
    if not times:
        return {"p50": None, "p99": None, "n": 0, "note": f"> {limit_s:g} s"}
    return summary(times)


def run_size(count: int, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    print(f"\n## {count:,} cases", flush=True)
    root = bench_root(count, folder)
    result: dict[str, Any] = {"cases": count}

    before = rss_mb()
    started = time.monotonic()
    store = open_store(Settings(root=root, workers=args.workers))
    result["oxigraph_load_s"] = time.monotonic() - started
    result["oxigraph_rss_mb"] = rss_mb() - before
    result["triples"] = store.triple_count()
    print(
        f"pyoxigraph: {result['triples']:,} quads loaded (+ inference) in "
        f"{result['oxigraph_load_s']:.1f} s, +{result['oxigraph_rss_mb']:.0f} MB",
        flush=True,
    )
    assert isinstance(store, OxigraphStore)

    dataset = None
    if count <= args.rdflib_max:
        before = rss_mb()
        started = time.monotonic()
        dataset = Dataset(default_union=True)
        for name in store.graphs():  # the same quads, inferred graph included
            graph = dataset.graph(URIRef(name))
            for triple in store.get_graph(name):
                graph.add(triple)
        result["rdflib_load_s"] = time.monotonic() - started
        result["rdflib_rss_mb"] = rss_mb() - before
        print(
            f"rdflib: loaded in {result['rdflib_load_s']:.1f} s, +{result['rdflib_rss_mb']:.0f} MB",
            flush=True,
        )

    work = workload(count)
    rows: dict[str, dict[str, Any]] = {}
    for name, (text, bindings_for) in work.items():
        counter = iter(range(10**9))
        times = timed(
            lambda text=text, bindings_for=bindings_for, counter=counter: store.query(
                text, bindings=bindings_for(next(counter))
            ),
            reps=args.reps,
            budget_s=args.budget,
        )
        rows[name] = {"oxigraph": summary(times)}
        if dataset is not None:
            rows[name]["rdflib"] = rdflib_latency(dataset, text, bindings_for(1), args.rdflib_limit)
    del dataset
    store.close()

    from live_server import start_server

    env = {"ECPL_ROOT": str(root), "ECPL_ROW_LIMIT": "100000"}
    started = time.monotonic()
    with start_server(
        "--workers", str(args.workers), "--timeout", "120", env=env, log_dir=folder, wait_s=1800
    ) as server:
        result["serve_start_s"] = time.monotonic() - started
        session = requests.Session()
        accept = {"Accept": "application/sparql-results+json"}
        for name, (text, bindings_for) in work.items():
            counter = iter(range(10**9))

            def call(
                text: str = text, bindings_for: Callable = bindings_for, counter: Any = counter
            ) -> None:
                bound = substitute(text, bindings_for(next(counter)))
                response = session.get(
                    server.url + "/sparql", params={"query": bound}, headers=accept, timeout=300
                )
                response.raise_for_status()

            for _ in range(args.workers):  # warm each query worker (first touch of the store)
                call()
            rows[name]["http"] = summary(timed(call, reps=args.reps, budget_s=args.budget))
        lookup_text = work["bench-lookup-case"][0]

        def lookup_request(i: int) -> tuple[str, dict[str, str]]:
            case = URIRef(f"{CASE}bench-{(i * 7919) % count}")
            bound = substitute(lookup_text, {"case": case})
            return server.url + "/sparql", {"query": bound}

        load = run_load(lookup_request, clients=args.clients, duration_s=args.duration)
        result["throughput_lookup"] = {
            "clients": args.clients,
            "req_per_s": load.throughput,
            "p50_ms": load.p50_ms,
            "p99_ms": load.p99_ms,
            "errors": load.errors,
        }
        result["server_rss_mb"] = tree_rss_mb(server.process.pid)
    result["queries"] = rows
    report(result)
    return result


def fmt(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if value < 100 else f"{value:,.0f}"


def report(result: dict[str, Any]) -> None:
    print(
        f"\n| query ({result['cases']:,} cases) | oxigraph p50 / p99 ms | HTTP p50 / p99 ms "
        "| rdflib p50 ms | ratio rdflib/oxigraph |"
    )
    print("|---|---|---|---|---|")
    for name, row in result["queries"].items():
        ox, http = row["oxigraph"], row.get("http", {})
        rd = row.get("rdflib")
        if rd is None:
            rdflib_cell, ratio = "not run", "—"
        elif rd["p50"] is None:
            rdflib_cell, ratio = rd["note"], f"> {float(rd['note'][2:-2]) * 1000 / ox['p50']:,.0f}x"
        else:
            rdflib_cell, ratio = fmt(rd["p50"]), f"{rd['p50'] / ox['p50']:,.0f}x"
        print(
            f"| {name} | {fmt(ox['p50'])} / {fmt(ox['p99'])} | "
            f"{fmt(http.get('p50'))} / {fmt(http.get('p99'))} | {rdflib_cell} | {ratio} |"
        )
    t = result["throughput_lookup"]
    print(
        f"\nload: {result['triples']:,} quads, pyoxigraph {result['oxigraph_load_s']:.1f} s "
        f"(+{result['oxigraph_rss_mb']:.0f} MB)"
        + (
            f", rdflib {result['rdflib_load_s']:.1f} s (+{result['rdflib_rss_mb']:.0f} MB)"
            if "rdflib_load_s" in result
            else ""
        )
        + f"; server up in {result['serve_start_s']:.1f} s, process tree PSS "
        f"{result['server_rss_mb']:.0f} MB"
    )
    print(
        f"throughput (lookup, {t['clients']} clients): {t['req_per_s']:.0f} req/s, "
        f"p50 {t['p50_ms']:.1f} ms, p99 {t['p99_ms']:.1f} ms, errors {t['errors']}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--reps", type=int, default=100, help="repetitions per query")
    parser.add_argument("--budget", type=float, default=3.0, help="seconds per query and engine")
    parser.add_argument("--rdflib-max", type=int, default=10_000)
    parser.add_argument("--rdflib-limit", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="ecpl-bench-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            results.append(run_size(size, args, Path(tmp)))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    os.environ.pop("ECPL_ROOT", None)


if __name__ == "__main__":
    main()
