"""Load test: many concurrent clients against ``ecpl serve`` on loopback, bounded in time and count.

Starts ``ecpl serve`` (waitress, the production server) on a free 127.0.0.1 port unless
``--url`` names a running one (loopback only), then runs ``--clients`` threads for
``--duration`` seconds (at most ``--max-requests`` requests in all) over every named query
(``/queries/<name>``, defaults for their parameters) and ``/validate`` (a real case graph).

Reports throughput, p50/p99 latency overall and per endpoint, the error count, the server's
process tree before and after (a query worker that died or was replaced shows up as a changed
pid) and the resident memory of the whole tree sampled once a second (flat = no leak)::

    .venv/bin/python bench/load_test.py --clients 64 --duration 60
    .venv/bin/python bench/load_test.py --url http://127.0.0.1:8000 --json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
CASE_FILE = ROOT / "data" / "cases" / "zhou-v-kuaike.ttl"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# -- the server's process tree --------------------------------------------------------------
def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, resident pages) of a process, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        statm = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return int(fields[1]), int(statm[1])


def process_tree(root: int) -> dict[int, int]:
    """Every live process under ``root`` (itself included) -> resident bytes."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            info = _stat(int(entry.name))
            if info is not None:
                parents[int(entry.name)], rss[int(entry.name)] = info[0], info[1] * PAGE_SIZE
    tree = {root} if root in rss else set()
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return {pid: rss[pid] for pid in sorted(tree)}


def server_pid_for(url: str) -> int | None:
    """The pid listening on the URL's loopback port (from /proc/net/tcp), if it is ours to see."""
    port = urllib.parse.urlsplit(url).port
    if port is None:
        return None
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if int(parts[1].rsplit(":", 1)[1], 16) == port and parts[3] == "0A":
                    inodes.add(parts[9])
    candidates = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    candidates.append(int(entry.name))
                    break
    if not candidates:
        return None
    # the server (gunicorn: its master): holds the listening socket, its parent does not
    roots = [pid for pid in candidates if (_stat(pid) or (0, 0))[0] not in candidates]
    return min(roots or candidates)


# -- starting a server ------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(*flags: str, wait_s: float = 90) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``ecpl serve`` on a free loopback port: (url, process); stopped on exit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "ECPL_UPDATE_TOKEN"}
    log = tempfile.NamedTemporaryFile(prefix="ecpl-load-", suffix=".log", delete=False)  # noqa: SIM115
    command = [sys.executable, "-m", "ecpl", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [*command, *flags], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT
    )
    try:
        deadline = time.monotonic() + wait_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"ecpl serve exited early; see {log.name}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"ecpl serve did not come up; see {log.name}")
            time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


# -- the load ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    name: str
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def targets(url: str, validate_every: int) -> list[Target]:
    """The named queries (from /queries) and /validate, weighted: one validation in N requests."""
    listing = requests.get(url + "/queries", headers={"Accept": "application/json"}, timeout=30)
    listing.raise_for_status()
    accept = {"Accept": "application/sparql-results+json"}
    named = [
        Target(f"query:{q['name']}", "GET", q["url"], headers=accept)
        for q in listing.json()["queries"]
    ]
    validate = Target(
        "validate",
        "POST",
        "/validate",
        CASE_FILE.read_bytes(),
        {"Content-Type": "text/turtle", "Accept": "application/json"},
    )
    mix: list[Target] = []
    while len(mix) < validate_every * 2:
        mix.extend(named)
    first, second = mix[: validate_every - 1], mix[validate_every - 1 : 2 * validate_every - 2]
    return [*first, validate, *second, validate]


