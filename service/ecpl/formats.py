"""The format registry: the one place that says which formats exist and what their names mean.

Per format: its media type, what it can carry (SPARQL results, an RDF graph, or a page), the
short names a ``format=`` parameter (or ``ecpl query --format``) may use, the other media types
clients send for it, and the rdflib / pyoxigraph names that write it. A name means what it
means for the answer at hand: ``xml`` is SPARQL XML for SELECT/ASK and RDF/XML for a graph
(SPARQLWrapper's default for CONSTRUCT), as ``application/xml`` is. Negotiation
(:mod:`ecpl.web.conneg`), the writers (:mod:`ecpl.results`) and the CLI read this table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
HTML = "text/html"

Kind = Literal["results", "graph", "page"]


@dataclass(frozen=True)
class Format:
    """One format on offer: media type, what it carries, its names and media-type aliases."""

    media_type: str
    kind: Kind
    title: str
    names: tuple[str, ...]  # for ``format=``; within one kind of offer a name is unique
    aliases: tuple[str, ...] = ()  # other media types clients send meaning this format
    rdflib: str | None = None  # rdflib serializer/parser name, for graph formats
    extension: str | None = None  # file extension (linked-data pages, exports)
    w3c: str | None = None  # its name in http://www.w3.org/ns/formats/ (service description)


FORMATS: tuple[Format, ...] = (
    Format(
        SPARQL_JSON,
        "results",
        "SPARQL JSON",
        ("json", "srj"),
        ("application/json",),
        w3c="SPARQL_Results_JSON",
    ),
    Format(
        SPARQL_XML,
        "results",
        "SPARQL XML",
        ("xml", "srx"),
        ("application/xml", "text/xml"),
        w3c="SPARQL_Results_XML",
    ),
    Format(CSV, "results", "CSV", ("csv",), w3c="SPARQL_Results_CSV"),
    Format(TSV, "results", "TSV", ("tsv",), w3c="SPARQL_Results_TSV"),
    Format(
        TURTLE,
        "graph",
        "Turtle",
        ("ttl", "turtle", "n3"),  # Turtle is valid N3; SPARQLWrapper asks for format=n3
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
        rdflib="turtle",
        extension="ttl",
        w3c="Turtle",
    ),
    Format(
        NTRIPLES,
        "graph",
        "N-Triples",
        ("nt", "ntriples", "n-triples"),
        ("text/plain",),
        rdflib="nt",
        extension="nt",
        w3c="N-Triples",
    ),
    Format(
        JSONLD,
        "graph",
        "JSON-LD",
        ("jsonld", "json-ld", "json"),  # the JSON form of a graph
        ("application/json+ld", "application/json"),
        rdflib="json-ld",
        extension="jsonld",
        w3c="JSON-LD",
    ),
    Format(
        RDFXML,
        "graph",
        "RDF/XML",
        ("rdfxml", "rdf", "rdf+xml", "xml", "owl"),  # the XML form of a graph
        ("application/xml", "text/xml"),
        rdflib="xml",
        extension="rdf",
        w3c="RDF_XML",
    ),
    Format(HTML, "page", "HTML", ("html",), ("application/xhtml+xml",)),
)
BY_MEDIA_TYPE: dict[str, Format] = {f.media_type: f for f in FORMATS}

# Offers in order of preference: the first is the default for */* or no Accept.
RESULT_TYPES: tuple[str, ...] = tuple(f.media_type for f in FORMATS if f.kind == "results")
RDF_TYPES: tuple[str, ...] = tuple(f.media_type for f in FORMATS if f.kind == "graph")
# A graph answer is written in an RDF format; asked for only as a table (rasqal's roqet asks
# for SPARQL XML whatever the query), its triples become rows of ?subject ?predicate ?object.
GRAPH_RESULT_TYPES: tuple[str, ...] = RDF_TYPES + RESULT_TYPES
TRIPLE_VARIABLES = ("subject", "predicate", "object")
RDFLIB_FORMATS: dict[str, str] = {f.media_type: f.rdflib for f in FORMATS if f.rdflib}


def offers(kind: str) -> tuple[str, ...]:
    """What an answer of this kind (``select``, ``ask``, ``graph``) can be written as."""
    return GRAPH_RESULT_TYPES if kind == "graph" else RESULT_TYPES


def lookup(name: str, offers: Sequence[str]) -> str | None:
    """The offer a ``format=`` value names (short name, media type or alias), or None.

    Offers are tried in order, so a name two kinds share (``xml``, ``json``) means the first
    kind on offer: a graph answer lists its RDF formats first.
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
