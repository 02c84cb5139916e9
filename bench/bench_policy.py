"""Benchmark: the SPARQL lexer and the policy that judges every query before it runs.

Times tokenizing and preparing (tokens, IRI resolution, checks, canonical text; the cache
bypassed) for a ~300-byte query and a ~10 KB query, with the old rdflib parse for
comparison, and preparing every named query in data/queries. Prints microseconds per
call (best of 5 runs).

    .venv/bin/python bench/bench_policy.py
"""

from __future__ import annotations

import timeit
from collections.abc import Callable
from pathlib import Path

from rdflib.plugins.sparql.parser import parseQuery

from ecpl.sparql import lexer
from ecpl.store import policy

ROOT = Path(__file__).resolve().parents[1]

SMALL = """PREFIX ecpl: <https://w3id.org/ecpl/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?platform ?label WHERE {
  ?platform a ecpl:Platform ; rdfs:label ?label .  # one label per language
  FILTER(LANG(?label) = "zh" && CONTAINS(STR(?label), "平台"))
} ORDER BY ?label LIMIT 20
"""


def large(size: int = 10_000) -> str:
    """A query of about ``size`` bytes: many OPTIONAL blocks with strings and comments."""
    parts = [SMALL.split("SELECT")[0], "SELECT * WHERE {\n"]
    i = 0
    while sum(map(len, parts)) < size:
        parts.append(
            f'  OPTIONAL {{ ?s{i} rdfs:label "x{i} # not a comment" ; ecpl:p{i} ?o{i} }}'
            f"  # block {i}\n"
        )
        i += 1
    parts.append("}\n")
    return "".join(parts)


def best_us(call: Callable[[], object], number: int) -> float:
    return min(timeit.repeat(call, number=number, repeat=5)) / number * 1e6


def main() -> None:
    named = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data/queries").glob("*.rq"))]
    cases = [("~300 B query", SMALL, 2000), ("~10 KB query", large(), 50)]
    prepare = policy._prepare
    print(f"{'input':34} {'bytes':>7} {'tokenize µs':>12} {'prepare µs':>11} {'rdflib µs':>10}")
    for name, text, number in cases:
        tokenize = best_us(lambda t=text: lexer.tokenize(t), number)
        judged = best_us(lambda t=text: prepare(t, None, (), False), number)
        rdflib = best_us(lambda t=text: parseQuery(t), max(1, number // 50))
        size = len(text.encode())
        print(f"{name:34} {size:>7} {tokenize:>12.1f} {judged:>11.1f} {rdflib:>10.0f}")
    total = sum(best_us(lambda t=t: prepare(t, None, (), False), 50) for t in named)
    print(f"all {len(named)} named queries: {total:.0f} µs to prepare")


if __name__ == "__main__":
    main()
