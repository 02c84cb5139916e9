"""Linked-data pages: every ecpl IRI resolves here, as HTML for people and RDF for programs.

Routes (the service answers for ``https://w3id.org/ecpl/…`` under its own host):
``/ontology`` (and ``/ontology/{version}``) documentation or the merged OWL; ``/term/{X}`` for
``ecpl:X``; ``/shapes`` and ``/shapes/{X}``; ``/law/…``, ``/case/…``, ``/doctrine/…``,
``/source/…``; ``/.well-known/void``; ``/export``; index pages ``/law``, ``/case``,
``/doctrine``, ``/term``. RDF formats follow ``ecpl.web.conneg`` (Accept or ``?format=``);
``?format=html`` asks for the page. A request without any Accept header comes from a program,
not a browser (browsers always send one): it gets RDF/XML, the exchange syntax every OWL tool
reads (owlready2's ``get_ontology(url).load()``, Protégé); ``/ontology.owl`` and the like name
a format by extension.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from rdflib import Graph, URIRef

from ecpl import iri
from ecpl.errors import InputError, NotFound
from ecpl.linkeddata import describe as describing
from ecpl.linkeddata import ontodoc, resolve, suggest
from ecpl.linkeddata.access import GraphAccess, StoreAccess
from ecpl.linkeddata.export import EXPORT_FORMATS, PROFILES, export_bytes
from ecpl.linkeddata.void import void_graph
from ecpl.web import conneg

bp = Blueprint("linkeddata", __name__, template_folder="templates")

HTML = conneg.HTML
OFFERS = (HTML, *conneg.RDF_TYPES)
NO_ACCEPT = conneg.RDFXML  # what a client that sends no Accept header gets
# (?format= value, name shown, media type) for the alternate links on every page
FORMAT_NAMES = tuple(
    (f.names[0], f.title, f.media_type) for f in conneg.FORMATS if f.kind == "graph"
)
ACCESS_KEY = "ecpl.linkeddata.access"  # tests may put a GraphAccess here
_CACHE_KEY = "ecpl.linkeddata.docs"
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def get_access() -> GraphAccess:
    """The graph behind the pages: an injected access, else the app's store."""
    injected: GraphAccess | None = current_app.extensions.get(ACCESS_KEY)
    if injected is not None:
        return injected
    from ecpl.web.context import get_store

    return StoreAccess(get_store())


def _root() -> str:
    """This service's root URL path, so links stay on the host that served the page."""
    return request.script_root.rstrip("/")


def _media_type(default_html: bool = True, extension: str | None = None) -> str:
    """The form to answer in: a file extension decides, then ``?format=``, then Accept."""
    offers = OFFERS if default_html else (*conneg.RDF_TYPES, HTML)
    if extension is not None:
        named = conneg.lookup(extension, offers)
        if named is None:
            raise NotFound(f"no {extension!r} form of {request.path.rsplit('.', 1)[0]}")
        return named
    wanted = request.args.get("format")
    if "Accept" not in request.headers and not (wanted and conneg.lookup(wanted, offers)):
        return NO_ACCEPT
    return conneg.negotiate(request.headers.get("Accept"), offers, wanted)


def _rdf_response(graph: Graph, media_type: str) -> Response:
    response = Response(conneg.serialize_graph(graph, media_type), status=200)
    response.headers["Content-Type"] = conneg.content_type(media_type)
    response.headers["Vary"] = "Accept"
    return response


def _html_response(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype=HTML)
    response.headers["Vary"] = "Accept"
    return response


def _not_found(resource: str, message: str) -> Response:
    """404 with suggestions for people; a short text for programs."""
    wants_html = request.accept_mimetypes.best_match([HTML, "text/plain"]) == HTML or (
        request.args.get("format", "").lower() == "html"
    )
    if not wants_html:
        response = Response(f"404 Not Found: {message}\n", status=404, mimetype="text/plain")
        response.headers["Vary"] = "Accept"
        return response
    root = _root()
    try:
        found = suggest.suggestions(get_access(), resource)
    except Exception:  # suggestions are a courtesy; never let them turn a 404 into a 500
        current_app.logger.exception("suggestions failed for %s", resource)
        found = []
    body = render_template(
        "linkeddata/notfound.html",
        root=root,
        requested=resource,
        message=message,
        suggestions=[
            describing.Value(text, resolve.href(str(target), root + "/"), iri=str(target))
            for target, text in found
        ],
        starts=[describing.Value(text, root + path) for path, text in suggest.STARTING_POINTS],
    )
    return _html_response(body, status=404)


def _resource(resource: URIRef) -> Response:
    media_type = _media_type()
    access = get_access()
    try:
        graph = describing.describe(access, resource)
    except NotFound as exc:
        return _not_found(str(resource), str(exc))
    if media_type != HTML:
        return _rdf_response(graph, media_type)
    page = describing.page_model(graph, resource, _root() + "/")
    body = render_template(
        "linkeddata/resource.html",
        root=_root(),
        page=page,
        path=request.path,
        format_names=FORMAT_NAMES,
    )
    return _html_response(body)


def _resolve_and_describe(make_iri: Callable[[], URIRef], fallback: str) -> Response:
    try:
        resource = make_iri()
    except NotFound as exc:
        return _not_found(fallback, str(exc))
    return _resource(resource)


@bp.get("/term/<path:name>")
def term(name: str) -> Response:
    return _resolve_and_describe(lambda: resolve.term_iri(name), str(iri.ECPL) + name)


