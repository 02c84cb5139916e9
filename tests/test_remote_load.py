"""Filling a remote store: sources past the remote's read cap, and a load the store refuses.

Virtuoso answers at most 10,000 rows per read and refuses a sorted page past that offset
(SR353), so the closure after a write must not read the sources back: it is computed from the
files, as the embedded store computes it. The oracle is the embedded store on the same root.
A load the store refuses is not an outage: it fails at start with the store's reason, and is
not retried by every request.
"""

from __future__ import annotations

import contextlib
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
from ecpl.errors import EcplError, NotFound, Unavailable
from ecpl.store import loader, open_store
from ecpl.store.base import Store
from ecpl.store.remote import FINGERPRINT_PREDICATE, RemoteStore
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


def _platform_case(name: str) -> tuple[str, Graph, str]:
    """A case graph typing one new platform; the query counting its inferred wider types."""
    case = iri.CASE_GRAPH_PREFIX + name
    platform = URIRef(f"urn:ex:{name}-platform")
    graph = Graph()
    graph.add((platform, RDF.type, iri.ECPL.EcommercePlatformOperator))
    wider = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri.INFERRED_GRAPH}> "
        f"{{ <{platform}> a ?type }} }}"
    )
    return case, graph, wider


@pytest.mark.slow
@pytest.mark.virtuoso
def test_a_write_recomputes_the_closure_without_reading_the_sources_back(
    both: tuple[Store, Store],
) -> None:
    embedded, remote = both
    case, graph, wider = _platform_case("remote-load-write")
    for store in (embedded, remote):
        store.add_graph(case, graph)
    # the ontology's subclass chain gives the new node the wider types, on both backends
    assert _count(remote, wider) == _count(embedded, wider) > 0
    assert _count(remote, INFERRED_NON_BLANK) == _count(embedded, INFERRED_NON_BLANK)
    for store in (embedded, remote):
        store.delete_graph(case)
    assert _count(remote, wider) == _count(embedded, wider) == 0


@pytest.mark.slow
@pytest.mark.virtuoso
def test_another_serving_process_parses_the_sources_only_when_it_writes(
    both: tuple[Store, Store],
    big_root: Path,
    virtuoso: Virtuoso,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each of ``--workers`` processes opens the store; one that finds the sources' fingerprint
    there reads and parses nothing, and parses the files once, for the closure, when it writes."""
    embedded, _ = both
    parsed: list[int] = []
    parse = loader.load_sources

    def counted(store: ox.Store, files: list[tuple[str, Path]]) -> int:
        parsed.append(len(files))
        return parse(store, files)

    monkeypatch.setattr(loader, "load_sources", counted)
    second = open_store(Settings(root=big_root, store=virtuoso.url))
    case, graph, wider = _platform_case("remote-load-second")
    try:
        count_all = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        assert _count(second, count_all) == _count(embedded, count_all)
        assert parsed == []
        second.add_graph(case, graph)
        second.add_graph(case + "-2", graph)
        assert parsed == [len(loader.source_files(big_root))]  # once, at the first write
        embedded.add_graph(case, graph)
        assert _count(second, wider) == _count(embedded, wider) > 0
        assert _count(second, INFERRED_NON_BLANK) == _count(embedded, INFERRED_NON_BLANK)
    finally:
        for store, name in ((second, case), (second, case + "-2"), (embedded, case)):
            with contextlib.suppress(NotFound):
                store.delete_graph(name)
        second.close()


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


def test_a_write_while_the_store_was_down_loads_the_sources_first(
    recorder: Recorder,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The store was unreachable at start: the first write, not only the first query, checks
    and loads the sources before it writes (a closure computed without them would be wrong)."""
    source = tmp_path / "source.ttl"
    source.write_text("<urn:ex:s> <urn:ex:p> <urn:ex:o> .\n")
    store = RemoteStore(recorder.url)
    recorder.refuse, recorder.refuse_status = b"down for the test", 503
    store.load_when_reachable([(str(iri.GRAPH) + "test/source", source)])  # waits
    recorder.refuse = None
    recorder.posted.clear()
    case, graph, _ = _platform_case("remote-load-pending")
    store.add_graph(case, graph)
    texts = [form.get("query", form.get("update", [""]))[0] for form in recorder.posted]
    checked = next(i for i, text in enumerate(texts) if FINGERPRINT_PREDICATE in text)
    written = next(i for i, text in enumerate(texts) if case in text and "INSERT" in text)
    assert checked < written
    store.close()
