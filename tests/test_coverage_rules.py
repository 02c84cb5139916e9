"""Liability rules of issue 10: ECL 37(2), SPC-ONLINE 4 and 14, PIPL 20(2); the Civil Code period.

Each rule has a positive and a negative example (data/cases/examples); the expectations are
written from the provisions: ECL 37(2) 对其标记为自营的业务依法承担商品销售者…的民事责任;
SPC-ONLINE 4(1) 虽未标记自营但实际开展自营业务, 4(2) 所作标识等足以误导消费者; SPC-ONLINE 14
不能提供直播间运营者的真实姓名…向直播间运营者追偿; PIPL 20(2) 共同处理…承担连带责任.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from ecpl.validation import Report, validate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "cases" / "examples"
E = "https://w3id.org/ecpl/ontology#"
L = "https://w3id.org/ecpl/law/"


def run(name: str) -> Report:
    return validate(Graph().parse(EXAMPLES / f"{name}.ttl"))


def by_rule(report: Report) -> dict[str, list]:
    out: dict[str, list] = {}
    for finding in report.findings:
        out.setdefault(finding.rule.removeprefix(E), []).append(finding)
    return out


@pytest.mark.parametrize(
    ("rule", "stem"),
    [
        ("Rule-ECL-37-2", "rule-ecl-37-2"),
        ("Rule-SPC-ONLINE-4", "rule-spc-online-4"),
        ("Rule-SPC-ONLINE-14", "rule-spc-online-14"),
        ("Rule-PIPL-20-2", "rule-pipl-20-2"),
        ("Rule-SPC-ONLINE-1-2", "rule-spc-online-1-2"),
    ],
)
def test_positive_and_negative(rule: str, stem: str) -> None:
    assert rule in by_rule(run(f"{stem}-positive"))
    assert rule not in by_rule(run(f"{stem}-negative"))


def test_marked_self_operated_goods_make_the_platform_the_seller() -> None:
    [finding] = by_rule(run("rule-ecl-37-2-positive"))["Rule-ECL-37-2"]
    assert finding.liable_party.endswith("/platform")
    assert finding.legal_basis == [L + "ecl/art/37/para/2"]
    # the seller's own liability (defect, breach) is still to be shown
    assert finding.status == E + "Contingent"
    assert finding.co_liable_parties == [] and finding.recourse_against == []


def test_misleading_mark_cites_spc_online_4_2() -> None:
    [finding] = by_rule(run("rule-spc-online-4-positive"))["Rule-SPC-ONLINE-4"]
    assert finding.legal_basis == [L + "spc-online/art/4/para/2"]
    assert finding.co_liable_parties == [] and finding.recourse_against == []


def test_actual_self_operated_business_not_marked_cites_spc_online_4_1() -> None:
    text = (EXAMPLES / "rule-ecl-37-2-positive.ttl").read_text(encoding="utf-8")
    unmarked = text.replace("ecpl:markedSelfOperated true", "ecpl:markedSelfOperated false")
    report = validate(Graph().parse(data=unmarked, format="turtle"))
    rules = by_rule(report)
    assert "Rule-ECL-37-2" not in rules  # ECL 37(2) speaks of business 标记为自营
    [finding] = rules["Rule-SPC-ONLINE-4"]
    assert finding.legal_basis == [L + "spc-online/art/4/para/1"]


def test_spc_online_4_not_before_it_was_in_force() -> None:
    # SPC-ONLINE in force 2022-03-15: an injury in 2021 gives no SPC-ONLINE 4 finding
    text = (EXAMPLES / "rule-spc-online-4-positive.ttl").read_text(encoding="utf-8")
    early = text.replace("2023-", "2021-")
    report = validate(Graph().parse(data=early, format="turtle"))
    assert "Rule-SPC-ONLINE-4" not in by_rule(report)
    assert any(r.value == E + "Rule-SPC-ONLINE-4" for r in report.results)


def test_livestream_platform_compensates_with_recourse_against_the_room() -> None:
    rules = by_rule(run("rule-spc-online-14-positive"))
    [finding] = rules["Rule-SPC-ONLINE-14"]
    assert finding.recourse_against == [
        "https://w3id.org/ecpl/case/example-rule-spc-online-14-positive/room"
    ]
    assert finding.forms == [E + "CompensationWithRecourse"]
    # SPC-ONLINE 14: the consumer claims 依据消费者权益保护法第四十四条
    assert "Rule-CRPL-44-1" in rules


def test_joint_handlers_jointly_and_severally_liable() -> None:
    [finding] = by_rule(run("rule-pipl-20-2-positive"))["Rule-PIPL-20-2"]
    assert finding.forms == [E + "JointAndSeveralLiability"]
    assert finding.co_liable_parties == [
        "https://w3id.org/ecpl/case/example-rule-pipl-20-2-positive/airline"
    ]
    assert finding.fault_principle == E + "PresumedFault"


def test_joint_handling_before_the_pipl_gives_no_finding() -> None:
    text = (EXAMPLES / "rule-pipl-20-2-positive.ttl").read_text(encoding="utf-8")
    report = validate(Graph().parse(data=text.replace("2022-07-", "2020-07-"), format="turtle"))
    assert "Rule-PIPL-20-2" not in by_rule(report)  # PIPL in force 2021-11-01


def test_civil_code_rules_do_not_fire_before_2021_and_a_warning_names_the_period() -> None:
    # the vanished-seller example of docs/case-graphs.md moved to 2019: ECL 38(1) (2019-01-01)
    # applies, CC 1197 (2021-01-01) does not, and a warning says from when it applies
    docs = (ROOT / "docs" / "case-graphs.md").read_text(encoding="utf-8")
    text = docs.split("<!-- example: non-litigant -->", 1)[1].split("```turtle\n", 1)[1]
    text = text.split("```", 1)[0].replace("2023-", "2019-").replace("2024-", "2020-")
    graph = Graph().parse(data=text, format="turtle")
    # a merchant is a 网络用户 of the platform's service (CC 1197)
    graph.add(
        (URIRef("https://example.org/vanished-seller/seller"), RDF.type, URIRef(E + "NetworkUser"))
    )
    report = validate(graph)
    rules = by_rule(report)
    assert "Rule-ECL-38-1" in rules and "Rule-CC-1197" not in rules
    [warning] = [r for r in report.results if r.value == E + "Rule-CC-1197"]
    assert warning.severity == "Warning" and "2021-01-01" in warning.message["en"]


def test_format_term_shifting_the_platforms_liability_is_void() -> None:
    # SPC-ONLINE 1 item 2: the platform's liability 一概由平台内经营者承担 -> void
    [finding] = by_rule(run("rule-spc-online-1-2-positive"))["Rule-SPC-ONLINE-1-2"]
    assert finding.legal_basis == [L + "spc-online/art/1/para/1/item/2"]
    assert finding.status == E + "Established" and finding.rests_on.endswith("/term")
