"""Response headers every page of the service shares: CORS, for browser tools on other origins,
and ``nosniff``.

Applied app-wide (``ecpl.web.app``) and by the direct query lane (``ecpl.web.direct``), so the
SPARQL endpoint, named queries, validation, the graph store, the linked-data pages,
``/ontology``, ``/shapes``, VoID and ``/export`` can all be fetched by a YASGUI, a notebook or a
linked-data browser served from another origin, and no browser takes a body for another type.
"""

from __future__ import annotations

from flask import Response, request

from ecpl.config import Settings
from ecpl.web.context import get_settings

TRUNCATED_HEADER = "X-ECPL-Results-Truncated"  # set on query results cut at the row limit


def shared_headers(settings: Settings, method: str, allow: str | None) -> list[tuple[str, str]]:
    """The headers every response carries, preflight ones for OPTIONS included.

    Flask answers OPTIONS itself with the route's ``Allow`` header (``allow``); a browser then
    needs these to go on with a POST carrying a SPARQL body or an Authorization header.
    """
    out = [
        # Browsers must take the declared type: an uploaded literal never runs as HTML/script.
        ("X-Content-Type-Options", "nosniff"),
        ("Access-Control-Allow-Origin", settings.cors_origins),
        (
            "Access-Control-Expose-Headers",
            f"Content-Type, Content-Disposition, Link, {TRUNCATED_HEADER}",
        ),
    ]
    if method == "OPTIONS":
        out += [
            ("Access-Control-Allow-Methods", allow or "GET, POST, OPTIONS"),
            ("Access-Control-Allow-Headers", "Content-Type, Accept, Authorization"),
            ("Access-Control-Max-Age", "86400"),
        ]
    return out


def shared(response: Response) -> Response:
    """Flask's after-request hook for :func:`shared_headers` (errors included)."""
    allow = response.headers.get("Allow")
    for name, value in shared_headers(get_settings(), request.method, allow):
        response.headers[name] = value
    return response
