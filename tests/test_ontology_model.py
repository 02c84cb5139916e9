"""The legal model in ontology/ (actors, duties, liability, doctrine) and its data.

Expected legal content is written by hand from DOMAIN.md §1–§4, ARCHITECTURE.md and the statute
text in ../shared; the tests check the Turtle says it, never what the Turtle computes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from ecpl import iri, sources
from ecpl.iri import ECPL

P = iri.paragraph
DCTERMS = Namespace("http://purl.org/dc/terms/")
VANN = Namespace("http://purl.org/vocab/vann/")
SEED = URIRef("https://w3id.org/ecpl/source/seed-paper")
XSD_DURATION = URIRef("http://www.w3.org/2001/XMLSchema#duration")

MODULES = [
    "ontology/ecpl.ttl",
    "ontology/actors.ttl",
    "ontology/duties.ttl",
    "ontology/liability.ttl",
    "ontology/doctrine.ttl",
    "data/doctrine/ecl-38-2.ttl",
    "data/sources/seed-paper.ttl",
]
DECLARATIONS = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
)


@pytest.fixture(scope="module")
def model(root: Path) -> Graph:
    """The modules this file is about, merged."""
    graph = Graph()
    for name in MODULES:
        graph.parse(root / name, format="turtle")
    return graph


@pytest.fixture(scope="module")
def everything(root: Path) -> Graph:
    """ontology/, shapes/ and data/ of the project (for what other modules add)."""
    return sources.load_graph(root=root)


# --- files and header ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", MODULES)
def test_module_parses(root: Path, name: str) -> None:
    graph = Graph().parse(root / name, format="turtle")
    assert len(graph) > 10
    assert (root / name).read_text(encoding="utf-8").startswith("# ecpl"), "header comment"


def test_one_ontology_only_in_ecpl_ttl(root: Path) -> None:
    holders = []
    for source in sources.iter_sources(root):
        graph = Graph().parse(source.path, format="turtle")
        if (None, RDF.type, OWL.Ontology) in graph:
            holders.append(source.path.relative_to(root).as_posix())
    assert holders == ["ontology/ecpl.ttl"]


def test_ontology_header(root: Path) -> None:
    graph = Graph().parse(root / "ontology/ecpl.ttl", format="turtle")
    onto = iri.ONTOLOGY_IRI
    assert graph.value(onto, OWL.versionIRI) == URIRef("https://w3id.org/ecpl/ontology/0.1.0")
    assert graph.value(onto, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert langs(graph, onto, DCTERMS.title) == {"zh", "en"}
    assert str(graph.value(onto, VANN.preferredNamespacePrefix)) == "ecpl"
    for prop in (OWL.versionInfo, DCTERMS.description, DCTERMS.creator, DCTERMS.created):
        assert graph.value(onto, prop) is not None, prop


def langs(graph: Graph, subject: Node, prop: URIRef) -> set[str | None]:
    """The language tags of ``subject``'s ``prop`` values."""
    return {o.language for o in graph.objects(subject, prop) if isinstance(o, Literal)}


def _declared(graph: Graph) -> set[URIRef]:
    return {
        s
        for kind in DECLARATIONS
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and iri.is_ecpl(str(s))
    }


def test_every_term_has_zh_and_en_labels(model: Graph) -> None:
    terms = _declared(model) | set(model.subjects(RDF.type, ECPL.DoctrinalPosition))
    assert len(terms) > 100
    missing = []
    for term in sorted(terms, key=str):
        for prop in (RDFS.label, SKOS.prefLabel):
            found = langs(model, term, prop)
            if not {"zh", "en"} <= found:
                missing.append(f"{term} {prop}: {sorted(map(str, found))}")
    assert missing == [], "\n".join(missing)


def test_classes_and_properties_have_definitions(model: Graph) -> None:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    terms = {s for k in kinds for s in model.subjects(RDF.type, k) if str(s).startswith(ECPL)}
    missing = [
        str(t) for t in sorted(terms, key=str) if langs(model, t, SKOS.definition) != {"zh", "en"}
    ]
    assert missing == []


