"""Content negotiation: the one place that maps media types and format names to offers.

``negotiate`` honours q-values, ``*/*`` and ``type/*``; a ``format`` parameter (a short name
such as ``json`` or a media type) wins over Accept, as users of Virtuoso and Fuseki expect, and
one that names nothing on offer falls back to Accept (SPARQLWrapper sends ``format=xml`` with
``Accept: application/rdf+xml`` for a CONSTRUCT). Query answers are written by
:mod:`ecpl.results`; rdflib graphs (pages, exports) by :func:`serialize_graph`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rdflib import Graph

from ecpl import results
from ecpl.errors import NotAcceptable
from ecpl.results import (
    CSV,
    JSONLD,
    NTRIPLES,
    RDF_TYPES,
    RDFXML,
    RESULT_TYPES,
    SPARQL_JSON,
    SPARQL_XML,
    TSV,
    TURTLE,
)
from ecpl.store.base import QueryResult

__all__ = [
    "CSV",
    "JSONLD",
    "NTRIPLES",
    "RDFXML",
    "RDF_TYPES",
    "RESULT_TYPES",
    "SPARQL_JSON",
    "SPARQL_XML",
    "TSV",
    "TURTLE",
]

Chooser = Callable[[str], str]

RDFLIB_FORMATS = {TURTLE: "turtle", NTRIPLES: "nt", JSONLD: "json-ld", RDFXML: "xml"}

# Short names for the ``format`` parameter, and media types clients use as synonyms.
FORMAT_NAMES: dict[str, str] = {
    "json": SPARQL_JSON,
    "srj": SPARQL_JSON,
    "xml": SPARQL_XML,
    "srx": SPARQL_XML,
    "csv": CSV,
    "tsv": TSV,
    "turtle": TURTLE,
    "ttl": TURTLE,
    "n3": TURTLE,  # Turtle is valid N3; SPARQLWrapper asks for format=n3
    "nt": NTRIPLES,
    "ntriples": NTRIPLES,
    "n-triples": NTRIPLES,
    "jsonld": JSONLD,
    "json-ld": JSONLD,
    "rdfxml": RDFXML,
    "rdf": RDFXML,
    "rdf+xml": RDFXML,
}
ALIASES: dict[str, str] = {
    "application/json": SPARQL_JSON,
    "application/xml": SPARQL_XML,
    "text/xml": SPARQL_XML,
    "text/plain": NTRIPLES,
    "application/x-turtle": TURTLE,
    "application/turtle": TURTLE,
    "text/n3": TURTLE,
    "text/rdf+n3": TURTLE,
    "application/n3": TURTLE,
    "application/json+ld": JSONLD,
}
# For a graph answer, generic names mean the RDF format (``xml`` is RDF/XML, ``json`` JSON-LD).
GRAPH_SYNONYMS: dict[str, str] = {
    "xml": RDFXML,
    "application/xml": RDFXML,
    "text/xml": RDFXML,
    "json": JSONLD,
    "application/json": JSONLD,
}


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
    if ALIASES.get(media_range) == offer:
        return 2
    if offer in RDF_TYPES and GRAPH_SYNONYMS.get(media_range) == offer:
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
    if format_param:
        wanted = format_param.strip().lower()
        candidates = [FORMAT_NAMES.get(wanted), ALIASES.get(wanted), wanted]
        if offers and offers[0] in RDF_TYPES:
            candidates.insert(0, GRAPH_SYNONYMS.get(wanted))
        for media in candidates:
            if media is not None and media in offers:
                return media
        if not accept_header or not accept_header.strip():
            raise NotAcceptable(
                f"format {format_param!r} is not available here; use one of "
                + ", ".join(sorted({k for k, v in FORMAT_NAMES.items() if v in offers}))
            )
    if not accept_header or not accept_header.strip():
        return offers[0]
    best: tuple[float, int, int, int] | None = None
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
        key = (q, spec, -index, 0)
        if best is None or key > best:
            best, chosen = key, offer
    if chosen is None:
        raise NotAcceptable(f"cannot answer in {accept_header!r}; available: {', '.join(offers)}")
    return chosen


def content_type(media_type: str) -> str:
    """The Content-Type header value (text formats get a charset)."""
    if media_type in (CSV, TSV, TURTLE, NTRIPLES):
        return f"{media_type}; charset=utf-8"
    return media_type


def chooser(accept_header: str | None, format_params: Sequence[str]) -> Chooser:
    """A function from an answer's kind (select/ask/graph) to the media type to write."""
    format_param = format_params[0] if format_params else None

    def choose(kind: str) -> str:
        return negotiate(accept_header, results.offers(kind), format_param)

    return choose


def serialize_graph(graph: Graph, media_type: str) -> bytes:
    """Turtle, N-Triples, JSON-LD or RDF/XML bytes for an rdflib graph (pages, exports)."""
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
    """Bytes of an in-process :class:`QueryResult`, through the one writer (``ecpl.results``)."""
    from ecpl.store.terms import to_ox

    if result.kind == "ask":
        return results.write_boolean(bool(result.boolean), media_type).body
    if result.kind == "graph":
        import pyoxigraph as ox

        triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in result.triples]  # type: ignore[arg-type]
        return results.write_triples(triples, media_type, results.Caps()).body
    rows = [
        tuple(to_ox(row[v]) if v in row else None for v in result.variables) for row in result.rows
    ]
    cut = "results cut at the row limit" if result.truncated else None
    written = results.write_solutions(result.variables, rows, media_type, results.Caps(), cut)  # type: ignore[arg-type]
    return written.body


def offers_for(result: QueryResult) -> tuple[str, ...]:
    return results.offers(result.kind)
