"""/validate: check a posted case graph against the duty shapes and report the findings.

The case graph comes as the request body (its Content-Type says the syntax), as a multipart
upload (field ``file``) or as a form field (``data``, pasted text), with an optional ``syntax``
field naming the syntax. The answer is the SHACL report plus the findings (breached duties with
their legal basis, triggered rules, liability per doctrinal position) as Turtle, JSON-LD, a JSON
summary or an HTML page. A case that does not conform is still a successful validation (200).

The size limit is checked on Content-Length before the body is read, and again while reading
bodies that come without one, so an oversized upload is refused without being buffered.
Parsing and validation run in a worker process under a time and memory limit
(:mod:`ecpl.intake`); the parse stops at the triple cap (``ECPL_MAX_CASE_TRIPLES``, default
5,000: a case graph is some 40-500 triples, and pySHACL time grows with the graph). Relative
IRIs resolve against a fixed base (``ecpl.rdfio.UPLOAD_BASE``), never the server's folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Blueprint, Response, current_app, render_template, request, url_for
from rdflib import Graph

from ecpl import config, intake, iri
from ecpl.errors import InputError, NotAcceptable, NotFound, TooLarge
from ecpl.web.bodies import read_limited
from ecpl.web.conneg import JSONLD, TURTLE, choose_format, content_type, serialize_graph
from ecpl.web.context import get_settings

if TYPE_CHECKING:  # the validation package loads pyshacl: import it only when validating
    from ecpl.validation.report import Report

bp = Blueprint("validate", __name__, template_folder="templates")

# Output formats: short name (``format`` parameter) -> media type; the first answers */*.
OUTPUT_TYPES = {
    "json": "application/json",
    "html": "text/html",
    "turtle": TURTLE,
    "jsonld": JSONLD,
}
# Input syntaxes a form may name (``syntax`` field), as ``ecpl.rdfio.parse_rdf`` formats.
SYNTAXES = {"turtle": "Turtle", "jsonld": "JSON-LD", "ntriples": "N-Triples", "rdfxml": "RDF/XML"}
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_CASE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # a case IRI's last segment


def example_cases(root: Path) -> dict[str, Path]:
    """The project's case graphs (data/cases/*.ttl and the real cases in data/cases/real/) by
    name, offered as examples on the form."""
    folder = config.resource_dir("data", root) / "cases"
    paths = [*folder.glob("*.ttl"), *(folder / "real").glob("*.ttl")]
    return {path.stem: path for path in sorted(paths, key=lambda p: p.stem)}


@bp.get("/validate")
def form() -> str:
    """The form: paste or upload a case graph and choose its syntax (``?example=`` pre-fills
    one of the project's case graphs)."""
    settings = get_settings()
    examples = example_cases(settings.root)
    chosen = request.args.get("example")
    if chosen is not None and chosen not in examples:
        raise NotFound(f"no example case {chosen!r}; known: {', '.join(examples) or 'none'}")
    text = examples[chosen].read_text(encoding="utf-8") if chosen else ""
    return render_template(
        "validate_form.html",
        syntaxes=SYNTAXES,
        max_bytes=settings.max_upload_bytes,
        examples=list(examples),
        example=chosen,
        text=text,
    )


@bp.post("/validate")
def run() -> Response:
    """Validate the posted case graph; 200 with the report whether or not it conforms."""
    limit = get_settings().max_upload_bytes
    length = request.content_length
    if length is not None and length > limit:
        raise TooLarge(f"the case graph is {length} bytes; the limit is {limit} bytes")
    case = _read_case(limit)
    upload = intake.Upload(case.data, case.media_type, case.filename, case.syntax)
    settings = get_settings()
    limits = intake.Limits.of(settings)
    runner = intake.runner_for(current_app.extensions, settings)
    report, triples = runner.run(
        intake.validate_upload_with_graph, ([upload], limits, validator()), limits
    )
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return _respond(report, graph)


@bp.get("/validate/case/<slug>")
def stored_case(slug: str) -> Response:
    """The report page of a case in the store (a project case or one stored with PUT /data):
    its graph validated now, drawn as a timeline. HTML only; the JSON of the same report is
    POST /validate of that graph (the stored findings are in ``{graph}/findings``)."""
    from ecpl.web.context import get_store

    case = iri.CASE[slug] if _CASE_NAME.match(slug) else None
    if case is None:
        raise NotFound(f"{slug!r} is not a case name (lower-case letters, digits and hyphens)")
    store = get_store()
    found = store.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?case a ?type } }",
        bindings={"case": case, "type": iri.ECPL.Case},
        lane="known",
    )
    names = sorted(
        str(row["g"])
        for row in found.rows
        if row.get("g") is not None and not str(row["g"]).endswith("/findings")
    )
    if not names:
        raise NotFound(f"no case graph in the store describes <{case}>")
    graph = Graph()
    for name in names:  # a case told across several graphs (e.g. an appeal's) is one picture
        for triple in store.get_graph(name):
            graph.add(triple)
    # validated like an upload: in the intake's child, under its time, memory and triple limits
    data = graph.serialize(format="nt", encoding="utf-8")
    upload = intake.Upload(data, "application/n-triples", None, None)
    settings = get_settings()
    limits = intake.Limits.of(settings)
    runner = intake.runner_for(current_app.extensions, settings)
    report = runner.run(intake.validate_upload, ([upload], limits, validator()), limits)
    return Response(render_report(report, graph), mimetype="text/html")


