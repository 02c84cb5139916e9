"""One small read interface over the graph, for a Store or a plain rdflib Dataset.

Linked-data pages, VoID and exports need only four things from the data: CONSTRUCT results,
the list of named graphs, one named graph's triples and triple counts. Keeping that surface
small lets the same code run over the service's store and over rdflib in tests and the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node


class GraphAccess(Protocol):
    """What the linked-data functions read; the default graph is the union of named graphs."""

    def construct(self, sparql: str) -> Graph: ...

    def graph_names(self) -> list[URIRef]: ...

    def named_graph(self, name: URIRef) -> Graph: ...

    def triple_count(self, name: URIRef | None = None) -> int: ...

    def graph_sizes(self) -> dict[URIRef, int]: ...


def _graph_of(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


class DatasetAccess:
    """Access over an rdflib Dataset (tests, CLI); its default graph becomes the union."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.dataset.default_union = True

    def construct(self, sparql: str) -> Graph:
        result = self.dataset.query(sparql)
        if result.type not in ("CONSTRUCT", "DESCRIBE"):
            raise ValueError("construct() needs a CONSTRUCT or DESCRIBE query")
        return _graph_of(result)  # type: ignore[arg-type]

    def graph_names(self) -> list[URIRef]:
        names = {
            g.identifier
            for g in self.dataset.graphs()
            if isinstance(g.identifier, URIRef) and len(g) > 0
        }
        names.discard(URIRef("urn:x-rdflib:default"))
        return sorted(names)

    def named_graph(self, name: URIRef) -> Graph:
        return _graph_of(self.dataset.graph(name))

    def triple_count(self, name: URIRef | None = None) -> int:
        if name is None:
            return sum(len(self.dataset.graph(g)) for g in self.graph_names())
        return len(self.dataset.graph(name))

    def graph_sizes(self) -> dict[URIRef, int]:
        return {name: len(self.dataset.graph(name)) for name in self.graph_names()}


class StoreAccess:
    """Access over an ``ecpl.store.base.Store`` (the service's memory, disk or remote store)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def construct(self, sparql: str) -> Graph:
        result = self.store.query(sparql, lane="known")  # our own text (pages, VoID, suggestions)
        return _graph_of(getattr(result, "triples", None) or ())

    def graph_names(self) -> list[URIRef]:
        return sorted(URIRef(str(g)) for g in self.store.graphs())

    def named_graph(self, name: URIRef) -> Graph:
        found = self.store.get_graph(name)
        return found if isinstance(found, Graph) else _graph_of(found)

    def triple_count(self, name: URIRef | None = None) -> int:
        return int(self.store.triple_count(name))

    def graph_sizes(self) -> dict[URIRef, int]:
        """Triples per named graph, counted in one query (in a worker, under the limits)."""
        found = self.store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
            lane="known",
            row_limit=None,
        )
        sizes = {URIRef(str(row["g"])): int(row["n"]) for row in found.rows if "g" in row}
        return {name: sizes.get(name, 0) for name in self.graph_names()}

    def dump(self, fmt: str) -> bytes | None:
        """The whole store in ``fmt`` written by the store itself (in a query worker, under its
        limits), or None when the store has no writer of its own (the remote store)."""
        writer = getattr(self.store, "dump", None)
        return writer(fmt) if writer is not None else None
