"""``/data?graph=<IRI>``: the W3C Graph Store HTTP Protocol for stored case graphs.

GET is open to all; PUT (replace), POST (add) and DELETE need the update token. A case graph
is parsed with the hardened reader and validated on the way in, in a worker under the upload
limits, before anything changes; its findings go to the paired ``…/findings`` graph (see
:mod:`ecpl.store.cases`). As the protocol asks (§5.5), a POST may carry several RDF documents
as ``multipart/form-data`` (merged), and a POST to the store itself (no graph named) creates a
new case graph: 201 with its IRI in ``Location``. Relative IRIs in an upload resolve against
the graph's IRI; ``Location`` is never built from the request's Host header.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from ecpl import intake
from ecpl.errors import InputError, TooLarge
from ecpl.store import cases
from ecpl.web import conneg
from ecpl.web.auth import require_update_token
from ecpl.web.bodies import read_limited
from ecpl.web.context import get_settings, get_store

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
    if request.method == "POST" and not request.args.get("graph") and "default" not in request.args:
        graph_iri = cases.new_case_graph_iri()  # GSP §5.5: POST to the store names a new graph
    else:
        graph_iri = cases.check_case_graph_iri(_graph_param())
    settings = get_settings()
    uploads = _uploads(settings.max_upload_bytes, graph_iri)
    runner = intake.runner_for(current_app.extensions, settings)
    stored = cases.write_case(
        get_store(),
        runner,
        graph_iri,
        uploads,
        intake.Limits.of(settings),
        replace=request.method == "PUT",
    )
    response = Response(status=201 if stored.created else 204)
    if stored.created:
        response.headers["Location"] = stored.graph  # the graph's own IRI, not the Host's
    return response


def _uploads(limit: int, base: str) -> list[intake.Upload]:
    """The RDF documents of the request: its body, or each part of a multipart POST."""
    length = request.content_length
    if length is not None and length > limit:
        raise TooLarge(f"the graph is {length} bytes; the limit is {limit} bytes")
    if request.mimetype != "multipart/form-data":
        data = read_limited(request.stream, limit, "the graph")
        return [intake.Upload(data, media_type=request.mimetype or None, base=base)]
    if request.method != "POST":
        raise InputError("multipart/form-data is accepted on POST only (GSP §5.5); PUT one graph")
    request.max_content_length = limit
    uploads = []
    total = 0
    for _field, part in request.files.items(multi=True):
        data = part.stream.read(limit + 1)
        total += len(data)
        if total > limit:
            raise TooLarge(f"the graph parts are larger than the limit of {limit} bytes")
        generic = ("", "application/octet-stream", "text/plain")
        media_type = None if part.mimetype in generic else part.mimetype
        uploads.append(intake.Upload(data, media_type, part.filename or None, base=base))
    if not uploads:
        raise InputError("the multipart request holds no RDF document (no file parts)")
    return uploads


@bp.delete("/data")
def delete_graph() -> Response:
    require_update_token(request)
    cases.delete_case(get_store(), _graph_param())
    return Response(status=204)
