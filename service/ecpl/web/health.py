"""``/health``: is the store reachable, how many triples it holds, are query workers fenced."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ecpl.errors import EcplError
from ecpl.web.context import get_settings, get_store

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> tuple[Response, int]:
    settings = get_settings()
    target = settings.store
    if target.startswith(("http://", "https://")):
        kind = "remote"
    elif target in ("", "memory", ":memory:"):
        kind = "memory"
    else:
        kind = "disk"  # never the path: it tells an attacker about the file system
    store = get_store()
    try:
        triples = store.triple_count()
    except EcplError as exc:
        return jsonify({"status": "unavailable", "store": kind, "message": str(exc)}), 503
    body: dict[str, object] = {"status": "ok", "store": kind, "triples": triples}
    isolation = getattr(store, "network_isolation", None)
    if isolation is not None:
        body["query_workers_network"] = isolation()
    return jsonify(body), 200
