"""The serve-vs-peers benchmark's own logic, without servers and without timing assertions:
percentiles, HTTP response framing in the load generator, parsing of wrk's and the load
generator's output, the answer comparison and the Markdown table with its ratios."""

from __future__ import annotations

import math
import os
import random
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import loadgen
import serve_vs_peers as harness

XSD = "http://www.w3.org/2001/XMLSchema#"


# -- percentiles (nearest-rank definition) ----------------------------------------------------
def test_percentile_is_nearest_rank() -> None:
    # The nearest-rank worked example: {15, 20, 35, 40, 50} -> P30 = 20, P40 = 20, P50 = 35,
    # P100 = 50 (rank = ceil(P/100 * N)).
    values = [50.0, 15.0, 40.0, 20.0, 35.0]
    assert loadgen.percentile(values, 0.30) == 20
    assert loadgen.percentile(values, 0.40) == 20
    assert loadgen.percentile(values, 0.50) == 35
    assert loadgen.percentile(values, 1.00) == 50
    assert loadgen.percentile(values, 0.0) == 15


def test_percentile_of_1_to_1000_and_of_nothing() -> None:
    values = [float(v) for v in range(1, 1001)]
    random.Random(3).shuffle(values)
    assert loadgen.percentile(values, 0.50) == 500
    assert loadgen.percentile(values, 0.99) == 990
    assert math.isnan(loadgen.percentile([], 0.5))


def test_summarise_counts_only_successes_as_throughput() -> None:
    summary = loadgen.summarise([1.0, 2.0, 3.0, 4.0], errors=6, seconds=2.0)
    assert summary["requests"] == 4
    assert summary["errors"] == 6
    assert summary["rps"] == 2.0
    assert summary["p50_ms"] == 2.0
    assert summary["p99_ms"] == 4.0


# -- HTTP response framing ----------------------------------------------------------------------
def test_content_length_response_complete_and_incomplete() -> None:
    body = b'{"head":{}}'
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
    assert loadgen.parse_response(head + body) == (len(head) + 11, 200, True)
    assert loadgen.parse_response(head + body[:5]) is None
    assert loadgen.parse_response(head[:20]) is None


def test_pipelined_responses_use_only_the_first() -> None:
    one = b"HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\nno!"
    two = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
    used, status, keep_alive = loadgen.parse_response(one + two) or (0, 0, False)
    assert (used, status, keep_alive) == (len(one), 404, True)
    assert loadgen.parse_response((one + two)[used:]) == (len(two), 200, True)


def test_chunked_response() -> None:
    # RFC 9112 §7.1: chunk-size in hex, optional extensions after ";", a last chunk of 0,
    # then optional trailer fields and an empty line.
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    body = b"5\r\nhello\r\nA;ext=1\r\n0123456789\r\n0\r\n\r\n"
    assert loadgen.parse_response(head + body) == (len(head + body), 200, True)
    with_trailer = b"5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n"
    assert loadgen.parse_response(head + with_trailer) == (len(head + with_trailer), 200, True)
    for cut in (len(head) + 3, len(head) + 9, len(head + body) - 2):
        assert loadgen.parse_response((head + body)[:cut]) is None


def test_keep_alive_rules() -> None:
    closing = b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    assert loadgen.parse_response(closing) == (len(closing), 503, False)
    old = b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"
    assert loadgen.parse_response(old) == (len(old), 200, False)
    old_kept = b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"
    assert loadgen.parse_response(old_kept) == (len(old_kept), 200, True)
    no_body = b"HTTP/1.1 204 No Content\r\n\r\n"
    assert loadgen.parse_response(no_body) == (len(no_body), 204, True)


