"""A small loopback-only HTTP load generator (threads + requests), bounded in time.

Used by ``bench_queries.py`` for throughput under concurrent load::

    stats = run_load(lambda i: (url, params), clients=8, duration_s=10)
"""

from __future__ import annotations

import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

import requests

Request = Callable[[int], tuple[str, dict[str, str]]]  # i -> (url, query parameters)


@dataclass
class LoadStats:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _check_loopback(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"load generation is for loopback only, not {host}")


def run_load(
    make_request: Request,
    *,
    clients: int,
    duration_s: float,
    accept: str = "application/sparql-results+json",
    max_requests: int = 1_000_000,
) -> LoadStats:
    """``clients`` threads issue GETs from ``make_request`` until ``duration_s`` has passed."""
    _check_loopback(make_request(0)[0])
    latencies: list[float] = []
    errors = 0
    counter = 0
    lock = threading.Lock()
    deadline = time.monotonic() + duration_s

    def client() -> None:
        nonlocal errors, counter
        session = requests.Session()
        while time.monotonic() < deadline:
            with lock:
                if counter >= max_requests:
                    return
                counter += 1
                index = counter
            url, params = make_request(index)
            started = time.perf_counter()
            try:
                ok = session.get(url, params=params, headers={"Accept": accept}, timeout=60).ok
            except requests.RequestException:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors += 0 if ok else 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration_s + 90)
    seconds = time.monotonic() - started
    return LoadStats(
        requests=len(latencies),
        errors=errors,
        seconds=seconds,
        p50_ms=statistics.median(latencies) if latencies else float("nan"),
        p99_ms=percentile(latencies, 0.99),
    )
