"""The embedded store: pyoxigraph in memory (default) or on disk (RocksDB folder).

One named graph per source file and the union of all graphs as the default graph for queries.
Writes happen in this process under one lock; timed queries run in forked workers
(:mod:`ecpl.store.pool`) that are refreshed after each write, so every later query sees it.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Identifier, Node

from ecpl import iri, queries
from ecpl.errors import InputError, NotFound, Unavailable
from ecpl.store import inference, policy
from ecpl.store.base import QueryResult, Row
from ecpl.store.pool import QueryPool
from ecpl.store.terms import to_ox, to_rdflib

Triple = tuple[Node, Node, Node]

log = logging.getLogger(__name__)

# Opens of a read-only handle a query worker tries before it answers 503 (see read_folder).
READ_ATTEMPTS = 5


def graph_node(graph: str) -> ox.NamedNode:
    """A graph name as a pyoxigraph term; InputError (400) when it is not an absolute IRI."""
    try:
        return ox.NamedNode(graph)
    except ValueError:
        raise InputError(f"graph name {graph!r} is not an absolute IRI") from None


def _graph_nodes(graphs: Sequence[str] | None) -> list[ox.NamedNode] | None:
    return None if graphs is None else [graph_node(g) for g in graphs]


def _constructor(store: ox.Store, union: bool = False) -> Callable[[str], Iterable[Triple]]:
    """A CONSTRUCT runner over ``store`` yielding rdflib triples (what the inference rules take)."""

    def construct(query: str) -> Iterable[Triple]:
        answer = store.query(query, use_default_graph_as_union=union)
        assert isinstance(answer, ox.QueryTriples)
        for t in answer:
            yield (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))

    return construct


def run_query(
    store: ox.Store,
    sparql: str,
    substitutions: Mapping[str, Identifier] | None,
    default_graphs: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
    row_limit: int | None,
    base_iri: str | None = None,
) -> QueryResult:
    """Execute on pyoxigraph and convert to rdflib terms (runs in-process or in a worker)."""
    options: dict[str, Any] = {"base_iri": base_iri}
    if default_graphs is not None:
        options["default_graph"] = _graph_nodes(default_graphs)
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs is not None:
        options["named_graphs"] = _graph_nodes(named_graphs)
    if substitutions:
        options["substitutions"] = {ox.Variable(k): to_ox(v) for k, v in substitutions.items()}
    try:
        answer = store.query(sparql, **options)
    except SyntaxError as exc:
        raise InputError(f"SPARQL syntax error: {exc}") from None
    except OSError as exc:
        raise Unavailable(f"the store could not be read: {exc}") from None
    except RuntimeError as exc:
        if not substitutions or "projection" not in str(exc):
            raise InputError(f"SPARQL query error: {exc}") from None
        # pyoxigraph substitutes only projected variables (SEP-0007); bind the others with a
        # VALUES block built from serialised terms, as for remote stores.
        del options["substitutions"]
        try:
            rewritten = queries.with_values(sparql, dict(substitutions))
        except ValueError as err:
            raise InputError(str(err)) from None
        answer = store.query(rewritten, **options)
    try:
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            names = [v.value for v in answer.variables]
            rows: list[Row] = []
            truncated = False
            for solution in answer:
                if row_limit is not None and len(rows) >= row_limit:
                    truncated = True
                    break
                row: Row = {}
                for name in names:
                    value = solution[name]
                    if value is not None:
                        row[name] = to_rdflib(value)
                rows.append(row)
            return QueryResult("select", variables=names, rows=rows, truncated=truncated)
        triples: list[Triple] = []
        truncated = False
        for t in answer:
            if row_limit is not None and len(triples) >= row_limit:
                truncated = True
                break
            triples.append((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return QueryResult("graph", triples=triples, truncated=truncated)
    except OSError as exc:  # the store failed while results were read
        raise Unavailable(f"the store could not be read: {exc}") from None
    except (RuntimeError, ValueError) as exc:  # evaluation errors surface while iterating
        raise InputError(f"SPARQL evaluation error: {exc}") from None


_read_only: dict[str, ox.Store] = {}  # a query worker's handle on the folder, by path


def read_folder(path: str, *args: Any) -> QueryResult:
    """Run a query in a worker on its own read-only handle of an on-disk store.

    Workers start from a clean fork server (never forked from the process that holds the
    store, whose RocksDB threads and locks do not survive a fork) and after every write, so
    a fresh handle sees every acknowledged write. Opening a handle reads the file list
    (MANIFEST) and then opens every table file in it; the serving process compacts in the
    background — at once after a crash restart, when the replayed log is flushed — and can
    delete a listed file before the open reaches it: pyoxigraph then raises RuntimeError
    "Corruption: … No such file" (it has no secondary instance that follows the writer).
    Open handles keep their files, so the race is in the open: try again with a fresh list.
    """
    failure: Exception | None = None
    for attempt in range(READ_ATTEMPTS):
        try:
            if path not in _read_only:
                try:
                    _read_only[path] = ox.Store.read_only(path)
                except (OSError, RuntimeError) as exc:  # RuntimeError: "Corruption: …"
                    raise Unavailable(f"the store could not be opened: {exc}") from None
            return run_query(_read_only[path], *args)
        except Unavailable as exc:
            _read_only.pop(path, None)
            failure = exc
            log.warning("query worker: %s; reopening", exc)
            time.sleep(0.05 * 2**attempt)
    raise Unavailable(f"{failure} (after {READ_ATTEMPTS} attempts)")


class OxigraphStore:
    """pyoxigraph behind the :class:`ecpl.store.base.Store` protocol."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        service_allow_list: Sequence[str] = (),
        workers: int = 2,
    ) -> None:
        self.path = path
        self.service_allow_list = tuple(service_allow_list)
        self.workers = workers
        try:
            self.raw = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            raise Unavailable(
                f"cannot open the store folder {path}: {exc} (is another ecpl process using it?)"
            ) from None
        self._lock = threading.RLock()
        self._pool: QueryPool | None = None
        self._pool_lock = threading.Lock()

    # -- queries ---------------------------------------------------------------------------
    def _has_graph(self, graph: str) -> bool:
        return self.raw.contains_named_graph(graph_node(graph))

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
        prepared = policy.prepare_query(sparql, service_allow_list=self.service_allow_list)
        policy.check_graphs(prepared.default_graphs, self._has_graph, what="FROM")
        policy.check_graphs(prepared.named_graphs, self._has_graph, what="FROM NAMED")
        policy.check_graphs(default_graphs or (), self._has_graph, what="default-graph-uri")
        policy.check_graphs(named_graphs or (), self._has_graph, what="named-graph-uri")
        args = (
            prepared.text,
            dict(bindings or {}),
            default_graphs,
            named_graphs,
            row_limit,
            prepared.base_iri,
        )
        if timeout_s is None:
            return run_query(self.raw, *args)
        return self._get_pool().run(args, timeout_s)

    def _get_pool(self) -> QueryPool:
        with self._pool_lock:
            if self._pool is None:
                if self.path is None:
                    store = self.raw  # inherited copy-on-write by the forked workers
                    task: Any = functools.partial(run_query, store)
                    self._pool = QueryPool(task, self.workers, self._lock)
                else:
                    task = functools.partial(read_folder, str(self.path))
                    self._pool = QueryPool(task, self.workers, self._lock, "forkserver")
            return self._pool

    # -- writes ----------------------------------------------------------------------------
    def _written(self) -> None:
        if self._pool is not None:
            self._pool.refresh()

    def update(self, sparql: str) -> None:
        prepared = policy.prepare_update(sparql, service_allow_list=self.service_allow_list)
        with self._lock:
            try:
                self.raw.update(prepared.text, base_iri=prepared.base_iri)
            except SyntaxError as exc:
                raise InputError(f"SPARQL update syntax error: {exc}") from None
            except OSError as exc:
                raise InputError(f"SPARQL update failed: {exc}") from None
            self.reinfer()
            self._written()

    def put_graph(self, iri_: str, graph: Graph) -> None:
        with self._lock:
            if self._has_graph(iri_):
                self.remove_with_inferences(iri_)
            self._add(iri_, graph)
            self.infer_added(graph)
            self._written()

    def add_graph(self, iri_: str, graph: Graph) -> None:
        with self._lock:
            self._add(iri_, graph)
            self.infer_added(graph)
            self._written()

    def infer_added(self, graph: Graph) -> int:
        """Add the inferences that ``graph``'s new triples entail, without a full recompute.

        Adding triples only adds inferences (the rules are monotonic), and instance triples
        entail nothing through each other except via the schema, so the rules run over the
        schema triples plus the new graph in a scratch store. A graph that changes the schema
        itself gets the full recompute.
        """
        if any(str(p) in inference.SCHEMA_PREDICATES for p in graph.predicates()):
            return self.reinfer()
        with self._lock:
            target = ox.NamedNode(str(iri.INFERRED_GRAPH))
            scratch = self._schema_scratch()
            scratch.extend(
                ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph())  # type: ignore[arg-type]
                for s, p, o in graph
            )

            construct = _constructor(scratch)

            def contains(triple: Triple) -> bool:
                s, p, o = (to_ox(term) for term in triple)
                return any(True for _ in scratch.quads_for_pattern(s, p, o, None)) or any(  # type: ignore[arg-type]
                    True
                    for _ in self.raw.quads_for_pattern(s, p, o, None)  # type: ignore[arg-type]
                )

            def add(triples: set[Triple]) -> None:
                quads = [(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]
                scratch.extend(ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in quads)  # type: ignore[arg-type]
                self.raw.add_graph(target)
                self.raw.extend(ox.Quad(s, p, o, target) for s, p, o in quads)  # type: ignore[arg-type]

            return inference.materialise(construct, contains, add)

    def _schema_scratch(self) -> ox.Store:
        """A scratch store holding the schema triples (asserted and inferred) the rules read."""
        scratch = ox.Store()
        for predicate in inference.SCHEMA_PREDICATES:
            scratch.extend(
                ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                for q in self.raw.quads_for_pattern(None, ox.NamedNode(predicate), None, None)
            )
        return scratch

    def _inverse_properties(self) -> set[str]:
        """Properties whose triples entail a triple about their object (via owl:inverseOf)."""
        answer = self.raw.query(
            inference.PREFIXES
            + """SELECT DISTINCT ?p WHERE {
                { ?q owl:inverseOf ?r } UNION { ?r owl:inverseOf ?q }
                ?p rdfs:subPropertyOf* ?q FILTER(isIRI(?p)) }""",
            use_default_graph_as_union=True,
        )
        assert isinstance(answer, ox.QuerySolutions)
        return {row["p"].value for row in answer if row["p"] is not None}

    def remove_with_inferences(self, iri_: str) -> None:
        """Drop a named graph and the inferences only it supported, without a full recompute.

        Every rule has one instance premise and keeps its node pair: an inference from
        ``(s p o)`` is about ``s``, or about ``o`` through an inverse property. So only the
        inferences about the graph's subjects (and objects of inverse properties) can lose
        their support: those are dropped and derived again from the triples that remain
        about those nodes, plus the schema. A graph holding schema triples changes what
        every triple entails: full recompute.
        """
        with self._lock:
            name = graph_node(iri_)
            quads = list(self.raw.quads_for_pattern(None, None, None, name))
            if any(q.predicate.value in inference.SCHEMA_PREDICATES for q in quads):
                self.raw.remove_graph(name)
                self.reinfer()
                return
            inverse = self._inverse_properties()
            nodes = {q.subject for q in quads} | {
                q.object
                for q in quads
                if q.predicate.value in inverse
                and isinstance(q.object, ox.NamedNode | ox.BlankNode)
            }
            self.raw.remove_graph(name)
            target = ox.NamedNode(str(iri.INFERRED_GRAPH))
            for node in nodes:
                for quad in list(self.raw.quads_for_pattern(node, None, None, target)):
                    self.raw.remove(quad)
            scratch = self._schema_scratch()
            for node in nodes:
                scratch.extend(
                    ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                    for q in self.raw.quads_for_pattern(node, None, None, None)
                    if q.graph_name != target
                )
                for predicate in inverse:
                    scratch.extend(
                        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                        for q in self.raw.quads_for_pattern(None, ox.NamedNode(predicate), node)
                        if q.graph_name != target
                    )
            derived: set[Triple] = set()

            construct = _constructor(scratch)

            def contains(triple: Triple) -> bool:
                s, p, o = (to_ox(term) for term in triple)
                return any(True for _ in scratch.quads_for_pattern(s, p, o, None))  # type: ignore[arg-type]

            def add(triples: set[Triple]) -> None:
                derived.update(triples)
                scratch.extend(
                    ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph())  # type: ignore[arg-type]
                    for s, p, o in triples
                )

            inference.materialise(construct, contains, add)
            restored = []
            for triple in derived:
                subject, prop, obj = (to_ox(term) for term in triple)
                if subject not in nodes:  # the others were never dropped
                    continue
                pattern = self.raw.quads_for_pattern(subject, prop, obj, None)  # type: ignore[arg-type]
                if not any(True for _ in pattern):  # asserted in another graph: not an inference
                    restored.append(ox.Quad(subject, prop, obj, target))  # type: ignore[arg-type]
            self.raw.add_graph(target)
            self.raw.extend(restored)

    def _add(self, iri_: str, graph: Graph) -> None:
        name = graph_node(iri_)
        self.raw.add_graph(name)
        self.raw.extend(
            ox.Quad(to_ox(s), to_ox(p), to_ox(o), name)  # type: ignore[arg-type]
            for s, p, o in graph
        )

    def delete_graph(self, iri_: str) -> None:
        with self._lock:
            if not self._has_graph(iri_):
                raise NotFound(f"no graph <{iri_}> in the store")
            self.remove_with_inferences(iri_)
            self._written()

    def reinfer(self) -> int:
        """Recompute the materialised closure in ``graph/inferred`` from the asserted triples."""
        with self._lock:
            target = ox.NamedNode(str(iri.INFERRED_GRAPH))
            if self.raw.contains_named_graph(target):
                self.raw.remove_graph(target)
            self.raw.add_graph(target)  # present even when nothing is entailed

            construct = _constructor(self.raw, union=True)

            def contains(triple: Triple) -> bool:
                s, p, o = (to_ox(term) for term in triple)
                return any(True for _ in self.raw.quads_for_pattern(s, p, o, None))  # type: ignore[arg-type]

            def add(triples: set[Triple]) -> None:
                self.raw.add_graph(target)
                self.raw.extend(
                    ox.Quad(to_ox(s), to_ox(p), to_ox(o), target)  # type: ignore[arg-type]
                    for s, p, o in triples
                )

            return inference.materialise(construct, contains, add)

    # -- reads -----------------------------------------------------------------------------
    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.raw.named_graphs() if isinstance(g, ox.NamedNode))

    def get_graph(self, iri_: str) -> Graph:
        if not self._has_graph(iri_):
            raise NotFound(f"no graph <{iri_}> in the store")
        graph = Graph()
        for quad in self.raw.quads_for_pattern(None, None, None, graph_node(iri_)):
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return graph

    def triple_count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self.raw)
        return sum(1 for _ in self.raw.quads_for_pattern(None, None, None, graph_node(graph)))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if self.path is not None:
            self.raw.flush()
            self.raw = ox.Store()  # drop the RocksDB handle (and its lock) now, not at GC