# -- request texts --------------------------------------------------------------------------
def test_split_query_puts_a_random_iri_in_place() -> None:
    query = "SELECT ?p ?o WHERE { %IRI% ?p ?o }"
    before, after = loadgen.split_query(query, "https://w3id.org/ecpl/case/bench-")
    for part in (before, after):
        assert all(c not in part for c in " <>{}?&#")  # safe inside ?query=
    decoded = urllib.parse.unquote(before + "42" + after)
    assert decoded == "SELECT ?p ?o WHERE { <https://w3id.org/ecpl/case/bench-42> ?p ?o }"
    fixed, nothing = loadgen.split_query("ASK {}", "x")
    assert (urllib.parse.unquote(fixed), nothing) == ("ASK {}", "")
    with pytest.raises(ValueError, match="more than once"):
        loadgen.split_query("%IRI% %IRI%", "x")


def test_load_generation_is_refused_off_loopback() -> None:
    with pytest.raises(SystemExit, match="loopback"):
        loadgen.check_loopback("http://example.org/sparql")
    with pytest.raises(SystemExit, match="loopback"):
        loadgen.check_loopback("https://127.0.0.1/sparql")


# -- output of the load generators ------------------------------------------------------------
def test_parse_loadgen_output() -> None:
    output = (
        "some warning\n"
        'LOADGEN_JSON {"requests": 10, "errors": 1, "seconds": 2.0, "rps": 5.0, '
        '"p50_ms": 1.5, "p99_ms": 9.0, "failures": []}\n'
    )
    assert loadgen.parse_result(output)["rps"] == 5.0
    with pytest.raises(ValueError, match="LOADGEN_JSON"):
        loadgen.parse_result("Traceback (most recent call last): ...\n")


WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:37579/query?query=
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.35ms    2.38ms  20.34ms   71.67%
    Req/Sec     7.25k   513.80     8.48k    79.00%
  145000 requests in 10.00s, 24.22MB read
  Non-2xx or 3xx responses: 5000