def test_no_punning_of_classes_as_individuals(everything: Graph) -> None:
    # OWL 2 DL without punning: an actor class never sits where an individual is expected.
    classes = set(everything.subjects(RDF.type, OWL.Class))
    object_props = set(everything.subjects(RDF.type, OWL.ObjectProperty))
    punned = [
        (s, p, o)
        for p in object_props
        for s, o in everything.subject_objects(p)
        if s in classes or o in classes
    ]
    assert punned == []
    assert not classes & set(everything.subjects(RDF.type, OWL.NamedIndividual))


# --- actors (DOMAIN.md §1) -------------------------------------------------------------------


def axiom(graph: Graph, source: Node, prop: URIRef, target: Node) -> Node:
    """The owl:Axiom annotating ``source prop target`` (exactly one)."""
    found = [
        a
        for a in graph.subjects(OWL.annotatedSource, source)
        if (a, OWL.annotatedProperty, prop) in graph and (a, OWL.annotatedTarget, target) in graph
    ]
    assert len(found) == 1, f"{source} {prop} {target}: {len(found)} axiom annotations"
    assert (source, prop, target) in graph, "the annotated triple itself is asserted"
    return found[0]


# (class, property, target, ground, basis): the relations DOMAIN.md §1 asks for, by hand.
ACTOR_RELATIONS = [
    (ECPL.EcommercePlatformOperator, RDFS.subClassOf, ECPL.EcommerceOperator,
     ECPL.StatutoryDefinition, P("ecl", 9, 1)),
    (ECPL.NetworkServiceProvider, RDFS.subClassOf, ECPL.NetworkOperator,
     ECPL.StatutoryDefinition, iri.item("csl", 76, 1, 3)),
    (ECPL.OnlineTradingPlatformProvider, SKOS.closeMatch, ECPL.EcommercePlatformOperator,
     ECPL.AcceptedReading, P("crpl", 44, 1)),
    (ECPL.EcommercePlatformOperator, RDFS.subClassOf, ECPL.NetworkServiceProvider,
     ECPL.AcceptedReading, P("cc", 1194, 1)),
    (ECPL.InPlatformOperator, RDFS.subClassOf, ECPL.EcommerceOperator,
     ECPL.StatutoryDefinition, P("ecl", 9, 3)),
]  # fmt: skip


@pytest.mark.parametrize(("cls", "prop", "target", "ground", "basis"), ACTOR_RELATIONS)
def test_actor_relations_carry_their_basis(
    model: Graph, cls: URIRef, prop: URIRef, target: URIRef, ground: URIRef, basis: URIRef
) -> None:
    node = axiom(model, cls, prop, target)
    assert (node, RDF.type, OWL.Axiom) in model
    assert basis in set(model.objects(node, ECPL.legalBasis))
    assert model.value(node, ECPL.groundedAs) == ground
    assert langs(model, node, RDFS.comment) == {"zh", "en"}


def test_every_relation_between_actor_classes_is_annotated(model: Graph) -> None:
    actors = set(model.subjects(ECPL.termOf, None))
    for prop in (RDFS.subClassOf, SKOS.closeMatch):
        for s, o in model.subject_objects(prop):
            if s in actors and o in actors:
                axiom(model, s, prop, o)


def test_close_match_says_close_not_identical(model: Graph) -> None:
    node = axiom(
        model, ECPL.OnlineTradingPlatformProvider, SKOS.closeMatch, ECPL.EcommercePlatformOperator
    )
    english = " ".join(
        str(c)
        for c in model.objects(node, RDFS.comment)
        if isinstance(c, Literal) and c.language == "en"
    )
    assert "not identical" in english or "rather than identical" in english


def test_crpl_term_and_the_seed_variant(model: Graph) -> None:
    cls = ECPL.OnlineTradingPlatformProvider
    assert str(model.value(cls, ECPL.statutoryTerm)) == "网络交易平台提供者"
    assert Literal("网络交易平台服务提供者", lang="zh") in set(model.objects(cls, SKOS.altLabel))
    assert "网络交易平台服务提供者" not in {str(o) for o in model.objects(cls, SKOS.prefLabel)}