@bp.get("/shapes/<path:name>")
def shape(name: str) -> Response:
    return _resolve_and_describe(lambda: resolve.shape_iri(name), str(iri.SHAPES) + name)


@bp.get("/law/<path:rest>")
@bp.get("/case/<path:rest>")
@bp.get("/doctrine/<path:rest>")
@bp.get("/source/<path:rest>")
def resource(rest: str) -> Response:
    path = request.path[len(request.script_root) :] if request.script_root else request.path
    return _resolve_and_describe(lambda: resolve.resource_iri(path), iri.BASE + path.lstrip("/"))


@bp.get("/law")
@bp.get("/case")
@bp.get("/doctrine")
@bp.get("/term")
def index() -> Response:
    """What a family holds: the laws, cases, doctrinal positions or vocabulary terms."""
    family = request.path.rstrip("/").rsplit("/", 1)[-1]
    media_type = _media_type()
    access = get_access()
    graph = describing.index_graph(access, family)
    if media_type != HTML:
        return _rdf_response(graph, media_type)
    examples = frozenset(describing.example_cases(access)) if family == "case" else frozenset()
    body = render_template(
        "linkeddata/index.html",
        root=_root(),
        title=describing.INDEX_FAMILIES[family][1],
        sections=describing.index_model(graph, family, _root() + "/", examples),
        path=request.path,
        format_names=FORMAT_NAMES,
    )
    return _html_response(body)


def _documentation(kind: str, extension: str | None = None) -> Response:
    """``/ontology`` or ``/shapes``: generated documentation, or the merged RDF."""
    media_type = _media_type(extension=extension)
    access = get_access()
    prefix = ontodoc.ONTOLOGY_GRAPHS if kind == "ontology" else ontodoc.SHAPES_GRAPHS
    graph = ontodoc.merged_graph(access, prefix)
    if len(graph) == 0:
        return _not_found(iri.BASE + kind, f"no {kind} graphs are loaded in this store")
    if media_type != HTML:
        return _rdf_response(graph, media_type)
    cache: dict[tuple[str, str, int], str] = current_app.extensions.setdefault(_CACHE_KEY, {})
    key = (kind, _root(), len(graph))
    if key not in cache:
        make = (
            ontodoc.ontology_documentation if kind == "ontology" else ontodoc.shapes_documentation
        )
        doc = make(graph, _root() + "/")
        cache[key] = render_template(
            "linkeddata/documentation.html",
            root=_root(),
            doc=doc,
            path=request.path,
            format_names=FORMAT_NAMES,
        )
    return _html_response(cache[key])


@bp.get("/ontology")
def ontology() -> Response:
    return _documentation("ontology")


@bp.get("/ontology.<ext>")
def ontology_file(ext: str) -> Response:
    """``/ontology.owl`` (or ``.rdf``, ``.ttl``, ``.nt``, ``.jsonld``): the OWL in that syntax."""
    return _documentation("ontology", ext)


@bp.get("/shapes.<ext>")
def shapes_file(ext: str) -> Response:
    return _documentation("shapes", ext)


@bp.get("/ontology/<version>")
def ontology_version(version: str) -> ResponseReturnValue:
    """The version IRI (``…/ontology/0.1.0``) serves the ontology it names.

    Any other ``/ontology/X`` is a guess at a term page: it redirects to ``/term/X``.
    """
    if not _VERSION.match(version):
        return redirect(url_for("linkeddata.term", name=version), code=301)
    return _documentation("ontology")


@bp.get("/shapes")
def shapes() -> Response:
    return _documentation("shapes")


@bp.get("/graph/<path:rest>")
def named_graph(rest: str) -> Response:
    """A named graph's IRI (``…/graph/data/laws/ecl``) serves the graph's triples."""
    name = iri.from_local_path("graph/" + rest)
    media_type = _media_type()
    access = get_access()
    if name not in access.graph_names():
        return _not_found(str(name), f"no named graph {name} in this store")
    graph = access.named_graph(name)
    if media_type != HTML:
        return _rdf_response(graph, media_type)
    turtle = graph.serialize(format="turtle")
    body = render_template(
        "linkeddata/rdfview.html",
        root=_root(),
        title=f"{name} · {len(graph)} triples",
        path=request.path,
        format_names=FORMAT_NAMES,
        turtle=turtle,
    )
    return _html_response(body)


@bp.get("/.well-known/void")
def void() -> Response:
    media_type = _media_type(default_html=False)
    graph = void_graph(get_access(), request.host_url.rstrip("/") + _root())
    if media_type != HTML:
        return _rdf_response(graph, media_type)
    body = render_template(
        "linkeddata/rdfview.html",
        root=_root(),
        title="VoID description · 数据集描述",
        path=request.path,
        format_names=FORMAT_NAMES,
        turtle=graph.serialize(format="turtle"),
    )
    return _html_response(body)


@bp.get("/export")
def export() -> Response:
    """The whole graph (TriG / N-Quads / Turtle) or its ELI / schema.org view, as a download."""
    fmt = request.args.get("format", "trig").lower()
    profile = request.args.get("profile", "full").lower()
    if fmt not in EXPORT_FORMATS:
        raise InputError(
            f"format {fmt!r} is not an export format; use one of {', '.join(EXPORT_FORMATS)}"
        )
    if profile not in PROFILES:
        raise InputError(f"profile {profile!r} is unknown; use one of {', '.join(PROFILES)}")
    body = export_bytes(get_access(), fmt, profile)
    media_type, suffix = EXPORT_FORMATS[fmt]
    response = Response(body, status=200, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="ecpl-{profile}.{suffix}"'
    return response
