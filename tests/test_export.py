"""``ecpl export``: the whole graph with its named graphs, and the ELI / schema.org views.

Expected dates and structure are written by hand from DOMAIN.md and provisions.yaml (ECL
adopted 2018-08-31, in force 2019-01-01; CSL in force 2017-06-01, Art. 21 renumbered 23 from
2026-01-01).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from ecpl.cli import main
from ecpl.errors import Unavailable
from ecpl.iri import ECPL, LAW
from ecpl.linkeddata.access import StoreAccess
from ecpl.linkeddata.export import export_bytes
from ecpl.linkeddata.profiles import eli_graph, in_force_on, schema_graph
from ecpl.store.base import Limits
from ecpl.store.oxigraph import OxigraphStore

ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")
ECL = LAW["ecl"]
ECL_38 = URIRef(f"{ECL}/art/38")
ECL_38_2 = URIRef(f"{ECL}/art/38/para/2")
CSL_21 = URIRef(f"{LAW['csl']}/art/21")


def _export(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "export.out"
    result = CliRunner().invoke(main, ["export", *args, "--output", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_eli_export_loads_into_a_fresh_dataset(tmp_path: Path) -> None:
    out = _export(tmp_path, "--profile", "eli", "--format", "trig", "--on", "2026-06-01")
    dataset = Dataset()
    dataset.parse(out, format="trig")
    assert (ECL, RDF.type, ELI.LegalResource) in dataset
    assert (ECL, ELI.date_document, Literal(dt.date(2018, 8, 31))) in dataset
    assert (ECL, ELI.first_date_entry_in_force, Literal(dt.date(2019, 1, 1))) in dataset
    assert (ECL, ELI.jurisdiction, ECPL.China) in dataset
    assert (ECL, ELI.in_force, ELI["InForce-inForce"]) in dataset
    assert (ECL, ELI.passed_by, ECPL.NPCSC) in dataset
    assert (ECL_38_2, RDF.type, ELI.LegalResourceSubdivision) in dataset
    assert (ECL_38_2, ELI.is_part_of, ECL_38) in dataset
    assert (ECL_38, ELI.is_part_of, ECL) in dataset
    assert (ECL_38_2, ELI.number, Literal("2")) in dataset
    assert (ECL, ELI.title, Literal("中华人民共和国电子商务法", lang="zh")) in dataset
    china = set(
        dataset.objects(ECPL.China, URIRef("http://www.w3.org/2004/02/skos/core#exactMatch"))
    )
    assert URIRef("https://w3id.org/dpv/loc#CN") in china


def test_eli_export_describes_the_csl_renumbering_as_expressions(tmp_path: Path) -> None:
    out = _export(tmp_path, "--profile", "eli", "--format", "nquads")
    dataset = Dataset()
    dataset.parse(out, format="nquads")
    version = URIRef(f"{CSL_21}/version/2026-01-01")
    assert (version, RDF.type, ELI.LegalExpression) in dataset
    assert (version, ELI.realizes, CSL_21) in dataset
    assert (version, ELI.number, Literal("23")) in dataset


def test_schema_export_loads_into_a_fresh_dataset(tmp_path: Path) -> None:
    out = _export(tmp_path, "--profile", "schema", "--format", "turtle")
    dataset = Dataset()
    dataset.parse(out, format="turtle")
    assert (ECL, RDF.type, SCHEMA.Legislation) in dataset
    assert (ECL, SCHEMA.legislationDate, Literal(dt.date(2018, 8, 31))) in dataset
    assert (ECL, SCHEMA.legislationJurisdiction, ECPL.China) in dataset
    assert (ECL_38_2, SCHEMA.isPartOf, ECL_38) in dataset
    assert (ECL_38, SCHEMA.hasPart, ECL_38_2) in dataset
    assert (ECL, SCHEMA.legislationType, Literal("法律", lang="zh")) in dataset
    assert (ECPL.China, RDF.type, SCHEMA.Country) in dataset
    assert (ECPL.China, SCHEMA.sameAs, URIRef("http://www.wikidata.org/entity/Q148")) in dataset
    assert (ECPL.NPCSC, RDF.type, SCHEMA.GovernmentOrganization) in dataset


def test_full_export_keeps_one_named_graph_per_source_file(tmp_path: Path) -> None:
    out = _export(tmp_path, "--format", "trig")
    dataset = Dataset()
    dataset.parse(out, format="trig")
    mappings = dataset.graph(URIRef("https://w3id.org/ecpl/graph/ontology/mappings"))
    assert (ECPL.China, None, None) in mappings
    ecl = dataset.graph(URIRef("https://w3id.org/ecpl/graph/data/laws/ecl"))
    assert (ECL, ECPL.adoptedOn, Literal("2018-08-31", datatype=XSD.date)) in ecl


def test_full_export_as_nquads(tmp_path: Path) -> None:
    out = _export(tmp_path, "--format", "nquads")
    dataset = Dataset()
    dataset.parse(out, format="nquads")
    names = {str(g.identifier) for g in dataset.graphs()}
    assert "https://w3id.org/ecpl/graph/ontology/mappings" in names
    assert "https://w3id.org/ecpl/graph/data/laws/ecl" in names


def test_export_to_stdout() -> None:
    result = CliRunner().invoke(main, ["export", "--profile", "schema", "--format", "turtle"])
    assert result.exit_code == 0
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert (ECL, RDF.type, SCHEMA.Legislation) in graph


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--format", "pdf"], "pdf"),
        (["--profile", "akn"], "akn"),
        (["--on", "2026-13-01"], "YYYY-MM-DD"),
    ],
)
def test_bad_options_are_clear_errors(args: list[str], complaint: str) -> None:
    result = CliRunner().invoke(main, ["export", *args])
    assert result.exit_code != 0
    assert complaint in result.output
    assert "Traceback" not in result.output


def test_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "out.trig"
    result = CliRunner().invoke(main, ["export", "--output", str(target)])
    assert result.exit_code != 0
    assert "cannot write" in result.output


# -- the profile functions on a hand-made graph ---------------------------------------------

_TTL = """
@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/ecpl/law/csl> a ecpl:Law ;
    ecpl:inForceFrom "2017-06-01"^^xsd:date .
