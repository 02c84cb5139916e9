"""The store interface every backend implements, and the result type queries return.

Results carry rdflib terms so that serialisation (``ecpl.web.conneg``), the CLI and tests work
the same whatever engine answered. ``truncated`` says that a row cap cut the results, so the
HTTP layer can tell the user instead of silently dropping rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from rdflib import Graph
from rdflib.term import Identifier, Node

QueryKind = Literal["select", "ask", "graph"]
Row = dict[str, Identifier]


@dataclass
class QueryResult:
    """One query's answer: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    kind: QueryKind
    variables: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Node, Node, Node]] = field(default_factory=list)
    truncated: bool = False

    def graph(self) -> Graph:
        """The triples of a CONSTRUCT/DESCRIBE answer as an rdflib graph."""
        graph = Graph()
        for triple in self.triples:
            graph.add(triple)
        return graph

    def values(self, variable: str) -> list[Identifier | None]:
        """One column of a SELECT answer (None where unbound)."""
        return [row.get(variable) for row in self.rows]


@runtime_checkable
class Store(Protocol):
    """A quad store queried with SPARQL: the default graph is the union of all named graphs."""

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout_s: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult:
        """Run a query. ``bindings`` pre-bind variables (named-query parameters) as RDF terms.

        Raises ``InputError`` for a syntax error (with the parser's message and position),
        ``Forbidden`` for SERVICE/LOAD outside the allow-list, ``Unavailable`` when the store
        is down or the query ran past ``timeout_s``.
        """
        ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update (the caller checks authorisation)."""
        ...

    def graphs(self) -> list[str]:
        """IRIs of the named graphs in the store."""
        ...

    def get_graph(self, iri: str) -> Graph:
        """The triples of one named graph (``NotFound`` when absent)."""
        ...

    def put_graph(self, iri: str, graph: Graph) -> None:
        """Replace a named graph's content."""
        ...

    def add_graph(self, iri: str, graph: Graph) -> None:
        """Add triples to a named graph (created when absent)."""
        ...

    def delete_graph(self, iri: str) -> None:
        """Remove a named graph (``NotFound`` when absent)."""
        ...

    def triple_count(self, graph: str | None = None) -> int:
        """Number of quads in the store, or triples in one named graph."""
        ...

    def close(self) -> None:
        """Release files, processes and connections."""
        ...


def limit_rows(rows: Iterable[Row], row_limit: int | None) -> tuple[list[Row], bool]:
    """At most ``row_limit`` rows, and whether there were more."""
    if row_limit is None:
        return list(rows), False
    out: list[Row] = []
    for row in rows:
        if len(out) >= row_limit:
            return out, True
        out.append(row)
    return out, False