Requests/sec:  14500.00
WRK_JSON {"requests": 145000, "duration_us": 10000000, "connect": 0, "read": 2, "write": 0, \
"status": 5000, "timeout": 3, "p50_us": 3500, "p99_us": 12250}
"""


def test_parse_wrk_output() -> None:
    figures = harness.parse_wrk(WRK_OUTPUT)
    # 145,000 responses of which 5,000 non-2xx, in 10 s: 14,000 successful req/s.
    assert figures["requests"] == 140_000
    assert figures["rps"] == pytest.approx(14_000)
    assert figures["errors"] == 5_000 + 2 + 3
    assert figures["p50_ms"] == pytest.approx(3.5)
    assert figures["p99_ms"] == pytest.approx(12.25)
    with pytest.raises(ValueError, match="WRK_JSON"):
        harness.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_wrk_script_carries_the_request_parts() -> None:
    before, after = loadgen.split_query("SELECT * WHERE { %IRI% ?p ?o }", "urn:x:")
    script = harness.wrk_script(before, after, 10_000)
    assert f'local before = "{before}"' in script
    assert f'local after = "{after}"' in script
    assert "math.random(0, count - 1)" in script and "local count = 10000" in script


# -- the answer check ---------------------------------------------------------------------------
def _doc(*rows: dict) -> dict:
    names = sorted({name for row in rows for name in row})
    return {"head": {"vars": names}, "results": {"bindings": list(rows)}}


def test_answer_key_treats_equal_values_alike() -> None:
    ecpl = _doc(
        {"n": {"type": "literal", "value": "1200.0", "datatype": XSD + "decimal"}},
        {"n": {"type": "literal", "value": "a", "datatype": XSD + "string"}},
        {"n": {"type": "literal", "value": "周", "xml:lang": "zh"}},
    )
    peer = _doc(  # other order, 1200 without a fraction, a plain literal, Virtuoso's typed-literal
        {"n": {"type": "literal", "value": "周", "xml:lang": "ZH"}},
        {"n": {"type": "literal", "value": "a"}},
        {"n": {"type": "typed-literal", "value": "1200", "datatype": XSD + "decimal"}},
    )
    assert harness.answer_key(ecpl) == harness.answer_key(peer)


def test_answer_key_tells_different_answers_apart() -> None:
    one = _doc({"p": {"type": "uri", "value": "urn:a"}})
    assert harness.answer_key(one) != harness.answer_key(
        _doc({"p": {"type": "uri", "value": "urn:b"}})
    )
    assert harness.answer_key(one) != harness.answer_key(
        _doc({"p": {"type": "literal", "value": "urn:a"}})
    )
    twice = _doc({"p": {"type": "uri", "value": "urn:a"}}, {"p": {"type": "uri", "value": "urn:a"}})
    assert harness.answer_key(one) != harness.answer_key(twice)  # duplicates count
    unbound = {
        "head": {"vars": ["p", "q"]},
        "results": {"bindings": [{"p": {"type": "uri", "value": "urn:a"}}]},
    }
    bound = _doc({"p": {"type": "uri", "value": "urn:a"}, "q": {"type": "uri", "value": "urn:a"}})
    assert harness.answer_key(unbound) != harness.answer_key(bound)


def test_compare_answers_names_the_server_and_query_that_differ() -> None:
    labels = {"ecpl": "ecpl serve", "oxigraph": "Oxigraph server"}
    count = harness.answer_key(
        _doc({"n": {"type": "literal", "value": "15", "datatype": XSD + "integer"}})
    )
    other = harness.answer_key(
        _doc({"n": {"type": "literal", "value": "14", "datatype": XSD + "integer"}})
    )
    same = harness.compare_answers({"ecpl": {"count": count}, "oxigraph": {"count": count}}, labels)
    assert same.startswith("every server gave the same rows")
    differ = harness.compare_answers(
        {"ecpl": {"count": count}, "oxigraph": {"count": other}}, labels
    )
    assert "DIFFERENT" in differ and "Oxigraph server differs on count" in differ
    assert "14 vs 15" in differ
    missing = harness.compare_answers({"ecpl": {"count": count}, "oxigraph": {}}, labels)
    assert "Oxigraph server gave no answer to count" in missing
    # an answer the server said it cut is reported as cut, not as a different answer
    why = "cut: true; results cut at the response size limit of 67108864 bytes"
    cut = harness.compare_answers({"ecpl": {"count": why}, "oxigraph": {"count": count}}, labels)
    assert "DIFFERENT" in cut and f"ecpl serve cut its answer to count ({why})" in cut
    assert "differs" not in cut
    alone = harness.compare_answers({"ecpl": {"count": why}}, labels)
    assert "cut its answer" in alone


# -- the table ------------------------------------------------------------------------------
def _load(rps: float, p50: float, p99: float, errors: int = 0) -> dict:
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "errors": errors, "requests": 1, "seconds": 1}


RESULTS: dict[str, dict[str, Any] | None] = {
    "ecpl": {
        "lookup8": _load(3000, 2.0, 9.0),
        "lookup64": _load(2800, 20.0, 80.0),
        "join8": _load(2000, 3.0, 12.0, errors=7),
        "aggregate": {"median_ms": 60.0, "n": 50},
        "named": {"median_ms": 90.0, "n": 40},
        "startup": 4.0,
        "startup_own": 1.5,
        "startup100k": 25.0,
        "memory": {"pss_mb": 600.0, "rss_mb": 900.0, "procs": 3},
        "notes": {},
    },
    "oxigraph": {
        "lookup8": _load(15000, 0.4, 2.0),
        "lookup64": _load(12000, 5.0, 9.0),
        "join8": _load(14000, 0.5, 2.0),
        "aggregate": {"median_ms": 45.0, "n": 50},
        "named": None,
        "startup": 0.5,
        "memory": {"pss_mb": 250.0, "rss_mb": 260.0, "procs": 1},
        "memory_note": "data in files",
        "notes": {"named": "> 120 s"},
    },
    "rdflib-endpoint": None,
}
META: dict[str, Any] = {
    "cases": 10_000,
    "quads": 493_641,
    "labels": {
        "ecpl": "ecpl serve",
        "oxigraph": "Oxigraph server",
        "rdflib-endpoint": "rdflib-endpoint",
    },
    "named": "cq07-presumed-fault-cases",
    "duration": 10,
    "loadgen": "wrk -t2",
    "load_before": "3.1 2.0 1.0",
    "load_after": "3.5 2.2 1.1",
    "bare_pss_mb": 200.0,
    "answers": "every server gave the same rows for count (count: 1 rows).",
}


def _row(table: str, label: str) -> list[str]:
    lines = [line for line in table.splitlines() if line.startswith(f"| {label} |")]
    assert lines, f"no row {label!r}"
    return [c.strip() for c in lines[0].strip("|").split("|")]


def test_table_has_absolute_figures_for_every_row_and_server() -> None:
    table = harness.render_markdown(RESULTS, META)
    assert "| | ecpl serve | Oxigraph server | rdflib-endpoint |" in table
    assert "493,641 quads" in table and "3.1 2.0 1.0" in table and "3.5 2.2 1.1" in table
    lookup = _row(table, "lookup by case IRI, 8 clients")
    assert lookup[1] == "3,000 req/s, p50 2.00 ms, p99 9.00 ms"
    assert lookup[2] == "15,000 req/s, p50 0.40 ms, p99 2.00 ms"
    assert lookup[3] == "not run"
    assert "7 errors" in _row(table, "3-pattern join, 8 clients")[1]
    assert _row(table, "named query cq07-presumed-fault-cases, one client")[2] == "> 120 s"
    memory = _row(table, "memory of the process tree")
    assert memory[1:3] == [
        "PSS 600 MB (RSS 900 MB, 3 proc.)",
        "PSS 250 MB (RSS 260 MB, 1 proc.); data in files",
    ]
    assert "PSS 200 MB" in table
    assert META["answers"] in table


def test_ratio_table_is_ecpl_over_peer() -> None:
    table = harness.render_markdown(RESULTS, META)
    ratios = table[table.index("Ratios ecpl/peer") :]
    header = "| | ecpl serve / Oxigraph server | ecpl serve / rdflib-endpoint |"
    assert header in ratios
    assert _row(ratios, "lookup by case IRI, 8 clients")[1:] == ["0.20×", "—"]  # 3000 / 15000
    assert _row(ratios, "GROUP BY over all cases, one client")[1] == "1.33×"  # 60 / 45
    assert _row(ratios, "startup (start to first answer)")[1] == "8.00×"  # 4.0 / 0.5
    assert _row(ratios, "memory of the process tree")[1] == "2.40×"  # 600 / 250
    assert _row(ratios, "named query cq07-presumed-fault-cases, one client")[1] == "—"


def test_goals_of_the_issue_are_judged_from_the_figures() -> None:
    goals = harness.goal_lines(RESULTS, META)
    text = "\n".join(goals)
    assert "lookups at 64 clients / Oxigraph ≥ 0.2: 0.23 (met)" in text  # 2800 / 12000
    assert "lookups at 64 clients / own 8-client rate ≥ 0.9: 0.93 (met)" in text  # 2800 / 3000
    assert "p99 at 64 clients ≤ 100 ms: 80.00 (met)" in text
    assert "aggregate / Oxigraph ≤ 1.5: 1.33 (met)" in text
    assert "startup on the project's own data ≤ 2 s: 1.50 (met)" in text
    assert "PSS / bare pyoxigraph store ≤ 2: 3.00 (not met)" in text  # 600 / 200
    assert "rdflib-endpoint" not in text  # no figures, no judgement
    assert "named query" not in text


# -- process tree memory ------------------------------------------------------------------------
def test_session_and_memory_of_this_process() -> None:
    assert os.getpid() in harness.session_pids(os.getsid(0))
    pss, rss = harness.smaps_rollup(os.getpid())
    assert 0 < pss <= rss
    assert harness.smaps_rollup(2**22 + 12345) == (0.0, 0.0)  # above pid_max: no such process
    tree = harness.tree_memory([os.getpid()])
    assert tree["procs"] == 1 and tree["pss_mb"] > 0
