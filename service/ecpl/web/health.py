"""``/health``: is the store reachable, how many triples it holds, are query workers fenced.

It names the kind of store (memory, disk, remote), never its path or URL: the answer is public.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify

from ecpl.errors import EcplError
from ecpl.web.context import get_settings, get_store

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> tuple[Response, int]:
    settings = get_settings()
    kind = store_kind(settings.store)
    store = get_store()
    try:
        triples = store.triple_count()
    except EcplError as exc:
        log.warning("health check: the store did not answer: %s", exc)
        message = "the store did not answer; the operator's log has the details"
        return jsonify({"status": "unavailable", "store": kind, "message": message}), 503
    body: dict[str, object] = {"status": "ok", "store": kind, "triples": triples}
    isolation = getattr(store, "network_isolation", None)
    if isolation is not None:
        body["query_workers_network"] = isolation()
    return jsonify(body), 200


def store_kind(store: str) -> str:
    """``memory``, ``disk`` or ``remote``: what a public answer may say about the store."""
    if store.startswith(("http://", "https://")):
        return "remote"
    return "memory" if store.strip() in ("", "memory", ":memory:") else "disk"
