"""Exports: the whole graph with its named graphs, or the laws in ELI / schema.org terms.

``full`` keeps one named graph per source file (TriG / N-Quads; Turtle flattens them);
``eli`` and ``schema`` are the derived views of :mod:`ecpl.linkeddata.profiles`, for other
legal knowledge graphs, written as a single (default) graph.

Over the service's store an export is built once per data version
(:mod:`ecpl.linkeddata.generation`) and served from memory after that: concurrent requests
wait for the one build instead of each reading the whole store.
"""

from __future__ import annotations

import datetime as dt

from rdflib import Dataset, Graph

from ecpl import prefixes
from ecpl.linkeddata import profiles
from ecpl.linkeddata.access import GraphAccess, StoreAccess
from ecpl.linkeddata.generation import PerVersion, version

# name -> (media type, file suffix)
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "trig": ("application/trig", "trig"),
    "nquads": ("application/n-quads", "nq"),
    "turtle": ("text/turtle", "ttl"),
}
PROFILES = ("full", *profiles.PROFILES)
_RDFLIB = {"trig": "trig", "nquads": "nquads", "turtle": "turtle"}
_PREFIXES = ("ecpl", "shapes", "skos", "dcterms", "owl", "eli", "schema")


def full_dataset(access: GraphAccess) -> Dataset:
    """Every named graph of the store, as an rdflib Dataset."""
    dataset = Dataset()
    for name in access.graph_names():
        target = dataset.graph(name)
        for triple in access.named_graph(name):
            target.add(triple)
    return dataset


_cache = PerVersion(size=8)  # a full export is a few MB


def export_bytes(
    access: GraphAccess, fmt: str = "trig", profile: str = "full", on: dt.date | None = None
) -> bytes:
    """The export as bytes; ``fmt`` in EXPORT_FORMATS, ``profile`` in PROFILES."""
    _check(fmt, profile)
    if getattr(access, "store", None) is None:  # an rdflib dataset (CLI, tests): build it
        return _build(access, fmt, profile, on)
    key = (version(access), fmt, profile, on)
    return _cache.get(key, lambda: _build(access, fmt, profile, on))


def _check(fmt: str, profile: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise ValueError(
            f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}"
        )
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}")


def _build(access: GraphAccess, fmt: str, profile: str, on: dt.date | None) -> bytes:
    if profile == "full":
        written = access.dump(fmt) if isinstance(access, StoreAccess) else None
        if written is not None:
            return written
        dataset = full_dataset(access)
        if fmt == "turtle":
            flat = Graph()
            for _s, _p, _o, _g in dataset.quads((None, None, None, None)):
                flat.add((_s, _p, _o))
            return _serialize(flat, fmt)
        return _serialize(dataset, fmt)
    view = profiles.profile_graph(access, profile, on)
    if fmt == "turtle":
        return _serialize(view, fmt)
    dataset = Dataset()
    for triple in view:
        dataset.add(triple)
    return _serialize(dataset, fmt)


def _serialize(graph: Graph | Dataset, fmt: str) -> bytes:
    prefixes.bind(graph, _PREFIXES)
    return graph.serialize(format=_RDFLIB[fmt], encoding="utf-8")
