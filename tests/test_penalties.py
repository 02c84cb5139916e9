"""Administrative penalties of issue 10: CRPL 56, ECL 81, CSL 59 / 61 / 68, PIPL 66.

The fine structures are checked against the statute text itself (the LawRefBook Markdown in
../shared, read by tests/test_citations.py's reader): each amount below is written by hand with
the Chinese phrase it comes from, and the phrase must occur in the paragraph the rule cites. The
findings each example gives are written from the provisions (comments name them), not from
running the code.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from ecpl import queries, sources
from ecpl.iri import ECPL
from ecpl.store.terms import to_ox
from ecpl.validation import Report, validate
from test_citations import LAWREFBOOK, markdown_articles

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "cases" / "examples"
L = "https://w3id.org/ecpl/law/"

# rule -> (law, article, paragraph, phrase in that paragraph, property, value)
FINES = [
    ("Rule-CSL-59", "csl", 59, 1, "处一万元以上十万元以下罚款", "fineMinCNY", 10_000),
    ("Rule-CSL-59", "csl", 59, 1, "处一万元以上十万元以下罚款", "fineMaxCNY", 100_000),
    (
        "Rule-CSL-59",
        "csl",
        59,
        1,
        "主管人员处五千元以上五万元以下罚款",
        "personalFineMinCNY",
        5_000,
    ),
    (
        "Rule-CSL-59",
        "csl",
        59,
        1,
        "主管人员处五千元以上五万元以下罚款",
        "personalFineMaxCNY",
        50_000,
    ),
    ("Rule-CSL-61", "csl", 61, 1, "处五万元以上五十万元以下罚款", "fineMinCNY", 50_000),
    ("Rule-CSL-61", "csl", 61, 1, "处五万元以上五十万元以下罚款", "fineMaxCNY", 500_000),
    ("Rule-CSL-61", "csl", 61, 1, "处一万元以上十万元以下罚款", "personalFineMinCNY", 10_000),
    ("Rule-CSL-61", "csl", 61, 1, "处一万元以上十万元以下罚款", "personalFineMaxCNY", 100_000),
    ("Rule-CSL-68", "csl", 68, 1, "处十万元以上五十万元以下罚款", "fineMinCNY", 100_000),
    ("Rule-CSL-68", "csl", 68, 1, "处十万元以上五十万元以下罚款", "fineMaxCNY", 500_000),
    ("Rule-ECL-81", "ecl", 81, 1, "二万元以上十万元以下", "fineMinCNY", 20_000),
    ("Rule-ECL-81", "ecl", 81, 1, "二万元以上十万元以下", "fineMaxCNY", 100_000),
    ("Rule-ECL-81", "ecl", 81, 1, "处十万元以上五十万元以下的罚款", "seriousFineMinCNY", 100_000),
    ("Rule-ECL-81", "ecl", 81, 1, "处十万元以上五十万元以下的罚款", "seriousFineMaxCNY", 500_000),
    ("Rule-CRPL-56", "crpl", 56, 1, "违法所得一倍以上十倍以下", "fineGainsMultipleMin", 1),
    ("Rule-CRPL-56", "crpl", 56, 1, "违法所得一倍以上十倍以下", "fineGainsMultipleMax", 10),
    (
        "Rule-CRPL-56",
        "crpl",
        56,
        1,
        "没有违法所得的，处以五十万元以下",
        "fineMaxWithoutGainsCNY",
        500_000,
    ),
    ("Rule-PIPL-66", "pipl", 66, 1, "并处一百万元以下罚款", "fineMaxCNY", 1_000_000),
    ("Rule-PIPL-66", "pipl", 66, 1, "处一万元以上十万元以下罚款", "personalFineMinCNY", 10_000),
    ("Rule-PIPL-66", "pipl", 66, 1, "处一万元以上十万元以下罚款", "personalFineMaxCNY", 100_000),
    ("Rule-PIPL-66", "pipl", 66, 2, "并处五千万元以下", "seriousFineMaxCNY", 50_000_000),
    (
        "Rule-PIPL-66",
        "pipl",
        66,
        2,
        "上一年度营业额百分之五以下",
        "seriousFineTurnoverPercentMax",
        5,
    ),
    (
        "Rule-PIPL-66",
        "pipl",
        66,
        2,
        "处十万元以上一百万元以下",
        "seriousPersonalFineMinCNY",
        100_000,
    ),
    (
        "Rule-PIPL-66",
        "pipl",
        66,
        2,
        "处十万元以上一百万元以下",
        "seriousPersonalFineMaxCNY",
        1_000_000,
    ),
]

# rule -> the provisions its text names as those it sanctions (2016 CSL numbering)
SANCTIONS = {
    # CSL 59(1): 不履行本法第二十一条、第二十五条规定的网络安全保护义务
    "Rule-CSL-59": {"csl/art/21/para/1", "csl/art/25/para/1"},
    # CSL 61: 违反本法第二十四条第一款规定
    "Rule-CSL-61": {"csl/art/24/para/1"},
    # CSL 68: 违反本法第四十七条规定 (para 1); 不履行本法第四十八条第二款 (para 2)
    "Rule-CSL-68": {"csl/art/47/para/1", "csl/art/48/para/2"},
    # ECL 81(1) item 3 is the conduct of Art. 37(1); item 4 that of Art. 39 (both paragraphs)
    "Rule-ECL-81": {"ecl/art/37/para/1", "ecl/art/39/para/1", "ecl/art/39/para/2"},
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return sources.load_graph(("ontology", "data"))


@pytest.fixture(scope="module")
def texts(shared: Path) -> dict[tuple[str, int], list[str]]:
    folder = shared / "statutes" / "lawrefbook"
    out: dict[tuple[str, int], list[str]] = {}
    for law in ("csl", "ecl", "crpl", "pipl"):
        for path in sorted(folder.glob(LAWREFBOOK[law])):
            for number, paragraphs in markdown_articles(path).items():
                out[(law, number)] = paragraphs
    return out


@pytest.mark.parametrize(("rule", "law", "art", "para", "phrase", "prop", "value"), FINES)
def test_fine_structure_matches_the_statute(
    ontology: Graph,
    texts: dict[tuple[str, int], list[str]],
    rule: str,
    law: str,
    art: int,
    para: int,
    phrase: str,
    prop: str,
    value: int,
) -> None:
    assert phrase in texts[(law, art)][para - 1]
    stated = ontology.value(ECPL[rule], ECPL[prop])
    assert isinstance(stated, Literal) and Decimal(str(stated)) == Decimal(value)


def test_no_fine_the_statute_does_not_set(ontology: Graph) -> None:
    # PIPL 66(1) and CSL 59(1)/61/68 fix no separate serious range; PIPL 66 and CRPL 56 no minimum
    assert ontology.value(ECPL["Rule-PIPL-66"], ECPL.fineMinCNY) is None
    assert ontology.value(ECPL["Rule-CRPL-56"], ECPL.fineMinCNY) is None
    for rule in ("Rule-CSL-59", "Rule-CSL-61", "Rule-CSL-68"):
        assert ontology.value(ECPL[rule], ECPL.seriousFineMaxCNY) is None


@pytest.mark.parametrize("rule", sorted(SANCTIONS))
def test_sanctions_exactly_what_the_text_names(ontology: Graph, rule: str) -> None:
    named = {str(p).removeprefix(L) for p in ontology.objects(ECPL[rule], ECPL.sanctions)}
    assert named == SANCTIONS[rule]


def test_csl_numbers_from_2026(ontology: Graph) -> None:
    # old 59 -> 61 is confirmed (data/laws/csl-2025.ttl); 61 -> 63 and 68 -> 70 are inferred
    for old, new, status in ((59, 61, "Confirmed"), (61, 63, "Unverified"), (68, 70, "Unverified")):
        version = URIRef(f"{L}csl/art/{old}/version/2026-01-01")
        assert ontology.value(version, ECPL.versionNumber) == Literal(new)
        assert ontology.value(version, ECPL.numberingStatus) == ECPL[status]


def run(name: str) -> Report:
    return validate(Graph().parse(EXAMPLES / f"{name}.ttl"))


def keys(report: Report) -> set[str]:
    return {f.iri.split("/finding/", 1)[1] for f in report.findings}


EXPECTED = {
    # CSL 21(1) item 3: logs no less than six months; 59(1) sanctions Art. 21
    "rule-csl-59-positive": {"Rule-CSL-59/NetworkLogDuty"},
    "rule-csl-59-negative": set(),
    # CSL 61 sanctions Art. 24(1); the negative's holding is on ECL 28 (ECL 80(1) item 2)
    "rule-csl-61-positive": {"Rule-CSL-61/RealIdentityDuty"},
    "rule-csl-61-negative": {"Rule-ECL-80/RegulatorReportingDuty"},
    # ECL 81(1) item 3 (unmarked self-operated goods), item 4 (a deleted review)
    "rule-ecl-81-positive": {
        "Rule-ECL-81/SelfOperatedMarkingDuty",
        "Rule-ECL-81/CreditEvaluationDuty",
    },
    "rule-ecl-81-negative": set(),
    # 2016: before the CSL (2017-06-01) and the PIPL (2021-11-01), CRPL 56(1) item 9 applies
    "rule-crpl-56-positive": {"Rule-CRPL-56/PersonalInformationProtectionDuty"},
    "rule-crpl-56-negative": set(),  # the leak is only alleged
    # 2022: PIPL 66 and CSL 64 (both in force); CRPL 56 gives way to them (56(1): 依照其规定)
    "rule-pipl-66-positive": {"Rule-PIPL-66/PersonalInformationProtectionDuty", "Rule-CSL-64"},
    # 2019: no PIPL yet; CSL 64 displaces CRPL 56
    "rule-pipl-66-before-pipl": {"Rule-CSL-64"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_penalty_examples(name: str) -> None:
    assert keys(run(name)) == EXPECTED[name]


def test_csl_59_finding_fines_and_citation_on_the_date() -> None:
    [finding] = run("rule-csl-59-positive").findings
    assert finding.legal_basis == [L + "csl/art/59/para/1"]
    assert (finding.fine_min_cny, finding.fine_max_cny) == (10_000, 100_000)
    assert (finding.personal_fine_min_cny, finding.personal_fine_max_cny) == (5_000, 50_000)
    text = (EXAMPLES / "rule-csl-59-positive.ttl").read_text(encoding="utf-8")
    later = validate(Graph().parse(data=text.replace("2024-05-01", "2026-03-01"), format="turtle"))
    [cited] = later.findings[0].citations
    # from 2026-01-01 old Art. 59 is Art. 61 (confirmed)
    assert "第六十一条（原第五十九条）" in cited.label["zh"]


def test_pipl_66_finding_carries_the_serious_structure() -> None:
    report = run("rule-pipl-66-positive")
    [finding] = [f for f in report.findings if f.rule.endswith("Rule-PIPL-66")]
    assert finding.status == str(ECPL.Contingent)
    assert finding.fine_max_cny == 1_000_000 and finding.serious_fine_max_cny == 50_000_000
    assert finding.serious_turnover_percent_max == 5
    assert (finding.serious_personal_fine_min_cny, finding.serious_personal_fine_max_cny) == (
        100_000,
        1_000_000,
    )
    assert "5%" in report.to_text("en")
    # CRPL 56 is displaced, and the report says so
    assert any(r.value == str(ECPL["Rule-CRPL-56"]) for r in report.results)


def test_ecl_81_cites_only_the_item_breached() -> None:
    by_duty = {f.duties[0]: f.legal_basis for f in run("rule-ecl-81-positive").findings}
    assert by_duty[str(ECPL.SelfOperatedMarkingDuty)] == [L + "ecl/art/81/para/1/item/3"]
    assert by_duty[str(ECPL.CreditEvaluationDuty)] == [L + "ecl/art/81/para/1/item/4"]


def cq08(store: ox.Store, duty: str) -> dict[str, dict[str, str]]:
    """cq08-administrative-penalties for a duty: rule -> its row (lexical values)."""
    query = queries.get("cq08-administrative-penalties")
    bindings = query.bindings({"duty": str(ECPL[duty])})
    solutions = store.query(
        query.text,
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): to_ox(v) for k, v in bindings.items()},
    )
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    rows = [{n: row[n].value for n in names if row[n] is not None} for row in solutions]
    return {row["rule"].removeprefix(str(ECPL)): row for row in rows}


@pytest.mark.parametrize(
    ("duty", "rules"),
    [
        # CSL 59(1) sanctions Art. 21; CSL 74(2) (public-security punishment) is a referral
        ("NetworkLogDuty", {"Rule-CSL-59", "Rule-CSL-74"}),
        ("RealIdentityDuty", {"Rule-CSL-61", "Rule-CSL-74"}),  # CSL 61 sanctions Art. 24(1)
        ("SelfOperatedMarkingDuty", {"Rule-ECL-81"}),  # ECL 81(1) item 3
        ("CreditEvaluationDuty", {"Rule-ECL-81"}),  # ECL 81(1) item 4
        # CRPL 56(1) item 9, CSL 64(1), PIPL 66, and the CSL 74 referral
        (
            "PersonalInformationProtectionDuty",
            {"Rule-CRPL-56", "Rule-CSL-64", "Rule-PIPL-66", "Rule-CSL-74"},
        ),
        ("RiskWarningDuty", {"Rule-CSL-68"}),  # CSL 68 (Art. 47)
        # CRPL 56(1) item 7: 拒绝或者拖延有关行政部门责令对缺陷商品…采取停止销售、警示、召回…措施
        # (the measures of CRPL 19, issue 10's ecpl:DefectRemedyDuty)
        ("DefectRemedyDuty", {"Rule-CRPL-56"}),
    ],
)
def test_cq08_returns_the_penalties(source_store: ox.Store, duty: str, rules: set[str]) -> None:
    assert set(cq08(source_store, duty)) == rules


def test_cq08_shows_the_full_fine_structure(source_store: ox.Store) -> None:
    row = cq08(source_store, "PersonalInformationProtectionDuty")["Rule-PIPL-66"]
    assert Decimal(row["fineMaxCNY"]) == 1_000_000
    assert Decimal(row["seriousFineMaxCNY"]) == 50_000_000
    assert Decimal(row["seriousTurnoverPercentMax"]) == 5
    row = cq08(source_store, "PersonalInformationProtectionDuty")["Rule-CRPL-56"]
    assert (Decimal(row["gainsMultipleMin"]), Decimal(row["gainsMultipleMax"])) == (1, 10)
    assert Decimal(row["fineMaxWithoutGainsCNY"]) == 500_000
