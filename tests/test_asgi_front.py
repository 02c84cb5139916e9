"""The fronts' HTTP path: :mod:`ecpl.web.asgi` (whole requests to the app) under granian.

Oracles: werkzeug's own environ builder and test client on the same app (what the adapter
must hand Flask and get back), and raw sockets against a running ``ecpl serve --processes 2``
for what must not block it (RFC 9112 heads and bodies sent slowly or never finished).
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask, Response, request
from werkzeug.test import EnvironBuilder

from ecpl.web.asgi import buffered, environ, read_body
from live_server import Server, start_server


def scope_for(method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query,
        "headers": headers,
        "http_version": "1.1",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
    }


def messages(*parts: bytes) -> Any:
    """An ASGI receive() giving the body in ``parts``."""
    queue = [
        {"type": "http.request", "body": part, "more_body": i < len(parts) - 1}
        for i, part in enumerate(parts)
    ]

    async def receive() -> dict:
        return queue.pop(0)

    return receive


def run_asgi(app: Any, scope: dict, receive: Any) -> tuple[int, dict[str, str], bytes]:
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, body = sent
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}
    return start["status"], headers, body["body"]


def echo_app() -> Flask:
    app = Flask("echo")

    @app.route("/<path:rest>", methods=["GET", "POST"])
    def echo(rest: str) -> Response:
        return Response(
            f"{rest}|{request.query_string.decode()}|{request.get_data().decode()}|"
            f"{request.headers.get('X-Twice')}",
            headers={"X-Out": "é".encode().decode("latin-1")},
        )

    return app


def test_environ_matches_werkzeugs_for_a_non_ascii_path_and_query() -> None:
    builder = EnvironBuilder(path="/case/不存在", query_string="q=%E4%B8%8D&x=1")
    expected = builder.get_environ()
    got = environ(scope_for("GET", "/case/不存在", b"q=%E4%B8%8D&x=1", []), b"")
    for key in ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "SCRIPT_NAME"):
        assert got[key] == expected[key], key


def test_repeated_headers_are_joined_and_content_headers_are_not_prefixed() -> None:
    headers = [
        (b"x-twice", b"a"),
        (b"X-Twice", b"b"),
        (b"content-type", b"text/turtle"),
        (b"content-length", b"3"),
    ]
    env = environ(scope_for("POST", "/", b"", headers), b"abc")
    assert env["HTTP_X_TWICE"] == "a, b"
    assert env["CONTENT_TYPE"] == "text/turtle" and env["CONTENT_LENGTH"] == "3"
    assert "HTTP_CONTENT_TYPE" not in env
    assert env["wsgi.input"].read() == b"abc"


def test_an_answer_through_the_adapter_equals_the_test_clients() -> None:
    app = echo_app()
    asgi = buffered(app, max_body=1000, max_head=4096, threads=2, body_timeout_s=5)
    headers = [(b"x-twice", b"1"), (b"x-twice", b"2"), (b"content-type", b"text/plain")]
    status, got, body = run_asgi(
        asgi, scope_for("POST", "/a/b", b"k=v", headers), messages(b"he", b"llo")
    )
    oracle = app.test_client().post(
        "/a/b?k=v", data=b"hello", headers=[("X-Twice", "1"), ("X-Twice", "2")]
    )
    assert status == oracle.status_code
    assert body == oracle.data
    assert got["x-out"] == oracle.headers["X-Out"]


def test_a_declared_length_over_the_limit_is_413_before_the_body_is_read() -> None:
    asgi = buffered(echo_app(), max_body=10, max_head=4096, threads=1, body_timeout_s=5)

    async def never() -> dict:
        raise AssertionError("the body was read")

    headers = [(b"content-length", b"11")]
    status, _, body = run_asgi(asgi, scope_for("POST", "/x", b"", headers), never)
    assert status == 413 and b"10 bytes" in body


def test_a_chunked_body_over_the_limit_is_413_at_the_first_part_past_it() -> None:
    asgi = buffered(echo_app(), max_body=10, max_head=4096, threads=1, body_timeout_s=5)
    status, _, _ = run_asgi(
        asgi, scope_for("POST", "/x", b"", []), messages(b"123456", b"78901", b"never read")
    )
    assert status == 413


def test_a_head_over_the_limit_is_431() -> None:
    asgi = buffered(echo_app(), max_body=10, max_head=200, threads=1, body_timeout_s=5)
    small = scope_for("GET", "/x", b"", [(b"x-pad", b"p" * 100)])
    assert run_asgi(asgi, small, messages(b""))[0] == 200
    large = scope_for("GET", "/x", b"", [(b"x-pad", b"p" * 200)])
    assert run_asgi(asgi, large, messages(b""))[0] == 431


def test_a_stalled_body_is_408_and_a_departed_client_gets_nothing() -> None:
    async def stalled() -> dict:
        await asyncio.sleep(10)
        return {}

    answer = asyncio.run(read_body(stalled, 100, 0.2))
    assert isinstance(answer, tuple) and answer[0] == 408

    async def gone() -> dict:
        return {"type": "http.disconnect"}

    assert asyncio.run(read_body(gone, 100, 1)) is None


# -- a running service with two fronts --------------------------------------------------------


@pytest.fixture(scope="module")
def fronts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with start_server(
        "--processes", "2", "--workers", "1", log_dir=tmp_path_factory.mktemp("fronts")
    ) as server:
        yield server


def _port(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


@pytest.mark.slow
@pytest.mark.parametrize(
    "partial",
    [
        b"GET /health HTTP/1.1\r\nHost: x\r\n",  # a head never finished
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 100\r\n\r\nSELEC",  # a body never finished
    ],
)
def test_forty_slow_clients_do_not_stop_the_fronts(fronts: Server, partial: bytes) -> None:
    held = []
    try:
        for _ in range(40):
            sock = socket.create_connection(("127.0.0.1", _port(fronts)), timeout=5)
            sock.sendall(partial)
            held.append(sock)
        time.sleep(0.5)
        for _ in range(5):
            started = time.monotonic()
            answer = requests.get(fronts.url + "/health", timeout=10)
            assert answer.status_code == 200
            assert time.monotonic() - started < 2
    finally:
        for sock in held:
            sock.close()


@pytest.mark.slow
def test_limits_at_the_fronts_are_clear_4xx(fronts: Server) -> None:
    big = "x" * 300_000
    answer = requests.post(
        fronts.url + "/sparql",
        data=big,
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert answer.status_code == 413 and "262144 bytes" in answer.text

    def chunks() -> Iterator[bytes]:
        for _ in range(1000):
            yield b"#" * 10_000  # 10 MB, chunked: refused long before the end

    answer = requests.post(
        fronts.url + "/validate", data=chunks(), headers={"Content-Type": "text/turtle"}, timeout=30
    )
    assert answer.status_code == 413
    head = requests.get(fronts.url + "/health", headers={"X-Big": "y" * 70_000}, timeout=30)
    assert head.status_code in (400, 413, 414, 431)
    assert requests.get(fronts.url + "/health", timeout=30).status_code == 200


@pytest.mark.slow
def test_a_front_logs_each_request_with_its_client(fronts: Server, tmp_path: Path) -> None:
    requests.get(fronts.url + "/health?probe=asgi-log", timeout=10)
    deadline = time.monotonic() + 5
    while "probe=asgi-log" not in fronts.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    line = next(x for x in fronts.output().splitlines() if "probe=asgi-log" in x)
    assert '127.0.0.1 "GET /health?probe=asgi-log" 200' in line
