"""/queries: the named liability queries, listed (HTML, JSON) and run with bound parameters.

Parameters arrive as query-string text and become RDF terms through
:meth:`ecpl.queries.NamedQuery.bindings`; the store binds them as terms, so a user's text is
never spliced into SPARQL. Results go through the same content negotiation as /sparql.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from ecpl import queries as named
from ecpl.errors import EcplError, InputError
from ecpl.store import policy
from ecpl.web.answers import answer_response, negotiator
from ecpl.web.conneg import choose_format
from ecpl.web.context import get_settings, get_store

bp = Blueprint("queries", __name__, template_folder="templates")

SPARQL_QUERY_TYPE = "application/sparql-query"
# Query-string keys that steer the response, not the query (never taken as parameters).
RESERVED = frozenset({"format"})
# Listing formats; the first answers */* and requests without Accept.
LISTING_TYPES = {"json": "application/json", "html": "text/html"}


def query_form(text: str) -> str:
    """``select``, ``ask``, ``construct`` or ``describe``: which result formats apply."""
    try:
        return policy.prepare_query(text).form
    except EcplError:  # the store refuses it with the message when it is run
        return "select"


def describe(query: named.NamedQuery) -> dict[str, Any]:
    """The listing entry of one named query (what the JSON and HTML listings show)."""
    return {
        "name": query.name,
        "title": dict(query.title),
        "description": dict(query.description),
        "competency_question": query.competency_question,
        "form": query_form(query.text),
        "parameters": [
            {
                "name": param.name,
                "type": param.type,
                "required": param.required,
                "default": param.default,
                "label": dict(param.label),
            }
            for param in query.params
        ],
        "url": url_for("queries.run", name=query.name),
        "sparql_url": url_for("queries.run", name=query.name + ".rq"),
    }


def _all() -> dict[str, named.NamedQuery]:
    return named.load_all(get_settings().root)


def _get(name: str) -> named.NamedQuery:
    return named.get(name, get_settings().root)


@bp.get("/queries")
def index() -> Response | str:
    """The named queries as an HTML page or a JSON document."""
    queries = _all()
    entries = [describe(query) for query in queries.values()]
    chosen = choose_format(LISTING_TYPES)
    if chosen == "json":
        body = json.dumps({"queries": entries}, ensure_ascii=False, indent=2)
        response = Response(body, mimetype="application/json")
    else:
        from ecpl.web.editor import examples  # the same links the editor shows

        in_editor = {example["name"]: example["href"] for example in examples(queries)}
        page = render_template("queries.html", queries=entries, in_editor=in_editor)
        response = Response(page, mimetype="text/html")
    response.vary.add("Accept")
    return response


@bp.get("/queries/<name>")
def run(name: str) -> Response:
    """Run a named query (``?param=…``), or give its text (``<name>.rq``, ``?format=sparql``)."""
    as_text = name.endswith(".rq") or request.args.get("format") == "sparql"
    query = _get(name.removesuffix(".rq"))
    if as_text:
        return Response(query.text, mimetype=SPARQL_QUERY_TYPE)
    raw: dict[str, str] = {}
    for key in request.args:
        if key in RESERVED:
            continue
        values = request.args.getlist(key)
        if len(values) != 1:
            raise InputError(f"parameter {key!r} given {len(values)} times; give it once")
        raw[key] = values[0]
    terms = query.bindings(raw)
    answer = get_store().serialise(query.text, negotiator(request), bindings=terms, lane="known")
    return answer_response(answer)
