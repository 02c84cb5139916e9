"""A lean HTTP/1.1 load generator for loopback SPARQL endpoints, used when ``wrk`` is missing.

Each of ``--processes`` processes drives its share of ``--clients`` keep-alive connections from
one ``selectors`` loop over raw sockets (no HTTP library in the hot path), so one process can issue
well over 10,000 requests/s; the servers measured here need 2 processes to stay ahead of them.
The query may name ``%IRI%``: each request puts ``<PREFIX + random number below --random-count>``
there (a random case IRI). Bounded by ``--duration``; loopback only. Prints one line
``LOADGEN_JSON {...}`` (requests, errors, seconds, req/s, p50/p99 ms)::

    .venv/bin/python bench/loadgen.py --url http://127.0.0.1:7878/query \\
        --query 'SELECT ?p ?o WHERE { %IRI% ?p ?o }' \\
        --iri-prefix https://w3id.org/ecpl/case/bench- --random-count 10000 \\
        --clients 64 --duration 10
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import random
import selectors
import socket
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

PLACEHOLDER = "%IRI%"
RESULT_TAG = "LOADGEN_JSON "
LOOPBACK = ("127.0.0.1", "localhost", "::1")


# -- what every load generator reports -------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..1): the smallest value with at least q of all at or
    below it. NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def summarise(latencies_ms: list[float], errors: int, seconds: float) -> dict[str, Any]:
    """The figures a row of the table needs, from successful latencies and the error count."""
    ok = len(latencies_ms)
    return {
        "requests": ok,
        "errors": errors,
        "seconds": seconds,
        "rps": ok / seconds if seconds > 0 else 0.0,
        "p50_ms": percentile(latencies_ms, 0.50),
        "p99_ms": percentile(latencies_ms, 0.99),
    }


def parse_result(output: str, tag: str = RESULT_TAG) -> dict[str, Any]:
    """The summary a load generator printed on its ``tag`` line (the last one wins)."""
    found = [line[len(tag) :] for line in output.splitlines() if line.startswith(tag)]
    if not found:
        raise ValueError(f"no {tag.strip()} line in the load generator's output")
    return dict(json.loads(found[-1]))


# -- request texts ---------------------------------------------------------------------------
def split_query(query: str, iri_prefix: str) -> tuple[str, str]:
    """URL-encoded text before and after the random number, for ``?query=`` in a GET.

    ``query`` without the placeholder gives (whole query, ""): the same request every time.
    """
    if PLACEHOLDER not in query:
        return urllib.parse.quote(query, safe=""), ""
    before, after = query.split(PLACEHOLDER, 1)
    if PLACEHOLDER in after:
        raise ValueError(f"the query names {PLACEHOLDER} more than once")
    return (
        urllib.parse.quote(before + "<" + iri_prefix, safe=""),
        urllib.parse.quote(">" + after, safe=""),
    )


def check_loopback(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK:
        raise SystemExit(f"load generation is for http:// on loopback only, not {url}")
    return parts


# -- responses -------------------------------------------------------------------------------
def parse_response(buf: bytes | bytearray) -> tuple[int, int, bool] | None:
    """(bytes used, status, keep-alive) of the first complete HTTP/1.1 response in ``buf``, or
    None while it is incomplete. Handles Content-Length and chunked bodies; a response with
    neither (other than 1xx/204/304) ends at close, which the caller handles."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    lines = bytes(buf[:head_end]).split(b"\r\n")
    version, _, rest = lines[0].partition(b" ")
    status = int(rest[:3])
    headers: dict[bytes, bytes] = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().lower()
    connection = headers.get(b"connection", b"")
    keep_alive = (
        b"keep-alive" in connection if version == b"HTTP/1.0" else b"close" not in connection
    )
    body = head_end + 4
    if b"chunked" in headers.get(b"transfer-encoding", b""):
        end = _chunked_end(buf, body)
        return None if end is None else (end, status, keep_alive)
    if b"content-length" in headers:
        end = body + int(headers[b"content-length"])
        return (end, status, keep_alive) if len(buf) >= end else None
    if status in (204, 304) or 100 <= status < 200:
        return body, status, keep_alive
    return None  # body runs to the end of the connection


def _chunked_end(buf: bytes | bytearray, pos: int) -> int | None:
    while True:
        line_end = buf.find(b"\r\n", pos)
        if line_end < 0:
            return None
        size = int(bytes(buf[pos:line_end]).split(b";")[0], 16)
        pos = line_end + 2
        if size == 0:
            if buf[pos : pos + 2] == b"\r\n":
                return pos + 2
            trailers = buf.find(b"\r\n\r\n", pos)
            return None if trailers < 0 else trailers + 4
        if len(buf) < pos + size + 2:
            return None
        pos += size + 2


# -- the client ------------------------------------------------------------------------------
@dataclass
class _Conn:
    sock: socket.socket
    buf: bytearray = field(default_factory=bytearray)
    sent_at: float = 0.0


@dataclass
class Job:
    host: str
    port: int
    path: str  # ends with "?query=" (or "&query=")
    before: str
    after: str
    random_count: int
    accept: str
    connections: int
    duration_s: float
    timeout_s: float
    seed: int


