"""Query execution on pyoxigraph: what a worker (or the store in-process) does with a job.

A :class:`Job` is pickled to a fenced worker (:mod:`ecpl.store.pool`); :func:`execute` answers
it on the worker's copy of the store (memory) or on its own read-only handle
(:func:`read_folder`, on disk), as serialised bytes or rdflib terms. Updates are tried here
and their effect handed back: the store applies writes itself, under its lock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib.term import Identifier, Node

from ecpl import results
from ecpl.errors import InputError, Unavailable
from ecpl.sparql.substitute import substitute
from ecpl.store.base import QueryResult, Row
from ecpl.store.dump import Dump, dump
from ecpl.store.terms import DEFAULT_GRAPH, graph_node, to_rdflib

Triple = tuple[Node, Node, Node]

log = logging.getLogger(__name__)

# Opens of a read-only handle a query worker tries before it answers 503 (see read_folder).
READ_ATTEMPTS = 5


@dataclass(frozen=True)
class Job:
    """One request for a worker (pickled to it): a query to answer or an update to try.

    ``dataset`` is the effective dataset (default graphs, named graphs) or None for the
    store's own (the merge of all named graphs, and every named graph). ``media_type`` set:
    answer with serialised bytes; unset: with a :class:`QueryResult` of rdflib terms.
    ``substitutions`` are the parameters, bound into the text by
    :func:`ecpl.sparql.substitute.substitute` as for every store.
    """

    text: str
    base_iri: str | None = None
    dataset: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    substitutions: Mapping[str, Identifier] = field(default_factory=dict)
    media_type: str | None = None
    caps: results.Caps = field(default_factory=results.Caps)
    update: bool = False
    written: tuple[str, ...] = ()


def merged(store: ox.Store, default: Sequence[str], named: Sequence[str]) -> ox.Store:
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


def evaluate(store: ox.Store, job: Job) -> Any:
    """Run ``job``'s query on pyoxigraph with the effective dataset; translate its errors."""
    options: dict[str, Any] = {"base_iri": job.base_iri}
    target = store
    if job.dataset is not None:
        default, named = job.dataset
        if len(default) > 1:  # pyoxigraph would count a triple held by two of them twice
            target = merged(store, default, named)
            options["default_graph"] = [DEFAULT_GRAPH]
        else:
            options["default_graph"] = [graph_node(g) for g in default]
        options["named_graphs"] = [graph_node(g) for g in named]
    text = substitute(job.text, job.substitutions) if job.substitutions else job.text
    try:
        return target.query(text, **options)
    except SyntaxError as exc:
        raise InputError(f"SPARQL syntax error: {exc}") from None
    except OSError as exc:
        raise Unavailable(f"the store could not be read: {exc}") from None
    except RuntimeError as exc:
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


def execute(store: ox.Store, job: Job | Dump) -> Any:
    """A worker's (or in-process) answer to ``job``: bytes, a QueryResult or an update's effect."""
    if isinstance(job, Dump):
        return dump(store, job)
    if job.update:
        return try_update(store, job)
    answer = evaluate(store, job)
    try:
        if job.media_type is not None:
            return results.write(answer, job.media_type, job.caps)
        return to_result(answer, job.caps.rows)
    except OSError as exc:  # the store failed while results were read
        raise Unavailable(f"the store could not be read: {exc}") from None
    except (RuntimeError, ValueError) as exc:  # evaluation errors surface while iterating
        raise InputError(f"SPARQL evaluation error: {exc}") from None


def try_update(store: ox.Store, job: Job) -> dict[str, bytes | None]:
    """Run an update on this worker's copy; the new content of each graph it may write.

    The copy is thrown away; the parent applies the returned graphs. With a protocol dataset
    (``using-graph-uri`` / ``using-named-graph-uri``) the update runs on a scratch store holding
    that dataset and the graphs it writes.
    """
    target = store
    if job.dataset is not None:
        default, named = job.dataset
        target = merged(store, default, tuple(dict.fromkeys((*named, *job.written))))
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


def read_folder(path: str, job: Job | Dump) -> Any:
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
