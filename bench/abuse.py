"""Abuse benchmark: does ``ecpl serve`` stay up while clients send runaway queries and hostile
uploads? Not a test (nothing is asserted); it prints figures to compare over time.

Starts ``ecpl serve`` (production defaults, an update token) on a free loopback port, then for
``--duration`` seconds runs ``--clients`` threads that send, round robin, the attacks of the
security review (issue 13): runaway and memory-hungry queries, huge answers, billion laughs in
UTF-16, costly and oversized case graphs, unstorable Graph Store writes. Meanwhile a prober asks
``/health`` and a lookup (a linked-data page and a named query) every half second. Reports the
slowest and median probe, probe failures (no 200 within 30 s), the attacks' statuses (a 500 is a
failure) and the peak resident memory (RSS and PSS) of the server's whole process tree::

    .venv/bin/python bench/abuse.py --duration 60 --clients 10
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import process_tree, serve

TOKEN = "abuse-bench-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LAUGHS = """<?xml version="1.0" encoding="UTF-16"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
<rdf:Description rdf:about="urn:x:lol"><rdfs:label>&lol6;</rdfs:label></rdf:Description>
</rdf:RDF>""".encode("utf-16-le")


def many_platforms_case(platforms: int = 100, notices: int = 100) -> bytes:
    case = "https://w3id.org/ecpl/case/abuse"
    lines = ["@prefix ecpl: <https://w3id.org/ecpl/ontology#> .", f"<{case}> a ecpl:Case ."]
    for p in range(platforms):
        lines.append(f"<{case}> ecpl:party <{case}/p{p}> .")
        lines.append(f"<{case}/p{p}> a ecpl:EcommercePlatformOperator .")
    for n in range(notices):
        lines.append(f"<{case}> ecpl:event <{case}/r{n}> .")
        lines.append(f"<{case}/r{n}> a ecpl:RiskNotice ; ecpl:concerns <{case}/p{n % platforms}> .")
    return "\n".join(lines).encode()


def newlines_literal() -> bytes:
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
        '<rdf:Description rdf:about="urn:x:n"><rdfs:comment>'
        + "\n" * 1_000_000
        + "</rdfs:comment></rdf:Description></rdf:RDF>"
    ).encode()


def over_the_cap() -> bytes:
    line = "<urn:x:s> <urn:x:p> <urn:x:o{}> .\n"
    return "".join(line.format(i) for i in range(60_000)).encode()[: 5 * 1024 * 1024 - 100]


@dataclass(frozen=True)
class Attack:
    name: str
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


def attacks() -> list[Attack]:
    def query(name: str, text: str) -> Attack:
        return Attack(
            name, "POST", "/sparql", text.encode(), (("Content-Type", "application/sparql-query"),)
        )

    def upload(name: str, path: str, body: bytes, media: str, method: str = "POST") -> Attack:
        headers = (("Content-Type", media), *(AUTH.items() if path.startswith("/data") else ()))
        return Attack(name, method, path, body, headers)

    case = "/data?graph=https://w3id.org/ecpl/graph/case/abuse"
    return [
        query("cartesian", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),
        query(
            "nested-optional",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c "
            "OPTIONAL { ?d ?e ?f OPTIONAL { ?g ?h ?i } } }",
        ),
        query(
            "big-strings",
            "SELECT ?x WHERE { ?s ?p ?o BIND(REPLACE(REPLACE(REPLACE(STR(?o), "
            '"(.)", "$1$1$1$1$1$1$1$1"), "(.)", "$1$1$1$1$1$1$1$1"), "(.)", "$1$1$1$1") AS ?x) }'
            " LIMIT 300",
        ),
        query("regex", f'ASK {{ BIND("{"a" * 5000}!" AS ?o) FILTER regex(?o, "^(a+)+$") }}'),
        upload("laughs-utf16", "/validate", LAUGHS, "application/rdf+xml"),
        upload("100x100-case", "/validate", many_platforms_case(), "text/turtle"),
        upload("newlines", "/validate", newlines_literal(), "application/rdf+xml"),
        upload("over-cap", "/validate", over_the_cap(), "application/n-triples"),
        upload(
            "bad-id-put",
            case,
            b'{"@id": "http://x.org/a\\"b", "http://x.org/p": "v"}',
            "application/ld+json",
            "PUT",
        ),
        upload(
            "long-number",
            "/validate",
            b'{"@id": "http://x.org/a", "http://x.org/p": ' + b"9" * 5000 + b"}",
            "application/ld+json",
        ),
        Attack("export", "GET", "/export"),
    ]


def _kind(attack: Attack) -> str:
    return "queries" if attack.path == "/sparql" else "uploads"


def tree_memory(root: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes of the whole process tree under ``root``."""
    rss = pss = 0
    for pid, resident in process_tree(root).items():
        rss += resident
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
    return rss, pss


