"""Each duty shape gives a violation on its negative example (the failure is established), only a
warning on its silent example (the record says nothing either way) and nothing on its positive
one; each rule derives exactly the expected findings (data/cases/examples). Expectations are
written by hand from DOMAIN.md §2-3 and the provisions, not produced by the code under test."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from ecpl.validation import Report, validate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "cases" / "examples"
S = "https://w3id.org/ecpl/shapes#"
E = "https://w3id.org/ecpl/ontology#"
LAW = "https://w3id.org/ecpl/law/"


def run(name: str) -> Report:
    return validate(Graph().parse(EXAMPLES / f"{name}.ttl"))


def violated_shapes(report: Report) -> set[str]:
    return {r.shape.removeprefix(S) for r in report.results if r.severity == "Violation"}


def warned_shapes(report: Report) -> set[str]:
    return {r.shape.removeprefix(S) for r in report.results if r.severity == "Warning"}


def no_evidence(shape: str) -> str:
    """The warning twin of a duty shape: FooShape -> FooNoEvidenceShape."""
    return shape.removesuffix("Shape") + "NoEvidenceShape"


def finding_keys(report: Report) -> set[str]:
    return {f.iri.split("/finding/", 1)[1] for f in report.findings}


# shape -> (negative example, positive example, duty, one legal basis it must carry)
DUTY_SHAPES = {
    "IdentityVerificationShape": (
        "identity-verification",
        "IdentityVerificationDuty",
        "ecl/art/27/para/1",
    ),
    "QualificationReviewShape": (
        "qualification-review",
        "QualificationReviewDuty",
        "ecl/art/38/para/2",
    ),
    "NecessaryMeasuresShape": ("necessary-measures", "NecessaryMeasuresDuty", "ecl/art/38/para/1"),
    "NoticeAndActionShape": ("notice-and-action", "NoticeAndActionDuty", "cc/art/1195/para/2"),
    "TransactionRecordShape": ("transaction-records", "TransactionRecordDuty", "ecl/art/31/para/1"),
    "NetworkLogShape": ("network-logs", "NetworkLogDuty", "csl/art/21/para/1/item/3"),
    # the risk comes from an in-platform operator (2023): ECL 29 (handle and report), not CRPL 18(1)
    "RiskWarningShape": ("risk-warning", "RiskWarningDuty", "ecl/art/29/para/1"),
    "RescueAssistanceShape": ("rescue-assistance", "RescueAssistanceDuty", "ecl/art/59/para/1"),
    "SellerDisclosureShape": ("seller-disclosure", "SellerDisclosureDuty", "crpl/art/44/para/1"),
    "DataBreachRemedyShape": ("data-breach-remedy", "DataBreachRemedyDuty", "csl/art/42/para/2"),
    "PersonalInformationSecurityShape": (
        "personal-information-security",
        "PersonalInformationProtectionDuty",
        "crpl/art/29/para/2",
    ),
}


@pytest.mark.parametrize("shape", sorted(DUTY_SHAPES))
def test_duty_shape_fires_on_negative_example(shape: str) -> None:
    stem, duty, basis = DUTY_SHAPES[shape]
    report = run(f"{stem}-negative")
    assert shape in violated_shapes(report)
    assert not report.conforms
    hits = [r for r in report.results if r.shape == S + shape]
    for hit in hits:
        assert hit.duty == E + duty
        assert LAW + basis in hit.legal_basis
        assert hit.message["zh"] and hit.message["en"]
    assert E + duty in report.breached_duties


@pytest.mark.parametrize("shape", sorted(DUTY_SHAPES))
def test_duty_shape_silent_on_positive_example(shape: str) -> None:
    stem, _duty, _basis = DUTY_SHAPES[shape]
    report = run(f"{stem}-positive")
    assert shape not in violated_shapes(report)
    assert no_evidence(shape) not in warned_shapes(report)


# duties whose shape turns on an act not done: silent record -> warning (no evidence), no breach.
# Which failure each negative example establishes (written into the example): identity
# verification, necessary measures, notice and action, rescue: an ecpl:Omission; qualification
# review, data-breach remedy: ecpl:recordComplete; risk warning: the court found the duty
# breached; seller disclosure: the answer refused.
ACT_DUTIES = sorted(
    {
        "IdentityVerificationShape",
        "QualificationReviewShape",
        "NecessaryMeasuresShape",
        "NoticeAndActionShape",
        "RiskWarningShape",
        "RescueAssistanceShape",
        "SellerDisclosureShape",
        "DataBreachRemedyShape",
    }
)


@pytest.mark.parametrize("shape", ACT_DUTIES)
def test_silent_record_is_a_warning_not_a_violation(shape: str) -> None:
    stem, duty, basis = DUTY_SHAPES[shape]
    report = run(f"{stem}-silent")
    assert shape not in violated_shapes(report)
    assert E + duty not in report.breached_duties
    warnings = [r for r in report.results if r.shape == S + no_evidence(shape)]
    assert warnings, f"no warning about the missing evidence for {shape}"
    for warning in warnings:
        assert warning.severity == "Warning"
        assert warning.duty == E + duty
        assert LAW + basis in warning.legal_basis
        assert "no evidence" in warning.message["en"].lower()


@pytest.mark.parametrize("shape", ACT_DUTIES)
def test_established_failure_is_not_also_a_warning(shape: str) -> None:
    stem, _duty, _basis = DUTY_SHAPES[shape]
    assert no_evidence(shape) not in warned_shapes(run(f"{stem}-negative"))


def test_verification_after_the_listing_does_not_count() -> None:
    assert "IdentityVerificationShape" in violated_shapes(run("identity-verification-late"))


def test_positive_examples_have_no_warnings_about_missing_evidence() -> None:
    report = run("identity-verification-positive")
    assert report.conforms
    assert [r for r in report.results if r.severity == "Warning"] == []


POSITIONS = {
    # position slug -> (forms, natures), from DOMAIN.md §4 and data/doctrine
    "civil-liability-only": ({"CorrespondingLiability"}, {"CivilLiability"}),
    "all-legal-liabilities": (
        {"CorrespondingLiability"},
        {"CivilLiability", "AdministrativeLiability", "CriminalLiability"},
    ),
    "joint-and-several": ({"JointAndSeveralLiability"}, {"CivilLiability"}),
    "supplementary": ({"SupplementaryLiability"}, {"CivilLiability"}),
    "not-single-form": ({"JointAndSeveralLiability", "SupplementaryLiability"}, {"CivilLiability"}),
    "non-genuine-joint-and-several": (
        {"NonGenuineJointAndSeveralLiability"},
        {"CivilLiability"},
    ),
    "case-by-case": ({"CorrespondingLiability"}, {"CivilLiability"}),
}
ECL_38_2 = {f"Rule-ECL-38-2/{slug}" for slug in POSITIONS}

RULE_EXAMPLES: dict[str, set[str]] = {
    # known risk from an in-platform operator, no measures, consumer damage: ECL 38(1), CC 1197
    # and CRPL 44(2) (a seller using the platform harmed a consumer) joint and several; ECL 83
    "rule-ecl-38-1-positive": {"Rule-ECL-38-1", "Rule-CC-1197", "Rule-CRPL-44-2", "Rule-ECL-83"},
    "rule-ecl-38-1-negative": set(),
    # + a consumer harmed: CRPL 44(2) as well
    "rule-crpl-44-2-positive": {"Rule-ECL-38-1", "Rule-CC-1197", "Rule-CRPL-44-2", "Rule-ECL-83"},
    "rule-crpl-44-2-negative": set(),
    "rule-cc-1195-2-positive": {"Rule-CC-1195-2"},
    "rule-cc-1195-2-negative": set(),
    # ECL 38(2): one finding per doctrinal position, plus ECL 83
    "rule-ecl-38-2-positive": ECL_38_2 | {"Rule-ECL-83"},
    "rule-ecl-38-2-negative": set(),
    "rule-ecl-38-2-before-ecl": set(),  # the harm predates the ECL (in force 2019-01-01)
    "rule-spc-online-18-positive": ECL_38_2 | {"Rule-ECL-83", "Rule-SPC-ONLINE-18"},
    "rule-spc-online-18-negative": set(),
    # SPC-ONLINE 15: food needing a licence sold in a livestream room; not other health goods
    "rule-spc-online-15-positive": ECL_38_2 | {"Rule-ECL-83", "Rule-SPC-ONLINE-15"},
    "rule-spc-online-15-not-food": ECL_38_2 | {"Rule-ECL-83"},
    # SPC-ONLINE 18: only online food-service platforms; ECL 38(2) reaches any platform
    "rule-spc-online-18-general-platform": ECL_38_2 | {"Rule-ECL-83"},
    "rule-crpl-44-1-positive": {"Rule-CRPL-44-1"},
    "rule-crpl-44-1-negative": set(),
    "rule-cc-1198-2-positive": {"Rule-CC-1198-2"},
    "rule-cc-1198-2-contingent": {"Rule-CC-1198-2"},
    "rule-cc-1198-2-negative": set(),
    # + PIPL 66 (issue 10): the administrative penalty for the same leak; CRPL 56(1) item 9 gives
    # way to PIPL 66 and CSL 64 (56(1) defers to other laws that fix the penalty)
    "rule-pipl-69-positive": {
        "Rule-PIPL-69",
        "Rule-CSL-64",
        "Rule-PIPL-66/PersonalInformationProtectionDuty",
    },
    "rule-pipl-69-before-pipl": {"Rule-CSL-64"},  # PIPL in force 2021-11-01; CSL applies
    # CSL in force 2017-06-01; a consumer's data leaked in 2016: CRPL 56(1) item 9 (issue 10)
    "rule-csl-64-before-csl": {"Rule-CRPL-56/PersonalInformationProtectionDuty"},
    "rule-ecl-80-positive": {
        "Rule-ECL-80/IdentityVerificationDuty",
        "Rule-ECL-80/TransactionRecordDuty",
    },
}


@pytest.mark.parametrize("name", sorted(RULE_EXAMPLES))
def test_rule_derives_exactly_the_expected_findings(name: str) -> None:
    assert finding_keys(run(name)) == RULE_EXAMPLES[name]


def by_key(report: Report) -> dict:
    return {f.iri.split("/finding/", 1)[1]: f for f in report.findings}


def test_ecl_38_1_is_joint_and_several_with_the_seller() -> None:
    finding = by_key(run("rule-ecl-38-1-positive"))["Rule-ECL-38-1"]
    assert finding.forms == [E + "JointAndSeveralLiability"]
    assert finding.natures == [E + "CivilLiability"]
    assert finding.liable_party.endswith("/platform")
    assert [p.rsplit("/", 1)[1] for p in finding.co_liable_parties] == ["seller"]
    assert finding.duties == [E + "NecessaryMeasuresDuty"]
    assert finding.status == E + "Established"


def test_ecl_83_carries_the_fine_range() -> None:
    finding = by_key(run("rule-ecl-38-1-positive"))["Rule-ECL-83"]
    assert finding.forms == [E + "AdministrativePenalty"]
    assert (finding.fine_min_cny, finding.fine_max_cny) == (50_000, 500_000)
    assert (finding.serious_fine_min_cny, finding.serious_fine_max_cny) == (500_000, 2_000_000)


def test_ecl_80_carries_the_fine_range() -> None:
    finding = by_key(run("rule-ecl-80-positive"))["Rule-ECL-80/TransactionRecordDuty"]
    assert (finding.fine_min_cny, finding.fine_max_cny) == (20_000, 100_000)
    assert (finding.serious_fine_min_cny, finding.serious_fine_max_cny) == (100_000, 500_000)


def test_ecl_38_2_one_finding_per_position_with_its_form_and_nature() -> None:
    findings = by_key(run("rule-ecl-38-2-positive"))
    for slug, (forms, natures) in POSITIONS.items():
        finding = findings[f"Rule-ECL-38-2/{slug}"]
        assert finding.position == f"https://w3id.org/ecpl/doctrine/{slug}"
        assert {f.removeprefix(E) for f in finding.forms} == forms, slug
        assert {n.removeprefix(E) for n in finding.natures} == natures, slug
        assert finding.duties == [E + "QualificationReviewDuty"]


def test_cc_1195_2_reaches_only_the_enlarged_part() -> None:
    finding = by_key(run("rule-cc-1195-2-positive"))["Rule-CC-1195-2"]
    assert finding.enlarged_part_only
    assert finding.forms == [E + "JointAndSeveralLiability"]


def test_crpl_44_1_recourse_against_the_seller() -> None:
    finding = by_key(run("rule-crpl-44-1-positive"))["Rule-CRPL-44-1"]
    assert [p.rsplit("/", 1)[1] for p in finding.recourse_against] == ["seller"]
    assert finding.liable_party.endswith("/platform")


def test_cc_1198_2_supplementary_with_recourse_against_the_third_party() -> None:
    established = by_key(run("rule-cc-1198-2-positive"))["Rule-CC-1198-2"]
    assert established.forms == [E + "CorrespondingSupplementaryLiability"]
    assert [p.rsplit("/", 1)[1] for p in established.recourse_against] == ["fraudster"]
    assert established.status == E + "Established"
    contingent = by_key(run("rule-cc-1198-2-contingent"))["Rule-CC-1198-2"]
    assert contingent.status == E + "Contingent"


def test_pipl_69_presumes_fault() -> None:
    finding = by_key(run("rule-pipl-69-positive"))["Rule-PIPL-69"]
    assert finding.fault_principle == E + "PresumedFault"
    assert LAW + "pipl/art/69/para/1" in finding.legal_basis


# Rule examples whose trigger is an act not done, and the triple that establishes the failure.
ESTABLISHED_BY_RECORD = [
    "rule-ecl-38-1-positive",
    "rule-crpl-44-2-positive",
    "rule-cc-1195-2-positive",
    "rule-ecl-38-2-positive",
    "rule-spc-online-15-positive",
    "rule-spc-online-18-positive",
]


@pytest.mark.parametrize("name", ESTABLISHED_BY_RECORD)
def test_silent_record_gives_no_finding(name: str) -> None:
    """The same facts without ecpl:recordComplete: nothing says the act was not done, so no
    liability is derived (absence of evidence is not a breach)."""
    from rdflib import URIRef

    graph = Graph().parse(EXAMPLES / f"{name}.ttl")
    graph.remove((None, URIRef(E + "recordComplete"), None))
    assert finding_keys(validate(graph)) == set()


def test_cc_1198_2_silent_about_help_is_contingent() -> None:
    graph = Graph().parse(EXAMPLES / "rule-cc-1198-2-positive.ttl")
    from rdflib import URIRef

    graph.remove((None, URIRef(E + "recordComplete"), None))
    finding = by_key(validate(graph))["Rule-CC-1198-2"]
    assert finding.status == E + "Contingent"


def test_refused_disclosure_establishes_crpl_44_1_without_a_complete_record() -> None:
    assert "Rule-CRPL-44-1" in finding_keys(run("rule-crpl-44-1-positive"))
