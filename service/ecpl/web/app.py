"""The Flask app factory: settings, store, error handlers, shared headers, log, blueprints."""

from __future__ import annotations

import importlib
import time
from pathlib import Path

from flask import Flask, Response, g, request, send_file

from ecpl.config import Settings
from ecpl.store import open_store
from ecpl.store.base import Store
from ecpl.web import direct, errors, headers
from ecpl.web.accesslog import log_request
from ecpl.web.context import SETTINGS_KEY, STORE_KEY

FAVICON = Path(__file__).resolve().parent / "static" / "favicon.ico"

# Blueprint modules, each exposing ``bp``: the SPARQL protocol, the graph store, health, named
# queries, validation, the editor, and the linked-data pages.
BLUEPRINTS = (
    "ecpl.web.sparql",
    "ecpl.web.graphstore",
    "ecpl.web.health",
    "ecpl.web.queries",
    "ecpl.web.validate",
    "ecpl.web.editor",
    "ecpl.linkeddata.web",
)


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """A configured app; opens (and loads) the store unless one is given."""
    settings = settings or Settings.from_env()
    app = Flask("ecpl.web")
    app.extensions[SETTINGS_KEY] = settings
    app.extensions[STORE_KEY] = store if store is not None else open_store(settings)
    app.config["MAX_CONTENT_LENGTH"] = max(settings.max_upload_bytes, settings.max_query_bytes)
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    errors.register(app)
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)
    app.after_request(headers.shared)  # every page, errors included, is open to browser tools

    @app.get("/favicon.ico")
    def _favicon() -> Response:
        return send_file(FAVICON, mimetype="image/vnd.microsoft.icon", max_age=86400)

    @app.before_request
    def _start_timer() -> None:
        g.ecpl_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        log_request(
            request.remote_addr,
            request.method,
            request.full_path,
            response.status_code,
            response.calculate_content_length(),
            g.get("ecpl_started", time.perf_counter()),
        )
        return response

    app.wsgi_app = direct.lane(app)  # type: ignore[method-assign,assignment]  # middleware idiom
    return app
