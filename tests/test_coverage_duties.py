"""Duties of issue 10: each shape's positive, negative and silent example (data/cases/examples).

Expectations written from the statutes: ECL 37(1) (mark self-operated business, 不得误导消费者),
ECL 39(2) (no deleting reviews), the access, correction and deletion rights of ECL 24(2), CSL 43
(2016 numbering: 删除 / 更正), CC 1037 and PIPL 45(2), 46(2), 47(1), and PIPL 51(1) (security
measures against 个人信息泄露) beside the earlier bases of the security duty.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from ecpl.validation import Report, validate

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "cases" / "examples"
S = "https://w3id.org/ecpl/shapes#"
E = "https://w3id.org/ecpl/ontology#"
L = "https://w3id.org/ecpl/law/"


def run(name: str) -> Report:
    return validate(Graph().parse(EXAMPLES / f"{name}.ttl"))


def shapes(report: Report, severity: str) -> set[str]:
    return {r.shape.removeprefix(S) for r in report.results if r.severity == severity}


# shape -> (example stem, duty)
DUTIES = {
    "SelfOperatedMarkingShape": ("self-operated-marking", "SelfOperatedMarkingDuty"),
    "InformationRightsShape": ("information-rights", "UserInformationRightsDuty"),
    # ECL 62: 在电子商务争议处理中…应当提供原始合同和交易记录
    "DisputeRecordsShape": ("dispute-records", "DisputeRecordsDuty"),
}


@pytest.mark.parametrize("shape", sorted(DUTIES))
def test_negative_is_a_violation(shape: str) -> None:
    stem, duty = DUTIES[shape]
    report = run(f"{stem}-negative")
    assert shape in shapes(report, "Violation")
    assert E + duty in report.breached_duties
    assert report.well_formed


@pytest.mark.parametrize("shape", sorted(DUTIES))
def test_positive_is_nothing(shape: str) -> None:
    stem, _duty = DUTIES[shape]
    report = run(f"{stem}-positive")
    no_evidence = shape.removesuffix("Shape") + "NoEvidenceShape"
    assert shape not in shapes(report, "Violation")
    assert no_evidence not in shapes(report, "Warning")


@pytest.mark.parametrize("shape", sorted(DUTIES))
def test_silent_is_a_warning(shape: str) -> None:
    stem, _duty = DUTIES[shape]
    report = run(f"{stem}-silent")
    assert shape not in shapes(report, "Violation")
    assert shape.removesuffix("Shape") + "NoEvidenceShape" in shapes(report, "Warning")


def test_information_rights_cite_the_law_in_force_in_2022() -> None:
    # a request of 2022-09-01: ECL 24(2) (2019), CSL 43 (2017-06-01), CC 1037 (2021-01-01) and
    # PIPL 45(2), 46(2), 47(1) (2021-11-01) were all in force
    [breach] = [r for r in run("information-rights-negative").violations]
    assert set(breach.legal_basis) == {
        L + "ecl/art/24/para/2",
        L + "csl/art/43/para/1",
        L + "cc/art/1037/para/1",
        L + "cc/art/1037/para/2",
        L + "pipl/art/45/para/2",
        L + "pipl/art/46/para/2",
        L + "pipl/art/47/para/1",
    }


def test_information_rights_before_the_civil_code_and_pipl() -> None:
    text = (EXAMPLES / "information-rights-negative.ttl").read_text(encoding="utf-8")
    text = text.replace("2022-09-01", "2019-09-01").replace("2022-09-05", "2019-09-05")
    [breach] = validate(Graph().parse(data=text, format="turtle")).violations
    # 2019: only ECL 24(2) (2019-01-01) and CSL 43 (2017-06-01)
    assert set(breach.legal_basis) == {L + "ecl/art/24/para/2", L + "csl/art/43/para/1"}


def test_misleading_mark_is_a_violation_of_ecl_37_1() -> None:
    report = run("self-operated-marking-misleading")
    [breach] = [r for r in report.violations if r.shape == S + "SelfOperatedMisleadingShape"]
    assert breach.legal_basis == [L + "ecl/art/37/para/1"]
    assert "SPC-ONLINE Art. 4(2)" in breach.message["en"]


def test_review_deletion_breaches_ecl_39_2() -> None:
    report = run("rule-ecl-81-positive")
    [breach] = [r for r in report.violations if r.shape == S + "ReviewDeletionShape"]
    assert breach.legal_basis == [L + "ecl/art/39/para/2"]


def test_pipl_51_cited_for_a_leak_after_2021_11_01() -> None:
    # PIPL 51(1): measures to prevent 个人信息泄露 (in force 2021-11-01); not for a leak in 2016
    later = run("rule-pipl-66-positive")  # leak 2022-05-01
    earlier = run("rule-crpl-56-positive")  # leak 2016-05-01
    pis = S + "PersonalInformationSecurityShape"
    assert any(L + "pipl/art/51/para/1" in r.legal_basis for r in later.results if r.shape == pis)
    assert not any(
        L + "pipl/art/51/para/1" in r.legal_basis for r in earlier.results if r.shape == pis
    )