def test_large_platform_handler_is_not_a_defined_term(model: Graph) -> None:
    cls = ECPL.LargePlatformInformationHandler
    assert model.value(cls, ECPL.statutoryTerm) is None
    assert model.value(cls, ECPL.definedIn) is None
    assert P("pipl", 58, 1) in set(model.objects(cls, ECPL.usedIn))
    assert (cls, RDFS.subClassOf, ECPL.PersonalInformationHandler) in model


# The actors of ARCHITECTURE.md with the law whose term each is (DOMAIN.md §1; by hand).
ACTORS = {
    "EcommerceOperator": ("ecl", "电子商务经营者"),
    "EcommercePlatformOperator": ("ecl", "电子商务平台经营者"),
    "InPlatformOperator": ("ecl", "平台内经营者"),
    "OnlineTradingPlatformProvider": ("crpl", "网络交易平台提供者"),
    "NetworkOperator": ("csl", "网络运营者"),
    "NetworkServiceProvider": ("cc", "网络服务提供者"),
    "NetworkUser": ("cc", "网络用户"),
    "PersonalInformationHandler": ("pipl", "个人信息处理者"),
    "LargePlatformInformationHandler": ("pipl", None),
    "LivestreamMarketingPlatformOperator": ("spc-online", "网络直播营销平台经营者"),
    "LivestreamRoomOperator": ("spc-online", "直播间运营者"),
    "OnlineFoodServicePlatformOperator": ("spc-online", "网络餐饮服务平台经营者"),
    "OnlineFoodServiceProvider": ("spc-online", "入网餐饮服务提供者"),
    "Consumer": ("crpl", "消费者"),
    "ThirdParty": ("cc", "第三人"),
    "Court": ("cc", "人民法院"),
}


@pytest.mark.parametrize(("local", "expected"), ACTORS.items())
def test_actor_classes(model: Graph, local: str, expected: tuple[str, str | None]) -> None:
    law, term = expected
    cls = ECPL[local]
    assert (cls, RDF.type, OWL.Class) in model
    assert iri.law(law) in set(model.objects(cls, ECPL.termOf))
    assert (str(model.value(cls, ECPL.statutoryTerm)) if term else None) == (term or None)
    assert langs(model, cls, SKOS.definition) == {"zh", "en"}
    cited = set(model.objects(cls, ECPL.definedIn)) | set(model.objects(cls, ECPL.usedIn))
    assert cited and all("/para/" in str(c) for c in cited), "cited at paragraph or item level"


# --- duties (DOMAIN.md §2, ARCHITECTURE.md) ------------------------------------------------------

# duty -> (phase, a provision its basis must include, concerns personal information)
DUTIES = {
    "IdentityVerificationDuty": ("ExAnte", P("ecl", 27, 1), False),
    "RegulatorReportingDuty": ("ExAnte", P("ecl", 28, 1), False),
    "QualificationReviewDuty": ("ExAnte", P("spc-online", 15, 1), False),
    "NetworkSecurityDuty": ("ExAnte", P("csl", 21, 1), False),
    "IncidentResponseDuty": ("ExAnte", P("csl", 25, 1), False),
    "RealIdentityDuty": ("ExAnte", P("csl", 24, 1), False),
    "TransactionRecordDuty": ("ExAnte", P("ecl", 31, 1), False),
    "NetworkLogDuty": ("ExAnte", iri.item("csl", 21, 1, 3), False),
    "NecessaryMeasuresDuty": ("InProcess", P("crpl", 44, 2), False),
    "NoticeAndActionDuty": ("InProcess", P("ecl", 42, 2), False),
    "RiskWarningDuty": ("InProcess", P("csl", 47, 1), False),
    # ECL 61: the platform actively helps consumers defend their lawful rights
    "RescueAssistanceDuty": ("ExPost", P("ecl", 61, 1), False),
    "SellerDisclosureDuty": ("ExPost", P("spc-online", 14, 1), False),
    "DataBreachRemedyDuty": ("ExPost", P("crpl", 29, 2), True),  # 立即采取补救措施
    "BreachNotificationDuty": ("ExPost", P("pipl", 57, 1), True),  # 通知…部门和个人
    "UnlawfulListingDuty": ("InProcess", P("ecl", 29, 1), False),  # 处置措施，并…报告
    "IPInfringementMeasuresDuty": ("InProcess", P("ecl", 45, 1), False),
    "PersonalInformationProtectionDuty": ("ExAnte", P("csl", 40, 1), True),
    "UserInformationRightsDuty": ("InProcess", P("ecl", 24, 2), True),
}


