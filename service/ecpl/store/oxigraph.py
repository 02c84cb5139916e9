"""The embedded store: pyoxigraph in memory (default) or on disk (RocksDB folder).

One named graph per source file. The default graph a query sees (with no dataset named) is the
RDF merge of all named graphs, with set semantics: it is materialised in the store's own
default graph and kept in step with every write (pyoxigraph's union and multi-graph default
count a triple held by two graphs twice). Writes happen in this process under one lock; queries
and updates run in fenced, killable workers (:mod:`ecpl.store.pool`) refreshed after each write.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Identifier, Node

from ecpl import iri, queries, results
from ecpl.errors import EcplError, Forbidden, InputError, NotFound, Unavailable
from ecpl.store import inference, policy
from ecpl.store.base import DEFAULT, Limits, QueryResult, Row, effective_dataset, update_dataset
from ecpl.store.pool import Fence, QueryPool
from ecpl.store.terms import to_ox, to_rdflib

Triple = tuple[Node, Node, Node]

log = logging.getLogger(__name__)

# Opens of a read-only handle a query worker tries before it answers 503 (see read_folder).
READ_ATTEMPTS = 5
DEFAULT_GRAPH = ox.DefaultGraph()
RECYCLE_TIMEOUT_S = 5.0


def graph_node(graph: str) -> ox.NamedNode:
    """A graph name as a pyoxigraph term; InputError (400) when it is not an absolute IRI."""
    try:
        return ox.NamedNode(graph)
    except ValueError:
        raise InputError(f"graph name {graph!r} is not an absolute IRI") from None


def _constructor(store: ox.Store) -> Callable[[str], Iterable[Triple]]:
    """A CONSTRUCT runner over ``store``'s default graph yielding rdflib triples (for the rules)."""

    def construct(query: str) -> Iterable[Triple]:
        answer = store.query(query)
        assert isinstance(answer, ox.QueryTriples)
        for t in answer:
            yield (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))

    return construct


@dataclass(frozen=True)
class Job:
    """One request for a worker (pickled to it): a query to answer or an update to try.

    ``dataset`` is the effective dataset (default graphs, named graphs) or None for the
    store's own (the merge of all named graphs, and every named graph). ``media_type`` set:
    answer with serialised bytes; unset: with a :class:`QueryResult` of rdflib terms.
    """

    text: str
    base_iri: str | None = None
    dataset: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    substitutions: Mapping[str, Identifier] = field(default_factory=dict)
    media_type: str | None = None
    caps: results.Caps = field(default_factory=results.Caps)
    update: bool = False
    written: tuple[str, ...] = ()


def _merged(store: ox.Store, default: Sequence[str], named: Sequence[str]) -> ox.Store:
    """A scratch store whose default graph is the RDF merge of ``default`` (set semantics)."""
    scratch = ox.Store()
    for graph in default:
        scratch.extend(
            ox.Quad(q.subject, q.predicate, q.object, DEFAULT_GRAPH)
            for q in store.quads_for_pattern(None, None, None, graph_node(graph))
        )
    for graph in named:
        name = graph_node(graph)
        scratch.add_graph(name)
        scratch.extend(store.quads_for_pattern(None, None, None, name))
    return scratch


def _evaluate(store: ox.Store, job: Job) -> Any:
    """Run ``job``'s query on pyoxigraph with the effective dataset; translate its errors."""
    options: dict[str, Any] = {"base_iri": job.base_iri}
    target = store
    if job.dataset is not None:
        default, named = job.dataset
        if len(default) > 1:  # pyoxigraph would count a triple held by two of them twice
            target = _merged(store, default, named)
            options["default_graph"] = [DEFAULT_GRAPH]
        else:
            options["default_graph"] = [graph_node(g) for g in default]
        options["named_graphs"] = [graph_node(g) for g in named]
    if job.substitutions:
        options["substitutions"] = {ox.Variable(k): to_ox(v) for k, v in job.substitutions.items()}
    try:
        return target.query(job.text, **options)
    except SyntaxError as exc:
        raise InputError(f"SPARQL syntax error: {exc}") from None
    except OSError as exc:
        raise Unavailable(f"the store could not be read: {exc}") from None
    except RuntimeError as exc:
        if not job.substitutions or "projection" not in str(exc):
            raise InputError(f"SPARQL query error: {exc}") from None
    # pyoxigraph substitutes only projected variables (SEP-0007); bind the others with a
    # VALUES block built from serialised terms, as for remote stores.
    del options["substitutions"]
    try:
        rewritten = queries.with_values(job.text, dict(job.substitutions))
    except ValueError as err:
        raise InputError(str(err)) from None
    try:
        return target.query(rewritten, **options)
    except (SyntaxError, RuntimeError) as exc:
        raise InputError(f"SPARQL query error: {exc}") from None


def to_result(answer: Any, row_limit: int | None) -> QueryResult:
    """A pyoxigraph answer as rdflib terms (exact lexical forms) for in-process callers."""
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
            for index, name in enumerate(names):
                value = solution[index]
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


def execute(store: ox.Store, job: Job) -> Any:
    """A worker's (or in-process) answer to ``job``: bytes, a QueryResult or an update's effect."""
    if job.update:
        return _try_update(store, job)
    answer = _evaluate(store, job)
    try:
        if job.media_type is not None:
            return results.write(answer, job.media_type, job.caps)
        return to_result(answer, job.caps.rows)
    except OSError as exc:  # the store failed while results were read
        raise Unavailable(f"the store could not be read: {exc}") from None
    except (RuntimeError, ValueError) as exc:  # evaluation errors surface while iterating
        raise InputError(f"SPARQL evaluation error: {exc}") from None


