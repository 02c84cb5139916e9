"""Response headers every page of the service shares: CORS, for browser tools on other origins.

Registered app-wide (``ecpl.web.app``), so the SPARQL endpoint, named queries, validation, the
graph store, the linked-data pages, ``/ontology``, ``/shapes``, VoID and ``/export`` can all be
fetched by a YASGUI, a notebook or a linked-data browser served from another origin.
"""

from __future__ import annotations

from flask import Response, request

from ecpl.web.context import get_settings

TRUNCATED_HEADER = "X-ECPL-Results-Truncated"  # set on query results cut at the row limit


def cors(response: Response) -> Response:
    """CORS headers for browser tools (YASGUI, notebooks), preflight included.

    Flask answers OPTIONS itself with the route's ``Allow`` header; this adds what a browser
    needs to go on with a POST carrying a SPARQL body or an Authorization header.
    """
    settings = get_settings()
    response.headers["Access-Control-Allow-Origin"] = settings.cors_origins
    response.headers["Access-Control-Expose-Headers"] = (
        f"Content-Type, Content-Disposition, Link, {TRUNCATED_HEADER}"
    )
    if request.method == "OPTIONS":
        allowed = response.headers.get("Allow") or "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Methods"] = allowed
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept, Authorization"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
