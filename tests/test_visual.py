"""The pictures: the case timeline of a validation report and the ontology diagrams.

The timeline is checked against the JSON report of the same validation (every finding and every
violation drawn, with the same rule, duty and legal basis), against the case graph (lanes,
answers linked, date order) and against the numbering data (the CSL article number on the date).
The diagrams are checked against the ontology's own triples, read here with SPARQL.
"""

from __future__ import annotations

import json
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from rdflib import XSD, Graph, Literal, Namespace, URIRef

from ecpl import sources
from ecpl.cli import main
from ecpl.config import Settings
from ecpl.validation import validate
from ecpl.validation.engine import resources
from ecpl.validation.report import Finding
from ecpl.visual.diagrams import duties_by_phase, platform_terms
from ecpl.visual.page import render_standalone
from ecpl.visual.provisions import number_on_date
from ecpl.visual.timeline import build_timeline, finding_flags
from ecpl.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
ECPL = Namespace("https://w3id.org/ecpl/ontology#")
LAW = "https://w3id.org/ecpl/law/"


class Elements(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def with_attr(self, name: str) -> list[dict[str, str]]:
        return [a for _t, a in self.tags if name in a]


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    return create_app(Settings(root=ROOT, workers=1)).test_client()


def post(client: FlaskClient, data: bytes, accept: str) -> Any:
    response = client.post(
        "/validate", data=data, headers={"Content-Type": "text/turtle", "Accept": accept}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


# the examples with findings under doctrinal positions, a notice and its omitted answers, a real
# case with two violations on one event, and one with a contingent finding and no violation
REPORT_CASES = [
    CASES / "examples" / "rule-ecl-38-2-positive.ttl",
    CASES / "examples" / "notice-and-action-negative.ttl",
    CASES / "real" / "pang-v-qunar-second-instance.ttl",
    CASES / "zhou-v-kuaike.ttl",
]


@pytest.mark.parametrize("path", REPORT_CASES, ids=lambda p: p.stem)
def test_html_timeline_draws_exactly_the_json_findings_and_violations(
    client: FlaskClient, path: Path
) -> None:
    data = path.read_bytes()
    report = json.loads(post(client, data, "application/json").get_data(as_text=True))
    page = parse(post(client, data, "text/html").get_data(as_text=True))

    drawn = {a["data-finding"]: a for t, a in page.tags if t == "g" and "data-finding" in a}
    assert set(drawn) == {f["iri"] for f in report["findings"]}
    assert len([1 for t, a in page.tags if t == "g" and "data-finding" in a]) == len(
        report["findings"]
    )
    for finding in report["findings"]:
        box = drawn[finding["iri"]]
        assert box["data-rule"] == finding["rule"]
        assert box["data-position"] == (finding["doctrinal_position"] or "")
        assert box["data-bases"].split() == finding["legal_basis"]
    # the list below the picture shows the same findings
    listed = [a["data-finding"] for t, a in page.tags if t == "article"]
    assert Counter(listed) == Counter(f["iri"] for f in report["findings"])

    breaches = [a for t, a in page.tags if t == "g" and "data-result" in a]
    violations = [(i, r) for i, r in enumerate(report["results"]) if r["severity"] == "Violation"]
    assert sorted(int(b["data-result"]) for b in breaches) == [i for i, _r in violations]
    for box in breaches:
        result = report["results"][int(box["data-result"])]
        assert box["data-shape"] == result["shape"]
        assert box["data-focus"] == result["focus_node"]
        assert box["data-duty"] == (result["duty"] or "")
        assert box["data-bases"].split() == result["legal_basis"]


def test_positions_are_side_by_side_and_marked_contested(client: FlaskClient) -> None:
    data = (CASES / "examples" / "rule-ecl-38-2-positive.ttl").read_bytes()
    report = json.loads(post(client, data, "application/json").get_data(as_text=True))
    page = parse(post(client, data, "text/html").get_data(as_text=True))
    positions = {f["doctrinal_position"] for f in report["findings"] if f["doctrinal_position"]}
    assert len(positions) >= 2, "the example exists to show the ECL 38(2) positions"
    heads = {a["data-position"] for t, a in page.tags if t == "th" and "data-position" in a}
    assert heads == positions
    for t, a in page.tags:
        if t == "g" and a.get("data-position"):
            assert "contested" in a["class"].split()
            assert "contested" in a["data-flags"].split()
    # the violation is about the goods (not an event): drawn at their listing, the earliest
    # event concerning them, where the qualification review was owed
    ex = "https://w3id.org/ecpl/case/example-rule-ecl-38-2-positive/"
    (breach,) = [a for t, a in page.tags if t == "g" and "data-result" in a]
    assert breach["data-focus"] == ex + "goods" and breach["data-event"] == ex + "listing"


def case_graph(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def test_lanes_answers_and_order_follow_the_case_graph() -> None:
    graph = case_graph(CASES / "examples" / "notice-and-action-negative.ttl")
    report = validate(graph)
    tl = build_timeline(graph, report, lambda t: t, superclasses=resources().superclasses)
    ex = "https://w3id.org/ecpl/case/example-notice-and-action-negative/"
    events = {b.key: b for b in tl.events if b.kind == "event"}
    assert set(events) == {ex + "notice", ex + "omission", ex + "omission2"}
    # the omissions' agent is the platform; a notice is what the platform knew
    assert {b.data["lane"] for b in events.values()} == {"platform"}
    # each omission answers the notice (ecpl:respondsTo): one arrow each, drawn left to right
    answers = {(a.source, a.target) for a in tl.arrows if a.kind == "responds"}
    assert answers == {(ex + "notice", ex + "omission"), (ex + "notice", ex + "omission2")}
    assert events[ex + "omission"].x > events[ex + "notice"].x
    assert events[ex + "omission"].data["date"] == ""  # undated stays undated
    # the finding arises where its duty was breached: at the notice
    (finding,) = tl.findings
    assert finding.data["event"] == ex + "notice"


def test_agents_put_events_in_their_lanes() -> None:
    graph = case_graph(CASES / "real" / "pang-v-qunar-first-instance.ttl")
    report = validate(graph)
    tl = build_timeline(graph, report, lambda t: t, superclasses=resources().superclasses)
    p = "https://w3id.org/ecpl/case/pang-v-qunar-first-instance/"
    lanes = {b.key: b.data["lane"] for b in tl.events if b.kind == "event"}
    # the purchase's agent is the consumer, the SMS's agent a ecpl:ThirdParty
    assert lanes[p + "purchase"] == "consumer"
    assert lanes[p + "sms"] == "third-party"
    leak = next(b for b in tl.events if b.key == p + "leak")
    assert "uncertain" in leak.flags  # the leak carries ecpl:uncertain true


def test_number_on_date_follows_the_csl_renumbering() -> None:
    # CSL amended 2025-10-28, in force 2026-01-01: old Art. 21 is Art. 23 (README, csl-2025.ttl)
    art21 = LAW + "csl/art/21/para/1/item/3"
    before, after = number_on_date(art21, "2025-12-31"), number_on_date(art21, "2026-01-01")
    assert before is not None and before.article_number == 21
    assert after is not None and after.article_number == 23 and after.confirmed
    # the E-Commerce Law is in force from 2019-01-01: no number before that day
    assert number_on_date(LAW + "ecl/art/38/para/2", "2018-12-31") is None
    assert number_on_date(LAW + "ecl/art/38/para/2", "2019-01-01") is not None


def test_breach_cites_the_article_number_in_force_on_the_event_date() -> None:
    graph = case_graph(CASES / "examples" / "network-logs-negative.ttl")
    logs = URIRef("https://w3id.org/ecpl/case/example-network-logs-negative/logs")
    graph.set((logs, ECPL.date, Literal("2026-03-01", datatype=XSD.date)))
    report = validate(graph)
    assert any(
        b.startswith(LAW + "csl/art/21/") for r in report.violations for b in r.legal_basis
    ), "the network-log shape cites CSL Art. 21"
    page = render_standalone(report, graph)
    assert "2026-03-01时为第23条" in page
    assert "Art. 23 on 2026-03-01" in page
    graph.set((logs, ECPL.date, Literal("2023-06-01", datatype=XSD.date)))
    page = render_standalone(validate(graph), graph)
    assert "2023-06-01时为第21条" in page


class AnalogyFinding(Finding):
    """A finding as the legal model reports it on its branch (issue 9): ``by_analogy`` with the
    provision applied by analogy and a note, ``rests_on`` the fact the rule fired on."""

    def to_json(self) -> dict[str, Any]:
        return {
            **super().to_json(),
            "by_analogy": True,
            "analogical_basis": [LAW + "cc/art/1198/para/2"],
            "analogy_note": {"zh": "类推适用说明", "en": "applied by analogy"},
            "rests_on": "https://w3id.org/ecpl/case/zhou-v-kuaike/fraud-call",
        }


def test_a_finding_resting_on_an_analogy_is_marked_in_the_picture_and_the_list() -> None:
    graph = case_graph(CASES / "zhou-v-kuaike.ttl")
    report = validate(graph)
    assert report.findings, "zhou-v-kuaike yields the CC 1198(2) finding"
    plain = report.findings[0]
    # the mark mirrors what the JSON says (on main no finding carries the flag yet)
    assert ("analogy" in finding_flags(plain)) == bool(plain.to_json().get("by_analogy"))
    report.findings[0] = AnalogyFinding(**{**plain.__dict__})
    tl = build_timeline(graph, report, lambda t: t, superclasses=resources().superclasses)
    box = tl.findings[0]
    assert "analogy" in box.flags
    texts = [line.text for line in box.lines]
    assert "类推自 民法典第1198条第2款" in texts and "by analogy to CC 1198(2)" in texts
    assert "applied by analogy" in texts
    # drawn at the fact it rests on, not at the decision
    assert box.data["event"] == "https://w3id.org/ecpl/case/zhou-v-kuaike/fraud-call"
    page = parse(render_standalone(report, graph))
    boxes = [a for t, a in page.tags if t == "g" and "data-finding" in a]
    assert "analogy" in boxes[0]["class"].split()
    assert [a for t, a in page.tags if a.get("data-flag") == "analogy"]


def test_written_page_is_self_contained(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["validate", "--output", "html", str(CASES / "real" / "pang-v-qunar-second-instance.ttl")],
    )
    assert result.exit_code == 1  # the case has violations
    page = result.output
    elements = parse(page)
    assert not [a for t, a in elements.tags if t in ("link", "script", "img")]
    hrefs = [a["href"] for _t, a in elements.tags if "href" in a]
    assert hrefs and all(h.startswith(("https://", "#")) for h in hrefs), hrefs[:5]
    assert "<style>" in page and "<svg" in page
    both = CliRunner().invoke(
        main, ["validate", "--output", "html", str(REPORT_CASES[0]), str(REPORT_CASES[1])]
    )
    assert both.exit_code == 2 and "one" in both.output


def test_user_iris_never_become_script_links() -> None:
    turtle = """
    @prefix ecpl: <https://w3id.org/ecpl/ontology#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <https://w3id.org/ecpl/case/x> a ecpl:Case ; ecpl:event <javascript:alert(1)> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <javascript:alert(1)> a ecpl:Purchase ; ecpl:date "2024-01-01"^^xsd:date ;
        rdfs:label "<script>alert(2)</script>"@en .
    """
    graph = Graph().parse(data=turtle, format="turtle")
    text = render_standalone(validate(graph), graph)
    assert "<script" not in text and "&lt;script&gt;alert(2)" in text
    page = parse(text)
    assert [a for _t, a in page.tags if a.get("data-event") == "javascript:alert(1)"]
    assert not [a for _t, a in page.tags if a.get("href", "").startswith("javascript:")]


# --- the ontology diagrams ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return sources.load_graph(("ontology",), ROOT)


def test_platform_term_diagram_has_every_platform_name_and_asserted_relation(
    ontology: Graph,
) -> None:
    diagram = platform_terms(ontology, lambda t: "/term/" + t.split("#")[-1])
    nodes = {n.iri: n for n in diagram.nodes}
    names = {
        str(r.c)
        for r in ontology.query(
            "PREFIX ecpl: <https://w3id.org/ecpl/ontology#> "
            "SELECT ?c WHERE { ?c ecpl:namesPlatform true }"
        )
    }
    assert names and names <= set(nodes)
    for iri in names:
        assert nodes[iri].href == "/term/" + iri.split("#")[-1]
        laws = {str(law) for law in ontology.objects(URIRef(iri), ECPL.termOf)}
        assert set(nodes[iri].data["laws"].split()) == laws
    edges = {(e.data["source"], e.data["relation"], e.data["target"]): e for e in diagram.edges}
    asserted = ontology.query(
        """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX ecpl: <https://w3id.org/ecpl/ontology#>
        SELECT ?a ?b WHERE { ?a ecpl:namesPlatform true ; rdfs:subClassOf ?b .
          FILTER STRSTARTS(STR(?b), "https://w3id.org/ecpl/ontology#") }"""
    )
    for row in asserted:
        assert (str(row.a), "subClassOf", str(row.b)) in edges  # type: ignore[union-attr]
    # the basis each relation carries in actors.ttl: a definition in ECL 9(1), a reading of CC
    ecl_op = edges[(str(ECPL.EcommercePlatformOperator), "subClassOf", str(ECPL.EcommerceOperator))]
    assert ecl_op.data["ground"] == str(ECPL.StatutoryDefinition)
    assert ecl_op.data["bases"].split() == [LAW + "ecl/art/9/para/1"]
    nsp = edges[
        (str(ECPL.EcommercePlatformOperator), "subClassOf", str(ECPL.NetworkServiceProvider))
    ]
    assert nsp.data["ground"] == str(ECPL.AcceptedReading) and "reading" in nsp.cls
    # a broader term is drawn above the terms it includes
    assert nodes[str(ECPL.NetworkOperator)].y < nodes[str(ECPL.NetworkServiceProvider)].y
    assert nodes[str(ECPL.NetworkServiceProvider)].y < nodes[str(ECPL.EcommercePlatformOperator)].y


def test_duty_diagram_puts_each_duty_in_its_phase(ontology: Graph) -> None:
    diagram = duties_by_phase(ontology, lambda t: t)
    heads = sorted(diagram.headings, key=lambda h: h.x)
    duties = {n.iri: n for n in diagram.nodes if n.data.get("phase")}
    rows = ontology.query(
        "PREFIX ecpl: <https://w3id.org/ecpl/ontology#> "
        "SELECT ?d ?p WHERE { ?d a ecpl:Duty ; ecpl:phase ?p }"
    )
    expected = {str(r.d): str(r.p) for r in rows}  # type: ignore[union-attr]
    assert set(duties) == set(expected)
    for iri, phase in expected.items():
        assert duties[iri].data["phase"] == phase
        column = max(i for i, h in enumerate(heads) if h.x <= duties[iri].x)
        assert heads[column].href == phase  # under its own phase's heading


def test_ontology_page_shows_both_diagrams_with_working_links(client: FlaskClient) -> None:
    response = client.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    keys = {a["data-diagram"] for t, a in page.tags if t == "svg" and "data-diagram" in a}
    assert keys == {"platform-terms", "duties-by-phase"}
    linked = [
        a["href"] for t, a in page.tags if t == "a" and ("data-term" in a or "data-duty" in a)
    ]
    assert linked
    for href in sorted(set(linked))[:6]:
        assert client.get(href, headers={"Accept": "text/html"}).status_code == 200, href


def test_a_stored_case_page_links_to_its_timeline_from_the_same_report(
    client: FlaskClient,
) -> None:
    name = "pang-v-qunar-second-instance"
    page = parse(client.get(f"/case/{name}", headers={"Accept": "text/html"}).get_data(True))
    assert f"/validate/case/{name}" in [a.get("href") for _t, a in page.tags]
    event_page = client.get(f"/case/{name}/leak", headers={"Accept": "text/html"})
    assert "/validate/case/" not in event_page.get_data(as_text=True)  # an event, not a case

    response = client.get(f"/validate/case/{name}")
    assert response.status_code == 200
    drawn = parse(response.get_data(as_text=True))
    report = json.loads(
        post(client, (CASES / "real" / f"{name}.ttl").read_bytes(), "application/json").get_data(
            True
        )
    )
    findings = {a["data-finding"] for t, a in drawn.tags if t == "g" and "data-finding" in a}
    assert findings == {f["iri"] for f in report["findings"]}
    breaches = [a for t, a in drawn.tags if t == "g" and "data-result" in a]
    assert len(breaches) == sum(r["severity"] == "Violation" for r in report["results"])

    for bad, status in (("Bad_Name", 404), ("no-such-case", 404)):
        answer = client.get(f"/validate/case/{bad}")
        assert answer.status_code == status and "case" in answer.get_data(as_text=True)


def test_undated_events_are_not_put_in_an_order_the_sources_do_not_give() -> None:
    graph = case_graph(CASES / "zhou-v-kuaike.ttl")  # no event in it is dated
    report = validate(graph)
    tl = build_timeline(graph, report, lambda t: t, superclasses=resources().superclasses)
    z = "https://w3id.org/ecpl/case/zhou-v-kuaike/"
    x = {b.key: b.x for b in tl.events if b.kind == "event"}
    first = tl.columns[0]
    assert first.unordered and first.date is None
    # what answers nothing shares the first column; the answer follows the request it answers
    for name in ("purchase", "refund-request", "fraud-call", "loss"):
        assert x[z + name] == x[z + "purchase"]
    assert x[z + "refund-answer"] > x[z + "refund-request"]
    assert all(c.date is None for c in tl.columns)
