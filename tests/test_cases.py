"""The case graphs in data/cases: Zhou v. Kuaike and the real cases, checked against what a lawyer
would expect from DOMAIN.md §5 (written by hand here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS

from ecpl.iri import ECPL
from ecpl.validation import Report, validate

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
E = str(ECPL)
L = "https://w3id.org/ecpl/law/"
Q = "https://w3id.org/ecpl/case/pang-v-qunar-second-instance/"
CASE_FILES = sorted(CASES.glob("*.ttl")) + sorted((CASES / "real").glob("*.ttl"))


def load(name: str) -> Graph:
    path = CASES / f"{name}.ttl"
    return Graph().parse(path if path.exists() else CASES / "real" / f"{name}.ttl")


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
    """The appeal court held the platform liable by presuming its fault (PIPL 69): the security
    duty is found breached although the leak itself is inferred; nothing is reported about a
    remedy after the leak, so that duty is only a warning."""
    report = validate(load("liu-v-overseas-shopping-platform"))
    rules = {f.rule.removeprefix(E) for f in report.findings}
    assert "Rule-PIPL-69" in rules
    pipl = next(f for f in report.findings if f.rule == E + "Rule-PIPL-69")
    assert pipl.fault_principle == E + "PresumedFault"
    assert report.breached_duties == [E + "PersonalInformationProtectionDuty"]
    assert warned(report, "DataBreachRemedyNoEvidenceShape")


def warned(report: Report, shape: str) -> bool:
    return any(
        r.severity == "Warning" and r.shape == "https://w3id.org/ecpl/shapes#" + shape
        for r in report.results
    )


def test_pang_leak_predates_the_csl_and_the_pipl() -> None:
    """The Qunar leak (case filed 2015) came before the CSL (2017-06-01) and the PIPL."""
    for name in ("pang-v-qunar-first-instance", "pang-v-qunar-second-instance"):
        rules = {f.rule.removeprefix(E) for f in validate(load(name)).findings}
        assert not rules & {"Rule-CSL-64", "Rule-PIPL-69"}, name


def test_pang_first_instance_leak_source_not_found_is_no_breach() -> None:
    """The first instance did not find where the leak came from (the graph records the
    plaintiff's allegation as uncertain): no breach, warnings only."""
    report = validate(load("pang-v-qunar-first-instance"))
    assert report.conforms
    assert report.breached_duties == []
    assert warned(report, "PersonalInformationSecurityNoEvidenceShape")


def test_pang_second_instance_found_both_at_fault_for_the_leak_not_for_a_remedy() -> None:
    """The appeal court found the leak came from Qunar and China Eastern with high probability
    and held both liable (under the tort law then in force). Of the bases this graph holds, only
    CRPL 29(2) was in force and it binds Qunar alone; the sources are silent about a remedy or
    notification after the leak, so the remedy duty is a warning, not a violation."""
    report = validate(load("pang-v-qunar-second-instance"))
    assert not report.conforms
    assert report.breached_duties == [E + "PersonalInformationProtectionDuty"]
    breached_by = {
        r.focus_node.rsplit("/", 1)[1]
        for r in report.violations
        if r.shape.endswith("#PersonalInformationSecurityShape")
    }
    assert breached_by == {"leak"}
    # Qunar, a platform, is a 经营者 about its own service to consumers: CRPL 29(2) (in force
    # 2014-03-15) binds it; CSL 42 (网络运营者) came into force only on 2017-06-01
    (qunar,) = report.violations
    assert qunar.value == Q + "qunar"
    assert qunar.legal_basis == [L + "crpl/art/29/para/2"]
    # China Eastern is recorded only as a personal-information handler: neither CRPL 29
    # (经营者) nor CSL 42 (网络运营者) is cited for it, and the handler's bases (CC 1038 from
    # 2021-01-01, PIPL 51 from 2021-11-01) were not yet in force: a warning that says so
    (eastern,) = [
        r
        for r in report.results
        if r.value == Q + "eastern" and r.shape.endswith("#PersonalInformationSecurityShape")
    ]
    assert eastern.severity == "Warning" and eastern.legal_basis == []
    assert "none of CC 1038(1), PIPL 51(1) was in force" in eastern.message["en"]
    assert warned(report, "DataBreachRemedyNoEvidenceShape")
    assert not any(r.shape.endswith("#DataBreachRemedyShape") for r in report.violations)


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
    """The guide's case declares its record complete: a missing verification is a breach."""
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


def test_guide_example_silent_about_verification_is_only_a_warning() -> None:
    graph = _doc_example()
    verification = URIRef("https://example.org/my-case/verification")
    for triple in list(graph.triples((verification, None, None))):
        graph.remove(triple)
    graph.remove((None, ECPL.event, verification))
    graph.remove((None, ECPL.recordComplete, None))
    report = validate(graph)
    assert report.conforms
    assert report.breached_duties == []
    assert report.findings == []
    assert warned(report, "IdentityVerificationNoEvidenceShape")


# --- issue 9 -------------------------------------------------------------------------------------


def test_liu_gets_no_established_safety_guarantee_finding() -> None:
    """Liu was decided under PIPL 69 (a personal-information breach): CC 1198(2) needs a breach
    of the safety-guarantee obligation itself (因第三人的行为…未尽到安全保障义务), which the source
    never states, so at most a contingent finding, by analogy."""
    report = validate(load("liu-v-overseas-shopping-platform"))
    for finding in report.findings:
        if finding.rule == E + "Rule-CC-1198-2":
            assert finding.status == E + "Contingent"
            assert finding.by_analogy


def test_pang_second_instance_cites_only_law_in_force_once_per_holder() -> None:
    """Filed 2015 (first-instance docket): CC 1038 (2021-01-01) and CSL 42 (2017-06-01) were not
    in force; CRPL 29(2) (2013 text, in force 2014-03-15) stated the same duty."""
    report = validate(load("pang-v-qunar-second-instance"))
    cited = {b for r in report.violations for b in r.legal_basis}
    assert cited == {"https://w3id.org/ecpl/law/crpl/art/29/para/2"}
    keys = [(r.shape, r.focus_node, r.value) for r in report.results]
    assert len(keys) == len(set(keys))


def test_examples_are_not_in_the_default_dataset() -> None:
    """The example graphs are test fixtures: a scholar counting ecpl:Case gets real cases only."""
    from ecpl import sources

    cases = {str(c) for c in sources.load_graph().subjects(RDF.type, ECPL.Case)}
    assert cases and not any("/case/example-" in c for c in cases)
    real = {str(c) for p in CASE_FILES for c in Graph().parse(p).subjects(RDF.type, ECPL.Case)}
    assert real <= cases
    with_examples = sources.iter_sources(include_examples=True)
    assert any("examples" in s.path.parts for s in with_examples)