<https://w3id.org/ecpl/law/csl/art/21> a ecpl:Article ; ecpl:number 21 ;
    ecpl:partOf <https://w3id.org/ecpl/law/csl> .
<https://w3id.org/ecpl/law/old> a ecpl:Law ;
    ecpl:inForceFrom "2000-01-01"^^xsd:date ; ecpl:inForceUntil "2020-12-31"^^xsd:date .
<https://w3id.org/ecpl/law/old/art/1> a ecpl:Article ; ecpl:partOf <https://w3id.org/ecpl/law/old> .
"""


@pytest.mark.parametrize(
    ("resource", "on", "expected"),
    [
        ("csl", dt.date(2017, 5, 31), False),  # before entry into force
        ("csl", dt.date(2017, 6, 1), True),
        ("csl/art/21", dt.date(2026, 6, 1), True),  # inherited from the law
        ("old/art/1", dt.date(2020, 12, 31), True),
        ("old/art/1", dt.date(2021, 1, 1), False),
    ],
)
def test_in_force_on_a_date(resource: str, on: dt.date, expected: bool) -> None:
    graph = Graph().parse(data=_TTL, format="turtle")
    assert in_force_on(graph, LAW[resource], on) is expected


def test_profiles_on_a_hand_made_graph() -> None:
    graph = Graph().parse(data=_TTL, format="turtle")
    eli = eli_graph(graph, dt.date(2021, 1, 1))
    assert (LAW["old"], ELI.in_force, ELI["InForce-notInForce"]) in eli
    assert (LAW["old"], ELI.date_no_longer_in_force, Literal(dt.date(2020, 12, 31))) in eli
    assert (LAW["csl/art/21"], RDF.type, ELI.LegalResourceSubdivision) in eli
    assert (LAW["csl"], RDF.type, ELI.LegalResourceSubdivision) not in eli
    schema = schema_graph(graph, dt.date(2021, 1, 1))
    assert (LAW["old"], SCHEMA.legislationLegalForce, SCHEMA.NotInForce) in schema
    assert (LAW["csl"], SCHEMA.legislationLegalForce, SCHEMA.InForce) in schema


# -- the full export over the service's store: written by the engine in a query worker -----


@pytest.fixture
def small_store() -> Iterator[OxigraphStore]:
    ex = "http://example.org/"
    store = OxigraphStore(None, workers=1, limits=Limits(timeout_s=20))
    shared = (URIRef(ex + "s"), URIRef(ex + "p"), Literal("shared"))
    for name in ("g1", "g2"):
        graph = Graph()
        graph.add(shared)  # held by both graphs: once in their merge, twice in the dataset
        graph.add((URIRef(ex + name), RDF.type, URIRef(ex + "Thing")))
        store.add_graph(ex + name, graph)
    yield store
    store.close()


def test_full_export_holds_every_named_graph_as_the_store_does(small_store: OxigraphStore) -> None:
    written = export_bytes(StoreAccess(small_store), "trig", "full")
    dataset = Dataset()
    dataset.parse(data=written, format="trig")
    for name in small_store.graphs():
        exported = dataset.graph(URIRef(name))
        assert isomorphic(exported, small_store.get_graph(name)), name
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert names == set(small_store.graphs())


def test_full_turtle_export_is_the_merge_of_the_named_graphs(small_store: OxigraphStore) -> None:
    written = export_bytes(StoreAccess(small_store), "turtle", "full")
    merge = Graph()
    for name in small_store.graphs():
        for triple in small_store.get_graph(name):
            merge.add(triple)
    assert isomorphic(Graph().parse(data=written, format="turtle"), merge)
    assert len(merge) == 3  # the shared triple counted once (RDF merge, set semantics)


def test_full_export_runs_in_a_query_worker(
    small_store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every read goes through the store's limits: the export is written by a fenced worker."""
    small_store.serialise("ASK {}", lambda kind: "application/sparql-results+json")  # fork them

    def in_the_server_process(*args: object) -> bytes:
        raise AssertionError("the export was written in the server process")

    monkeypatch.setattr("ecpl.store.execution.dump", in_the_server_process)  # after the fork
    written = small_store.dump("nquads")
    assert Dataset().parse(data=written, format="nquads")


def test_full_export_is_stopped_by_the_time_limit() -> None:
    store = OxigraphStore(None, workers=1, limits=Limits(timeout_s=20))
    try:
        graph = Graph()
        for i in range(200_000):
            graph.add((URIRef(f"http://example.org/s{i}"), RDF.value, Literal(i)))
        store.add_graph("http://example.org/big", graph)
        with pytest.raises(Unavailable, match="time limit"):
            store.dump("trig", timeout_s=0.01)
        assert store.dump("nquads", timeout_s=60)  # the store answers on
    finally:
        store.close()