# Owed to regulators (ECL 28), about users' information rights (ECL 24) or to IP right-holders
# (ECL 45): not part of the safety-guarantee obligation towards consumers.
NOT_SAFETY_GUARANTEE = {
    "RegulatorReportingDuty",
    "UserInformationRightsDuty",
    "IPInfringementMeasuresDuty",
}


@pytest.mark.parametrize(("local", "expected"), DUTIES.items())
def test_concrete_duties(model: Graph, local: str, expected: tuple[str, URIRef, bool]) -> None:
    phase, basis, personal = expected
    duty = ECPL[local]
    assert (duty, RDF.type, ECPL.Duty) in model
    assert model.value(duty, ECPL.phase) == ECPL[phase]
    if local in NOT_SAFETY_GUARANTEE:
        assert model.value(duty, ECPL.partOfObligation) is None
    else:
        assert model.value(duty, ECPL.partOfObligation) == ECPL.SafetyGuaranteeObligation
    bases = set(model.objects(duty, ECPL.legalBasis))
    assert basis in bases
    assert all("/para/" in str(b) for b in bases), "basis at paragraph or item level"
    assert model.value(duty, ECPL.concernsPersonalInformation) == Literal(personal)
    bearers = set(model.objects(duty, ECPL.bearer))
    assert bearers and all((b, RDF.type, OWL.Class) in model for b in bearers)
    for prop in (ECPL.trigger, ECPL.fulfilledBy):
        assert langs(model, duty, prop) == {"zh", "en"}, prop


def test_only_the_listed_duties(model: Graph) -> None:
    assert set(model.subjects(RDF.type, ECPL.Duty)) == {ECPL[d] for d in DUTIES} | {
        ECPL.SafetyGuaranteeObligation
    }


def test_general_obligation(model: Graph) -> None:
    sgo = ECPL.SafetyGuaranteeObligation
    bases = set(model.objects(sgo, ECPL.legalBasis))
    assert {P("ecl", 38, 2), P("crpl", 48, 2)} <= bases
    # CC 1198(1) and CRPL 18(2) address physical premises: for platforms an analogy, never a basis
    assert {P("cc", 1198, 1), P("crpl", 18, 2)} <= set(model.objects(sgo, ECPL.analogicalBasis))
    assert not bases & {P("cc", 1198, 1), P("crpl", 18, 2)}
    assert Literal("Verkehrssicherungspflicht", lang="de") in set(
        model.objects(sgo, ECPL.doctrinalOrigin)
    )
    assert Literal("交往安全义务", lang="zh") in set(model.objects(sgo, ECPL.doctrinalOrigin))
    assert model.value(sgo, ECPL.standardOfCare) == ECPL.GoodAdministratorCare


@pytest.mark.parametrize(
    ("duty", "duration"), [("TransactionRecordDuty", "P3Y"), ("NetworkLogDuty", "P6M")]
)
def test_retention_minima(model: Graph, duty: str, duration: str) -> None:
    # ECL 31: no less than three years; CSL 21 item 3: no less than six months.
    assert model.value(ECPL[duty], ECPL.minimumRetention) == Literal(
        duration, datatype=XSD_DURATION
    )


# --- liability (DOMAIN.md §3) -------------------------------------------------------------------

