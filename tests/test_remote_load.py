"""Filling a remote store: sources past the remote's read cap, and a load the store refuses.

Virtuoso answers at most 10,000 rows per read and refuses a sorted page past that offset
(SR353), so the closure after a write must not read the sources back: it is computed from the
files, as the embedded store computes it. The oracle is the embedded store on the same root.
A load the store refuses is not an outage: it fails at start with the store's reason, and is
not retried by every request.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, URIRef

from ecpl import iri
from ecpl.config import Settings
from ecpl.errors import EcplError, Unavailable
from ecpl.store import open_store
from ecpl.store.base import Store
from ecpl.store.remote import RemoteStore
from test_faults import Virtuoso, virtuoso  # noqa: F401  (the module-scoped fixture)
from test_remote_canonical import Recorder, recorder  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[1]
READ_CAP = 10_000  # Virtuoso's ResultSetMaxRows and sorted-page limit (scripts/virtuoso.sh ini)
BENCH_GRAPH = str(iri.GRAPH) + "data/bench/cases"
INFERRED_NON_BLANK = (
    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri.INFERRED_GRAPH}> {{ ?s ?p ?o }} "
    "FILTER(!isBlank(?s) && !isBlank(?o)) }"
)


def bench_queries() -> ModuleType:
    bench = str(ROOT / "bench")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    return importlib.import_module("bench_queries")


@pytest.fixture(scope="module")
def big_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's sources plus one graph of synthetic cases larger than the read cap."""
    root: Path = bench_queries().bench_root(300, tmp_path_factory.mktemp("big"))
    cases = root / "data" / "bench" / "cases.ttl"
    assert len(list(ox.parse(path=str(cases), format=ox.RdfFormat.TURTLE))) > READ_CAP
    return root


@pytest.fixture(scope="module")
def both(big_root: Path, virtuoso: Virtuoso) -> Iterator[tuple[Store, Store]]:  # noqa: F811
    embedded = open_store(Settings(root=big_root, workers=1))
    remote = open_store(Settings(root=big_root, store=virtuoso.url))
    yield embedded, remote
    remote.close()
    embedded.close()


def _count(store: Store, query: str) -> int:
    return int(store.query(query).rows[0]["n"])


@pytest.mark.slow
@pytest.mark.virtuoso
def test_a_source_graph_past_the_read_cap_loads_with_the_same_closure(
    both: tuple[Store, Store],
) -> None:
    embedded, remote = both
    assert remote.triple_count(BENCH_GRAPH) == embedded.triple_count(BENCH_GRAPH) > READ_CAP
    assert _count(remote, INFERRED_NON_BLANK) == _count(embedded, INFERRED_NON_BLANK) > 0
    count_all = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert _count(remote, count_all) == _count(embedded, count_all)


@pytest.mark.slow
@pytest.mark.virtuoso
def test_a_write_recomputes_the_closure_without_reading_the_sources_back(
    both: tuple[Store, Store],
) -> None:
    embedded, remote = both
    case = iri.CASE_GRAPH_PREFIX + "remote-load-write"
    platform = URIRef("urn:ex:remote-load-platform")
    graph = Graph()
    graph.add((platform, RDF.type, iri.ECPL.EcommercePlatformOperator))
    for store in (embedded, remote):
        store.add_graph(case, graph)
    # the ontology's subclass chain gives the new node the wider types, on both backends
    wider = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri.INFERRED_GRAPH}> "
        f"{{ <{platform}> a ?type }} }}"
    )
    assert _count(remote, wider) == _count(embedded, wider) > 0
    assert _count(remote, INFERRED_NON_BLANK) == _count(embedded, INFERRED_NON_BLANK)
    for store in (embedded, remote):
        store.delete_graph(case)
    assert _count(remote, wider) == _count(embedded, wider) == 0


REFUSAL = b"Virtuoso 22023 Error SR353: refused for the test"


def test_a_load_the_store_refuses_fails_at_start_with_its_reason(
    recorder: Recorder,  # noqa: F811
) -> None:
    recorder.refuse = REFUSAL
    with pytest.raises(EcplError, match="SR353"):
        open_store(Settings(store=recorder.url))


def test_a_refused_load_is_not_retried_by_every_request(recorder: Recorder) -> None:  # noqa: F811
    recorder.refuse = REFUSAL
    store = RemoteStore(recorder.url)
    with pytest.raises(EcplError, match="SR353"):
        store.load_when_reachable([])
    sent = len(recorder.posted)
    for _ in range(3):
        with pytest.raises(Unavailable, match="restart the service"):
            store.query("ASK {}")
    assert len(recorder.posted) == sent  # answered from the recorded failure, not a new load
