"""The embedded store: source graphs, union default graph, inference, policy, timeouts, disk."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef

from ecpl import iri, sources
from ecpl.config import Settings
from ecpl.errors import Forbidden, InputError, NotFound, Unavailable
from ecpl.store import cases, loader, open_store, policy
from ecpl.store.base import Store
from ecpl.store.oxigraph import OxigraphStore

EX = Namespace("http://example.org/")
ECPL = iri.ECPL
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def store() -> Store:
    opened = open_store(Settings(workers=1))
    yield opened
    opened.close()


@pytest.fixture()
def small() -> OxigraphStore:
    """A store with a hand-made schema: C1 ⊑ C2 ⊑ C3, p ⊑ q, p inverse r."""
    graph = Graph()
    graph.add((EX.C1, RDFS.subClassOf, EX.C2))
    graph.add((EX.C2, RDFS.subClassOf, EX.C3))
    graph.add((EX.x, RDF.type, EX.C1))
    graph.add((EX.p, RDFS.subPropertyOf, EX.q))
    graph.add((EX.p, OWL.inverseOf, EX.r))
    graph.add((EX.a, EX.p, EX.b))
    graph.add((EX.a, EX.p, Literal("not inverted")))
    opened = OxigraphStore(None, workers=1)
    opened.add_graph(str(iri.GRAPH["test/schema"]), graph)
    yield opened
    opened.close()


def _inferred(store: Store) -> set[tuple]:
    return set(store.get_graph(str(iri.INFERRED_GRAPH)))


def test_one_named_graph_per_source_file(store: Store) -> None:
    expected = {str(source.graph) for source in sources.iter_sources()}
    assert expected, "the checkout has source files"
    assert expected <= set(store.graphs())
    assert str(iri.INFERRED_GRAPH) in store.graphs()


def test_default_graph_is_the_union(store: Store) -> None:
    # The class is declared in ontology/actors.ttl; the query names no graph.
    result = store.query(
        "ASK { ?c a <http://www.w3.org/2002/07/owl#Class> }",
        bindings={"c": ECPL.EcommercePlatformOperator},
    )
    assert result.kind == "ask" and result.boolean is True


def test_subclass_closure_on_the_ontology(store: Store) -> None:
    # actors.ttl: platform operator ⊑ network service provider ⊑ network operator (CSL).
    result = store.query(
        "ASK { GRAPH ?g { ?a <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?b } }",
        bindings={
            "a": ECPL.EcommercePlatformOperator,
            "b": ECPL.NetworkOperator,
            "g": iri.INFERRED_GRAPH,
        },
    )
    assert result.boolean is True


def test_inference_rules(small: OxigraphStore) -> None:
    inferred = _inferred(small)
    assert (EX.C1, RDFS.subClassOf, EX.C3) in inferred
    assert (EX.x, RDF.type, EX.C2) in inferred
    assert (EX.x, RDF.type, EX.C3) in inferred
    assert (EX.a, EX.q, EX.b) in inferred  # sub-property
    assert (EX.b, EX.r, EX.a) in inferred  # inverse
    assert not any(isinstance(s, Literal) for s, _, _ in inferred)
    # asserted triples are not repeated in the inferred graph
    assert (EX.C1, RDFS.subClassOf, EX.C2) not in inferred


def test_inference_follows_writes(small: OxigraphStore) -> None:
    small.add_graph(str(iri.GRAPH["test/more"]), Graph().add((EX.y, RDF.type, EX.C2)))
    assert (EX.y, RDF.type, EX.C3) in _inferred(small)
    small.delete_graph(str(iri.GRAPH["test/more"]))
    assert (EX.y, RDF.type, EX.C3) not in _inferred(small)


def test_bindings_are_terms_not_text(store: Store) -> None:
    sneaky = Literal('x" } ; DROP ALL ; SELECT * { "')
    result = store.query("SELECT ?v WHERE { BIND(?in AS ?v) }", bindings={"in": sneaky})
    assert result.rows == [{"v": sneaky}]


def test_row_limit_marks_truncation(store: Store) -> None:
    result = store.query("SELECT ?s WHERE { ?s ?p ?o }", row_limit=3)
    assert len(result.rows) == 3 and result.truncated is True
    result = store.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 2", row_limit=3)
    assert len(result.rows) == 2 and result.truncated is False


def test_construct_gives_triples(store: Store) -> None:
    result = store.query(
        "CONSTRUCT { ?c a ?t } WHERE { ?c a ?t } LIMIT 5",
        bindings={"c": ECPL.EcommercePlatformOperator},
    )
    assert result.kind == "graph"
    assert (ECPL.EcommercePlatformOperator, RDF.type, OWL.Class) in result.graph()


def test_syntax_error_names_the_position(store: Store) -> None:
    with pytest.raises(InputError, match=r"1:\d+"):
        store.query("SELECT ?s WHERE { ?s ")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "select * where { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
    ],
)
def test_service_refused(store: Store, query: str) -> None:
    with pytest.raises(Forbidden, match="SERVICE"):
        store.query(query)


def test_service_allow_list() -> None:
    policy.prepare_query(
        "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
        service_allow_list=("https://query.wikidata.org/",),
    )
    with pytest.raises(Forbidden):
        policy.prepare_query(
            "SELECT * WHERE { SERVICE <https://query.wikidata.org.evil/x> { ?s ?p ?o } }",
            service_allow_list=("https://query.wikidata.org/",),
        )


def test_load_refused(store: Store) -> None:
    with pytest.raises(Forbidden, match="LOAD"):
        store.update("LOAD <file:///etc/passwd> INTO GRAPH <http://example.org/g>")


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_from_outside_the_store_refused(store: Store, clause: str) -> None:
    with pytest.raises(InputError, match="not in this store"):
        store.query(f"SELECT * {clause} <file:///etc/passwd> WHERE {{ ?s ?p ?o }}")


def test_from_a_stored_graph(store: Store) -> None:
    graph = str(iri.source_graph("ontology", "actors.ttl"))
    result = store.query(f"ASK FROM <{graph}> WHERE {{ ?c a <{OWL.Class}> }}")
    assert result.boolean is True
    with pytest.raises(InputError, match="default-graph-uri"):
        store.query("ASK { ?s ?p ?o }", default_graphs=["http://example.org/none"])


def test_timeout_stops_the_query_and_the_store_recovers(store: Store) -> None:
    started = time.monotonic()
    with pytest.raises(Unavailable, match="time limit"):
        store.query(CARTESIAN, timeout_s=1)
    assert time.monotonic() - started < 4
    assert store.query("ASK { ?s ?p ?o }", timeout_s=5).boolean is True


def test_timed_queries_see_later_writes(small: OxigraphStore) -> None:
    ask = "ASK { ?s ?p ?o }"
    bindings = {"s": EX.new, "p": RDF.type, "o": EX.C1}
    assert small.query(ask, bindings=bindings, timeout_s=5).boolean is False  # starts the pool
    small.update(
        f"INSERT DATA {{ GRAPH <{iri.CASE_GRAPH_PREFIX}new> "
        "{ <http://example.org/new> a <http://example.org/C1> } }"
    )
    assert small.query(ask, bindings=bindings, timeout_s=5).boolean is True
    inferred = {"s": EX.new, "p": RDF.type, "o": EX.C3}
    assert small.query(ask, bindings=inferred, timeout_s=5).boolean is True


def test_graph_crud(small: OxigraphStore) -> None:
    name = iri.CASE_GRAPH_PREFIX + "demo"
    small.put_graph(name, Graph().add((EX.s, EX.p, EX.o)))
    assert small.triple_count(name) == 1
    small.put_graph(name, Graph().add((EX.s, EX.p, EX.o2)))
    assert set(small.get_graph(name)) == {(EX.s, EX.p, EX.o2)}
    small.delete_graph(name)
    with pytest.raises(NotFound):
        small.get_graph(name)
    with pytest.raises(NotFound):
        small.delete_graph(name)


@pytest.mark.parametrize(
    "graph",
    [
        str(iri.source_graph("ontology", "actors.ttl")),
        iri.CASE_GRAPH_PREFIX + "x/findings",
        "http://example.org/elsewhere",
    ],
)
def test_only_case_graphs_are_writable(graph: str) -> None:
    with pytest.raises(Forbidden):
        cases.check_case_graph_iri(graph)


def test_case_graph_needs_a_slug() -> None:
    with pytest.raises(InputError, match="slug"):
        cases.check_case_graph_iri(iri.CASE_GRAPH_PREFIX + "Bad Slug")
    assert (
        cases.check_case_graph_iri(iri.CASE_GRAPH_PREFIX + "ok-1") == iri.CASE_GRAPH_PREFIX + "ok-1"
    )


def _mini_root(tmp_path: Path, label: str) -> Path:
    root = tmp_path / "root"
    (root / "ontology").mkdir(parents=True, exist_ok=True)
    (root / "ontology" / "tiny.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<http://example.org/A> rdfs:subClassOf <http://example.org/B> ; rdfs:label "{label}" .\n'
        "<http://example.org/B> rdfs:subClassOf <http://example.org/C> .\n"
    )
    return root


def test_disk_store_reused_and_reloaded_when_sources_change(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ECPL_TEXT_FILE", str(tmp_path / "absent.ttl"))
    root = _mini_root(tmp_path, "one")
    folder = tmp_path / "db"
    settings = Settings(store=str(folder), root=root, workers=1)
    first = open_store(settings)
    graph = str(iri.source_graph("ontology", "tiny.ttl"))
    assert first.triple_count(graph) == 3
    case = iri.CASE_GRAPH_PREFIX + "kept"
    first.put_graph(case, Graph().add((EX.s, EX.p, EX.o)))
    first.close()
    del first
    marker = (folder / loader.FINGERPRINT_FILE).read_text()

    second = open_store(settings)  # unchanged sources: reused as is
    assert (folder / loader.FINGERPRINT_FILE).read_text() == marker
    assert second.triple_count(case) == 1
    second.close()
    del second

    _mini_root(tmp_path, "two")  # a source changed: source graphs reloaded, cases kept
    third = open_store(settings)
    labels = third.query(f"SELECT ?l WHERE {{ GRAPH <{graph}> {{ ?s <{RDFS.label}> ?l }} }}")
    assert labels.values("l") == [Literal("two")]
    assert third.triple_count(case) == 1
    assert (URIRef("http://example.org/A"), RDFS.subClassOf, URIRef("http://example.org/C")) in set(
        third.get_graph(str(iri.INFERRED_GRAPH))
    )
    third.close()
    shutil.rmtree(folder)


@pytest.mark.parametrize("graph", ["a b", "0", "not an iri"])
def test_graph_names_must_be_iris(store: Store, graph: str) -> None:
    with pytest.raises(InputError, match="not an absolute IRI"):
        store.query("ASK { ?s ?p ?o }", default_graphs=[graph])
    with pytest.raises(InputError, match="not an absolute IRI"):
        store.get_graph(graph)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE " + "{" * 3000 + "}" * 3000,
        "SELECT * WHERE { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }",
    ],
)
def test_deep_nesting_is_a_400_not_a_crash(store: Store, query: str) -> None:
    with pytest.raises(InputError, match="levels deep"):
        store.query(query, timeout_s=5)
    assert store.query("ASK {}", timeout_s=5).boolean is True


def test_incremental_inference_equals_full_recompute(small: OxigraphStore) -> None:
    case = Graph()
    case.add((EX.y, RDF.type, EX.C1))
    case.add((EX.y, EX.p, EX.z))
    small.put_graph(iri.CASE_GRAPH_PREFIX + "inc", case)  # new graph: incremental
    incremental = _inferred(small)
    assert {(EX.y, RDF.type, EX.C3), (EX.y, EX.q, EX.z), (EX.z, EX.r, EX.y)} <= incremental
    small.reinfer()
    assert _inferred(small) == incremental


def test_schema_change_recomputes(small: OxigraphStore) -> None:
    small.add_graph(
        str(iri.GRAPH["test/more-schema"]), Graph().add((EX.C3, RDFS.subClassOf, EX.C4))
    )
    inferred = _inferred(small)
    assert (EX.x, RDF.type, EX.C4) in inferred
    assert (EX.C1, RDFS.subClassOf, EX.C4) in inferred


def test_replacing_and_deleting_a_case_drops_only_its_inferences(small: OxigraphStore) -> None:
    """Incremental retraction: expected sets written by hand from the small schema."""
    one, two = iri.CASE_GRAPH_PREFIX + "one", iri.CASE_GRAPH_PREFIX + "two"
    small.put_graph(one, Graph().add((EX.y, RDF.type, EX.C1)).add((EX.y, EX.p, EX.z)))
    second = Graph().add((EX.y, RDF.type, EX.C2)).add((EX.w, EX.p, EX.z))
    small.put_graph(two, second)
    assert {(EX.y, RDF.type, EX.C3), (EX.z, EX.r, EX.y), (EX.z, EX.r, EX.w)} <= _inferred(small)

    small.put_graph(one, Graph().add((EX.y, RDFS.label, Literal("y"))))  # replace
    inferred = _inferred(small)
    assert (EX.y, RDF.type, EX.C3) in inferred  # still entailed by graph two
    assert (EX.y, RDF.type, EX.C2) not in inferred  # asserted in graph two
    assert (EX.y, EX.q, EX.z) not in inferred and (EX.z, EX.r, EX.y) not in inferred
    assert {(EX.w, EX.q, EX.z), (EX.z, EX.r, EX.w)} <= inferred
    small.reinfer()
    assert _inferred(small) == inferred

    small.delete_graph(two)
    inferred = _inferred(small)
    about = {EX.y, EX.w}
    assert not {t for t in inferred if t[0] in about or t[2] in about}
    # the schema graph's own inferences are untouched
    assert {
        (EX.x, RDF.type, EX.C3),
        (EX.b, EX.r, EX.a),
        (EX.C1, RDFS.subClassOf, EX.C3),
    } <= inferred
    small.reinfer()
    assert _inferred(small) == inferred


def test_deleting_a_case_that_asserted_an_inference_restores_it(small: OxigraphStore) -> None:
    """x ⊑ C1 in the schema graph entails x a C2; a case asserting it must not take it away."""
    graph = iri.CASE_GRAPH_PREFIX + "asserts"
    small.put_graph(graph, Graph().add((EX.x, RDF.type, EX.C2)).add((EX.b, EX.r, EX.a)))
    small.delete_graph(graph)
    inferred = _inferred(small)
    assert {(EX.x, RDF.type, EX.C2), (EX.b, EX.r, EX.a)} <= inferred
    small.reinfer()
    assert _inferred(small) == inferred


def test_incremental_retraction_equals_full_recompute_on_the_ontology() -> None:
    opened = open_store(Settings(workers=1))
    assert isinstance(opened, OxigraphStore)
    try:
        source = Path(__file__).resolve().parents[1] / "data/cases/real/cheng-v-zhang-didi.ttl"
        # the example is a source graph already: store a copy under other IRIs
        text = source.read_text().replace(str(iri.CASE), str(iri.CASE) + "copy/")
        example = Graph().parse(data=text, format="turtle")
        first, second = iri.CASE_GRAPH_PREFIX + "copy-1", iri.CASE_GRAPH_PREFIX + "copy-2"
        opened.put_graph(first, example)
        opened.put_graph(second, example)
        opened.put_graph(first, Graph())  # replaced by nothing: the copy still entails all
        after_replace = _inferred(opened)
        opened.delete_graph(second)
        after_delete = _inferred(opened)
        assert after_delete < after_replace  # the example's own inferences went
        opened.reinfer()
        assert _inferred(opened) == after_delete
        opened.put_graph(second, example)
        opened.reinfer()
        assert _inferred(opened) == after_replace
    finally:
        opened.close()


def _default_is_the_merge(store: OxigraphStore) -> None:
    """SPARQL 1.1 §13: the default graph holds each triple of any named graph, once."""
    named = {
        (q.subject, q.predicate, q.object)
        for q in store.raw.quads_for_pattern(None, None, None, None)
        if not isinstance(q.graph_name, ox.DefaultGraph)
    }
    default = {
        (q.subject, q.predicate, q.object)
        for q in store.raw.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }
    assert default == named
    assert store.triple_count() == len(named)


def test_every_write_keeps_the_default_graph_the_merge(small: OxigraphStore) -> None:
    case = iri.CASE_GRAPH_PREFIX + "merge"
    other = iri.CASE_GRAPH_PREFIX + "merge-other"
    shared = (EX.y, RDF.type, EX.C1)  # entails C2, C3 in graph/inferred
    small.put_graph(case, Graph().add(shared).add((EX.y, EX.p, EX.z)))
    _default_is_the_merge(small)
    small.add_graph(other, Graph().add(shared))
    _default_is_the_merge(small)
    small.delete_graph(case)
    _default_is_the_merge(small)
    assert small.query(f"ASK {{ <{EX.y}> a <{EX.C3}> }}", timeout_s=None).boolean is True
    small.update(f"DELETE DATA {{ GRAPH <{other}> {{ <{EX.y}> a <{EX.C1}> }} }}")
    _default_is_the_merge(small)
    assert small.query(f"ASK {{ <{EX.y}> a <{EX.C3}> }}", timeout_s=None).boolean is False
    small.put_graph(case, Graph().add((EX.w, RDF.type, EX.C2)))
    small.reinfer()
    _default_is_the_merge(small)


def test_closure_in_the_engine_is_the_construct_fixpoint(store: Store) -> None:
    """The store derives its closure with SPARQL updates inside pyoxigraph; the reference is
    the same rules run as CONSTRUCTs to a fixpoint over a copy of the asserted triples."""
    from ecpl.store import inference

    assert isinstance(store, OxigraphStore)
    scratch = ox.Store()
    scratch.extend(
        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
        for q in store.raw.quads_for_pattern(None, None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != inference.INFERRED
    )
    derived: set[tuple] = set()

    def add(triples: set[tuple]) -> None:
        derived.update(triples)
        scratch.extend(
            ox.Quad(*(inference.to_ox(term) for term in triple), ox.DefaultGraph())
            for triple in triples
        )

    def found(triple: tuple) -> bool:
        s, p, o = (inference.to_ox(term) for term in triple)
        return any(True for _ in scratch.quads_for_pattern(s, p, o, None))

    inference.materialise(inference.constructor(scratch), found, add)
    assert derived  # the ontology entails something
    assert _inferred(store) == derived