def _request(job: Job, rng: random.Random) -> bytes:
    number = str(rng.randrange(job.random_count)) if job.after else ""
    return (
        f"GET {job.path}{job.before}{number}{job.after} HTTP/1.1\r\n"
        f"Host: {job.host}:{job.port}\r\nAccept: {job.accept}\r\n\r\n"
    ).encode("ascii")


def drive(job: Job) -> dict[str, Any]:
    """Keep ``job.connections`` requests in flight until the duration is over."""
    rng = random.Random(job.seed)
    selector = selectors.DefaultSelector()
    latencies: list[float] = []
    errors = 0
    clock = time.perf_counter

    def connect() -> _Conn:
        sock = socket.create_connection((job.host, job.port), timeout=job.timeout_s)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        conn = _Conn(sock)
        selector.register(sock, selectors.EVENT_READ, conn)
        return conn

    def send(conn: _Conn) -> None:
        conn.sent_at = clock()
        conn.sock.sendall(_request(job, rng))  # a few hundred bytes: fits the socket buffer

    def replace(conn: _Conn) -> None:
        selector.unregister(conn.sock)
        conn.sock.close()
        if clock() < deadline:
            send(connect())

    started = clock()
    deadline = started + job.duration_s
    for _ in range(job.connections):
        send(connect())
    next_check = started + 1.0
    while True:
        now = clock()
        if now >= deadline:
            break
        for key, _ in selector.select(min(deadline - now, 0.5)):
            conn: _Conn = key.data
            try:
                data = conn.sock.recv(262_144)
            except OSError:
                data = b""
            if not data:  # closed by the server
                errors += 1
                replace(conn)
                continue
            conn.buf += data
            parsed = parse_response(conn.buf)
            if parsed is None:
                continue
            used, status, keep_alive = parsed
            done = clock()
            if 200 <= status < 300:
                latencies.append((done - conn.sent_at) * 1000)
            else:
                errors += 1
            del conn.buf[:used]
            if not keep_alive:
                replace(conn)
            elif done < deadline:
                send(conn)
        if now >= next_check:  # requests with no answer within the timeout count as errors
            next_check = now + 1.0
            for key in list(selector.get_map().values()):
                stale: _Conn = key.data
                if now - stale.sent_at > job.timeout_s:
                    errors += 1
                    replace(stale)
    elapsed = clock() - started
    for key in list(selector.get_map().values()):
        key.fileobj.close()  # type: ignore[union-attr]
    selector.close()
    return {"latencies": latencies, "errors": errors, "seconds": elapsed}


def _child(job: Job, queue: Any) -> None:
    try:
        queue.put(drive(job))
    except Exception as exc:  # report, do not hang the parent
        queue.put({"latencies": [], "errors": 1, "seconds": job.duration_s, "fail": repr(exc)})


def run(
    url: str,
    query: str,
    *,
    clients: int,
    duration_s: float,
    processes: int = 2,
    iri_prefix: str = "",
    random_count: int = 1,
    accept: str = "application/sparql-results+json",
    timeout_s: float = 10.0,
    param: str = "query",
) -> dict[str, Any]:
    """Run the load and return :func:`summarise`'s figures (plus ``failures``)."""
    parts = check_loopback(url)
    before, after = split_query(query, iri_prefix)
    path = (parts.path or "/") + ("?" + parts.query + "&" if parts.query else "?") + param + "="
    processes = max(1, min(processes, clients))
    shares = [
        clients // processes + (1 if i < clients % processes else 0) for i in range(processes)
    ]
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    children = []
    for i, share in enumerate(shares):
        job = Job(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 80,
            path=path,
            before=before,
            after=after,
            random_count=max(1, random_count),
            accept=accept,
            connections=share,
            duration_s=duration_s,
            timeout_s=timeout_s,
            seed=1000 + i,
        )
        child = ctx.Process(target=_child, args=(job, queue), daemon=True)
        child.start()
        children.append(child)
    results = [queue.get(timeout=duration_s + timeout_s + 30) for _ in children]
    for child in children:
        child.join(5)
        if child.is_alive():
            child.kill()
    latencies = [value for result in results for value in result["latencies"]]
    summary = summarise(
        latencies,
        sum(result["errors"] for result in results),
        max(result["seconds"] for result in results),
    )
    summary["failures"] = [result["fail"] for result in results if "fail" in result]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the endpoint, http://127.0.0.1:PORT/PATH")
    parser.add_argument("--query", required=True, help=f"SPARQL text; {PLACEHOLDER} = random IRI")
    parser.add_argument("--iri-prefix", default="https://w3id.org/ecpl/case/bench-")
    parser.add_argument("--random-count", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8, help="connections in all")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument("--accept", default="application/sparql-results+json")
    args = parser.parse_args()
    summary = run(
        args.url,
        args.query,
        clients=args.clients,
        duration_s=args.duration,
        processes=args.processes,
        iri_prefix=args.iri_prefix,
        random_count=args.random_count,
        accept=args.accept,
        timeout_s=args.timeout,
    )
    print(RESULT_TAG + json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
