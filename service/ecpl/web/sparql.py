"""``/sparql``: the W3C SPARQL 1.1 Protocol (query and, with the token, update).

Requests: GET/HEAD ``?query=``, POST form (``query=`` / ``update=``), POST
``application/sparql-query`` / ``application/sparql-update``; ``default-graph-uri`` and
``named-graph-uri`` (queries), ``using-graph-uri`` and ``using-named-graph-uri`` (updates)
name graphs in the store and override the text's dataset. Relative IRIs resolve against BASE
in the text, else this endpoint's IRI. GET without a query answers the Service Description.
The store enforces the policy and the limits and writes the answer (``ecpl.results``).
"""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, Request, Response, current_app, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from werkzeug.sansio.utils import get_current_url

from ecpl import formats, prefixes, results
from ecpl.config import Settings
from ecpl.errors import InputError, TooLarge, UnsupportedMediaType
from ecpl.prefixes import SD, W3C_FORMATS
from ecpl.store.base import Store
from ecpl.web import conneg
from ecpl.web.answers import answer_response, negotiator, query_args, request_values
from ecpl.web.auth import require_update_token
from ecpl.web.context import get_settings, get_store
from ecpl.web.resultspage import results_page, wants_page

bp = Blueprint("sparql", __name__)


def _graph_params(req: Request, name: str) -> list[str]:
    return [v.strip() for v in request_values(req, name) if v.strip()]


def _one(req: Request, name: str) -> str | None:
    values = request_values(req, name)
    if len(values) > 1:
        raise InputError(f"the request has {len(values)} {name}= parameters; send exactly one")
    return values[0] if values else None


def read_request(req: Request) -> tuple[str | None, str | None]:
    """(query, update) text from any of the three protocol forms; 415 for other bodies."""
    if req.method in ("GET", "HEAD"):
        if "update" in query_args(req):
            raise InputError("an update must be sent with POST")
        return _one(req, "query"), None
    mimetype = req.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        query, update = _one(req, "query"), _one(req, "update")
        if query is not None and update is not None:
            raise InputError("send either query= or update=, not both")
        if query is None and update is None:
            raise InputError("the form has neither a query= nor an update= field")
        return query, update
    for name in ("query", "update"):
        if name in query_args(req):
            raise InputError(f"{name}= in the URL of a POST with a body; send it in one place")
    if mimetype == "application/sparql-query":
        return _body_text(req), None
    if mimetype == "application/sparql-update":
        return None, _body_text(req)
    raise UnsupportedMediaType(
        f"cannot read a request body of type {mimetype or '(none)'!r}; send "
        "application/sparql-query, application/sparql-update or a form"
    )


def _body_text(req: Request) -> str:
    data = req.get_data(cache=False)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the request body is not UTF-8 text") from None


def check_size(text: str, settings: Settings) -> None:
    """TooLarge for a query or update text over the service's limit."""
    limit = settings.max_query_bytes
    if len(text.encode("utf-8")) > limit:
        raise TooLarge(f"the query is larger than this service's limit of {limit} bytes")


def service_description(endpoint: str) -> Graph:
    """An sd:Service describing this endpoint (formats, features, union default graph)."""
    graph = prefixes.bind(Graph(), ("sd", "formats"))
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if get_settings().update_token:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if get_settings().service_allow_list:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    for media_type in formats.RESULT_TYPES + formats.RDF_TYPES:
        name = formats.BY_MEDIA_TYPE[media_type].w3c
        if name is not None:
            graph.add((service, SD.resultFormat, W3C_FORMATS[name]))
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((service, RDFS.label, Literal("ecpl SPARQL endpoint", lang="en")))
    graph.add((service, RDFS.label, Literal("ecpl SPARQL 查询端点", lang="zh")))
    return graph


def endpoint_iri(req: Request) -> str:
    """This endpoint's IRI: the base for relative IRIs in queries and updates."""
    return _base_url(req.scheme, req.host, req.root_path, req.path)


@lru_cache(maxsize=64)
def _base_url(scheme: str, host: str, root_path: str, path: str) -> str:
    """werkzeug's ``Request.base_url`` (a pure function of these four), built once per host:
    its IRI decoding was a tenth of the front's own time per query."""
    return get_current_url(scheme, host, root_path, path)


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    query, update = read_request(request)
    store = get_store()
    if update is not None:
        require_update_token(request)
        check_size(update, get_settings())
        store.update(
            update,
            base_iri=endpoint_iri(request),
            using_graphs=_graph_params(request, "using-graph-uri") or None,
            using_named_graphs=_graph_params(request, "using-named-graph-uri") or None,
        )
        return Response(status=204)
    if query is None or not query.strip():
        if request.method == "POST":
            raise InputError("the request has no query")
        if (
            "editor" in current_app.blueprints
            and "format" not in request.args
            and request.accept_mimetypes.best_match(["text/turtle", "text/html"]) == "text/html"
        ):
            # a browser: the query editor, not Turtle (a relative Location: no Host echoed)
            response = Response(status=303, headers={"Location": "/"})
            response.autocorrect_location_header = False
            return response
        media_type = conneg.negotiate(
            request.headers.get("Accept"), conneg.RDF_TYPES, request.args.get("format")
        )
        body = conneg.serialize_graph(service_description(request.base_url), media_type)
        return Response(body, content_type=conneg.content_type(media_type))
    check_size(query, get_settings())
    if wants_page(request):  # a browser opening a /sparql?query= link: an HTML table
        result = store.query(
            query,
            default_graphs=_graph_params(request, "default-graph-uri") or None,
            named_graphs=_graph_params(request, "named-graph-uri") or None,
            base_iri=endpoint_iri(request),
        )
        return results_page(result, query, request)
    return answer_response(answer_query(request, store, query))


def answer_query(req: Request, store: Store, query: str) -> results.Serialised:
    """The store's written answer to ``query`` for this request: the protocol's dataset
    parameters, the negotiated format, this endpoint's IRI as the base (shared with the
    direct lane, :mod:`ecpl.web.direct`)."""
    answer: results.Serialised = store.serialise(
        query,
        negotiator(req),
        default_graphs=_graph_params(req, "default-graph-uri") or None,
        named_graphs=_graph_params(req, "named-graph-uri") or None,
        base_iri=endpoint_iri(req),
    )
    return answer
