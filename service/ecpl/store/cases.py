"""Storing a case graph: parse, validate, keep it in its own named graph with its findings.

Shared by the Graph Store Protocol (``/data``) and ``ecpl load`` so both do the same thing.
A write is all or nothing: the upload is parsed with the hardened reader, merged (POST),
checked term by term against what the store can hold, and validated — in a worker process
under the upload limits (:mod:`ecpl.intake`) — before anything in the store changes. Only
then are the case graph and its paired ``…/findings`` graph swapped in; if the store fails
during the swap, both are put back as they were. Writes to one graph are serialised so a POST
never merges into a graph another write is replacing.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import Graph

from ecpl import intake, iri
from ecpl.errors import Forbidden, InputError
from ecpl.store.base import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stored:
    graph: str
    triples: int
    findings: int  # triples in the paired findings graph
    created: bool


# How long a write waits for a free upload slot (anonymous uploads wait less): a writer holds
# the token, but a thread that waits is a thread the server's cheap requests do not get.
WRITER_WAIT_S = 2.0

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(graph: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(graph, threading.Lock())


def new_case_graph_iri() -> str:
    """A fresh case graph name, for a POST to the store itself (GSP: the server names it)."""
    return f"{iri.CASE_GRAPH_PREFIX}upload-{uuid.uuid4().hex[:16]}"


def check_case_graph_iri(graph: str) -> str:
    """Writes go only to case graphs (``…/graph/case/{slug}``), never to source graphs."""
    graph = graph.strip()
    if not graph.startswith(iri.CASE_GRAPH_PREFIX) or graph.endswith("/findings"):
        raise Forbidden(
            f"graph <{graph}> is not writable; store case graphs under {iri.CASE_GRAPH_PREFIX}"
            "{slug} (findings graphs are written by the service)"
        )
    slug = graph[len(iri.CASE_GRAPH_PREFIX) :]
    try:
        if iri.slug(slug) != slug:
            raise ValueError(slug)
    except ValueError:
        raise InputError(
            f"graph <{graph}>: the part after {iri.CASE_GRAPH_PREFIX} must be a slug "
            "(lower-case letters, digits, hyphens)"
        ) from None
    return graph


def write_case(
    store: Store,
    runner: Any,
    graph_iri: str,
    uploads: Sequence[intake.Upload],
    limits: intake.Limits,
    *,
    replace: bool,
) -> Stored:
    """Put (``replace``) or add (merge) the uploads as a case graph, with fresh findings.

    ``runner`` runs :func:`ecpl.intake.prepare_case` (an :class:`ecpl.intake.Runner`: in a
    worker, under ``limits``).
    """

    def prepare(existing: list[Any]) -> intake.PreparedCase:
        found: intake.PreparedCase = runner.run(  # writers may queue a little for a slot
            intake.prepare_case, (list(uploads), limits, existing), limits, WRITER_WAIT_S
        )
        return found

    return _commit(store, graph_iri, prepare, replace=replace)


def store_case(store: Store, graph_iri: str, graph: Graph, *, replace: bool) -> Stored:
    """Put or add an already parsed (trusted) graph, validated here, in this process."""
    from ecpl.rdfio import check_storable
    from ecpl.validation import validate

    def prepare(existing: list[Any]) -> intake.PreparedCase:
        check_storable(graph)
        full = _graph(existing)
        for triple in graph:
            full.add(triple)
        findings = validate(full).graph()
        return intake.PreparedCase(list(full), list(findings), len(graph))

    return _commit(store, graph_iri, prepare, replace=replace)


def _commit(
    store: Store,
    graph_iri: str,
    prepare: Callable[[list[Any]], intake.PreparedCase],
    *,
    replace: bool,
) -> Stored:
    """Prepare everything from the graph as it is, then swap the case and findings graphs."""
    graph_iri = check_case_graph_iri(graph_iri)
    with _lock_for(graph_iri):
        present = set(store.graphs())
        created = graph_iri not in present
        old_case = None if created else store.get_graph(graph_iri)
        prepared = prepare([] if replace or old_case is None else list(old_case))
        if prepared.added == 0 and not replace:
            raise InputError("the upload holds no triples")
        target = str(iri.findings_graph(graph_iri))
        old_findings = store.get_graph(target) if target in present else None
        _swap(store, graph_iri, _graph(prepared.triples), old_case)
        try:
            _swap(store, target, _graph(prepared.findings), old_findings)
        except Exception:
            _restore(store, graph_iri, old_case)
            raise
    return Stored(graph_iri, len(prepared.triples), len(prepared.findings), created)


def _graph(triples: Sequence[Any]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def _swap(store: Store, name: str, graph: Graph, old: Graph | None) -> None:
    """Replace one graph; on failure put the old content back before raising."""
    try:
        store.put_graph(name, graph)
    except Exception:
        log.exception("writing <%s> failed; restoring its previous content", name)
        _restore(store, name, old)
        raise


def _restore(store: Store, name: str, old: Graph | None) -> None:
    try:
        if old is None:
            if name in store.graphs():
                store.delete_graph(name)
        else:
            store.put_graph(name, old)
    except Exception:
        log.exception("restoring <%s> failed", name)


def delete_case(store: Store, graph_iri: str) -> None:
    """Remove a stored case graph and its findings."""
    graph_iri = check_case_graph_iri(graph_iri)
    with _lock_for(graph_iri):
        store.delete_graph(graph_iri)
        target = str(iri.findings_graph(graph_iri))
        if target in store.graphs():
            store.delete_graph(target)
