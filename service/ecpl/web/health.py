"""``/health``: is the store reachable, and how many triples does it hold."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ecpl.errors import EcplError
from ecpl.web.context import get_settings, get_store

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> tuple[Response, int]:
    settings = get_settings()
    kind = "remote" if settings.store.startswith(("http://", "https://")) else settings.store
    try:
        triples = get_store().triple_count()
    except EcplError as exc:
        return jsonify({"status": "unavailable", "store": kind, "message": str(exc)}), 503
    return jsonify({"status": "ok", "store": kind, "triples": triples}), 200
