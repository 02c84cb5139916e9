"""PIPL 69 reaches the handler whose processing infringed, never a party by association (issue 10).

PIPL 69(1) (in our words: a personal-information handler whose processing infringed a person's
rights and caused damage is liable unless it proves it was not at fault; the text is in
../shared/statutes/provisions.yaml) — the liable handler is the one whose processing (the leak)
harmed the person claiming, so the damage must be that person's and the leak must be that
handler's. The platform that was sued is not liable under Art. 69 for another handler's leak.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from ecpl.iri import ECPL
from ecpl.validation import Report, validate

ROOT = Path(__file__).resolve().parents[1]


def run(path: Path, replace: tuple[str, str] | None = None) -> Report:
    text = path.read_text(encoding="utf-8")
    if replace:
        text = text.replace(*replace)
    return validate(Graph().parse(data=text, format="turtle"))


def pipl_69(report: Report) -> list[tuple[str, str]]:
    """(liable handler, leak) of each PIPL 69 finding, by local name; from the report's graph,
    so that a finding merging two handlers or two leaks shows as such."""
    graph = report.graph()
    out = []
    for finding in graph.subjects(ECPL.appliesRule, ECPL["Rule-PIPL-69"]):
        for liable in graph.objects(finding, ECPL.liablePartyInCase):
            for leak in graph.objects(finding, ECPL.restsOn):
                out.append((str(liable).rsplit("/", 1)[-1], str(leak).rsplit("/", 1)[-1]))
    return sorted(out)


SCENARIO = ROOT / "tests" / "scenarios" / "36-leak-from-another-handler.ttl"
EXAMPLE = ROOT / "data" / "cases" / "examples" / "rule-pipl-69-other-handler.ttl"
SCENARIO_PLATFORM = URIRef(
    "https://w3id.org/ecpl/case/scenario-36-leak-from-another-handler/platform"
)


def test_leak_from_another_handler_gives_no_finding_against_the_platform() -> None:
    report = run(SCENARIO)
    assert pipl_69(report) == [("airline", "leak")]
    # nothing at all against the platform that was sued
    graph = report.graph()
    assert not list(graph.subjects(ECPL.liablePartyInCase, SCENARIO_PLATFORM))


def test_each_handler_answers_for_its_own_leak() -> None:
    # the platform's leak concerns another customer, who records no damage; the plaintiff's
    # damage follows the courier's leak: one PIPL 69 finding, against the courier, on that leak
    assert pipl_69(run(EXAMPLE)) == [("courier", "courierLeak")]


def test_two_harmful_leaks_give_two_findings_each_on_its_own_leak() -> None:
    # the other customer is harmed too: both handlers are liable, each for its own leak
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "ecpl:event ex:courierLeak, ex:platformLeak, ex:damage .",
        "ecpl:event ex:courierLeak, ex:platformLeak, ex:damage, ex:otherDamage .\n"
        'ex:otherDamage a ecpl:Damage ; ecpl:date "2022-06-10"^^xsd:date ; '
        'ecpl:affectedParty ex:otherCustomer ; dcterms:source "ecpl test example" .',
    )
    report = validate(Graph().parse(data=text, format="turtle"))
    assert pipl_69(report) == [("courier", "courierLeak"), ("platform", "platformLeak")]
    # two findings, not one naming both handlers
    assert len([f for f in report.findings if f.rule == str(ECPL["Rule-PIPL-69"])]) == 2


def test_damage_to_someone_else_is_not_enough() -> None:
    # the damage is the other customer's, the leak the plaintiff's: no infringement that caused
    # the damage is shown for either handler
    report = run(
        EXAMPLE,
        (
            "ecpl:affectedParty ex:consumer ; ecpl:amountCNY",
            "ecpl:affectedParty ex:nobody ; ecpl:amountCNY",
        ),
    )
    assert pipl_69(report) == []


def test_an_inferred_source_is_still_only_that_handlers() -> None:
    # an uncertain (inferred) source still points at the handler it names, never at the platform
    # sued, and the finding stays contingent (the presumption of PIPL 69(1) is rebuttable)
    alleged = ("ecpl:leakedFrom s:airline ;", "ecpl:leakedFrom s:airline ; ecpl:uncertain true ;")
    report = run(SCENARIO, alleged)
    assert pipl_69(report) == [("airline", "leak")]
    [finding] = [f for f in report.findings if f.rule == str(ECPL["Rule-PIPL-69"])]
    assert finding.status == str(ECPL.Contingent)


def test_csl_64_one_finding_per_network_operator() -> None:
    # CSL 64(1) sanctions the 网络运营者 that breached Art. 42: with leaks from two network
    # operators, each finding names one operator and rests on that operator's leak
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "ex:courier a ecpl:PersonalInformationHandler", "ex:courier a ecpl:NetworkOperator"
    )
    graph = validate(Graph().parse(data=text, format="turtle")).graph()
    found = sorted(
        (str(liable).rsplit("/", 1)[-1], str(leak).rsplit("/", 1)[-1])
        for finding in graph.subjects(ECPL.appliesRule, ECPL["Rule-CSL-64"])
        for liable in graph.objects(finding, ECPL.liablePartyInCase)
        for leak in graph.objects(finding, ECPL.restsOn)
    )
    assert found == [("courier", "courierLeak"), ("platform", "platformLeak")]
    assert len(set(graph.subjects(ECPL.appliesRule, ECPL["Rule-CSL-64"]))) == 2