def run(duration: float, clients: int, kinds: str = "all") -> dict[str, object]:
    with serve("--update-token", TOKEN) as (url, process):
        warm = requests.post(  # the first upload loads the shapes: not part of the figures
            url + "/validate",
            data=b"<https://w3id.org/ecpl/case/w> a <https://w3id.org/ecpl/ontology#Case> .",
            headers={"Content-Type": "text/turtle"},
            timeout=300,
        )
        assert warm.status_code == 200, warm.text
        plan = [a for a in attacks() if kinds == "all" or kinds == _kind(a)]
        stop = time.monotonic() + duration
        statuses: dict[str, collections.Counter[int | str]] = collections.defaultdict(
            collections.Counter
        )
        probes: dict[str, list[float]] = {"health": [], "lookup": [], "named-query": []}
        probe_failures: list[str] = []
        peak = {"rss": 0, "pss": 0}
        lock = threading.Lock()

        def attacker(offset: int) -> None:
            n = offset
            with requests.Session() as session:
                while time.monotonic() < stop:
                    attack = plan[n % len(plan)]
                    n += 1
                    try:
                        answer = session.request(
                            attack.method,
                            url + attack.path,
                            data=attack.body,
                            headers=dict(attack.headers),
                            timeout=120,
                        )
                        status: int | str = answer.status_code
                    except requests.RequestException as exc:
                        status = type(exc).__name__
                    with lock:
                        statuses[attack.name][status] += 1

        checks = {
            "health": ("/health", {}),
            "lookup": ("/law/ecl/art/38/para/2", {"Accept": "text/turtle"}),
            "named-query": ("/queries/cq01-platform-terms", {"Accept": "text/csv"}),
        }

        def prober(name: str) -> None:
            path, headers = checks[name]
            while time.monotonic() < stop:
                started = time.monotonic()
                try:
                    ok: int | str = requests.get(
                        url + path, headers=headers, timeout=30
                    ).status_code
                except requests.RequestException as exc:
                    ok = type(exc).__name__
                elapsed = time.monotonic() - started
                with lock:
                    probes[name].append(elapsed)
                    if ok != 200:
                        probe_failures.append(f"{name}: {ok}")
                time.sleep(0.5)

        def sampler() -> None:
            while time.monotonic() < stop + 1:
                rss, pss = tree_memory(process.pid)
                peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)
                time.sleep(0.25)

        threads = [threading.Thread(target=attacker, args=(i,)) for i in range(clients)]
        threads += [threading.Thread(target=prober, args=(name,)) for name in checks]
        threads.append(threading.Thread(target=sampler))
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        alive = process.poll() is None
    server_errors = sum(c for s in statuses.values() for k, c in s.items() if k == 500)
    return {
        "duration_s": round(time.monotonic() - started, 1),
        "clients": clients,
        "attacks_sent": kinds,
        "server_alive": alive,
        "slowest_s": {k: round(max(v, default=0), 3) for k, v in probes.items()},
        "median_s": {k: round(statistics.median(v), 3) if v else None for k, v in probes.items()},
        "p90_s": {
            k: round(sorted(v)[int(0.9 * (len(v) - 1))], 3) if v else None
            for k, v in probes.items()
        },
        "probes": {k: len(v) for k, v in probes.items()},
        "probe_failures": probe_failures,
        "attack_500s": server_errors,
        "attacks": {k: dict(v) for k, v in sorted(statuses.items())},
        "peak_rss_mb": round(peak["rss"] / 2**20),
        "peak_pss_mb": round(peak["pss"] / 2**20),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument(
        "--attacks",
        choices=("all", "queries", "uploads"),
        default="all",
        help="all (default), only the runaway queries, or only the hostile uploads and export",
    )
    args = parser.parse_args(argv)
    figures = run(args.duration, args.clients, args.attacks)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
