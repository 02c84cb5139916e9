"""The embedded store: pyoxigraph in memory (default) or on disk (RocksDB folder).

One named graph per source file. The default graph a query sees (with no dataset named) is the
RDF merge of all named graphs, with set semantics: it is materialised in the store's own
default graph and kept in step with every write (pyoxigraph's union and multi-graph default
count a triple held by two graphs twice). Writes happen in this process under one lock; queries
and updates run in fenced, killable workers (:mod:`ecpl.store.pool`) refreshed after each write.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Identifier

from ecpl import iri, results
from ecpl.errors import Forbidden, InputError, NotFound, Unavailable
from ecpl.store import inference, policy
from ecpl.store.base import DEFAULT, Lane, Limits, QueryResult, effective_dataset, update_dataset
from ecpl.store.dump import Dump
from ecpl.store.execution import Job, execute, read_folder, try_update
from ecpl.store.pool import Fence, QueryPool
from ecpl.store.terms import DEFAULT_GRAPH, graph_node, to_ox, to_rdflib


class OxigraphStore:
    """pyoxigraph behind the :class:`ecpl.store.base.Store` protocol."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        service_allow_list: Sequence[str] = (),
        workers: int = 2,
        limits: Limits | None = None,
    ) -> None:
        self.path = path
        self.service_allow_list = tuple(service_allow_list)
        self.workers = workers
        self.limits = limits or Limits()
        try:
            self.raw = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            raise Unavailable(
                f"cannot open the store folder {path}: {exc} (is another ecpl process using it?)"
            ) from None
        self._lock = threading.RLock()
        self._pool: QueryPool | None = None
        self._pool_lock = threading.Lock()
        self._count: int | None = None  # distinct triples, cached between writes

    # -- queries ---------------------------------------------------------------------------
    def _has_graph(self, graph: str) -> bool:
        return self.raw.contains_named_graph(graph_node(graph))

    def prepare(self, sparql: str, *, base_iri: str | None = None) -> policy.Prepared:
        """The policy's reading of a query (form, dataset); Forbidden / InputError."""
        return policy.prepare_query(
            sparql, base_iri=base_iri, service_allow_list=self.service_allow_list
        )

    def _job(
        self,
        sparql: str,
        bindings: Mapping[str, Identifier] | None,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        base_iri: str | None,
        prepared: policy.Prepared | None,
        media_type: str | None,
        caps: results.Caps,
    ) -> Job:
        prepared = prepared or self.prepare(sparql, base_iri=base_iri)
        dataset = effective_dataset(prepared, default_graphs, named_graphs)
        if dataset is not None:
            protocol = bool(default_graphs or named_graphs)
            what = ("default-graph-uri", "named-graph-uri") if protocol else ("FROM", "FROM NAMED")
            policy.check_graphs(dataset[0], self._has_graph, what=what[0])
            policy.check_graphs(dataset[1], self._has_graph, what=what[1])
        return Job(
            prepared.text,
            base_iri,
            dataset,
            dict(bindings or {}),
            media_type,
            caps,
        )

    def _run(self, job: Job | Dump, timeout_s: float | None, lane: Lane = "user") -> Any:
        if timeout_s is None:
            return execute(self.raw, job)
        return self._get_pool().run(job, timeout_s, lane=lane)

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
        caps = self.limits.caps(row_limit)
        job = self._job(sparql, bindings, default_graphs, named_graphs, base_iri, None, None, caps)
        result: QueryResult = self._run(job, self.limits.timeout(timeout_s), lane)
        return result

    def serialise(
        self,
        sparql: str,
        choose: Callable[[str], str],
        *,
        bindings: Mapping[str, Identifier] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        prepared: policy.Prepared | None = None,
        timeout_s: float | object | None = DEFAULT,
        row_limit: int | object | None = DEFAULT,
        lane: Lane = "user",
    ) -> results.Serialised:
        """Run a query and write its answer in ``choose(kind)`` (kind: select/ask/graph)."""
        prepared = prepared or self.prepare(sparql, base_iri=base_iri)
        media_type = choose(results.kind_of(prepared.form))
        caps = self.limits.caps(row_limit)
        job = self._job(
            sparql, bindings, default_graphs, named_graphs, base_iri, prepared, media_type, caps
        )
        answer: results.Serialised = self._run(job, self.limits.timeout(timeout_s), lane)
        return answer

    def dump(self, fmt: str, timeout_s: float | object | None = DEFAULT) -> bytes:
        """Every named graph (TriG, N-Quads) or their merge (Turtle), written in a worker."""
        written: bytes = self._run(Dump(fmt), self.limits.timeout(timeout_s), "known")
        return written

    def _get_pool(self) -> QueryPool:
        with self._pool_lock:
            if self._pool is None:
                fence = Fence(self.limits.memory_mb, network=bool(self.service_allow_list))
                if self.path is None:
                    store = self.raw  # inherited copy-on-write by the forked workers
                    task: Any = functools.partial(execute, store)
                    self._pool = QueryPool(task, self.workers, self._lock, fence=fence)
                else:
                    task = functools.partial(read_folder, str(self.path))
                    self._pool = QueryPool(  # its own handle, nothing shared to give back
                        task, self.workers, self._lock, "forkserver", fence=fence, recycle_mb=None
                    )
            return self._pool

    def start_workers(self) -> None:
        """Fork the query workers now, not on the first query (a front, before it serves)."""
        self._get_pool()

    def stop_workers(self) -> None:
        """Stop the query workers; the next query forks new ones. Called before forking front
        processes: each front forks its own workers, none shares the parent's pipes."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    def network_isolation(self) -> str:
        """Whether query workers are cut off from the network (reported by /health)."""
        return self._get_pool().network

    # -- the default graph: the merge of all named graphs ----------------------------------
    def _add_triples(self, name: ox.NamedNode, triples: Iterable[tuple[Any, Any, Any]]) -> None:
        kept = list(triples)
        self.raw.add_graph(name)
        self.raw.extend(ox.Quad(s, p, o, name) for s, p, o in kept)
        self.raw.extend(ox.Quad(s, p, o, DEFAULT_GRAPH) for s, p, o in kept)
        self._count = None

    def _remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Remove quads; their triple leaves the default graph unless another graph holds it."""
        removed = list(quads)
        for quad in removed:
            self.raw.remove(quad)
        self._remove_from_default((q.subject, q.predicate, q.object) for q in removed)

    def _remove_from_default(self, triples: Iterable[tuple[Any, Any, Any]]) -> None:
        """Drop default-graph triples that no named graph holds any more."""
        for s, p, o in triples:
            held = any(q.graph_name != DEFAULT_GRAPH for q in self.raw.quads_for_pattern(s, p, o))
            if not held:
                self.raw.remove(ox.Quad(s, p, o, DEFAULT_GRAPH))
        self._count = None

    def _drop(self, name: ox.NamedNode) -> None:
        """Remove a named graph and the default-graph triples that only it held."""
        self.raw.update(
            f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{name.value}> {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER(?h != <{name.value}>) }} }}"
        )
        self.raw.remove_graph(name)
        self._count = None

    def rebuild_default(self) -> None:
        """Make the default graph the merge of all named graphs (after a bulk load)."""
        with self._lock:
            self.raw.update("CLEAR DEFAULT")
            self.raw.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            self._count = None

    # -- writes ----------------------------------------------------------------------------
    def _written(self) -> None:
        if self._pool is not None:
            self._pool.refresh()

    def prepare_update(self, sparql: str, *, base_iri: str | None = None) -> policy.Prepared:
        """The policy's reading of an update; Forbidden unless it writes only case graphs."""
        prepared = policy.prepare_update(
            sparql, base_iri=base_iri, service_allow_list=self.service_allow_list
        )
        check_update_targets(prepared)
        return prepared

    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        using_graphs: Sequence[str] | None = None,
        using_named_graphs: Sequence[str] | None = None,
        timeout_s: float | object | None = DEFAULT,
    ) -> None:
        """Run an update that writes only case graphs; it runs in a worker under the limits."""
        prepared = self.prepare_update(sparql, base_iri=base_iri)
        dataset = update_dataset(prepared, using_graphs, using_named_graphs)
        written = prepared.written_graphs or ()
        job = Job(prepared.text, base_iri, dataset, update=True, written=tuple(written))
        timeout = self.limits.timeout(timeout_s)
        in_worker = self.path is None and timeout is not None
        pool = self._get_pool() if in_worker else None  # before the lock: the pool forks under it
        with self._lock:
            if pool is None or timeout is None:  # on disk: workers hold read-only handles
                self._update_here(job)
                return
            effect = pool.run(job, timeout)
            for graph, data in effect.items():
                name = graph_node(graph)
                if self._has_graph(graph):
                    self._drop(name)
                if data is not None:
                    triples = [
                        (t.subject, t.predicate, t.object)
                        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
                    ]
                    self._add_triples(name, triples)
            if effect:
                self.reinfer()
            self._written()

    def _update_here(self, job: Job) -> None:
        """Run an update in this process (no time limit) and bring the default graph along.

        The update writes only the graphs in ``job.written`` (checked); their triples before
        and after give what the default graph gains and loses.
        """
        names = [graph_node(g) for g in job.written]

        def triples() -> set[tuple[Any, Any, Any]]:
            return {
                (q.subject, q.predicate, q.object)
                for name in names
                for q in self.raw.quads_for_pattern(None, None, None, name)
            }

        before = triples()
        if job.dataset is not None:  # the protocol's dataset: run on a scratch copy
            for graph, data in try_update(self.raw, job).items():
                name = graph_node(graph)
                if self._has_graph(graph):
                    self.raw.remove_graph(name)
                if data is not None:
                    self.raw.add_graph(name)
                    self.raw.extend(
                        ox.Quad(t.subject, t.predicate, t.object, name)
                        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
                    )
        else:
            try:
                self.raw.update(job.text, base_iri=job.base_iri)
            except SyntaxError as exc:
                raise InputError(f"SPARQL update syntax error: {exc}") from None
            except (OSError, RuntimeError) as exc:
                raise InputError(f"SPARQL update failed: {exc}") from None
        after = triples()
        self.raw.extend(ox.Quad(s, p, o, DEFAULT_GRAPH) for s, p, o in after - before)
        self._remove_from_default(before - after)
        self._count = None
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
        """Add the inferences that ``graph``'s new triples entail (:func:`inference.added`);
        a graph that changes the schema gets the full recompute."""
        if inference.touches_schema(str(p) for p in graph.predicates()):
            return self.reinfer()
        with self._lock:
            return inference.added(self.raw, graph, self._add_inferred)

    def _add_inferred(self, triples: Iterable[inference.OxTriple]) -> None:
        self._add_triples(inference.INFERRED, triples)

    def remove_with_inferences(self, iri_: str) -> None:
        """Drop a named graph and the inferences only it supported, without a full recompute.

        Only the inferences about the graph's nodes (:func:`inference.supported_nodes`) can
        lose their support: those are dropped and derived again from what remains
        (:func:`inference.rederive`). A graph holding schema triples changes what every
        triple entails: full recompute.
        """
        with self._lock:
            name = graph_node(iri_)
            quads = list(self.raw.quads_for_pattern(None, None, None, name))
            if inference.touches_schema(q.predicate.value for q in quads):
                self._drop(name)
                self.reinfer()
                return
            inverse = inference.inverse_properties(self.raw)
            nodes = inference.supported_nodes(quads, inverse)
            self._drop(name)
            for node in nodes:
                self._remove_quads(self.raw.quads_for_pattern(node, None, None, inference.INFERRED))
            self._add_inferred(inference.rederive(self.raw, nodes, inverse))

    def _add(self, iri_: str, graph: Graph) -> None:
        self._add_triples(graph_node(iri_), ((to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph))

    def delete_graph(self, iri_: str) -> None:
        with self._lock:
            if not self._has_graph(iri_):
                raise NotFound(f"no graph <{iri_}> in the store")
            self.remove_with_inferences(iri_)
            self._written()

    def reinfer(self) -> int:
        """Recompute the materialised closure in ``graph/inferred`` from the asserted triples."""
        with self._lock:
            if self.raw.contains_named_graph(inference.INFERRED):
                self._drop(inference.INFERRED)
            self.raw.add_graph(inference.INFERRED)  # present even when nothing is entailed
            count = inference.closure(self.raw)
            self._count = None
            return count

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
        """Distinct triples in the default graph (the merge), or triples in one named graph."""
        name = DEFAULT_GRAPH if graph is None else graph_node(graph)
        if graph is None and self._count is not None:
            return self._count
        answer = self.raw.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[name])
        if not isinstance(answer, ox.QuerySolutions):  # a SELECT answers with solutions
            raise TypeError(f"pyoxigraph answered a SELECT with {answer!r}")
        count = int(next(iter(answer))[0].value)
        if graph is None:
            self._count = count
        return count

    def close(self) -> None:
        self.stop_workers()
        if self.path is not None:
            self.raw.flush()
            self.raw = ox.Store()  # drop the RocksDB handle (and its lock) now, not at GC


def writable(graph: str) -> bool:
    """Updates write stored case graphs only (never sources, shapes, inferences or findings)."""
    return graph.startswith(iri.CASE_GRAPH_PREFIX) and not graph.endswith("/findings")


def check_update_targets(prepared: policy.Prepared) -> None:
    """Forbidden unless the update can be shown to write nothing but case graphs."""
    if prepared.writes_all or prepared.written_graphs is None:
        raise Forbidden(
            "this update may write the default graph or every graph (DROP ALL, CLEAR DEFAULT, "
            "a variable graph …); updates may write stored case graphs only "
            f"({iri.CASE_GRAPH_PREFIX}{{slug}}), named explicitly"
        )
    for graph in prepared.written_graphs:
        if not writable(graph):
            raise Forbidden(
                f"an update may not write <{graph}>; updates may write stored case graphs only "
                f"({iri.CASE_GRAPH_PREFIX}{{slug}})"
            )
