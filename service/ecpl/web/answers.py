"""What /sparql and /queries share: the request's parameters and the answer's response.

A SPARQL Protocol request names its parameters in the query string or a form body; the
answer's media type is negotiated from Accept and ``format=`` over the registry
(:mod:`ecpl.web.conneg`), and the written answer goes out with its type, ``Vary`` and the
truncation header.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Request, Response

from ecpl import results
from ecpl.errors import InputError
from ecpl.web import conneg
from ecpl.web.headers import TRUNCATED_HEADER


def negotiator(req: Request) -> conneg.Chooser:
    """The media type for an answer of a given kind (select/ask/graph), from this request."""
    return conneg.chooser(req.headers.get("Accept"), request_values(req, "format")[:1])


def answer_headers(answer: results.Serialised) -> list[tuple[str, str]]:
    """The headers of a written answer: its type, ``Vary``, the truncation header, its length."""
    out = [
        ("Content-Type", conneg.content_type(answer.media_type)),
        ("Content-Length", str(len(answer.body))),
        ("Vary", "Accept"),
    ]
    if answer.truncated:
        out.append((TRUNCATED_HEADER, f"true; {answer.truncated}"))
    return out


def answer_response(answer: results.Serialised) -> Response:
    """The response for a written answer (shared with /queries): body, type, truncation."""
    return Response(answer.body, status=200, headers=answer_headers(answer))


def query_args(req: Request) -> dict[str, list[str]]:
    """The query string decoded strictly as UTF-8 (InputError for bad bytes, not U+FFFD)."""
    cached: dict[str, list[str]] | None = getattr(req, "_ecpl_args", None)
    if cached is not None:
        return cached
    out: dict[str, list[str]] = {}
    for part in req.query_string.split(b"&"):
        if not part:
            continue
        key, _, value = part.partition(b"=")
        try:
            name = unquote_to_bytes(key.replace(b"+", b" ")).decode("utf-8")
            text = unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("the query string is not UTF-8 (after percent-decoding)") from None
        out.setdefault(name, []).append(text)
    req._ecpl_args = out  # type: ignore[attr-defined]
    return out


def request_values(req: Request, name: str) -> list[str]:
    """A parameter's values from the query string and, for a form POST, the form."""
    values = list(query_args(req).get(name, []))
    if req.method == "POST" and req.mimetype == "application/x-www-form-urlencoded":
        values += req.form.getlist(name)
    return values
