"""The whole store written out by pyoxigraph, in a query worker (``/export?profile=full``).

An export reads every quad, so it runs where every other read runs: in a fenced worker, under
the store's time and memory limits, written by the engine (fast, and no rdflib terms in the
serving process). Its named graphs are the store's; the Turtle flavour is the default graph,
which the store keeps as the RDF merge of those graphs (:mod:`ecpl.store.oxigraph`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from ecpl import prefixes

# export format name -> pyoxigraph format
FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
}
_PREFIXES = ("ecpl", "shapes", "skos", "dcterms", "owl", "rdfs", "xsd", "eli", "schema")


@dataclass(frozen=True)
class Dump:
    """A worker job: the store's named graphs (TriG, N-Quads) or their merge (Turtle)."""

    fmt: str


def _named_quads(store: ox.Store) -> Iterator[ox.Quad]:
    for quad in store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode):
            yield quad


def _merge(store: ox.Store) -> Iterable[ox.Triple]:
    for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        yield quad.triple


def dump(store: ox.Store, job: Dump) -> bytes:
    """``job.fmt`` bytes of the whole store; ValueError for a format that is not an export's."""
    if job.fmt not in FORMATS:
        raise ValueError(f"unknown export format {job.fmt!r}; expected one of {', '.join(FORMATS)}")
    source: Iterable[ox.Quad] | Iterable[ox.Triple] = (
        _merge(store) if job.fmt == "turtle" else _named_quads(store)
    )
    names = {name: str(prefixes.PREFIXES[name]) for name in _PREFIXES}
    return ox.serialize(source, format=FORMATS[job.fmt], prefixes=names) or b""
