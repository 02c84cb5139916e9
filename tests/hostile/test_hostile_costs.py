"""Parse and validation cost stay within the caps: request size, the triple cap (stops the parse
when crossed), the validation time and memory limits (a worker process per upload), slow
clients. Time bounds here are generous: they prove "answered, not hung".
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hostile_kit import (
    AUTH,
    CASE_GRAPH,
    TIMEOUT_S,
    TOKEN,
    UPLOADERS,
    assert_clear_4xx,
    post_validate,
    sparql_get,
    warm_up,
)

from ecpl import intake
from ecpl.errors import TooLarge, Unavailable
from live_server import Server, start_server

pytestmark = pytest.mark.slow


def raw_request(server: Server, head: str, body: bytes, wait_s: float = 10) -> tuple[bytes, float]:
    """Send a request head and a few body bytes, never the rest; the answer and how long it took."""
    port = int(server.url.rsplit(":", 1)[1])
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait_s) as sock:
        sock.sendall(head.encode("ascii") + body)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            pass
    return data, time.monotonic() - started


@pytest.mark.parametrize(
    ("method", "path", "content_type", "auth"),
    [
        ("POST", "/validate", "text/turtle", ""),
        ("PUT", f"/data?graph={CASE_GRAPH}", "text/turtle", f"Authorization: Bearer {TOKEN}\r\n"),
        ("POST", "/sparql", "application/sparql-query", ""),
        ("POST", "/sparql", "application/x-www-form-urlencoded", ""),
    ],
)
def test_oversized_body_gets_413_before_it_is_read(
    server: Server, method: str, path: str, content_type: str, auth: str
) -> None:
    """Content-Length says 2 GB, a few bytes arrive: the answer is 413 at once, not a hang."""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {2 * 1024**3}\r\n{auth}Connection: close\r\n\r\n"
    )
    answer, elapsed = raw_request(server, head, b"<urn:x:a> <urn:x:b> ")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert elapsed < 5


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "/validate", "application/n-triples"),
        ("PUT", f"/data?graph={CASE_GRAPH}", "application/n-triples"),
        ("POST", "/sparql", "application/sparql-query"),
    ],
)
def test_chunked_body_over_the_limit_is_413(
    server: Server, method: str, path: str, content_type: str
) -> None:
    """A body without Content-Length (chunked) is refused once it passes the limit, not cut."""

    def chunks() -> Iterator[bytes]:
        line = b'<urn:x:a> <urn:x:b> "' + b"x" * 65_000 + b'" .\n'
        for _ in range(100):  # ~6.5 MB, above the 5 MB default
            yield line

    response = requests.request(
        method,
        server.url + path,
        data=chunks(),
        headers={"Content-Type": content_type, "Accept": "application/json", **AUTH},
        timeout=60,
    )
    assert response.status_code == 413, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/turtle", b"<urn:x:a> <urn:x:b> " + b"(" * 50_000 + b")" * 50_000 + b" ."),
        ("text/turtle", b"<urn:x:a> <urn:x:b> " + b"[" * 50_000 + b"]" * 50_000 + b" ."),
        ("application/ld+json", b"[" * 100_000 + b"]" * 100_000),
    ],
)
def test_deeply_nested_upload_is_400(
    server: Server, endpoint: str, content_type: str, body: bytes
) -> None:
    response = UPLOADERS[endpoint](server, body, content_type)
    assert_clear_4xx(response, 400, "")


def big_case(events: int) -> bytes:
    """A case graph of ``3 * events`` triples (about 80 bytes each), valid N-Triples."""
    ecpl = "https://w3id.org/ecpl/ontology#"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    lines = [f"<urn:x:c> <{rdf_type}> <{ecpl}Case> ."]
    for i in range(events):
        lines.append(f"<urn:x:c> <{ecpl}event> <urn:x:e{i}> .")
        lines.append(f"<urn:x:e{i}> <{rdf_type}> <{ecpl}Purchase> .")
        lines.append(f"<urn:x:e{i}> <{ecpl}agent> <urn:x:p{i % 50}> .")
    return "\n".join(lines).encode()


def test_validation_of_the_largest_upload_is_bounded_by_the_time_limit(server: Server) -> None:
    body = big_case(20_000)
    assert len(body) < 5 * 1024 * 1024
    started = time.monotonic()
    response = requests.post(
        server.url + "/validate",
        data=body,
        headers={"Content-Type": "application/n-triples", "Accept": "application/json"},
        timeout=120,
    )
    elapsed = time.monotonic() - started
    # refused by the triple cap (ECPL_MAX_CASE_TRIPLES, 413) or stopped by the time limit (503)
    assert response.status_code in (200, 413, 503), response.text[:300]
    assert elapsed < TIMEOUT_S + 5, f"validation ran {elapsed:.1f} s past a {TIMEOUT_S} s limit"


def test_queries_answer_while_a_big_case_is_validated(server: Server) -> None:
    """A long validation runs in its own worker process, not on the query path."""
    body = big_case(8_000)
    done: list[int] = []

    def validate() -> None:
        response = requests.post(
            server.url + "/validate",
            data=body,
            headers={"Content-Type": "application/n-triples", "Accept": "application/json"},
            timeout=120,
        )
        done.append(response.status_code)

    worker = threading.Thread(target=validate)
    worker.start()
    time.sleep(1.0)
    try:
        for _ in range(3):
            started = time.monotonic()
            answer = sparql_get(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 5")
            assert answer.status_code == 200
            assert time.monotonic() - started < 3
        still_validating = not done
    finally:
        worker.join(120)
    assert done in ([200], [503])  # validated, or stopped by the validation time limit
    assert still_validating, "the validation was too quick to show anything; use a bigger case"


def test_slow_clients_do_not_block_the_service(server: Server) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    held = []
    try:
        for _ in range(8):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            held.append(sock)
        time.sleep(0.5)
        try:
            answer = requests.get(server.url + "/health", timeout=5)
        except requests.Timeout:
            pytest.fail("8 half-sent requests made the service stop answering")
        assert answer.status_code == 200
    finally:
        for sock in held:
            sock.close()


VALIDATION_TIMEOUT_S = 4  # this module's server: ECPL_VALIDATION_TIMEOUT
SLACK_S = 10  # generous: the answer came, the service did not hang


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with a short validation limit and a triple cap above the big cases below, so
    the time limit (not the cap) is what stops them."""
    with start_server(
        "--timeout",
        str(TIMEOUT_S),
        "--workers",
        "2",
        "--update-token",
        TOKEN,
        env={
            "ECPL_MAX_CASE_TRIPLES": "30000",
            "ECPL_VALIDATION_TIMEOUT": str(VALIDATION_TIMEOUT_S),
        },
        log_dir=tmp_path_factory.mktemp("hostile-costs"),
    ) as running:
        warm_up(running)
        yield running


