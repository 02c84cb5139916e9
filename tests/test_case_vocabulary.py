"""The case vocabulary of issue 10: each worked example in docs/case-graphs.md validates as a
lawyer expects, and ``ecpl validate`` keeps a malformed case graph apart from a breach of duty.

The examples are read from the documentation itself (``<!-- example: NAME -->`` before a Turtle
block), so the docs cannot drift from what the validator does. Expectations are written from the
statute texts: ECL 38(1) (the platform that knew of an in-platform operator's infringement and
took no necessary measures is jointly and severally liable with it), CSL 21(1) item 3 (2016
numbering: network logs kept no less than six months), ECL 27(1) (identity, address, contact and
administrative licences are to be verified), SPC-ONLINE 18(1) (food-service platforms).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, URIRef

from ecpl.cli import main
from ecpl.iri import ECPL
from ecpl.validation import Report, validate

DOCS = Path(__file__).resolve().parents[1] / "docs" / "case-graphs.md"
L = "https://w3id.org/ecpl/law/"
S = "https://w3id.org/ecpl/shapes#"
_EXAMPLE = re.compile(r"<!-- example: (?P<name>[\w-]+) -->\s*```turtle\n(?P<body>.*?)```", re.S)


def examples() -> dict[str, str]:
    return {m["name"]: m["body"] for m in _EXAMPLE.finditer(DOCS.read_text(encoding="utf-8"))}


def run(name: str, drop: str | None = None) -> Report:
    text = examples()[name]
    graph = Graph().parse(data=text, format="turtle")
    if drop:
        graph.remove((URIRef(drop), None, None))
    return validate(graph)


def cli(tmp_path: Path, name: str, *args: str, body: str | None = None) -> tuple[int, str]:
    path = tmp_path / f"{name}.ttl"
    path.write_text(body if body is not None else examples()[name], encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path), *args])
    return result.exit_code, result.output


def rules(report: Report) -> set[str]:
    return {f.rule.rsplit("#", 1)[-1] for f in report.findings}


def test_every_documented_example_is_tested() -> None:
    assert set(examples()) == {
        "non-litigant",
        "regulatory-matter",
        "malformed",
        "facts",
        "sole-cause",
    }


def test_non_litigant_seller_is_no_structural_error_and_still_co_liable() -> None:
    report = run("non-litigant")
    assert report.well_formed and report.case_graph_errors == []
    assert str(ECPL.NecessaryMeasuresDuty) in report.breached_duties
    # ECL 38(1): joint and several with the in-platform operator, who was not sued
    [finding] = [f for f in report.findings if f.rule.endswith("Rule-ECL-38-1")]
    assert finding.liable_party == "https://example.org/vanished-seller/platform"
    assert finding.co_liable_parties == ["https://example.org/vanished-seller/seller"]
    assert L + "ecl/art/38/para/1" in finding.legal_basis


def test_listing_the_non_litigant_as_a_party_without_role_is_a_case_graph_error() -> None:
    text = examples()["non-litigant"].replace(
        "ecpl:party ex:platform, ex:buyer ;", "ecpl:party ex:platform, ex:buyer, ex:seller ;"
    )
    report = validate(Graph().parse(data=text, format="turtle"))
    assert not report.well_formed
    assert all(r.category == "case-graph" for r in report.case_graph_errors)


def test_undated_omission_takes_the_date_of_what_it_answers() -> None:
    report = run("non-litigant")
    [info] = [r for r in report.results if r.shape == S + "OmissionDate"]
    assert info.severity == "Info" and info.value == "2023-11-02"
    assert info.focus_node == "https://example.org/vanished-seller/nothing"


def test_regulatory_matter_needs_no_court_and_finds_the_log_breach() -> None:
    report = run("regulatory-matter")
    assert report.well_formed
    assert not any("court" in r.message.get("en", "") for r in report.results)
    assert report.breached_duties == [str(ECPL.NetworkLogDuty)]
    [breach] = report.violations
    # facts in 2024: the 2016 numbering, CSL 21(1) item 3
    assert breach.legal_basis == [L + "csl/art/21/para/1/item/3"]


def test_regulated_party_role_in_a_lawsuit_is_a_case_graph_error() -> None:
    text = examples()["regulatory-matter"].replace("a ecpl:RegulatoryMatter", "a ecpl:Case")
    report = validate(Graph().parse(data=text, format="turtle"))
    assert [r.shape for r in report.case_graph_errors] == [S + "RegulatedPartyShape"]
    # and a lawsuit without a court gets the warning again
    assert any(r.shape == S + "CaseCourtEvidenceShape" for r in report.results)


def test_class_typo_is_a_case_graph_error_not_a_breach(tmp_path: Path) -> None:
    report = run("malformed")
    assert not report.well_formed and report.breached_duties == []
    [error] = report.case_graph_errors
    assert error.value == str(ECPL) + "EcommercePlatformOperater"
    code, out = cli(tmp_path, "malformed", "--output", "json")
    assert code == 3
    body = json.loads(out)
    assert body["well_formed"] is False and body["case_graph_errors"] == 1
    assert body["breached_duties"] == []
    assert {r["category"] for r in body["results"] if r["severity"] == "Violation"} == {
        "case-graph"
    }


def test_exit_codes_keep_breach_and_malformed_apart(tmp_path: Path) -> None:
    assert cli(tmp_path, "regulatory-matter")[0] == 1  # a breach, well formed
    assert cli(tmp_path, "malformed")[0] == 3
    _code, out = cli(tmp_path, "malformed", "--lang", "en")
    assert "Case-graph error" in out and "malformed" in out


def test_licence_not_checked_on_a_food_service_kind_of_platform() -> None:
    report = run("facts")
    assert report.well_formed
    [breach] = [r for r in report.violations if r.shape == S + "LicenceNotVerifiedShape"]
    assert breach.duty == str(ECPL.IdentityVerificationDuty)
    # ECL 27(1); and SPC-ONLINE 18(1) because the platform kind makes it a food-service platform
    assert breach.legal_basis == [L + "ecl/art/27/para/1", L + "spc-online/art/18/para/1"]


def test_licence_checked_is_no_breach() -> None:
    text = examples()["facts"].replace("ecpl:licenceChecked false", "ecpl:licenceChecked true")
    report = validate(Graph().parse(data=text, format="turtle"))
    assert not [r for r in report.results if r.shape == S + "LicenceNotVerifiedShape"]


def test_sole_cause_rules_out_civil_findings() -> None:
    report = run("sole-cause")
    assert report.well_formed
    assert "Rule-CC-1198-2" not in rules(report)
    assert any("solely" in r.message["en"] for r in report.results if r.severity == "Warning")


def test_without_sole_cause_cc_1198_2_applies_by_analogy() -> None:
    text = examples()["sole-cause"].replace("ecpl:solelyCausedBy ex:driver ;", "")
    report = validate(Graph().parse(data=text, format="turtle"))
    [finding] = [f for f in report.findings if f.rule.endswith("Rule-CC-1198-2")]
    assert finding.by_analogy


def test_explain_names_the_fact_to_add(tmp_path: Path) -> None:
    body = re.sub(r"ex:nothing a ecpl:Omission.*?\n.*?\n", "", examples()["non-litigant"])
    body = body.replace("ex:complaint, ex:nothing, ex:injury", "ex:complaint, ex:injury")
    code, out = cli(tmp_path, "silent", "--lang", "en", "--explain", body=body)
    assert code == 0, out
    assert (
        "add an ecpl:MeasureTaken (ecpl:respondsTo https://example.org/vanished-seller/complaint"
        in out
    )
    assert "ecpl:omittedAct ecpl:MeasureTaken" in out
    plain = cli(tmp_path, "silent", "--lang", "en", body=body)[1]
    assert "to add:" not in plain


def test_every_missing_evidence_shape_says_what_to_add() -> None:
    from ecpl.validation.engine import resources

    res = resources()
    silent = [s for s in res.shape_meta if str(s).endswith("NoEvidenceShape")]
    assert len(silent) >= 12
    # the personal-information one asks for a court's finding, not an act of the platform;
    # the self-operated one asks for a recorded fact (ecpl:markedSelfOperated), named in its
    # message, as does CRPL 28's (ecpl:safetyInformationGiven)
    asks_for_a_finding = {
        S + "PersonalInformationSecurityNoEvidenceShape",
        S + "SelfOperatedMarkingNoEvidenceShape",
        S + "DistanceSellingInformationNoEvidenceShape",
    }
    missing = sorted(str(s) for s in silent if res.shape_meta[s].expected is None)
    assert missing == sorted(asks_for_a_finding)
