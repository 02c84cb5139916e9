"""The Flask app as an ASGI app that reads each whole request before a thread sees it.

Why: the front processes serve HTTP with granian (its connection handling is Rust, not a Python
loop), and granian's own WSGI mode hands a request to a Python thread as soon as its head has
arrived, so a client that sends a head and then trickles its body holds that thread: sixteen
such clients stopped a front. Here the body is read on the event loop, under a size limit and a
time limit, and only a complete request goes to the thread pool that runs the WSGI app — the
property waitress gives the single-process server. Answers are whole bodies (the service writes
every answer within its byte caps), sent once the app returns.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger("ecpl.web")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Answer = tuple[int, list[tuple[str, str]], bytes]
_BODY_FIELDS = (b"content-length", b"transfer-encoding")  # the fields that frame a body


def environ(scope: Scope, body: bytes) -> dict[str, Any]:
    """The PEP 3333 environ for an ASGI HTTP scope and its whole body.

    PATH_INFO and QUERY_STRING are latin-1 strings of the request's bytes, as a WSGI server
    gives them (ASGI's path is already percent-decoded UTF-8). Repeated headers are joined
    with ", " (RFC 9110 §5.3), as waitress and werkzeug join them.
    """
    server = scope.get("server") or ("localhost", 80)
    env: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": scope["path"].encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": "HTTP/" + scope.get("http_version", "1.1"),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    client = scope.get("client")
    if client:
        env["REMOTE_ADDR"], env["REMOTE_PORT"] = str(client[0]), str(client[1])
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        key = name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + name
        env[key] = f"{env[key]}, {value}" if key in env else value
    return env


def call_wsgi(app: WSGIApp, env: dict[str, Any]) -> Answer:
    """Run the WSGI app to the end: (status, headers, whole body)."""
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [status, headers]
        return lambda data: None  # the legacy write() callable; Flask never uses it

    chunks = app(env, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    status, headers = started
    return int(status.split(" ", 1)[0]), headers, body


async def _send(send: Send, answer: Answer) -> None:
    status, headers, body = answer
    encoded = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    await send({"type": "http.response.start", "status": status, "headers": encoded})
    await send({"type": "http.response.body", "body": body})


def _too_large(max_bytes: int) -> Answer:
    return _plain(413, f"the request body is larger than this service's limit of {max_bytes} bytes")


def _plain(status: int, message: str) -> Answer:
    body = (message + "\n").encode("utf-8")
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    return status, headers, body


async def read_body(receive: Receive, max_bytes: int, timeout_s: float) -> bytes | Answer | None:
    """The whole request body; an error answer (413, 408) instead; None if the client left."""
    body = bytearray()
    more = True
    while more:
        try:
            async with asyncio.timeout(timeout_s):  # no task per part, as wait_for makes
                message = await receive()
        except TimeoutError:
            return _plain(408, f"the request body did not arrive within {timeout_s:g} s")
        if message["type"] == "http.disconnect":
            return None
        body += message.get("body", b"")
        if len(body) > max_bytes:
            return _too_large(max_bytes)
        more = bool(message.get("more_body", False))
    return bytes(body)


def head_bytes(scope: Scope) -> int:
    """The size of a request head as sent: request line and header fields (RFC 9112 §2.1)."""
    line = len(scope["method"]) + len(scope.get("raw_path") or scope["path"].encode()) + 11
    line += len(scope.get("query_string", b""))
    return line + sum(len(k) + len(v) + 4 for k, v in scope.get("headers", ()))


def buffered(
    app: WSGIApp, *, max_body: int, max_head: int, threads: int, body_timeout_s: float
) -> ASGIApp:
    """``app`` as an ASGI app: whole requests (head ≤ ``max_head`` bytes, body ≤ ``max_body``
    bytes, each part of the body within ``body_timeout_s``) run on ``threads`` threads."""
    pool = ThreadPoolExecutor(threads, thread_name_prefix="ecpl-app")

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if head_bytes(scope) > max_head:
            await _send(send, _plain(431, f"the request head is larger than {max_head} bytes"))
            return
        headers = scope.get("headers", ())
        framing = {k.lower(): v for k, v in headers if k.lower() in _BODY_FIELDS}
        declared = framing.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > max_body:  # refused before a byte is read
            await _send(send, _too_large(max_body))
            return
        # RFC 9112 §6.3: an HTTP/1.1 request without either field has no body. Only a GET or
        # HEAD skips the wait (HTTP/2 frames a body without them; the app ignores a GET body).
        bodiless = not framing and scope["method"] in ("GET", "HEAD")
        body = b"" if bodiless else await read_body(receive, max_body, body_timeout_s)
        if body is None:
            return
        if not isinstance(body, bytes):
            await _send(send, body)
            return
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(pool, call_wsgi, app, environ(scope, body))
        except Exception:  # Flask answers its own errors; this is a bug below it
            log.exception("the app failed outside its error handlers")
            answer = _plain(500, "internal error; it has been logged")
        await _send(send, answer)

    return asgi
