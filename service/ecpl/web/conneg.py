"""Content negotiation and serialisation: the one place that maps media types to formats.

``FORMATS`` is the format registry: per format its media type, what it can carry (SPARQL
results, an RDF graph, or a page), the short names a ``format=`` parameter may use and the
other media types clients send for it. A name means what it means for the result at hand:
``xml`` is SPARQL XML for SELECT/ASK and RDF/XML for a graph (SPARQLWrapper's default for
CONSTRUCT), as ``application/xml`` is. ``negotiate`` honours q-values, ``*/*`` and ``type/*``;
a ``format`` parameter naming something on offer wins over Accept, as users of Virtuoso and
Fuseki expect; one naming nothing on offer for this result is ignored and Accept decides.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal as KindName
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from ecpl.errors import NotAcceptable
from ecpl.store.base import QueryResult

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
HTML = "text/html"


@dataclass(frozen=True)
class Format:
    """One format on offer: media type, what it carries, its names and media-type aliases."""

    media_type: str
    kind: KindName["results", "graph", "page"]
    title: str
    names: tuple[str, ...]  # for ``format=``; within one kind of offer a name is unique
    aliases: tuple[str, ...] = ()  # other media types clients send meaning this format
    rdflib: str | None = None  # rdflib serializer, for graph formats


FORMATS: tuple[Format, ...] = (
    Format(SPARQL_JSON, "results", "SPARQL JSON", ("json", "srj"), ("application/json",)),
    Format(SPARQL_XML, "results", "SPARQL XML", ("xml", "srx"), ("application/xml", "text/xml")),
    Format(CSV, "results", "CSV", ("csv",)),
    Format(TSV, "results", "TSV", ("tsv",)),
    Format(
        TURTLE,
        "graph",
        "Turtle",
        ("ttl", "turtle", "n3"),  # Turtle is valid N3; SPARQLWrapper asks for format=n3
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
        rdflib="turtle",
    ),
    Format(NTRIPLES, "graph", "N-Triples", ("nt", "ntriples", "n-triples"), ("text/plain",), "nt"),
    Format(
        JSONLD,
        "graph",
        "JSON-LD",
        ("jsonld", "json-ld", "json"),  # the JSON form of a graph
        ("application/json+ld", "application/json"),
        rdflib="json-ld",
    ),
    Format(
        RDFXML,
        "graph",
        "RDF/XML",
        ("rdfxml", "rdf", "rdf+xml", "xml", "owl"),  # the XML form of a graph
        ("application/xml", "text/xml"),
        rdflib="xml",
    ),
    Format(HTML, "page", "HTML", ("html",), ("application/xhtml+xml",)),
)
BY_MEDIA_TYPE: dict[str, Format] = {f.media_type: f for f in FORMATS}

# Offers in order of preference: the first is the default for */* or no Accept.
RESULT_TYPES: tuple[str, ...] = tuple(f.media_type for f in FORMATS if f.kind == "results")
RDF_TYPES: tuple[str, ...] = tuple(f.media_type for f in FORMATS if f.kind == "graph")
# A graph result is written in an RDF format; asked for only as a table (rasqal's roqet asks
# for SPARQL XML whatever the query), its triples become rows of ?subject ?predicate ?object.
GRAPH_RESULT_TYPES: tuple[str, ...] = RDF_TYPES + RESULT_TYPES
TRIPLE_VARIABLES = ["subject", "predicate", "object"]
RDFLIB_FORMATS: dict[str, str] = {f.media_type: f.rdflib for f in FORMATS if f.rdflib}


def lookup(name: str, offers: Sequence[str]) -> str | None:
    """The offer a ``format=`` value names (short name, media type or alias), or None.

    Offers are tried in order, so a name two kinds share (``xml``, ``json``) means the first
    kind on offer: a graph result lists its RDF formats first.
    """
    wanted = name.strip().lower()
    for offer in offers:
        known = BY_MEDIA_TYPE.get(offer)
        if wanted == offer or (known and (wanted in known.names or wanted in known.aliases)):
            return offer
    return None


def names_on_offer(offers: Sequence[str]) -> list[str]:
    """The first short name of each offer, for messages and format links."""
    return [BY_MEDIA_TYPE[o].names[0] if o in BY_MEDIA_TYPE else o for o in offers]


def _parse_accept(header: str) -> list[tuple[str, float, int]]:
    """(media range, q, position) for each entry of an Accept header; malformed q counts as 0."""
    ranges = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, position))
    return ranges


def _matches(media_range: str, offer: str) -> int:
    """Specificity of the match (3 exact, 2 alias, 1 type/*, 0 */*), or -1."""
    if media_range == offer:
        return 3
    known = BY_MEDIA_TYPE.get(offer)
    if known is not None and media_range in known.aliases:
        return 2
    if media_range == "*/*":
        return 0
    if media_range.endswith("/*") and offer.startswith(media_range[:-1]):
        return 1
    return -1


def negotiate(
    accept_header: str | None, offers: Sequence[str], format_param: str | None = None
) -> str:
    """The offer to answer with; raises NotAcceptable naming what is available."""
    if format_param and format_param.strip():
        named = lookup(format_param, offers)
        if named is not None:
            return named
    if not accept_header or not accept_header.strip():
        return offers[0]
    best: tuple[float, int, int] | None = None
    chosen = None
    ranges = _parse_accept(accept_header)
    for index, offer in enumerate(offers):
        # The most specific range matching this offer decides its q (RFC 9110 §12.5.1).
        matches = [(_matches(m, offer), q) for m, q, _ in ranges]
        matches = [(spec, q) for spec, q in matches if spec >= 0]
        if not matches:
            continue
        spec, q = max(matches)
        if q <= 0:
            continue
        key = (q, spec, -index)
        if best is None or key > best:
            best, chosen = key, offer
    if chosen is None:
        asked = f"format {format_param!r} nor " if format_param else ""
        raise NotAcceptable(
            f"cannot answer in {asked}{accept_header!r}; available: {', '.join(offers)} "
            f"(format= {', '.join(names_on_offer(offers))})"
        )
    return chosen


def content_type(media_type: str) -> str:
    """The Content-Type header value (text formats get a charset)."""
    if media_type in (CSV, TSV, TURTLE, NTRIPLES):
        return f"{media_type}; charset=utf-8"
    return media_type


# -- SPARQL results ---------------------------------------------------------------------------
def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
        return out
    raise TypeError(f"cannot serialise {term!r}")


def _json(result: QueryResult) -> bytes:
    body: dict[str, object] = {
        "head": {"vars": result.variables} if result.kind == "select" else {}
    }
    if result.kind == "ask":
        body["boolean"] = bool(result.boolean)
    else:
        body["results"] = {
            "bindings": [{k: _json_term(v) for k, v in row.items()} for row in result.rows]
        }
    if result.truncated:
        head = body["head"]
        assert isinstance(head, dict)
        head["link"] = ["urn:ecpl:truncated"]
        body["truncated"] = True  # non-standard member, ignored by standard readers
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _xml_term(term: Identifier) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    assert isinstance(term, Literal)
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(str(term))}</literal>"
    if term.datatype is not None:
        return f"<literal datatype={quoteattr(str(term.datatype))}>{escape(str(term))}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _xml(result: QueryResult) -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    out.append('<sparql xmlns="http://www.w3.org/2005/sparql-results#">')
    if result.truncated:
        out.append("<!-- results cut at the service's row limit -->")
    out.append("<head>")
    out.extend(f"<variable name={quoteattr(v)}/>" for v in result.variables)
    if result.truncated:
        out.append('<link href="urn:ecpl:truncated"/>')
    out.append("</head>")
    if result.kind == "ask":
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in result.rows:
            out.append("<result>")
            for name, term in row.items():
                out.append(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out).encode("utf-8")


def _csv(result: QueryResult) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["_askResult"])
        writer.writerow(["true" if result.boolean else "false"])
    else:
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow(
                [
                    ("_:" + str(row[v]) if isinstance(row[v], BNode) else str(row[v]))
                    if v in row
                    else ""
                    for v in result.variables
                ]
            )
    return buffer.getvalue().encode("utf-8")


def _tsv_term(term: Identifier) -> str:
    """A term in Turtle syntax with tabs and newlines escaped (SPARQL 1.1 TSV)."""
    if isinstance(term, Literal):
        text = str(term).replace("\\", "\\\\").replace('"', '\\"')
        text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    if isinstance(term, BNode):
        return f"_:{term}"
    return f"<{term}>"


def _tsv(result: QueryResult) -> bytes:
    lines = []
    if result.kind == "ask":
        lines = ["?_askResult", "true" if result.boolean else "false"]
    else:
        lines.append("\t".join(f"?{v}" for v in result.variables))
        for row in result.rows:
            lines.append("\t".join(_tsv_term(row[v]) if v in row else "" for v in result.variables))
    return ("\n".join(lines) + "\n").encode("utf-8")


_RESULT_WRITERS = {SPARQL_JSON: _json, SPARQL_XML: _xml, CSV: _csv, TSV: _tsv}


def serialize_graph(graph: Graph, media_type: str) -> bytes:
    """Turtle, N-Triples, JSON-LD or RDF/XML bytes for a graph."""
    fmt = RDFLIB_FORMATS.get(media_type)
    if fmt is None:
        raise NotAcceptable(f"cannot write RDF as {media_type}; available: {', '.join(RDF_TYPES)}")
    for prefix, namespace in (
        ("ecpl", "https://w3id.org/ecpl/ontology#"),
        ("skos", "http://www.w3.org/2004/02/skos/core#"),
        ("dcterms", "http://purl.org/dc/terms/"),
    ):
        graph.bind(prefix, namespace, override=False)
    data = graph.serialize(format=fmt, encoding="utf-8")
    return data


def serialize_result(result: QueryResult, media_type: str) -> bytes:
    """Bytes of a query result: SPARQL results formats for SELECT/ASK, RDF for graphs."""
    if result.kind == "graph":
        if media_type in RDF_TYPES:
            return serialize_graph(result.graph(), media_type)
        result = triples_table(result)
    writer = _RESULT_WRITERS.get(media_type)
    if writer is None:
        raise NotAcceptable(
            f"cannot write {result.kind.upper()} results as {media_type}; "
            f"available: {', '.join(RESULT_TYPES)}"
        )
    return writer(result)


def triples_table(result: QueryResult) -> QueryResult:
    """A graph result as rows of ?subject ?predicate ?object (for clients that read only tables)."""
    rows: list[dict[str, Identifier]] = [
        dict(zip(TRIPLE_VARIABLES, triple, strict=True))  # type: ignore[arg-type]
        for triple in result.triples
    ]
    return QueryResult(
        kind="select", variables=list(TRIPLE_VARIABLES), rows=rows, truncated=result.truncated
    )


def offers_for_kind(kind: str) -> tuple[str, ...]:
    """What an answer of this kind (``select``, ``ask``, ``graph``) can be written as."""
    return GRAPH_RESULT_TYPES if kind == "graph" else RESULT_TYPES


def offers_for(result: QueryResult) -> tuple[str, ...]:
    return offers_for_kind(result.kind)


Chooser = Callable[[str], str]


def chooser(accept_header: str | None, format_params: Sequence[str]) -> Chooser:
    """A function from an answer's kind to the media type to write, for code that learns the
    kind only when the query runs (a store that writes the answer itself)."""
    format_param = format_params[0] if format_params else None

    def choose(kind: str) -> str:
        return negotiate(accept_header, offers_for_kind(kind), format_param)

    return choose