@dataclass(frozen=True)
class PostedCase:
    data: bytes
    media_type: str | None = None
    filename: str | None = None
    syntax: str | None = None  # a SYNTAXES key named by the form


def validator() -> Callable[[Graph], Report]:
    """``ecpl.validation.validate``, imported on first use: pyshacl and the shapes load only
    when a case is validated, not when the service starts."""
    from ecpl.validation import validate

    return validate


def _read_case(limit: int) -> PostedCase:
    """The posted case graph and what tells its syntax (form field, file name, media type)."""
    if request.mimetype in FORM_TYPES:
        request.max_content_length = limit  # form parsing refuses more than the limit too
        syntax = request.form.get("syntax") or None
        if syntax is not None and syntax not in SYNTAXES:
            raise InputError(
                f"unknown syntax {syntax!r}; choose one of {', '.join(SYNTAXES)} or leave it empty"
            )
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            data = _within(upload.stream.read(limit + 1), limit)
            generic = ("", "application/octet-stream", "text/plain")
            media_type = None if upload.mimetype in generic else upload.mimetype
            return PostedCase(data, media_type, upload.filename, syntax)
        pasted = request.form.get("data", "")
        if pasted.strip():
            data = _within(pasted.encode("utf-8"), limit)
            return PostedCase(data, syntax=syntax or guess_syntax(pasted))
        raise InputError("no case graph: upload a file (field 'file') or paste it (field 'data')")
    data = read_limited(request.stream, limit, "the case graph")
    if not data.strip():
        raise InputError(
            "no case graph: send it as the request body with its Content-Type "
            "(text/turtle, application/ld+json, application/n-triples, application/rdf+xml)"
        )
    return PostedCase(_within(data, limit), media_type=request.mimetype or None)


def guess_syntax(text: str) -> str:
    """The likely syntax of pasted text when the form names none (N-Triples parses as Turtle)."""
    start = text.lstrip()[:200]
    if start.startswith(("{", "[")):
        return "jsonld"
    if start.startswith("<?xml") or "<rdf:RDF" in start:
        return "rdfxml"
    return "turtle"


def _within(data: bytes, limit: int) -> bytes:
    if len(data) > limit:
        raise TooLarge(f"the case graph is larger than the limit of {limit} bytes")
    return data


def _respond(report: Report, graph: Graph | None = None) -> Response:
    chosen = request.form.get("format") if request.mimetype in FORM_TYPES else None
    if not chosen:
        chosen = choose_format(OUTPUT_TYPES)
    elif chosen not in OUTPUT_TYPES:
        raise NotAcceptable(
            f"format {chosen!r} is not available; use one of {', '.join(OUTPUT_TYPES)}"
        )
    if chosen == "html":
        response = Response(render_report(report, graph), mimetype="text/html")
    elif chosen in ("turtle", "jsonld"):
        media = OUTPUT_TYPES[chosen]
        response = Response(
            serialize_graph(report.graph(), media), content_type=content_type(media)
        )
    else:
        body = json.dumps(report.to_json(), ensure_ascii=False, indent=2)
        response = Response(body, mimetype="application/json")
    response.vary.add("Accept")
    return response


def render_report(report: Report, graph: Graph | None = None) -> str:
    """The HTML page of a report: the case as a timeline (when its graph is given), terms by
    their labels, provisions as citations, links to the service's pages."""
    from ecpl.visual.page import report_context

    def link(term: str) -> str:
        return iri.local_path(term) if iri.is_ecpl(term) else term

    return render_template(
        "validate_report.html",
        layout="_layout.html",
        visual_css_href=url_for("editor.static", filename="visual.css"),
        form_href=url_for("validate.form"),
        **report_context(report, graph, link),
    )