JS, CIVIL, ADMIN = ECPL.JointAndSeveralLiability, ECPL.CivilLiability, ECPL.AdministrativeLiability
# rule -> (form, nature, liable party, co-liable party, duty breached)
RULES = {
    "Rule-ECL-38-1": (JS, CIVIL, "EcommercePlatformOperator", "InPlatformOperator",
                      "NecessaryMeasuresDuty"),
    "Rule-ECL-38-2": (ECPL.CorrespondingLiability, CIVIL, "EcommercePlatformOperator", None,
                      "QualificationReviewDuty"),
    "Rule-CRPL-44-1": (ECPL.CompensationWithRecourse, CIVIL, "OnlineTradingPlatformProvider",
                       None, "SellerDisclosureDuty"),
    "Rule-CRPL-44-2": (JS, CIVIL, "OnlineTradingPlatformProvider", "InPlatformOperator",
                       "NecessaryMeasuresDuty"),
    "Rule-CC-1195-2": (JS, CIVIL, "NetworkServiceProvider", "NetworkUser", "NoticeAndActionDuty"),
    "Rule-CC-1197": (JS, CIVIL, "NetworkServiceProvider", "NetworkUser", "NecessaryMeasuresDuty"),
    "Rule-CC-1198-2": (ECPL.CorrespondingSupplementaryLiability, CIVIL,
                       "EcommercePlatformOperator", "ThirdParty", "SafetyGuaranteeObligation"),
    "Rule-CC-1172": (ECPL.ProportionalLiability, CIVIL, "EcommercePlatformOperator",
                     "ThirdParty", "SafetyGuaranteeObligation"),
    "Rule-ECL-42-2": (JS, CIVIL, "EcommercePlatformOperator", "InPlatformOperator",
                      "NoticeAndActionDuty"),
    "Rule-ECL-45": (JS, CIVIL, "EcommercePlatformOperator", "InPlatformOperator",
                    "IPInfringementMeasuresDuty"),
    "Rule-SPC-ONLINE-15": (JS, CIVIL, "LivestreamMarketingPlatformOperator",
                           "LivestreamRoomOperator", "QualificationReviewDuty"),
    "Rule-SPC-ONLINE-16": (JS, CIVIL, "LivestreamMarketingPlatformOperator",
                           "LivestreamRoomOperator", "NecessaryMeasuresDuty"),
    "Rule-SPC-ONLINE-18": (JS, CIVIL, "OnlineFoodServicePlatformOperator",
                           "OnlineFoodServiceProvider", "QualificationReviewDuty"),
    "Rule-ECL-83": (ECPL.AdministrativePenalty, ADMIN, "EcommercePlatformOperator", None,
                    "QualificationReviewDuty"),
    "Rule-ECL-80": (ECPL.AdministrativePenalty, ADMIN, "EcommercePlatformOperator", None,
                    "TransactionRecordDuty"),
    "Rule-ECL-84": (ECPL.AdministrativePenalty, ADMIN, "EcommercePlatformOperator", None,
                    "NoticeAndActionDuty"),
    "Rule-CSL-64": (ECPL.AdministrativePenalty, ADMIN, "NetworkOperator", None,
                    "PersonalInformationProtectionDuty"),
    "Rule-CSL-74": (None, CIVIL, "NetworkOperator", None, "NetworkSecurityDuty"),
    "Rule-PIPL-69": (None, CIVIL, "PersonalInformationHandler", None,
                     "PersonalInformationProtectionDuty"),
}  # fmt: skip


@pytest.mark.parametrize(("local", "expected"), RULES.items())
def test_rules_match_domain(
    model: Graph, local: str, expected: tuple[URIRef | None, URIRef, str, str | None, str]
) -> None:
    form, nature, liable, co_liable, duty = expected
    rule = ECPL[local]
    assert (rule, RDF.type, ECPL.LiabilityRule) in model
    assert set(model.objects(rule, ECPL.liabilityForm)) == ({form} if form else set())
    assert nature in set(model.objects(rule, ECPL.liabilityNature))
    assert model.value(rule, ECPL.liableParty) == ECPL[liable]
    assert model.value(rule, ECPL.coLiableParty) == (ECPL[co_liable] if co_liable else None)
    assert ECPL[duty] in set(model.objects(rule, ECPL.breachOf))
    assert langs(model, rule, ECPL.triggerCondition) == {"zh", "en"}
    bases = set(model.objects(rule, ECPL.legalBasis))
    assert bases and all("/para/" in str(b) for b in bases)


