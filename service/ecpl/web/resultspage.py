"""A SPARQL answer as an HTML table, for a ``/sparql?query=…`` link opened in a browser.

A browser asks for ``text/html`` first and ``application/xml`` after; without this page it
would be handed SPARQL XML. Programs never get it: only a request whose Accept prefers
``text/html`` to every answer format (or ``format=html``) does. IRIs of this project
link to their pages on this host; other http(s) IRIs link out; nothing else becomes a link.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Request, Response, render_template
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from ecpl.errors import NotAcceptable
from ecpl.linkeddata.resolve import href
from ecpl.store.base import QueryResult
from ecpl.web import conneg
from ecpl.web.answers import request_values


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    note: str = ""  # language tag or datatype of a literal


def wants_page(req: Request) -> bool:
    """True when this request prefers an HTML page to every answer format (decidable before
    the query runs: a browser's Accept puts text/html above every result and RDF type)."""
    offers = (*conneg.RESULT_TYPES, *conneg.RDF_TYPES, conneg.HTML)
    try:
        chosen = conneg.negotiate(
            req.headers.get("Accept"), offers, next(iter(request_values(req, "format")), None)
        )
    except NotAcceptable:
        return False
    return chosen == conneg.HTML


def cell(term: Identifier | None, base_url: str) -> Cell:
    if term is None:
        return Cell("")
    if isinstance(term, URIRef):
        return Cell(str(term), href(str(term), base_url))
    if isinstance(term, BNode):
        return Cell(f"_:{term}")
    if isinstance(term, Literal):
        note = f"@{term.language}" if term.language else ""
        if term.datatype is not None:
            note = "^^" + str(term.datatype).replace("http://www.w3.org/2001/XMLSchema#", "xsd:")
        return Cell(str(term), note=note)
    return Cell(str(term))


def _triples_table(result: QueryResult) -> QueryResult:
    """A graph answer as rows of ?subject ?predicate ?object."""
    names = list(conneg.TRIPLE_VARIABLES)
    rows = [dict(zip(names, triple, strict=True)) for triple in result.triples]
    return QueryResult("select", variables=names, rows=rows, truncated=result.truncated)  # type: ignore[arg-type]


def results_page(result: QueryResult, query: str, req: Request) -> Response:
    """The HTML page for this answer (for a request where :func:`wants_page` holds)."""
    base_url = req.script_root.rstrip("/") + "/"
    table = _triples_table(result) if result.kind == "graph" else result
    rows = [[cell(row.get(v), base_url) for v in table.variables] for row in table.rows]
    body = render_template(
        "linkeddata/results.html",
        root=req.script_root.rstrip("/"),
        kind=result.kind,
        boolean=result.boolean,
        variables=table.variables,
        rows=rows,
        truncated=result.truncated,
        query=query,
        editor=base_url + "?" + urlencode({"query": query}),
        downloads=[
            (
                req.script_root.rstrip("/") + "/sparql?" + urlencode({"query": query, "format": m}),
                conneg.BY_MEDIA_TYPE[m].title,
            )
            for m in conneg.offers_for(result)
        ],
    )
    response = Response(body, mimetype=conneg.HTML)
    response.headers["Vary"] = "Accept"
    return response
