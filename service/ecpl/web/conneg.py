"""Content negotiation: which format an answer goes out in, from Accept and ``format=``.

The formats themselves are in the registry :mod:`ecpl.formats`. ``negotiate`` honours
q-values, ``*/*`` and ``type/*``; a ``format`` parameter naming something on offer wins over
Accept, as users of Virtuoso and Fuseki expect; one naming nothing on offer for this answer is
ignored and Accept decides. Query answers are written by :mod:`ecpl.results`; rdflib graphs
(pages, exports) by :func:`serialize_graph`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from flask import request
from rdflib import Graph

from ecpl import prefixes, results
from ecpl.errors import NotAcceptable
from ecpl.formats import (
    BY_MEDIA_TYPE,
    CSV,
    FORMATS,
    GRAPH_RESULT_TYPES,
    HTML,
    JSONLD,
    NTRIPLES,
    RDF_TYPES,
    RDFLIB_FORMATS,
    RDFXML,
    RESULT_TYPES,
    SPARQL_JSON,
    SPARQL_XML,
    TRIPLE_VARIABLES,
    TSV,
    TURTLE,
    lookup,
    names_on_offer,
    offers,
)
from ecpl.store.base import QueryResult

__all__ = [
    "BY_MEDIA_TYPE",
    "CSV",
    "FORMATS",
    "GRAPH_RESULT_TYPES",
    "HTML",
    "JSONLD",
    "NTRIPLES",
    "RDFLIB_FORMATS",
    "RDFXML",
    "RDF_TYPES",
    "RESULT_TYPES",
    "SPARQL_JSON",
    "SPARQL_XML",
    "TRIPLE_VARIABLES",
    "TSV",
    "TURTLE",
    "lookup",
    "names_on_offer",
]

Chooser = Callable[[str], str]


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
    offered = tuple(offers)
    if len(accept_header) <= CACHED_ACCEPT_CHARS:
        chosen = _best_cached(accept_header, offered)
    else:
        chosen = _best(accept_header, offered)
    if chosen is None:
        asked = f"format {format_param!r} nor " if format_param else ""
        raise NotAcceptable(
            f"cannot answer in {asked}{accept_header!r}; available: {', '.join(offers)} "
            f"(format= {', '.join(names_on_offer(offers))})"
        )
    return chosen


def _best(accept_header: str, offers: tuple[str, ...]) -> str | None:
    """The offer Accept prefers, or None when it accepts none of them."""
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
    return chosen


# Clients send few distinct Accept headers, and every request negotiates once or twice (HTML
# page or answer; which answer format): remember the choice for headers up to this length.
CACHED_ACCEPT_CHARS = 512
_best_cached = lru_cache(maxsize=256)(_best)


def content_type(media_type: str) -> str:
    """The Content-Type header value (text formats get a charset)."""
    if media_type in (CSV, TSV, TURTLE, NTRIPLES):
        return f"{media_type}; charset=utf-8"
    return media_type


def serialize_graph(graph: Graph, media_type: str) -> bytes:
    """Turtle, N-Triples, JSON-LD or RDF/XML bytes for an rdflib graph (pages, exports)."""
    fmt = RDFLIB_FORMATS.get(media_type)
    if fmt is None:
        raise NotAcceptable(f"cannot write RDF as {media_type}; available: {', '.join(RDF_TYPES)}")
    prefixes.bind(graph, ("ecpl", "skos", "dcterms"))
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


def offers_for_kind(kind: str) -> tuple[str, ...]:
    """What an answer of this kind (``select``, ``ask``, ``graph``) can be written as."""
    return offers(kind)


def offers_for(result: QueryResult) -> tuple[str, ...]:
    return offers(result.kind)


def chooser(accept_header: str | None, format_params: Sequence[str]) -> Chooser:
    """A function from an answer's kind (select/ask/graph) to the media type to write, for
    code that learns the kind only when the query runs (a store that writes the answer)."""
    format_param = format_params[0] if format_params else None

    def choose(kind: str) -> str:
        return negotiate(accept_header, offers(kind), format_param)

    return choose


def choose_format(offers: dict[str, str]) -> str:
    """The key of ``offers`` (short name -> media type) this request asks for.

    ``?format=`` (a short name or a media type) wins over Accept, as on /sparql; Accept is
    negotiated by :func:`negotiate` (q-values, ``*/*``, ``type/*``).
    """
    wanted = (request.args.get("format") or "").strip().lower()
    if wanted:
        for key, media in offers.items():
            if wanted in (key, media):
                return key
        raise NotAcceptable(
            f"format {wanted!r} is not available here; use one of {', '.join(offers)}"
        )
    media = negotiate(request.headers.get("Accept"), list(offers.values()))
    return next(key for key, value in offers.items() if value == media)
