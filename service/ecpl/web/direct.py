"""The direct lane: ``GET /sparql?query=…`` answered without Flask's request machinery.

Why: a front process spent about 1.1 ms of CPU per lookup against 0.5 ms in its query workers,
and a third of the front's share was Flask's request context, URL routing, hooks and response
object (CPU ticks per request of the fronts, lookups at 8 clients: 1.08 ms through Flask,
0.74 ms without). On two cores that third is the difference between the issue's goals met and
missed.

The lane answers only the plain case: a GET on ``/sparql`` with one query, for a client that
does not prefer an HTML page. It uses the Flask route's own functions for every rule — reading
the parameters (:func:`ecpl.web.sparql.read_request`), the size limit, the page test, the
protocol's dataset parameters, negotiation and the base IRI
(:func:`ecpl.web.sparql.answer_query`), the store's policy and limits, the answer's headers,
the headers every page shares and the log line — so there is one home for each. Everything
else goes to Flask: POST, HEAD, updates, the service description, the results page and every
request those functions reject. An error raised while answering is rendered by Flask's error
handlers inside a request context, with its hooks, as the route's own errors are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, g
from flask.wrappers import Request
from werkzeug.wsgi import get_host

from ecpl.config import Settings
from ecpl.store.base import Store
from ecpl.web.accesslog import log_request
from ecpl.web.answers import answer_headers
from ecpl.web.context import SETTINGS_KEY, STORE_KEY
from ecpl.web.headers import shared_headers
from ecpl.web.resultspage import wants_page
from ecpl.web.sparql import answer_query, check_size, read_request

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PATH = "/sparql"


def lane(app: Flask) -> WSGIApp:
    """``app.wsgi_app`` with plain queries answered directly (install as ``app.wsgi_app``)."""
    through_flask = app.wsgi_app
    settings: Settings = app.extensions[SETTINGS_KEY]
    store: Store = app.extensions[STORE_KEY]

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != PATH:
            return through_flask(environ, start_response)
        started = time.perf_counter()
        plain = _plain_query(app, environ)
        if plain is None:
            return through_flask(environ, start_response)
        req, query = plain
        try:
            check_size(query, settings)
            answer = answer_query(req, store, query)
        except Exception as exc:  # noqa: BLE001  # every error: Flask's handlers render it
            return _flask_error(app, environ, start_response, started, exc)
        headers = answer_headers(answer) + shared_headers(settings, "GET", None)
        start_response("200 OK", headers)
        log_request(req.remote_addr, "GET", req.full_path, 200, len(answer.body), started)
        return [answer.body]

    return wsgi


def _plain_query(app: Flask, environ: dict[str, Any]) -> tuple[Request, str] | None:
    """(request, query text) when this lane answers the request; None sends it to Flask."""
    try:
        req = Request(environ)
        req.json_module = app.json
        # as Flask's URL adapter does: an untrusted Host is refused (by Flask, 400)
        if (trusted := app.config["TRUSTED_HOSTS"]) is not None:
            req.trusted_hosts = trusted
        req.host = get_host(environ, req.trusted_hosts)  # as Flask does
        query, update = read_request(req)
        if update is not None or query is None or not query.strip() or wants_page(req):
            return None
    except Exception:  # noqa: BLE001  # Flask reads it again and answers with its handlers
        return None
    return req, query


def _flask_error(
    app: Flask,
    environ: dict[str, Any],
    start_response: Callable[..., Any],
    started: float,
    exc: Exception,
) -> Iterable[bytes]:
    """The response Flask gives for ``exc``, the exception being handled (call in ``except``:
    Flask re-raises it when no handler takes it)."""
    with app.request_context(environ):
        g.ecpl_started = started
        response = app.finalize_request(app.handle_user_exception(exc))
    return response(environ, start_response)
