"""Live servers for HTTP tests: ``ecpl serve`` (its production server) on a free 127.0.0.1 port.

``live_server`` (session scope) is the default read-only service; ``start_server`` starts one
with custom flags (update token, store path, timeout) and stops it on exit.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A running ``ecpl serve`` subprocess."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def start_server(
    *flags: str, env: dict[str, str] | None = None, log_dir: Path | None = None, wait_s: float = 60
) -> Iterator[Server]:
    """Start ``ecpl serve --port <free> [flags]``; yield once /health answers; stop on exit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_dir = log_dir or Path(os.environ.get("TMPDIR", "/tmp"))
    log = log_dir / f"ecpl-serve-{port}.log"
    full_env = {**os.environ, **(env or {})}
    if "ECPL_UPDATE_TOKEN" not in (env or {}):  # read-only unless the test asks otherwise
        full_env.pop("ECPL_UPDATE_TOKEN", None)
    command = [sys.executable, "-m", "ecpl", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, *flags], stdout=out, stderr=subprocess.STDOUT, env=full_env, cwd=ROOT
        )
    server = Server(process, url, log)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"ecpl serve exited early:\n{server.output()[-3000:]}")
            try:
                if requests.get(url + "/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"ecpl serve did not come up:\n{server.output()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a read-only ``ecpl serve`` (memory store, default settings, 5 s timeout)."""
    with start_server(
        "--timeout", "5", "--workers", "2", log_dir=tmp_path_factory.mktemp("serve")
    ) as server:
        yield server.url
