"""The SKOS mappings module: honest targets, coherent mapping relations, and the judgements.

Every target must be declared in the copies of the external vocabularies under
../shared/external (wd:Q148 is the one allowed exception, see research/linking-targets.md).
Expected mappings below are written by hand from that study and docs/mappings.md.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef

from ecpl import iri, sources
from ecpl.iri import ECPL

WD_CHINA = URIRef("http://www.wikidata.org/entity/Q148")
LOC_CN = URIRef("https://w3id.org/dpv/loc#CN")
LCC_CHINA = URIRef("https://www.omg.org/spec/LCC/Countries/ISO3166-1-CountryCodes/China")
FIBO_LCAP = "https://spec.edmcouncil.org/fibo/ontology/FND/Law/LegalCapacity/"
FIBO_COR = "https://spec.edmcouncil.org/fibo/ontology/FND/Law/LegalCore/"
ELI = "http://data.europa.eu/eli/ontology#"
SCHEMA = "https://schema.org/"
DPV = "https://w3id.org/dpv#"
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
# Liability terms the ontology's liability module declares (not yet merged everywhere).
LIABILITY_TERMS = {ECPL.LiabilityForm, ECPL.CivilLiability, ECPL.CriminalLiability}


@pytest.fixture(scope="session")
def mappings(root: Path) -> Graph:
    return Graph().parse(root / "ontology" / "mappings.ttl", format="turtle")


@pytest.fixture(scope="session")
def external_terms(shared: Path) -> set[URIRef]:
    """Every IRI the external copies declare (as subject of an rdf:type triple)."""
    declared: set[URIRef] = set()
    for path in sorted((shared / "external").rglob("*")):
        if path.suffix not in (".ttl", ".rdf", ".owl"):
            continue
        graph = Graph().parse(path, format="turtle" if path.suffix == ".ttl" else "xml")
        declared.update(s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef))
    return declared


def _mapping_pairs(graph: Graph) -> list[tuple[URIRef, URIRef, URIRef]]:
    return [
        (s, p, o)
        for p in MAPPINGS
        for s, o in graph.subject_objects(p)
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    ]


def test_every_target_is_declared_in_the_external_copies(
    mappings: Graph, external_terms: set[URIRef]
) -> None:
    targets = {o for _s, _p, o in _mapping_pairs(mappings) if not iri.is_ecpl(str(o))}
    assert targets, "the mappings module maps nothing"
    undeclared = sorted(str(t) for t in targets - external_terms - {WD_CHINA})
    assert undeclared == []


def test_every_subject_is_an_ecpl_term(mappings: Graph) -> None:
    assert all(iri.is_ecpl(str(s)) for s, _p, _o in _mapping_pairs(mappings))


def test_mapped_terms_are_declared_by_the_ontology_modules(root: Path, mappings: Graph) -> None:
    modules = Graph()
    for source in sources.iter_sources(root, ("ontology",)):
        if source.path.name != "mappings.ttl":
            modules.parse(source.path, format="turtle")
    declared = {s for s in modules.subjects(RDF.type, None)}
    mapped = {s for s, _p, _o in _mapping_pairs(mappings)} - {ECPL.China}
    missing = mapped - declared
    if not (root / "ontology" / "liability.ttl").is_file():
        missing -= LIABILITY_TERMS  # module still being written in parallel
    assert sorted(map(str, missing)) == []


def test_one_mapping_relation_per_pair(mappings: Graph) -> None:
    """SKOS: exactMatch is disjoint with broad/narrow/relatedMatch; we keep one relation a pair."""
    relations: dict[tuple[URIRef, URIRef], set[URIRef]] = {}
    for s, p, o in _mapping_pairs(mappings):
        relations.setdefault((s, o), set()).add(p)
    doubled = {pair: rels for pair, rels in relations.items() if len(rels) > 1}
    assert doubled == {}


def test_no_external_iri_is_exact_and_hierarchical_for_the_same_term(mappings: Graph) -> None:
    for s, o in mappings.subject_objects(SKOS.exactMatch):
        for hierarchical in (SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch):
            assert (s, hierarchical, o) not in mappings


def test_no_cycle_of_broader(root: Path, mappings: Graph) -> None:
    """broadMatch, narrowMatch, broader, narrower together must form no cycle."""
    everything = sources.load_graph(("ontology",), root) + mappings
    edges: dict[URIRef, set[URIRef]] = {}
    for s, o in everything.subject_objects(SKOS.broadMatch | SKOS.broader):
        edges.setdefault(s, set()).add(o)
    for s, o in everything.subject_objects(SKOS.narrowMatch | SKOS.narrower):
        edges.setdefault(o, set()).add(s)

    def reaches(start: URIRef, goal: URIRef, seen: set[URIRef]) -> bool:
        for nxt in edges.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert [str(n) for n in edges if reaches(n, n, {n})] == []


def test_no_import_of_external_files_and_no_owl_identity(mappings: Graph) -> None:
    assert list(mappings.objects(None, OWL.imports)) == []
    assert list(mappings.subject_objects(OWL.sameAs)) == []
    assert list(mappings.subject_objects(OWL.equivalentClass)) == []


def test_mapping_properties_are_annotations_for_owl_dl(mappings: Graph) -> None:
    for prop in MAPPINGS:
        assert (prop, RDF.type, OWL.AnnotationProperty) in mappings


def test_mappings_load_into_their_own_named_graph(root: Path) -> None:
    dataset = sources.load_dataset(root)
    graph = dataset.graph(iri.source_graph("ontology", "mappings.ttl"))
    assert (ECPL.China, SKOS.exactMatch, WD_CHINA) in graph
    assert str(graph.identifier) == "https://w3id.org/ecpl/graph/ontology/mappings"


def test_china_is_the_jurisdiction_with_exact_matches(mappings: Graph) -> None:
    assert set(mappings.objects(ECPL.China, SKOS.exactMatch)) == {LOC_CN, LCC_CHINA, WD_CHINA}
    labels = {(str(o), o.language) for o in mappings.objects(ECPL.China, RDFS.label)}
    assert ("中华人民共和国", "zh") in labels
    assert ("People's Republic of China", "en") in labels
    assert {o.language for o in mappings.objects(ECPL.China, SKOS.definition)} == {"zh", "en"}


@pytest.mark.parametrize(
    ("ours", "relation", "theirs"),
    [
        (ECPL.EcommercePlatformOperator, SKOS.closeMatch, SCHEMA + "OnlineMarketplace"),
        (ECPL.EcommercePlatformOperator, SKOS.broadMatch, DPV + "ServiceProvider"),
        (ECPL.OnlineTradingPlatformProvider, SKOS.closeMatch, SCHEMA + "OnlineMarketplace"),
        (ECPL.Consumer, SKOS.closeMatch, DPV + "Consumer"),
        (ECPL.ThirdParty, SKOS.relatedMatch, DPV + "ThirdParty"),  # we differ: data-process scope
        (ECPL.Court, SKOS.closeMatch, FIBO_COR + "CourtOfLaw"),
        (ECPL.Duty, SKOS.closeMatch, FIBO_LCAP + "LegalObligation"),
        (ECPL.SafetyGuaranteeObligation, SKOS.broadMatch, FIBO_LCAP + "LegalObligation"),
        (ECPL.Law, SKOS.closeMatch, FIBO_COR + "StatuteLaw"),
        (ECPL.Law, SKOS.broadMatch, ELI + "LegalResource"),  # we differ: 法律 is one kind
        (ECPL.LegalInstrument, SKOS.closeMatch, ELI + "LegalResource"),
        (ECPL.Article, SKOS.broadMatch, ELI + "LegalResourceSubdivision"),
        (ECPL.Paragraph, SKOS.broadMatch, SCHEMA + "Legislation"),
        (ECPL.partOf, SKOS.closeMatch, ELI + "is_part_of"),
        (ECPL.PersonalInformationHandler, SKOS.closeMatch, DPV + "DataController"),
        (ECPL.NetworkUser, SKOS.narrowMatch, DPV + "User"),  # DPV users are humans only
        (ECPL.ScholarlyWork, SKOS.narrowMatch, SCHEMA + "ScholarlyArticle"),
    ],
)
def test_judged_mappings(mappings: Graph, ours: URIRef, relation: URIRef, theirs: str) -> None:
    assert (ours, relation, URIRef(theirs)) in mappings


@pytest.mark.parametrize(
    "false_friend",
    [
        SCHEMA + "Article",  # a news article, not a statute article
        SCHEMA + "Claim",  # a fact-check claim
        SCHEMA + "Courthouse",  # a building
        "http://www.estrellaproject.org/lkif-core/norm.owl#Liability_Right",  # a Hohfeld right
    ],
)
def test_false_friends_are_not_mapped(mappings: Graph, false_friend: str) -> None:
    assert (None, None, URIRef(false_friend)) not in mappings


def test_every_mapped_term_still_has_labels_in_both_languages_somewhere(
    root: Path, mappings: Graph
) -> None:
    everything = sources.load_graph(("ontology", "data"), root)
    for subject in {s for s, _p, _o in _mapping_pairs(mappings)} - LIABILITY_TERMS:
        languages = {
            o.language
            for p in (RDFS.label, SKOS.prefLabel)
            for o in everything.objects(subject, p)
            if isinstance(o, Literal)
        }
        assert {"zh", "en"} <= languages, subject


@pytest.mark.xdist_group("hermit")
def test_ontology_with_mappings_passes_ecpl_check(
    root: Path, tmp_path: Path, shipped_problems: list[Any]
) -> None:
    """The mappings add no problem to ``ecpl check`` (compared with the project without them)."""
    checks = pytest.importorskip("ecpl.checks.runner")
    if not (root / "ontology" / "liability.ttl").is_file():
        pytest.skip("ontology/liability.ttl not merged yet: liability terms are undeclared")
    without = tmp_path / "without"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(root / folder, without / folder)
    (without / "ontology" / "mappings.ttl").unlink()
    before = {(p.check, p.subject) for p in checks.run_checks(without, use_reasoner=False)}
    after = shipped_problems  # checks.run_checks(root, use_reasoner=True), shared per session
    added = [str(p) for p in after if (p.check, p.subject) not in before]
    assert added == []
