"""The HTML report page of one validation, for the service and for a file.

Both the web layer (``/validate``, a stored case's page) and ``ecpl validate --output html`` call
:func:`report_context`: the summary table and the timeline come from the same
:class:`~ecpl.validation.report.Report`, so the page cannot show findings the JSON does not have.
:func:`render_standalone` renders the page with the stylesheets inline and links to the w3id.org
IRIs, so the written file opens offline.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from rdflib import Graph, URIRef

from ecpl import iri
from ecpl.validation.report import Report, citation, short
from ecpl.visual.timeline import build_timeline, finding_flags

WEB = Path(__file__).resolve().parent.parent / "web"


def report_context(
    report: Report, case_graph: Graph | None, link: Callable[[str], str]
) -> dict[str, Any]:
    """What validate_report.html needs; ``link`` maps an IRI to its href."""
    labeller = report.labeller

    def safe(term: str) -> str | None:
        """Only pages and web IRIs become links: a case graph's IRIs are user data."""
        href = link(term)
        return href if href.startswith(("/", "http://", "https://")) else None

    def name(term: str, lang: str) -> str:
        return labeller(URIRef(term), lang) if labeller else short(term)

    def local(term: str) -> str | None:
        return safe(term) if iri.is_ecpl(term) else None

    timeline = None
    if case_graph is not None and len(case_graph):
        from ecpl.validation.engine import resources

        timeline = build_timeline(case_graph, report, safe, superclasses=resources().superclasses)
    return {
        "summary": report.to_json(),
        "texts": {lang: report.to_text(lang) for lang in ("zh", "en")},
        "timeline": timeline,
        "name": name,
        "cite": citation,
        "local": local,
        "flags": finding_flags,
    }


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(WEB / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render_standalone(report: Report, case_graph: Graph | None) -> str:
    """The report page as one self-contained HTML document (styles inline, no service links)."""
    css = "\n".join(
        (WEB / "static" / name).read_text(encoding="utf-8") for name in ("ecpl.css", "visual.css")
    )
    context = report_context(report, case_graph, lambda term: term)
    template = _environment().get_template("validate_report.html")
    return template.render(
        layout="_standalone.html",
        inline_css=Markup(css),  # noqa: S704 (the project's own stylesheets, not user input)
        visual_css_href=None,
        form_href=None,
        **context,
    )
