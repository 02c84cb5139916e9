"""Duties of issue 10: each shape's positive, negative and silent example (data/cases/examples).

Expectations written from the statutes: ECL 37(1) (mark self-operated business, 不得误导消费者),
ECL 39(2) (no deleting reviews), the access, correction and deletion rights of ECL 24(2), CSL 43
(2016 numbering: 删除 / 更正), CC 1037 and PIPL 45(2), 46(2), 47(1), and PIPL 51(1) (security
measures against 个人信息泄露) beside the earlier bases of the security duty; ECL 43(2) (forward
the declaration; lift the measures when no complaint or suit is notified within 十五日), ECL 44
(公示 notices, declarations and outcomes), ECL 59 (投诉、举报机制), CRPL 19 (on a defect found:
报告 and 停止销售、召回 and the like) and CRPL 28 (安全注意事项和风险警示 in distance sales), the
last two binding a platform only for what it sells itself.
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
    # ECL 43(2): forward a declaration to the right-holder who sent the notice, telling them
    # they may complain or sue
    "DeclarationForwardingShape": ("declaration-forwarding", "DeclarationHandlingDuty"),
    # ECL 43(2): no notice of a complaint or suit within 15 days, so lift the measures in time
    "MeasureTerminationShape": ("measure-termination", "DeclarationHandlingDuty"),
    # ECL 44 应当及时公示收到的…通知、声明及处理结果
    "NoticePublicationShape": ("notice-publication", "NoticePublicationDuty"),
    # ECL 59 及时受理并处理投诉、举报
    "ComplaintHandlingShape": ("complaint-handling", "ComplaintMechanismDuty"),
    # CRPL 19 发现…缺陷…应当立即向有关行政部门报告…并采取停止销售、警示、召回…等措施
    "DefectReportShape": ("defect-report", "DefectRemedyDuty"),
    "DefectMeasuresShape": ("defect-measures", "DefectRemedyDuty"),
    # CRPL 28 …应当向消费者提供…安全注意事项和风险警示…等信息
    "DistanceSellingInformationShape": (
        "distance-selling-information",
        "DistanceSellingInformationDuty",
    ),
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


# --- issue 10, second part: ECL 43(2), 44, 59; CRPL 19, 28 ---------------------------------------


# duty -> (phase, bearers, the one basis, part of the safety-guarantee obligation); the bearer as
# the article names it: ECL 43(2), 44 电子商务平台经营者; ECL 59 电子商务经营者; CRPL 19 经营者;
# CRPL 28 采用网络…方式提供商品或者服务的经营者
PLATFORM = {"EcommercePlatformOperator"}
NEW_DUTIES = {
    "DeclarationHandlingDuty": ("InProcess", PLATFORM, "ecl/art/43/para/2", False),
    "NoticePublicationDuty": ("InProcess", PLATFORM, "ecl/art/44/para/1", False),
    "ComplaintMechanismDuty": ("ExPost", {"EcommerceOperator"}, "ecl/art/59/para/1", True),
    "DefectRemedyDuty": ("InProcess", {"BusinessOperator"}, "crpl/art/19/para/1", False),
    "DistanceSellingInformationDuty": ("ExAnte", {"DistanceSeller"}, "crpl/art/28/para/1", False),
}  # fmt: skip


@pytest.fixture(scope="module")
def model() -> Graph:
    graph = Graph()
    root = EXAMPLES.parents[2]
    for path in [*(root / "ontology").glob("*.ttl"), *(root / "data" / "laws").glob("*.ttl")]:
        graph.parse(path)
    return graph


@pytest.mark.parametrize("duty", sorted(NEW_DUTIES))
def test_new_duty_bearer_phase_basis(model: Graph, duty: str) -> None:
    from rdflib import URIRef

    phase, bearers, basis, safety = NEW_DUTIES[duty]
    node = URIRef(E + duty)
    assert {str(o) for o in model.objects(node, URIRef(E + "phase"))} == {E + phase}
    assert {str(o) for o in model.objects(node, URIRef(E + "bearer"))} == {E + b for b in bearers}
    assert {str(o) for o in model.objects(node, URIRef(E + "legalBasis"))} == {L + basis}
    part = {str(o) for o in model.objects(node, URIRef(E + "partOfObligation"))}
    assert part == ({E + "SafetyGuaranteeObligation"} if safety else set())
    # the provision exists in data/laws as a paragraph of its article
    assert (
        URIRef(L + basis),
        URIRef(E + "partOf"),
        URIRef(L + basis.rsplit("/para/", 1)[0]),
    ) in model


def test_platform_is_no_distance_seller_by_class(model: Graph) -> None:
    # CRPL 28 / 19 reach a platform only for what it sells itself: no subclass axiom says more
    from rdflib import RDFS, URIRef

    platform = URIRef(E + "EcommercePlatformOperator")
    for cls in ("DistanceSeller", "BusinessOperator"):
        assert (platform, RDFS.subClassOf, URIRef(E + cls)) not in model
    assert (URIRef(E + "DistanceSeller"), RDFS.subClassOf, URIRef(E + "BusinessOperator")) in model


def test_crpl_28_carries_the_2013_numbering() -> None:
    # Art. 28 was added by the 2013 amendment, in force 2014-03-15 (as CRPL Art. 19 in crpl.ttl)
    text = (EXAMPLES / "distance-selling-information-negative.ttl").read_text(encoding="utf-8")
    early = text.replace("2022-05-01", "2013-05-01")
    report = validate(Graph().parse(data=early, format="turtle"))
    assert "DistanceSellingInformationShape" not in shapes(report, "Violation")
    later = validate(Graph().parse(data=text, format="turtle"))
    [breach] = [r for r in later.violations if r.shape == S + "DistanceSellingInformationShape"]
    assert breach.legal_basis == [L + "crpl/art/28/para/1"]


def variant(stem: str, *edits: tuple[str, str]) -> Report:
    text = (EXAMPLES / f"{stem}.ttl").read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return validate(Graph().parse(data=text, format="turtle"))


NOT_LIFTED = ("ex:forwardDeclaration, ex:notLifted", "ex:forwardDeclaration, ex:notLifted, ex:suit")


def suit(date: str) -> tuple[str, str]:
    return (
        "ex:notLifted a ecpl:Omission",
        f'ex:suit a ecpl:ComplaintOrSuitNotice ; ecpl:date "{date}"^^xsd:date ; '
        'ecpl:agent ex:holder ; ecpl:respondsTo ex:declaration ; dcterms:source "t" .\n'
        "ex:notLifted a ecpl:Omission",
    )


def test_a_suit_notified_within_fifteen_days_ends_the_duty_to_lift() -> None:
    # the declaration reached the right-holder on 2022-03-08: fifteen days run to 2022-03-23
    for date in ("2022-03-10", "2022-03-23"):
        report = variant("measure-termination-negative", NOT_LIFTED, suit(date))
        assert "MeasureTerminationShape" not in shapes(report, "Violation"), date
        assert "MeasureTerminationNoEvidenceShape" not in shapes(report, "Warning"), date


def test_a_suit_notified_after_fifteen_days_does_not() -> None:
    report = variant("measure-termination-negative", NOT_LIFTED, suit("2022-03-24"))
    [breach] = [r for r in report.violations if r.shape == S + "MeasureTerminationShape"]
    assert breach.legal_basis == [L + "ecl/art/43/para/2"]


def test_an_undated_suit_notice_gets_the_benefit_of_the_doubt() -> None:
    undated = (
        "ex:notLifted a ecpl:Omission",
        "ex:suit a ecpl:ComplaintOrSuitNotice ; ecpl:agent ex:holder ; "
        'ecpl:respondsTo ex:declaration ; dcterms:source "t" .\nex:notLifted a ecpl:Omission',
    )
    report = variant("measure-termination-negative", NOT_LIFTED, undated)
    assert "MeasureTerminationShape" not in shapes(report, "Violation")


def test_no_measures_nothing_to_lift() -> None:
    report = variant(
        "measure-termination-negative",
        (
            "ecpl:respondsTo ex:notice ; ecpl:late false",
            "ecpl:respondsTo ex:other ; ecpl:late false",
        ),
    )
    assert "MeasureTerminationShape" not in shapes(report, "Violation")


def test_ecl_43_and_44_not_before_2019() -> None:
    # ECL in force 2019-01-01: a declaration of 2018 breaches neither Art. 43(2) nor Art. 44
    report = variant(
        "declaration-forwarding-negative",
        *[(f"2022-03-{d}", f"2018-03-{d}") for d in ("01", "02", "03", "05", "06", "20")],
    )
    assert "DeclarationForwardingShape" not in shapes(report, "Violation")
    assert "DeclarationForwardingShape" in shapes(report, "Warning")


def test_ecl_44_publication_of_the_notice_is_checked_too() -> None:
    report = variant(
        "notice-publication-positive",
        (
            "ex:notice, ex:forwardNotice, ex:measure, ex:publishNotice,",
            "ex:notice, ex:forwardNotice, ex:measure, ex:quiet,",
        ),
        (
            "ex:publishNotice a ecpl:Publication",
            "ex:quiet a ecpl:Omission ; ecpl:omittedAct ecpl:Publication",
        ),
    )
    [breach] = [r for r in report.violations if r.shape == S + "NoticePublicationShape"]
    assert breach.focus_node.endswith("/notice")
    assert breach.legal_basis == [L + "ecl/art/44/para/1"]


def test_complaint_channel_not_published_breaches_ecl_59() -> None:
    report = variant(
        "complaint-handling-positive",
        ("ecpl:complaintChannelPublished true", "ecpl:complaintChannelPublished false"),
    )
    [breach] = [r for r in report.violations if r.shape == S + "ComplaintChannelShape"]
    assert breach.focus_node.endswith("/platform")
    assert breach.legal_basis == [L + "ecl/art/59/para/1"]
    assert E + "ComplaintMechanismDuty" in report.breached_duties


def test_crpl_19_and_28_not_the_platforms_for_a_merchants_goods() -> None:
    # the goods are an in-platform operator's: CRPL 19 and 28 bind that operator, not the platform
    merchant = ("ecpl:soldBy ex:platform", "ecpl:soldBy ex:merchant")
    typed = (
        "ex:user a ecpl:Consumer",
        'ex:merchant a ecpl:InPlatformOperator ; rdfs:label "商家"@zh, "merchant"@en .\n'
        "ex:user a ecpl:Consumer",
    )
    for stem, shape in (
        ("defect-report-negative", "DefectReport"),
        ("distance-selling-information-negative", "DistanceSellingInformation"),
    ):
        report = variant(stem, merchant, typed)
        assert shape + "Shape" not in shapes(report, "Violation"), stem
        assert shape + "NoEvidenceShape" not in shapes(report, "Warning"), stem


def test_crpl_19_names_the_operator_recorded_as_one() -> None:
    # recorded as a 经营者 (ecpl:BusinessOperator), the merchant's own CRPL 19 failure is shown
    report = variant(
        "defect-report-negative",
        ("ecpl:soldBy ex:platform", "ecpl:soldBy ex:maker"),
        (
            "ex:user a ecpl:Consumer",
            'ex:maker a ecpl:BusinessOperator ; rdfs:label "经营者"@zh, "operator"@en .\n'
            "ex:user a ecpl:Consumer",
        ),
    )
    [breach] = [r for r in report.violations if r.shape == S + "DefectReportShape"]
    assert breach.legal_basis == [L + "crpl/art/19/para/1"]
    assert "/maker" in breach.message["en"]
