"""The case graphs in data/cases: Zhou v. Kuaike and the real cases, checked against what a lawyer
would expect from DOMAIN.md §5 (written by hand here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS

from ecpl.iri import ECPL
from ecpl.validation import validate

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
E = str(ECPL)
CASE_FILES = sorted(CASES.glob("*.ttl"))


def load(name: str) -> Graph:
    return Graph().parse(CASES / f"{name}.ttl")


def test_at_least_four_real_cases_besides_the_seed_case() -> None:
    names = {p.stem for p in CASE_FILES}
    assert "zhou-v-kuaike" in names
    assert len(names - {"zhou-v-kuaike"}) >= 4


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_every_fact_cites_its_source(path: Path) -> None:
    graph = Graph().parse(path)
    cases = list(graph.subjects(RDF.type, ECPL.Case))
    assert len(cases) == 1
    facts = [*cases, *graph.objects(cases[0], ECPL.event), *graph.objects(cases[0], ECPL.holding)]
    for fact in facts:
        assert graph.value(fact, DCTERMS.source) is not None, f"{fact} has no dcterms:source"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_no_structural_violations(path: Path) -> None:
    report = validate(Graph().parse(path))
    structural = [
        r
        for r in report.violations
        if r.duty is None  # duty shapes carry a duty
    ]
    assert structural == []


def test_zhou_v_kuaike_expected_by_a_lawyer() -> None:
    """Seed facts only: a third party's fraud harmed the consumer; the platform's breach is not
    established by those facts, so CC 1198(2) (by analogy) gives a contingent supplementary
    liability with recourse against the fraudster; the court presumed fault. No duty shape can
    be shown breached from the seed facts, and no ECL 38(2) finding (the perfume is not said to
    affect life or health), no PIPL 69 finding (no leak is stated)."""
    report = validate(load("zhou-v-kuaike"))
    assert report.conforms
    assert report.breached_duties == []
    assert len(report.findings) == 1
    finding = report.findings[0]
    assert finding.rule == E + "Rule-CC-1198-2"
    assert finding.status == E + "Contingent"
    assert finding.duties == [E + "SafetyGuaranteeObligation"]
    assert finding.forms == [E + "CorrespondingSupplementaryLiability"]
    assert finding.liable_party == "https://w3id.org/ecpl/case/zhou-v-kuaike/kuaike"
    assert finding.recourse_against == ["https://w3id.org/ecpl/case/zhou-v-kuaike/fraudster"]
    # missing evidence is a warning: no court, undated events
    assert any(r.severity == "Warning" for r in report.results)
    graph = load("zhou-v-kuaike")
    holding = graph.value(URIRef("https://w3id.org/ecpl/case/zhou-v-kuaike"), ECPL.holding)
    assert graph.value(holding, ECPL.faultPrincipleApplied) == ECPL.PresumedFault


def test_liu_presumed_fault_under_pipl_69() -> None:
    report = validate(load("liu-v-overseas-shopping-platform"))
    rules = {f.rule.removeprefix(E) for f in report.findings}
    assert "Rule-PIPL-69" in rules
    pipl = next(f for f in report.findings if f.rule == E + "Rule-PIPL-69")
    assert pipl.fault_principle == E + "PresumedFault"
    assert E + "PersonalInformationProtectionDuty" in report.breached_duties


def test_pang_leak_predates_the_csl_and_the_pipl() -> None:
    """The Qunar leak (case filed 2015) came before the CSL (2017-06-01) and the PIPL."""
    for name in ("pang-v-qunar-first-instance", "pang-v-qunar-second-instance"):
        rules = {f.rule.removeprefix(E) for f in validate(load(name)).findings}
        assert not rules & {"Rule-CSL-64", "Rule-PIPL-69"}, name


def test_cheng_no_rule_fires_platform_not_liable() -> None:
    report = validate(load("cheng-v-zhang-didi"))
    assert report.conforms
    assert report.findings == []


def _doc_example() -> Graph:
    text = (ROOT / "docs" / "case-graphs.md").read_text(encoding="utf-8")
    block = text.split("```turtle\n", 1)[1].split("```", 1)[0]
    return Graph().parse(data=block, format="turtle")


def test_minimal_example_in_the_guide_validates() -> None:
    report = validate(_doc_example())
    assert report.conforms
    assert report.violations == []
    assert report.findings == []


def test_guide_example_without_verification_breaches_ecl_27() -> None:
    graph = _doc_example()
    verification = URIRef("https://example.org/my-case/verification")
    for triple in list(graph.triples((verification, None, None))):
        graph.remove(triple)
    graph.remove((None, ECPL.event, verification))
    report = validate(graph)
    assert not report.conforms
    assert report.breached_duties == [E + "IdentityVerificationDuty"]
    assert [f.rule for f in report.findings] == [E + "Rule-ECL-80"]
    assert report.findings[0].fine_min_cny == 20_000
