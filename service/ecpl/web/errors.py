"""Error responses: one place mapping every failure to a status and a message the user can act on.

The body follows the client's Accept (JSON, HTML or plain text). A user's mistake is never a
500; an unexpected fault is logged with its trace on the server and answered 500 without one.
"""

from __future__ import annotations

import html
import json
import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from ecpl.errors import EcplError

log = logging.getLogger("ecpl.web")

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A response with ``message`` as JSON, HTML or text according to the request's Accept."""
    title = TITLES.get(status, "Error")
    best = request.accept_mimetypes.best_match(
        ["text/plain", "application/json", "text/html"], default="text/plain"
    )
    if best == "application/json" or (
        request.accept_mimetypes["application/sparql-results+json"]
        > request.accept_mimetypes["text/plain"]
        and best != "text/html"
    ):
        body = json.dumps(
            {"status": status, "error": title, "message": message}, ensure_ascii=False
        )
        mimetype = "application/json"
    elif best == "text/html":
        body = (
            f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{status} {title}</title>"
            f"<h1>{status} {title}</h1><p>{html.escape(message)}</p></html>"
        )
        mimetype = "text/html"
    else:
        body = f"{status} {title}: {message}\n"
        mimetype = "text/plain"
    response = Response(body, status=status, mimetype=mimetype)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    # The body follows Accept, and a 406 is an answer to Accept: caches must key on it.
    response.vary.add("Accept")
    return response


def _ecpl_error(exc: EcplError) -> Response:
    headers = dict(getattr(exc, "headers", None) or {})
    return error_response(exc.status, str(exc), headers)


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = exc.description or TITLES.get(status, "error")
    if status == 413:
        message = "the request body is larger than this service accepts"
    headers = {}
    allowed = getattr(exc, "valid_methods", None)
    if status == 405 and allowed:
        headers["Allow"] = ", ".join(allowed)
    return error_response(status, message, headers)


def _unexpected(exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return error_response(500, "an unexpected error occurred; it has been logged")


def register(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(EcplError, _ecpl_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