@dataclass
class Report:
    url: str
    clients: int
    duration_s: float
    requests: int
    errors: int
    error_samples: list[str]
    throughput_rps: float
    p50_ms: float
    p99_ms: float
    per_target: dict[str, dict[str, float]]
    pids_before: list[int]
    pids_after: list[int]
    workers_lost: int
    rss_mb: list[float]
    rss_growth_pct: float

    def text(self) -> str:
        lines = [
            f"{self.requests} requests from {self.clients} clients in {self.duration_s:.1f} s "
            f"against {self.url}",
            f"throughput {self.throughput_rps:.1f} req/s, p50 {self.p50_ms:.1f} ms, "
            f"p99 {self.p99_ms:.1f} ms, errors {self.errors}",
        ]
        for name, row in sorted(self.per_target.items()):
            lines.append(
                f"  {name:42s} n={int(row['n']):6d} p50={row['p50_ms']:8.1f} ms "
                f"p99={row['p99_ms']:8.1f} ms errors={int(row['errors'])}"
            )
        lines.append(
            f"processes before {self.pids_before} after {self.pids_after}: "
            f"{self.workers_lost} lost or replaced"
        )
        if self.rss_mb:
            lines.append(
                f"RSS of the process tree (MB, 1 s samples): first {self.rss_mb[0]:.0f}, "
                f"max {max(self.rss_mb):.0f}, last {self.rss_mb[-1]:.0f}; "
                f"growth after warm-up {self.rss_growth_pct:+.1f}%"
            )
        for sample in self.error_samples:
            lines.append(f"  error: {sample}")
        return "\n".join(lines)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def run_load(
    url: str,
    *,
    clients: int = 64,
    duration_s: float = 60,
    max_requests: int = 200_000,
    validate_every: int = 10,
    server_pid: int | None = None,
    request_timeout_s: float = 60,
) -> Report:
    """Hammer ``url`` (loopback only) and measure; see the module docstring."""
    host = urllib.parse.urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load-test {host}: loopback only")
    mix = targets(url, validate_every)
    for target in {t.name: t for t in mix}.values():  # warm-up: workers forked, shapes loaded
        requests.request(
            target.method, url + target.path, data=target.body, headers=target.headers, timeout=60
        )
    server_pid = server_pid or server_pid_for(url)
    before = process_tree(server_pid) if server_pid else {}
    latencies: dict[str, list[float]] = {t.name: [] for t in mix}
    errors: dict[str, int] = {t.name: 0 for t in mix}
    shed: dict[str, int] = {t.name: 0 for t in mix}  # 503 + Retry-After answers, then retried
    samples: list[str] = []
    count = 0
    lock = threading.Lock()
    stop = threading.Event()
    rss: list[float] = []

    def sample_memory() -> None:
        while not stop.wait(1.0):
            if server_pid:
                rss.append(sum(process_tree(server_pid).values()) / 2**20)

    def client(offset: int) -> None:
        nonlocal count
        session = requests.Session()
        i = offset
        while not stop.is_set():
            with lock:
                if count >= max_requests:
                    stop.set()
                    break
                count += 1
            target = mix[i % len(mix)]
            i += 1
            started = time.perf_counter()
            problem = None
            try:
                for _attempt in range(4):  # as real clients do: honour 503 + Retry-After
                    response = session.request(
                        target.method,
                        url + target.path,
                        data=target.body,
                        headers=target.headers,
                        timeout=request_timeout_s,
                    )
                    retry_after = response.headers.get("Retry-After", "")
                    if response.status_code != 503 or not retry_after.isdigit():
                        break
                    with lock:
                        shed[target.name] += 1
                    time.sleep(min(int(retry_after), 2))
                shed_answer = response.status_code == 503 and "Retry-After" in response.headers
                if response.status_code != 200 and not shed_answer:  # shed load is no error
                    problem = f"{target.name}: {response.status_code} {response.text[:200]}"
            except requests.RequestException as exc:
                problem = f"{target.name}: {type(exc).__name__}: {exc}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies[target.name].append(elapsed)
                if problem:
                    errors[target.name] += 1
                    if len(samples) < 10:
                        samples.append(problem)
        session.close()

    memory = threading.Thread(target=sample_memory, daemon=True)
    threads = [threading.Thread(target=client, args=(n * 7,), daemon=True) for n in range(clients)]
    started = time.monotonic()
    memory.start()
    for thread in threads:
        thread.start()
    stop.wait(duration_s)
    stop.set()
    for thread in threads:
        thread.join(request_timeout_s + 5)
    elapsed = time.monotonic() - started
    memory.join(2)
    after = process_tree(server_pid) if server_pid else {}
    everything = [ms for values in latencies.values() for ms in values]
    warm = rss[len(rss) // 4 :] if len(rss) >= 4 else rss
    growth = (warm[-1] - warm[0]) / warm[0] * 100 if len(warm) >= 2 and warm[0] else 0.0
    return Report(
        url=url,
        clients=clients,
        duration_s=elapsed,
        requests=len(everything),
        errors=sum(errors.values()),
        error_samples=samples,
        throughput_rps=len(everything) / elapsed if elapsed else 0.0,
        p50_ms=percentile(everything, 50),
        p99_ms=percentile(everything, 99),
        per_target={
            name: {
                "n": len(values),
                "p50_ms": percentile(values, 50),
                "p99_ms": percentile(values, 99),
                "mean_ms": statistics.fmean(values) if values else 0.0,
                "errors": errors[name],
                "shed_503": shed[name],
            }
            for name, values in latencies.items()
        },
        pids_before=sorted(before),
        pids_after=sorted(after),
        workers_lost=len(set(before) - set(after)),
        rss_mb=[round(value, 1) for value in rss],
        rss_growth_pct=growth,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running service on loopback (default: start one)")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=60, help="seconds")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--validate-every", type=int, default=10, help="1 in N is /validate")
    parser.add_argument("--workers", type=int, default=2, help="query workers of the server")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0 or args.max_requests < 1:
        parser.error("--clients, --duration and --max-requests must be positive")
    options = {
        "clients": args.clients,
        "duration_s": args.duration,
        "max_requests": args.max_requests,
        "validate_every": max(2, args.validate_every),
    }
    if args.url:
        report = run_load(args.url.rstrip("/"), **options)
    else:
        with serve("--workers", str(args.workers)) as (url, process):
            report = run_load(url, server_pid=process.pid, **options)
    print(json.dumps(asdict(report), indent=2) if args.json else report.text())
    return 1 if report.errors or report.workers_lost else 0


if __name__ == "__main__":
    sys.exit(main())
