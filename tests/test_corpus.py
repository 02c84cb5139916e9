"""The corpus of real decisions in data/cases/real: every case has a court, a date and a holding,
and every fact-bearing node names the public report it comes from.

The counts below were made by reading the case files (see the comments), not by running code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, XSD

from ecpl.iri import ECPL

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data" / "cases" / "real"
CASE_FILES = sorted(REAL.glob("*.ttl"))
# a citation is a URL, a docket number such as （2017）京01民终509号, or a LawRefBook file
_CITATION = re.compile(r"https?://|[（(]\d{4}[）)][^\s]*?号|LawRefBook")
_DOCKET_YEAR = re.compile(r"^[（(](\d{4})[）)]")


def _case(graph: Graph) -> URIRef:
    cases = [c for c in graph.subjects(RDF.type, ECPL.Case) if isinstance(c, URIRef)]
    assert len(cases) == 1, cases
    return cases[0]


def test_at_least_thirty_real_decisions() -> None:
    assert len(CASE_FILES) >= 30


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_every_typed_node_cites_a_public_source(path: Path) -> None:
    """Every node the file describes (case, court, parties, goods, events, claims, holding) has a
    dcterms:source, and each source is a URL, a docket number or a LawRefBook file."""
    graph = Graph().parse(path)
    typed = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}
    assert typed
    for node in typed:
        cited = list(graph.objects(node, DCTERMS.source))
        assert cited, f"{node} has no dcterms:source"
        for source in cited:
            assert isinstance(source, URIRef) or _CITATION.search(str(source)), (node, source)


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_every_case_has_a_court_a_date_and_a_holding(path: Path) -> None:
    graph = Graph().parse(path)
    case = _case(graph)
    assert str(case) == f"https://w3id.org/ecpl/case/{path.stem}"
    court = graph.value(case, ECPL.court)
    assert court is not None and (court, RDF.type, ECPL.Court) in graph
    assert any(label.language == "zh" for label in graph.objects(court, RDFS.label))
    # the date: the decision date, else the docket year, else the date of the report (an upper
    # bound, ecpl:reportedOn); each an xsd:date or a docket starting with its year
    dates = [d for p in (ECPL.decisionDate, ECPL.reportedOn) for d in graph.objects(case, p)]
    assert all(isinstance(d, Literal) and d.datatype == XSD.date for d in dates)
    dockets = [str(d) for d in graph.objects(case, ECPL.docketNumber)]
    assert dates or any(_DOCKET_YEAR.match(d) for d in dockets), "no date"
    holdings = list(graph.objects(case, ECPL.holding))
    assert len(holdings) == 1
    assert (holdings[0], RDF.type, ECPL.Holding) in graph
    assert {lbl.language for lbl in graph.objects(holdings[0], RDFS.label)} >= {"zh", "en"}


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_uncertain_is_a_boolean_flag(path: Path) -> None:
    graph = Graph().parse(path)
    for value in graph.objects(None, ECPL.uncertain):
        assert isinstance(value, Literal) and value.datatype == XSD.boolean and value.value is True


def test_outcomes_spread_over_won_and_lost() -> None:
    """Counted from the files' holdings (ecpl:liabilityImposed):
    true (13): bao, chaoyang, chen-v-yihaodian, dong, guan, huang, huo, ling, liu-v-overseas,
    liu-v-ride-hailing, pang second instance, wang, wu-v-travel-app;
    false (10): cheng, cheng appeal, du, jiunong, li-v-ctrip, liu-v-sabina, pang first instance,
    taobao-v-li, zhang-v-xiaoju, zhou-v-zhu;
    not stated (12): the platform was not a party, or the source gives no operative part."""
    imposed: dict[bool | None, set[str]] = {True: set(), False: set(), None: set()}
    for path in CASE_FILES:
        graph = Graph().parse(path)
        holding = graph.value(_case(graph), ECPL.holding)
        value = graph.value(holding, ECPL.liabilityImposed)
        imposed[None if value is None else bool(value.toPython())].add(path.stem)
    assert len(imposed[True]) == 13
    assert len(imposed[False]) == 10
    assert len(imposed[None]) == 12
    assert {"wang-v-takeout-platform-malatang", "chaoyang-air-ticket-leak"} <= imposed[True]
    assert {"du-v-xu-taobao", "zhou-v-zhu-taobao"} <= imposed[False]


def test_platform_kinds_are_spread() -> None:
    """Food delivery (wang), travel (ctrip, qunar, a travel app), ride-hailing and hitch rides
    (didi x4 files, haining, bao), second-hand trading (gao-v-yang) and livestream selling (two
    cases whose sellers are typed ecpl:LivestreamRoomOperator), by the slugs and types chosen."""
    stems = {p.stem for p in CASE_FILES}
    assert "wang-v-takeout-platform-malatang" in stems  # food delivery
    assert "gao-v-yang-second-hand" in stems  # second-hand trading platform
    assert {s for s in stems if "ctrip" in s or "qunar" in s or "travel" in s} >= {
        "huo-v-ctrip-thailand-boat",
        "pang-v-qunar-second-instance",
        "wu-v-travel-app-pay-at-hotel",
    }
    assert len({s for s in stems if "didi" in s or "xiaoju" in s or "ride-hailing" in s}) >= 6
    livestream = {
        p.stem
        for p in CASE_FILES
        if (None, RDF.type, ECPL.LivestreamRoomOperator) in Graph().parse(p)
    }
    assert livestream == {
        "elderly-buyer-v-streamer-sob-story-jade",
        "sun-v-livestream-shop-free-order",
    }
