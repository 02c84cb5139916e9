"""The date that decides which law a finding applies is the same on every run.

A finding that rests on several facts (a listing and the purchase after it) used to take
whichever fact the graph listed first, so its "date of the facts", and with it the provisions in
force, changed with Python's hash seed. The deciding fact is the latest dated one: the
liability is complete only with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import XSD, Graph, Literal, URIRef

from ecpl.iri import ECPL
from ecpl.validation.engine import _deciding_fact

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data/cases/examples/rule-ecl-38-2-positive.ttl"
EX = "http://example.org/"


def _finding_resting_on(dates: list[str]) -> tuple[Graph, URIRef]:
    graph = Graph()
    finding = URIRef(EX + "finding")
    for index, date in enumerate(dates):
        fact = URIRef(f"{EX}fact-{index}")
        graph.add((fact, ECPL.date, Literal(date, datatype=XSD.date)))
        graph.add((finding, ECPL.restsOn, fact))
    return graph, finding


def test_the_latest_dated_fact_decides() -> None:
    # ECL in force 2019-01-01: a notice before it and the damage after it
    graph, finding = _finding_resting_on(["2018-12-20", "2019-01-15", "2018-06-01"])
    trigger, facts = _deciding_fact(graph, finding, None)
    assert str(trigger) == EX + "fact-1"
    assert facts.exact is not None and facts.exact.isoformat() == "2019-01-15"


def test_undated_facts_do_not_hide_a_dated_one() -> None:
    graph, finding = _finding_resting_on(["2021-03-01"])
    graph.add((finding, ECPL.restsOn, URIRef(EX + "a-undated")))  # sorts first by IRI
    trigger, facts = _deciding_fact(graph, finding, None)
    assert str(trigger) == EX + "fact-0"
    assert facts.exact is not None and facts.exact.isoformat() == "2021-03-01"


def _report_with_seed(seed: str, *paths: Path) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-m", "ecpl", "validate", *map(str, paths), "--output", "json", "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=900,
    )
    assert done.stdout, done.stderr
    return done.stdout


@pytest.mark.slow
def test_every_case_and_scenario_reports_the_same_under_another_hash_seed() -> None:
    """The whole report (findings, dates, citations, messages) of every case graph the project
    holds: a legal answer must not depend on the order a set happens to iterate in."""
    folders = (ROOT / "data/cases", ROOT / "tests/scenarios")
    assert _report_with_seed("11", *folders) == _report_with_seed("22", *folders)


def _findings_with_seed(seed: str) -> list[tuple[str, str | None, str | None]]:
    report = json.loads(_report_with_seed(seed, EXAMPLE))
    report = report[0] if isinstance(report, list) else report
    return sorted((f["iri"], f.get("rests_on"), f.get("facts_date")) for f in report["findings"])


def test_the_same_findings_and_dates_under_any_hash_seed() -> None:
    runs = [_findings_with_seed(seed) for seed in ("1", "2", "3")]
    assert runs[0] and runs[0] == runs[1] == runs[2]
    graph = Graph().parse(EXAMPLE, format="turtle")
    dated = {str(s): str(o) for s, o in graph.subject_objects(ECPL.date)}
    for _iri, rests_on, facts_date in runs[0]:
        assert rests_on is not None and facts_date == dated.get(rests_on, facts_date)
