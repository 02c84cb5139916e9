"""The store interface every backend implements, the limits it applies, and its result type.

Two ways to ask: :meth:`Store.serialise` answers with bytes written from the engine's own terms
(HTTP and CLI: exact, no rdflib in the path); :meth:`Store.query` with a :class:`QueryResult`
of rdflib terms (exact lexical forms) for in-process callers such as linked-data pages.
Both apply the store's :class:`Limits` unless the caller overrides them. ``truncated`` says
that a cap cut the results, so the HTTP layer can tell the user instead of dropping rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from rdflib import Graph
from rdflib.term import Identifier, Node

from ecpl.errors import InputError

QueryKind = Literal["select", "ask", "graph"]
Row = dict[str, Identifier]
# Whose text a query is: "user" (a client's, the default) or "known" (written by the service:
# named queries, linked-data pages). Known queries get workers that client text never reaches,
# so runaway client queries cannot starve pages and named queries (ecpl.store.pool).
Lane = Literal["user", "known"]


class _Default:
    """Sentinel: "the store's configured limit" (None means no limit)."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()


@dataclass(frozen=True)
class Limits:
    """The limits every read through a store gets unless its caller says otherwise."""

    timeout_s: float | None = 30.0
    row_limit: int | None = 10_000
    max_response_bytes: int | None = 64 * 1024 * 1024
    max_term_bytes: int | None = 16 * 1024 * 1024
    memory_mb: int | None = 1024

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        return cls(
            timeout_s=float(settings.query_timeout_s),
            row_limit=settings.row_limit,
            max_response_bytes=settings.max_response_bytes,
            max_term_bytes=settings.max_term_bytes,
            memory_mb=settings.query_memory_mb or None,
        )

    def timeout(self, given: float | object | None) -> float | None:
        return self.timeout_s if given is DEFAULT else given  # type: ignore[return-value]

    def caps(self, row_limit: int | object | None = DEFAULT) -> Any:
        from ecpl.results import Caps

        rows = self.row_limit if row_limit is DEFAULT else row_limit
        return Caps(rows, self.max_response_bytes, self.max_term_bytes)  # type: ignore[arg-type]


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
    """A quad store queried with SPARQL: the default graph is the RDF merge of all named graphs."""

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        timeout_s: float | object | None = DEFAULT,
        row_limit: int | object | None = DEFAULT,
        lane: Lane = "user",
    ) -> QueryResult:
        """Run a query. ``bindings`` pre-bind variables (named-query parameters) as RDF terms.

        Raises ``InputError`` for a syntax error (with the parser's message and position),
        ``Forbidden`` for SERVICE/LOAD outside the allow-list, ``Unavailable`` when the store
        is down or the query ran past ``timeout_s``.
        """
        ...

    def serialise(
        self,
        sparql: str,
        choose: Callable[[str], str],
        *,
        bindings: Mapping[str, Identifier] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        prepared: Any = None,
        timeout_s: float | object | None = DEFAULT,
        row_limit: int | object | None = DEFAULT,
        lane: Lane = "user",
    ) -> Any:
        """Run a query; its answer as ``ecpl.results.Serialised`` bytes in ``choose(kind)``.

        ``choose`` gets ``select``, ``ask`` or ``graph`` before the query runs and returns the
        media type (content negotiation; it raises NotAcceptable to refuse).
        """
        ...

    def prepare(self, sparql: str, *, base_iri: str | None = None) -> Any:
        """The policy's reading of a query (``policy.Prepared``): Forbidden / InputError."""
        ...

    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        using_graphs: Sequence[str] | None = None,
        using_named_graphs: Sequence[str] | None = None,
    ) -> None:
        """Run a SPARQL Update writing case graphs only (the caller checks authorisation)."""
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
        """Distinct triples in the default graph (the merge), or triples in one named graph."""
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


def effective_dataset(
    prepared: Any,
    default_graphs: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The dataset a query runs on (SPARQL 1.1 §13.2, Protocol §2.1.4), None for the store's.

    ``default-graph-uri`` / ``named-graph-uri`` override FROM / FROM NAMED; either side given
    alone leaves the other empty.
    """
    if default_graphs or named_graphs:
        return tuple(default_graphs or ()), tuple(named_graphs or ())
    if prepared.has_dataset:
        return prepared.default_graphs, prepared.named_graphs
    return None


def update_dataset(
    prepared: Any,
    using_graphs: Sequence[str] | None,
    using_named_graphs: Sequence[str] | None,
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The protocol's ``using-graph-uri`` / ``using-named-graph-uri`` dataset for an update.

    SPARQL 1.1 Protocol §2.2.3: an update naming a dataset in its text (USING, USING NAMED or
    WITH) and in the request is refused.
    """
    if not (using_graphs or using_named_graphs):
        return None
    if prepared.has_dataset or prepared.with_graph:
        raise InputError(
            "the update names its dataset (USING / USING NAMED / WITH) and the request does too "
            "(using-graph-uri / using-named-graph-uri); give it in one place"
        )
    return tuple(using_graphs or ()), tuple(using_named_graphs or ())
