"""``/data?graph=<IRI>``: the W3C Graph Store HTTP Protocol for stored case graphs.

GET is open to all; PUT (replace), POST (add) and DELETE need the update token. A case graph
is parsed with the hardened reader and validated on the way in; its findings go to the paired
``…/findings`` graph (see :mod:`ecpl.store.cases`).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from ecpl.errors import InputError
from ecpl.store import cases
from ecpl.web import conneg
from ecpl.web.bodies import read_limited
from ecpl.web.context import get_settings, get_store
from ecpl.web.sparql import require_update_token

bp = Blueprint("graphstore", __name__)


def _graph_param() -> str:
    if "default" in request.args:
        raise InputError(
            "this service's default graph is the union of all graphs; name one with ?graph=<IRI>"
        )
    graph = request.args.get("graph", "").strip()
    if not graph:
        raise InputError("name the graph with ?graph=<IRI>")
    return graph


@bp.get("/data")
def get_graph() -> Response:
    graph = get_store().get_graph(_graph_param())
    media_type = conneg.negotiate(
        request.headers.get("Accept"), conneg.RDF_TYPES, request.args.get("format")
    )
    response = Response(
        conneg.serialize_graph(graph, media_type), content_type=conneg.content_type(media_type)
    )
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/data", methods=["PUT", "POST"])
def write_graph() -> Response:
    require_update_token(request)
    graph_iri = cases.check_case_graph_iri(_graph_param())
    settings = get_settings()
    data = read_limited(request.stream, settings.max_upload_bytes, "the graph")
    parsed = cases.parse_upload(
        data, media_type=request.mimetype or None, max_bytes=settings.max_upload_bytes
    )
    stored = cases.store_case(get_store(), graph_iri, parsed, replace=request.method == "PUT")
    response = Response(status=201 if stored.created else 204)
    if stored.created:
        response.headers["Location"] = f"{request.base_url}?graph={graph_iri}"
    return response


@bp.delete("/data")
def delete_graph() -> Response:
    require_update_token(request)
    cases.delete_case(get_store(), _graph_param())
    return Response(status=204)
