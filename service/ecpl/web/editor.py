"""/ : the browser query editor (YASGUI, served from static/vendor/, never from a CDN).

YASGUI is put in static/vendor/ by ``scripts/fetch-assets.sh``. Where it is missing (no
node/npm at setup) — or with ``?plain=1`` — the page is a plain form that GETs /sparql, so
the editor works without JavaScript. The named queries are offered as ready examples: links
that open them in the editor with their default parameters bound.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, url_for

from ecpl import iri
from ecpl import queries as named
from ecpl.errors import InputError
from ecpl.laws import LAW_NAMES
from ecpl.sparql.substitute import substitute
from ecpl.web.context import get_settings

bp = Blueprint(
    "editor",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

SPARQL_PATH = "/sparql"  # the W3C SPARQL 1.1 Protocol endpoint (ecpl.web.sparql)
_HEADER = re.compile(r"\A#---\n(?:#.*\n)*?#---\n")  # a named query's YAML header
VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
VENDOR_FILES = ("yasgui.min.js", "yasgui.min.css")


# Scripts and connections only to this service: YASGUI's calls to third-party autocompletion
# services are refused, and nothing in the data can run as script. YASGUI sets inline styles.
CSP = (
    "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; font-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)

DEFAULT_QUERY = """PREFIX ecpl: <https://w3id.org/ecpl/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# The duties of the safety-guarantee obligation and their phases
SELECT ?duty ?label ?phase WHERE {
  ?duty a ecpl:Duty ;
        rdfs:label ?label .
  OPTIONAL { ?duty ecpl:phase ?phase }
  FILTER (lang(?label) = "zh")
}
ORDER BY ?phase ?duty
"""


def vendor_assets_present(folder: Path | None = None) -> bool:
    """True when both YASGUI files are in place (the page then loads the full editor)."""
    folder = folder or VENDOR_DIR
    return all(
        (folder / name).is_file() and (folder / name).stat().st_size > 0 for name in VENDOR_FILES
    )


def example_text(query: named.NamedQuery) -> str:
    """The query as the editor shows it: titled, without the YAML header, and with the
    parameters that have defaults substituted as the service binds them (the others stay
    open variables), so that running it in the editor gives the answer /queries gives."""
    body = _HEADER.sub("", query.text, count=1).lstrip("\n")
    defaults = {p.name: named.to_term(p, p.default) for p in query.params if p.default is not None}
    with contextlib.suppress(InputError):  # a parameter the query assigns: shown unbound
        body = substitute(body, defaults)
    cq = f"CQ {query.competency_question}: " if query.competency_question else ""
    title = f"# {cq}{query.title.get('en', query.name)}\n# {query.title.get('zh', '')}\n"
    return title + f"# /queries/{query.name}\n" + body


def examples(queries: dict[str, named.NamedQuery]) -> list[dict[str, Any]]:
    """Each named query as an editor example: titles, text, and a link that opens it."""
    items = []
    for query in queries.values():
        text = example_text(query)
        title = query.title.get("zh", query.name)
        items.append(
            {
                "name": query.name,
                "title": dict(query.title),
                "competency_question": query.competency_question,
                "query": text,
                "href": url_for("editor.index")
                + "?"
                + urlencode({"query": text, "tabTitle": title}),
                "doc": url_for("queries.index") + "#" + query.name,
            }
        )
    return items


@bp.get("/")
def index() -> Response:
    """The editor page. ``?query=`` pre-fills it; YASGUI then runs it (its share-link format)."""
    settings = get_settings()
    use_yasgui = vendor_assets_present() and request.args.get("plain") is None
    config = {
        "endpoint": SPARQL_PATH,
        "defaultQuery": DEFAULT_QUERY,
    }
    page = render_template(
        "editor.html",
        use_yasgui=use_yasgui,
        config=config,
        query=request.args.get("query") or DEFAULT_QUERY,
        examples=examples(named.load_all(settings.root)),
        laws=[
            (iri.local_path(str(iri.law(key))), key.upper(), *LAW_NAMES[key]) for key in LAW_NAMES
        ],
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    return response