def many_platforms_case(platforms: int = 100, notices: int = 100) -> bytes:
    """A small case graph (some 40 KB) whose validation is costly: every risk notice concerns
    every platform's sellers' world (the review's 100 platforms x 100 risk notices)."""
    ecpl = "https://w3id.org/ecpl/ontology#"
    case = "https://w3id.org/ecpl/case/many"
    lines = [
        f"@prefix ecpl: <{ecpl}> .",
        f"<{case}> a ecpl:Case ; ecpl:holding <{case}/h> .",
        f"<{case}/h> a ecpl:Holding ; ecpl:dutyFoundBreached ecpl:RiskWarningDuty .",
    ]
    for p in range(platforms):
        lines.append(f"<{case}> ecpl:party <{case}/p{p}> .")
        lines.append(f"<{case}/p{p}> a ecpl:EcommercePlatformOperator .")
    for n in range(notices):
        lines.append(f"<{case}> ecpl:event <{case}/r{n}> .")
        lines.append(f"<{case}/r{n}> a ecpl:RiskNotice ; ecpl:concerns <{case}/p{n % platforms}> .")
    return "\n".join(lines).encode()


def test_a_costly_small_case_ends_within_the_validation_limit(server: Server) -> None:
    body = many_platforms_case()
    assert len(body) < 60_000
    started = time.monotonic()
    response = post_validate(server, body, "text/turtle")
    elapsed = time.monotonic() - started
    assert response.status_code in (200, 413, 503), response.text[:300]
    assert "Traceback" not in response.text
    assert elapsed < VALIDATION_TIMEOUT_S + SLACK_S, f"answered after {elapsed:.1f} s"


def test_a_literal_of_a_million_newlines_parses_in_linear_time(server: Server) -> None:
    """rdflib appended each line of a literal to a string (quadratic: 13 s for 1 MB)."""
    body = (
        '<?xml version="1.0"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
        '<rdf:Description rdf:about="https://w3id.org/ecpl/case/newlines"><rdfs:comment>'
        + "\n" * 1_000_000
        + "</rdfs:comment></rdf:Description></rdf:RDF>"
    ).encode()
    started = time.monotonic()
    response = post_validate(server, body, "application/rdf+xml")
    assert time.monotonic() - started < VALIDATION_TIMEOUT_S + SLACK_S
    assert response.status_code in (200, 503), response.text[:300]


