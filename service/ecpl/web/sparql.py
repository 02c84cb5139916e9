"""``/sparql``: the W3C SPARQL 1.1 Protocol (query and, with the token, update).

Requests: GET ``?query=``, POST form (``query=`` / ``update=``), POST
``application/sparql-query`` / ``application/sparql-update``; ``default-graph-uri`` and
``named-graph-uri`` name graphs in the store. GET without a query answers the Service
Description. Policy (SERVICE, LOAD, FROM) is enforced by the store on the parsed query.
"""

from __future__ import annotations

import hmac
from typing import ClassVar

from flask import Blueprint, Request, Response, current_app, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from ecpl.errors import EcplError, Forbidden, InputError, TooLarge, UnsupportedMediaType
from ecpl.store.base import QueryResult
from ecpl.web import conneg
from ecpl.web.context import get_settings, get_store
from ecpl.web.headers import TRUNCATED_HEADER
from ecpl.web.resultspage import results_page, wants_page

bp = Blueprint("sparql", __name__)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

_FORMAT_IRIS = {
    conneg.SPARQL_JSON: FORMATS.SPARQL_Results_JSON,
    conneg.SPARQL_XML: FORMATS.SPARQL_Results_XML,
    conneg.CSV: FORMATS.SPARQL_Results_CSV,
    conneg.TSV: FORMATS.SPARQL_Results_TSV,
    conneg.TURTLE: FORMATS.Turtle,
    conneg.NTRIPLES: FORMATS["N-Triples"],
    conneg.JSONLD: FORMATS["JSON-LD"],
    conneg.RDFXML: FORMATS.RDF_XML,
}


class Unauthorized(EcplError):
    """No bearer token on an update (401, with a WWW-Authenticate challenge)."""

    status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="ecpl"'}


def require_update_token(req: Request) -> None:
    """Allow a write only with ``Authorization: Bearer <token>`` matching the configured one."""
    token = get_settings().update_token
    if not token:
        raise Forbidden(
            "this service is read-only: updates are switched off "
            "(start it with --update-token or ECPL_UPDATE_TOKEN to allow them)"
        )
    header = req.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorized("updates need the header 'Authorization: Bearer <token>'")
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Forbidden("the update token is wrong")


def result_response(result: QueryResult, req: Request) -> Response:
    """The negotiated response for a query result (shared with /queries)."""
    media_type = conneg.negotiate(
        req.headers.get("Accept"), conneg.offers_for(result), req.values.get("format")
    )
    body = conneg.serialize_result(result, media_type)
    response = Response(body, status=200, content_type=conneg.content_type(media_type))
    response.headers["Vary"] = "Accept"
    if result.truncated:
        limit = get_settings().row_limit
        response.headers[TRUNCATED_HEADER] = f"true; results cut at the row limit of {limit}"
    return response


def _graph_params(req: Request, name: str) -> list[str]:
    values = req.args.getlist(name)
    if req.mimetype == "application/x-www-form-urlencoded":
        values += req.form.getlist(name)
    return [v.strip() for v in values if v.strip()]


def _read_request(req: Request) -> tuple[str | None, str | None]:
    """(query, update) text from any of the three protocol forms; 415 for other bodies."""
    if req.method == "GET":
        if "update" in req.args:
            raise InputError("an update must be sent with POST")
        return req.args.get("query"), None
    mimetype = req.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        query, update = req.form.get("query"), req.form.get("update")
        if query is not None and update is not None:
            raise InputError("send either query= or update=, not both")
        if query is None and update is None:
            raise InputError("the form has neither a query= nor an update= field")
        return query, update
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


def _check_size(text: str) -> None:
    limit = get_settings().max_query_bytes
    if len(text.encode("utf-8")) > limit:
        raise TooLarge(f"the query is larger than this service's limit of {limit} bytes")


def service_description(endpoint: str) -> Graph:
    """An sd:Service describing this endpoint (formats, features, union default graph)."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if get_settings().update_token:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if get_settings().service_allow_list:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    for media_type in conneg.RESULT_TYPES + conneg.RDF_TYPES:
        graph.add((service, SD.resultFormat, _FORMAT_IRIS[media_type]))
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((service, RDFS.label, Literal("ecpl SPARQL endpoint", lang="en")))
    graph.add((service, RDFS.label, Literal("ecpl SPARQL 查询端点", lang="zh")))
    return graph


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    query, update = _read_request(request)
    settings = get_settings()
    store = get_store()
    if update is not None:
        require_update_token(request)
        _check_size(update)
        store.update(update)
        return Response(status=204)
    if query is None or not query.strip():
        if request.method == "POST":
            raise InputError("the request has no query")
        if (
            "editor" in current_app.blueprints
            and "format" not in request.args
            and request.accept_mimetypes.best_match(["text/turtle", "text/html"]) == "text/html"
        ):
            # a browser: the query editor, not Turtle
            return Response(status=303, headers={"Location": "/"})
        media_type = conneg.negotiate(
            request.headers.get("Accept"), conneg.RDF_TYPES, request.args.get("format")
        )
        body = conneg.serialize_graph(service_description(request.base_url), media_type)
        return Response(body, content_type=conneg.content_type(media_type))
    _check_size(query)
    result = store.query(
        query,
        default_graphs=_graph_params(request, "default-graph-uri") or None,
        named_graphs=_graph_params(request, "named-graph-uri") or None,
        timeout_s=settings.query_timeout_s,
        row_limit=settings.row_limit,
    )
    if wants_page(request):  # a browser opening a /sparql?query= link: an HTML table
        return results_page(result, query, request)
    return result_response(result, request)