def _try_update(store: ox.Store, job: Job) -> dict[str, bytes | None]:
    """Run an update on this worker's copy; the new content of each graph it may write.

    The copy is thrown away; the parent applies the returned graphs. With a protocol dataset
    (``using-graph-uri`` / ``using-named-graph-uri``) the update runs on a scratch store holding
    that dataset and the graphs it writes.
    """
    target = store
    if job.dataset is not None:
        default, named = job.dataset
        target = _merged(store, default, tuple(dict.fromkeys((*named, *job.written))))
    try:
        target.update(job.text, base_iri=job.base_iri)
    except SyntaxError as exc:
        raise InputError(f"SPARQL update syntax error: {exc}") from None
    except (OSError, RuntimeError) as exc:
        raise InputError(f"SPARQL update failed: {exc}") from None
    out: dict[str, bytes | None] = {}
    for graph in job.written:
        name = graph_node(graph)
        if not target.contains_named_graph(name):
            out[graph] = None
            continue
        triples = [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in target.quads_for_pattern(None, None, None, name)
        ]
        out[graph] = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return out


_read_only: dict[str, ox.Store] = {}  # a query worker's handle on the folder, by path


def read_folder(path: str, job: Job) -> Any:
    """Run a job in a worker on its own read-only handle of an on-disk store.

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
            return execute(_read_only[path], job)
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

    def _run(self, job: Job, timeout_s: float | None) -> Any:
        if timeout_s is None:
            return execute(self.raw, job)
        return self._get_pool().run(job, timeout_s)

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
    ) -> QueryResult:
        caps = self.limits.caps(row_limit)
        job = self._job(sparql, bindings, default_graphs, named_graphs, base_iri, None, None, caps)
        result: QueryResult = self._run(job, self.limits.timeout(timeout_s))
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
    ) -> results.Serialised:
        """Run a query and write its answer in ``choose(kind)`` (kind: select/ask/graph)."""
        prepared = prepared or self.prepare(sparql, base_iri=base_iri)
        media_type = choose(results.kind_of(prepared.form))
        caps = self.limits.caps(row_limit)
        job = self._job(
            sparql, bindings, default_graphs, named_graphs, base_iri, prepared, media_type, caps
        )
        answer: results.Serialised = self._run(job, self.limits.timeout(timeout_s))
        return answer

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
                    self._pool = QueryPool(
                        task, self.workers, self._lock, "forkserver", fence=fence
                    )
            return self._pool

    def start_workers(self) -> None:
        """Fork the query workers now, not on the first query (a front, before it serves)."""
        self._get_pool()

    def recycle_workers(self) -> None:
        """Replace the query workers by fresh forks, so one that copied much of the shared
        store gives that memory back: stale from now on, each is replaced when next used, and
        a trivial query per worker uses the idle ones now (the pool hands them out in turn)."""
        if self._pool is None:
            return
        self._pool.refresh()
        for _ in range(self.workers):
            try:
                self._run(Job("ASK {}"), RECYCLE_TIMEOUT_S)
            except EcplError:  # busy or stopped: that worker goes when it is next used
                return

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
            for graph, data in _try_update(self.raw, job).items():
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
                self._add_triples(target, quads)

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
                ?p rdfs:subPropertyOf* ?q FILTER(isIRI(?p)) }"""
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
                self._drop(name)
                self.reinfer()
                return
            inverse = self._inverse_properties()
            nodes = {q.subject for q in quads} | {
                q.object
                for q in quads
                if q.predicate.value in inverse
                and isinstance(q.object, ox.NamedNode | ox.BlankNode)
            }
            self._drop(name)
            target = ox.NamedNode(str(iri.INFERRED_GRAPH))
            for node in nodes:
                self._remove_quads(self.raw.quads_for_pattern(node, None, None, target))
            scratch = self._schema_scratch()
            for node in nodes:
                scratch.extend(
                    ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                    for q in self.raw.quads_for_pattern(node, None, None, None)
                    if q.graph_name not in (target, DEFAULT_GRAPH)
                )
                for predicate in inverse:
                    scratch.extend(
                        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                        for q in self.raw.quads_for_pattern(None, ox.NamedNode(predicate), node)
                        if q.graph_name not in (target, DEFAULT_GRAPH)
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
                    restored.append((subject, prop, obj))
            self._add_triples(target, restored)

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
            target = ox.NamedNode(str(iri.INFERRED_GRAPH))
            if self.raw.contains_named_graph(target):
                self._drop(target)
            self.raw.add_graph(target)  # present even when nothing is entailed

            construct = _constructor(self.raw)  # the default graph: the merge of all graphs

            def contains(triple: Triple) -> bool:
                s, p, o = (to_ox(term) for term in triple)
                return any(True for _ in self.raw.quads_for_pattern(s, p, o, None))  # type: ignore[arg-type]

            def add(triples: set[Triple]) -> None:
                self._add_triples(target, ((to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples))

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
        """Distinct triples in the default graph (the merge), or triples in one named graph."""
        name = DEFAULT_GRAPH if graph is None else graph_node(graph)
        if graph is None and self._count is not None:
            return self._count
        answer = self.raw.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[name])
        assert isinstance(answer, ox.QuerySolutions)
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