def test_near_limit_uploads_at_once_are_all_answered_within_the_limits(server: Server) -> None:
    """Four near-limit uploads at once: each stops at the cap (413), at the time limit (503) or
    finds the workers busy (503); all are answered, none runs unbounded. (That the cap stops the
    parse itself, before the end of the input, is shown in tests/test_rdfio.py.)"""
    body = big_case(20_000)  # 60,001 triples, twice the cap of 30,000
    assert len(body) < 5 * 1024 * 1024
    answers: list[requests.Response] = []

    def upload() -> None:
        answers.append(post_validate(server, body, "application/n-triples"))

    threads = [threading.Thread(target=upload) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert time.monotonic() - started < 2 * VALIDATION_TIMEOUT_S + SLACK_S
    assert len(answers) == 4
    for answer in answers:
        assert answer.status_code in (413, 503), answer.text[:300]
        said = answer.json()["message"]
        assert any(why in said for why in ("30,000", "time limit", "busy")), said


def test_validations_do_not_wait_for_each_other(server: Server) -> None:
    """A long validation runs in its own process: a small case is answered meanwhile."""
    small = (
        Path(__file__).resolve().parents[2] / "data" / "cases" / "zhou-v-kuaike.ttl"
    ).read_bytes()
    long_done: list[int] = []
    worker = threading.Thread(
        target=lambda: long_done.append(
            post_validate(server, big_case(8_000), "application/n-triples").status_code
        )
    )
    worker.start()
    time.sleep(1.0)
    try:
        started = time.monotonic()
        answer = post_validate(server, small, "text/turtle")
        elapsed = time.monotonic() - started
        running = not long_done
    finally:
        worker.join(120)
    assert answer.status_code == 200, answer.text[:300]
    assert running, "the long validation ended too soon to show anything"
    assert elapsed < VALIDATION_TIMEOUT_S, f"the small case waited {elapsed:.1f} s"
    assert long_done in ([200], [503])


def test_health_answers_while_uploads_run(server: Server) -> None:
    body = many_platforms_case()
    threads = [
        threading.Thread(target=post_validate, args=(server, body, "text/turtle")) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        slowest = 0.0
        for _ in range(5):
            started = time.monotonic()
            assert requests.get(server.url + "/health", timeout=30).status_code == 200
            slowest = max(slowest, time.monotonic() - started)
    finally:
        for thread in threads:
            thread.join(120)
    assert slowest < 2.0, f"/health took {slowest:.1f} s while uploads ran"


# -- the worker mechanism itself, in this process ------------------------------------------
def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "slept"


def _limits(timeout_s: float = 10, memory_mb: int = 200) -> intake.Limits:
    return intake.Limits(max_bytes=1024, max_triples=10, timeout_s=timeout_s, memory_mb=memory_mb)


def test_a_job_past_the_memory_limit_is_413() -> None:
    runner = intake.Runner(1)
    with pytest.raises(TooLarge, match="memory"):
        runner.run(_allocate, (2048,), _limits(memory_mb=200))
    assert runner.run(_allocate, (10,), _limits(memory_mb=200)) == 10 * 1024 * 1024


def test_a_job_past_the_time_limit_is_killed() -> None:
    runner = intake.Runner(1)
    started = time.monotonic()
    with pytest.raises(Unavailable, match="time limit"):
        runner.run(_sleep, (60,), _limits(timeout_s=1))
    assert time.monotonic() - started < 1 + SLACK_S
    assert runner.run(_sleep, (0,), _limits()) == "slept"


def test_a_request_that_finds_no_free_worker_is_told_at_once() -> None:
    runner = intake.Runner(1)
    first = threading.Thread(target=runner.run, args=(_sleep, (3,), _limits()))
    first.start()
    time.sleep(0.5)
    try:
        started = time.monotonic()
        with pytest.raises(Unavailable, match="busy") as refused:
            runner.run(_sleep, (0,), _limits())
        assert time.monotonic() - started < 3
        assert refused.value.headers["Retry-After"]  # type: ignore[attr-defined]
    finally:
        first.join(30)


@pytest.mark.parametrize(
    ("env", "exit_code", "says"),
    [
        ({"ECPL_MAX_CASE_TRIPLES": "1000"}, 2, "1,000"),
        ({"ECPL_MAX_CASE_TRIPLES": "30000", "ECPL_VALIDATION_TIMEOUT": "1"}, 1, "time limit"),
    ],
)
def test_ecpl_load_runs_under_the_same_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], exit_code: int, says: str
) -> None:
    from click.testing import CliRunner

    from ecpl.cli import main

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    case = tmp_path / "big.nt"
    case.write_bytes(big_case(8_000))
    store = tmp_path / "db"
    result = CliRunner().invoke(main, ["load", str(case), "--store", str(store)])
    assert result.exit_code == exit_code, result.output
    assert says in result.output
    graph = "https://w3id.org/ecpl/graph/case/big"
    asked = CliRunner().invoke(
        main, ["query", "--store", str(store), f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"]
    )
    assert asked.output.strip() == "false"
