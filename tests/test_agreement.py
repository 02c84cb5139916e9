"""``ecpl agreement``: the model's findings (with the court's holding taken out) against the
holding, per outcome, duty and rule; and docs/agreement.md is what the command writes.

The small fixtures follow data/cases/examples (same facts, a holding added). What the model
derives from those facts is what tests/test_shapes_examples.py states by hand: a refused
disclosure request with damage gives CRPL 44(1) (CRPL Art. 44(1): the platform that cannot give
the seller's name, address and contact compensates); a listing with no recorded verification is
only a warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from ecpl.agreement import (
    AGREE,
    LESS,
    MORE,
    NOT_COMPARABLE,
    Reference,
    compare_case,
    compare_files,
    load_reference,
    markdown,
)
from ecpl.agreement.compare import (
    _Court,
    _duty_items,
    _outcome_item,
    _rule_items,
    rate,
    without_holding,
)
from ecpl.cli import main
from ecpl.iri import ECPL

ROOT = Path(__file__).resolve().parents[1]
E = str(ECPL)
LAW = "https://w3id.org/ecpl/law/"

PREFIXES = """
@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <https://w3id.org/ecpl/case/fixture/> .
"""

# data/cases/examples/rule-crpl-44-1-positive.ttl: disclosure refused, consumer harmed
DISCLOSURE_REFUSED = """
<https://w3id.org/ecpl/case/fixture> a ecpl:Case ;
    rdfs:label "测试"@zh ; dcterms:source "test" ;
    ecpl:court ex:court ; ecpl:decisionDate "2024-06-01"^^xsd:date ;
    ecpl:party ex:platform, ex:consumer, ex:seller ;
    ecpl:event ex:request, ex:answer, ex:damage ;
    ecpl:holding ex:holding .
ex:court a ecpl:Court ; rdfs:label "测试法院"@zh .
ex:platform a ecpl:EcommercePlatformOperator ; ecpl:partyRole ecpl:Defendant .
ex:consumer a ecpl:Consumer ; ecpl:partyRole ecpl:Plaintiff .
ex:seller a ecpl:InPlatformOperator, ecpl:NetworkUser ; ecpl:partyRole ecpl:Defendant .
ex:goods a ecpl:GoodsOrService ; ecpl:soldBy ex:seller ; ecpl:affectsLifeAndHealth false .
ex:request a ecpl:DisclosureRequest ; ecpl:date "2023-08-01"^^xsd:date ; ecpl:agent ex:consumer ;
    ecpl:concerns ex:seller ; dcterms:source "test" .
ex:answer a ecpl:DisclosureAnswer ; ecpl:date "2023-08-05"^^xsd:date ; ecpl:agent ex:platform ;
    ecpl:respondsTo ex:request ; ecpl:outcome ecpl:Refused ; dcterms:source "test" .
ex:damage a ecpl:Damage ; ecpl:date "2023-07-01"^^xsd:date ; ecpl:affectedParty ex:consumer ;
    ecpl:amountCNY 5000.0 ; dcterms:source "test" .
"""

# data/cases/examples/identity-verification-silent.ttl: a listing, nothing said of a verification
SILENT_LISTING = """
<https://w3id.org/ecpl/case/fixture> a ecpl:Case ;
    rdfs:label "测试"@zh ; dcterms:source "test" ;
    ecpl:court ex:court ; ecpl:decisionDate "2024-06-01"^^xsd:date ;
    ecpl:party ex:platform, ex:consumer, ex:seller ;
    ecpl:event ex:listing ;
    ecpl:holding ex:holding .
ex:court a ecpl:Court ; rdfs:label "测试法院"@zh .
ex:platform a ecpl:EcommercePlatformOperator ; ecpl:partyRole ecpl:Defendant .
ex:consumer a ecpl:Consumer ; ecpl:partyRole ecpl:Plaintiff .
ex:seller a ecpl:InPlatformOperator, ecpl:NetworkUser ; ecpl:partyRole ecpl:Defendant .
ex:goods a ecpl:GoodsOrService ; ecpl:soldBy ex:seller ; ecpl:affectsLifeAndHealth false .
ex:listing a ecpl:Listing ; ecpl:date "2023-03-01"^^xsd:date ; ecpl:agent ex:seller ;
    ecpl:concerns ex:goods ; dcterms:source "test" .