def test_only_the_listed_rules(model: Graph) -> None:
    assert set(model.subjects(RDF.type, ECPL.LiabilityRule)) == {ECPL[r] for r in RULES}


def test_csl_74_natures(model: Graph) -> None:
    # CSL 74(1) civil; 74(2) public-security penalties (administrative) and criminal liability.
    natures = set(model.objects(ECPL["Rule-CSL-74"], ECPL.liabilityNature))
    assert natures == {CIVIL, ADMIN, ECPL.CriminalLiability}


def test_scopes(model: Graph) -> None:
    assert model.value(ECPL["Rule-CC-1195-2"], ECPL.scope) == ECPL.EnlargedDamage
    assert model.value(ECPL["Rule-ECL-42-2"], ECPL.scope) == ECPL.EnlargedDamage
    supplementary = ECPL["Rule-CC-1198-2"]
    assert model.value(supplementary, ECPL.scope) == ECPL.ShortfallAfterEnforcement
    # SPC-TORT 24 concerns building managers: cited by analogy, and the data says so.
    assert P("spc-tort", 24, 1) in set(model.objects(supplementary, ECPL.analogicalBasis))
    assert P("spc-tort", 24, 1) not in set(model.objects(supplementary, ECPL.legalBasis))
    assert model.value(supplementary, ECPL.byAnalogy) == Literal(True)
    comment = " ".join(str(c) for c in model.objects(supplementary, RDFS.comment))
    assert "building managers" in comment and "analogy" in comment


def test_recourse(model: Graph) -> None:
    seller = ECPL["Rule-CRPL-44-1"]
    assert model.value(seller, ECPL.recourseAgainst) == ECPL.InPlatformOperator
    assert model.value(seller, ECPL.recourseBasis) == P("crpl", 44, 1)
    internal = ECPL["Rule-ECL-38-1"]
    assert model.value(internal, ECPL.recourseBasis) == P("cc", 178, 2)


def test_fault_principles(model: Graph) -> None:
    assert model.value(ECPL.FaultLiability, ECPL.legalBasis) == P("cc", 1165, 1)
    presumed = set(model.objects(ECPL.PresumedFault, ECPL.legalBasis))
    assert presumed == {P("cc", 1165, 2), P("pipl", 69, 1)}
    assert model.value(ECPL["Rule-PIPL-69"], ECPL.faultPrinciple) == ECPL.PresumedFault
    assert model.value(ECPL.GoodAdministratorCare, DCTERMS.source) == SEED


# --- doctrine (DOMAIN.md §4) ---------------------------------------------------------------------


def test_positions_are_about_ecl_38_2_and_cite_the_seed(model: Graph) -> None:
    positions = set(model.subjects(RDF.type, ECPL.DoctrinalPosition))
    assert {str(p).rsplit("/", 1)[-1] for p in positions} == {
        "civil-liability-only",
        "all-legal-liabilities",
        "joint-and-several",
        "supplementary",
        "not-single-form",
        "non-genuine-joint-and-several",
        "case-by-case",
    }
    for position in positions:
        assert str(position).startswith(str(iri.DOCTRINE))
        assert model.value(position, ECPL.aboutProvision) == P("ecl", 38, 2)
        assert model.value(position, DCTERMS.source) == SEED
        assert langs(model, position, ECPL.argument) == {"zh", "en"}
        refs = {int(str(r)) for r in model.objects(position, ECPL.seedReference)}
        assert refs <= set(range(8, 14)), "the seed paper reports the debate in refs [8]-[13]"


def test_seed_paper(model: Graph) -> None:
    assert (SEED, RDF.type, ECPL.ScholarlyWork) in model
    assert langs(model, SEED, DCTERMS.abstract) == {"zh", "en"}


# --- OWL 2 DL consistency ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group("hermit")
def test_consistent_under_hermit(shipped_problems: list[Any]) -> None:
    """HermiT finds the shipped ontology and data consistent (one shared HermiT run)."""
    assert [str(p) for p in shipped_problems if p.check in ("reasoner", "syntax")] == []