"""


def case_graph(facts: str, holding: str) -> Graph:
    text = PREFIXES + facts + "ex:holding a ecpl:Holding ; " + holding + " ."
    return Graph().parse(data=text, format="turtle")


def verdicts(graph: Graph, reference: Reference) -> dict[tuple[str, str], str]:
    result = compare_case(graph, reference, "fixture")
    return {(i.kind, i.subject.removeprefix(E)): i.verdict for i in result.items}


@pytest.fixture(scope="module")
def reference() -> Reference:
    return load_reference()


def test_court_and_model_agree_on_a_refused_disclosure(reference: Reference) -> None:
    graph = case_graph(
        DISCLOSURE_REFUSED,
        "ecpl:liabilityImposed true ; ecpl:dutyFoundBreached ecpl:SellerDisclosureDuty ; "
        f"ecpl:appliedProvision <{LAW}crpl/art/44/para/1>",
    )
    assert verdicts(graph, reference) == {
        ("outcome", "platform-liability"): AGREE,
        ("duty", "SellerDisclosureDuty"): AGREE,
        ("rule", "Rule-CRPL-44-1"): AGREE,
    }


def test_model_finds_more_where_the_court_held_the_duty_met(reference: Reference) -> None:
    graph = case_graph(
        DISCLOSURE_REFUSED,
        "ecpl:liabilityImposed false ; ecpl:dutyFoundFulfilled ecpl:SellerDisclosureDuty",
    )
    assert verdicts(graph, reference) == {
        ("outcome", "platform-liability"): MORE,
        ("duty", "SellerDisclosureDuty"): MORE,
        ("rule", "Rule-CRPL-44-1"): MORE,
    }


def test_the_holding_is_taken_out_before_validation(reference: Reference) -> None:
    """With its holding, the silent listing would be a breach (the shape reads
    ecpl:dutyFoundBreached); without it, the model sees only a silent record: it finds less."""
    graph = case_graph(
        SILENT_LISTING,
        "ecpl:liabilityImposed true ; ecpl:dutyFoundBreached ecpl:IdentityVerificationDuty ; "
        f"ecpl:appliedProvision <{LAW}ecl/art/27/para/1>",
    )
    case = URIRef("https://w3id.org/ecpl/case/fixture")
    stripped = without_holding(graph, case)
    assert not list(stripped.objects(case, ECPL.holding))
    assert not list(stripped.subjects(ECPL.dutyFoundBreached, None))
    assert len(stripped) == len(graph) - 5  # the link and the holding's four triples
    got = verdicts(graph, reference)
    assert got[("duty", "IdentityVerificationDuty")] == LESS
    assert got[("outcome", "platform-liability")] == LESS
    # ECL 27(1) is the basis of no liability rule: nothing to compare per rule
    assert not [k for k in got if k[0] == "rule"]


def test_rules_come_from_the_reference_not_from_the_code(reference: Reference) -> None:
    """A rule the reference adds (based on ECL 27(1)) is compared like the ontology's own."""
    extra = Reference(
        {**reference.rule_bases, E + "Rule-Test": (LAW + "ecl/art/27/para/1",)},
        reference.labels,
    )
    graph = case_graph(
        SILENT_LISTING,
        f"ecpl:liabilityImposed true ; ecpl:appliedProvision <{LAW}ecl/art/27>",
    )
    assert verdicts(graph, extra)[("rule", "Rule-Test")] == LESS  # article matches paragraph
    assert set(reference.rule_bases) >= {E + "Rule-ECL-38-2", E + "Rule-CRPL-44-1"}


@pytest.mark.parametrize(
    ("court", "model", "expected"),
    [
        (True, "established", AGREE),
        (True, "contingent", AGREE),
        (True, None, LESS),
        (False, "established", MORE),
        (False, "contingent", NOT_COMPARABLE),  # a contingent finding is not a disagreement
        (False, None, AGREE),
        (None, "established", NOT_COMPARABLE),
    ],
)
def test_outcome_verdicts(court: bool | None, model: str | None, expected: str) -> None:
    assert _outcome_item(court, model).verdict == expected


def test_duty_not_addressed_by_a_court_that_imposed_liability_is_not_comparable() -> None:
    court = _Court(True, frozenset(), frozenset(), frozenset())
    [item] = _duty_items(court, {E + "RiskWarningDuty"})
    assert item.verdict == NOT_COMPARABLE


@pytest.mark.parametrize(
    ("liable", "expected"),
    [
        (True, LESS),  # the court imposed liability under the provision; the model derives none
        (False, AGREE),  # the court applied it to reject liability; the model derives none either
        (None, NOT_COMPARABLE),  # the source does not say how the court decided under it
    ],
)
def test_a_rule_the_court_applied_but_the_model_does_not_fire(
    reference: Reference, liable: bool | None, expected: str
) -> None:
    court = _Court(liable, frozenset(), frozenset(), frozenset({LAW + "crpl/art/44/para/2"}))
    [item] = _rule_items(court, {}, reference)
    assert item.subject == E + "Rule-CRPL-44-2"
    assert item.verdict == expected


def test_rate_counts_comparable_items_only() -> None:
    assert rate({AGREE: 3, MORE: 1, LESS: 0, NOT_COMPARABLE: 10}) == 0.75
    assert rate({AGREE: 0, MORE: 0, LESS: 0, NOT_COMPARABLE: 2}) is None


def test_cli_writes_the_table_for_a_fixture(tmp_path: Path) -> None:
    path = tmp_path / "fixture.ttl"
    case_graph(
        DISCLOSURE_REFUSED,
        "ecpl:liabilityImposed true ; ecpl:dutyFoundBreached ecpl:SellerDisclosureDuty",
    ).serialize(path, format="turtle")
    out = tmp_path / "agreement.md"
    result = CliRunner().invoke(main, ["agreement", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Cases: **1**" in text
    assert "Overall agreement: **100%**" in text  # outcome and duty agree; no rule applied


def test_cli_rejects_what_is_not_one_case(tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["agreement", str(tmp_path / "nope.ttl")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .", encoding="utf-8")
    result = CliRunner().invoke(main, ["agreement", str(broken), "-o", str(tmp_path / "x.md")])
    assert result.exit_code == 2 and "broken.ttl" in result.output
    two = tmp_path / "two.ttl"
    two.write_text(PREFIXES + "ex:a a ecpl:Case . ex:b a ecpl:Case .", encoding="utf-8")
    result = CliRunner().invoke(main, ["agreement", str(two), "-o", str(tmp_path / "y.md")])
    assert result.exit_code == 2 and "expected one ecpl:Case" in result.output


def test_committed_agreement_table_is_current(reference: Reference) -> None:
    """docs/agreement.md is exactly what `ecpl agreement` writes for data/cases/real."""
    files = sorted((ROOT / "data" / "cases" / "real").glob("*.ttl"))
    cases = compare_files(files, reference, ROOT)
    committed = (ROOT / "docs" / "agreement.md").read_text(encoding="utf-8")
    assert markdown(cases, reference) == committed, "run `ecpl agreement` and commit the result"
