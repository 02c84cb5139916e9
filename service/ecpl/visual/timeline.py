"""The case as a timeline: events by actor lane on a date axis, with breaches and findings.

:func:`build_timeline` reads the case graph (events, dates, agents, answers) and the validation
:class:`~ecpl.validation.report.Report` — the same object the JSON report is made from — and
returns a laid-out model that ``templates/_timeline.html`` draws as inline SVG. Every violation
of the report is drawn on the event it is about, every finding on the event where its breach
arises (or at the decision when no event carries it), each with its legal basis linked and the
article number in force on that date (``provision-number-on-date.rq``).

The axis is ordinal: one column per event in date order, labelled with its date, so that events
days apart stay legible next to events years apart. An undated event follows the event it
answers (``ecpl:respondsTo``); undated events that answer nothing come first, under "date
unknown". Nothing is invented: an event without a date is drawn as undated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from ecpl.iri import ECPL
from ecpl.validation.report import Finding, Report, Result, citation, short
from ecpl.visual.provisions import NumberOnDate, number_on_date
from ecpl.visual.text import wrap

Labeller = Callable[[Node, str], str]
Linker = Callable[[str], str | None]  # None: not to be linked (e.g. javascript: IRIs)

# The actor lanes, top to bottom, with their bilingual names.
LANES: tuple[tuple[str, str, str], ...] = (
    ("platform", "平台", "platform"),
    ("merchant", "平台内经营者", "in-platform operator"),
    ("consumer", "消费者", "consumer"),
    ("third-party", "第三人及其他", "third party, others"),
    ("court", "法院", "court"),
)
# Which lane an actor class belongs to (first match in this order, over the class closure).
ACTOR_LANES: tuple[tuple[URIRef, str], ...] = (
    (ECPL.Court, "court"),
    (ECPL.EcommercePlatformOperator, "platform"),
    (ECPL.OnlineTradingPlatformProvider, "platform"),
    (ECPL.NetworkServiceProvider, "platform"),
    (ECPL.NetworkOperator, "platform"),
    (ECPL.InPlatformOperator, "merchant"),
    (ECPL.EcommerceOperator, "merchant"),
    (ECPL.OnlineFoodServiceProvider, "merchant"),
    (ECPL.LivestreamRoomOperator, "merchant"),
    (ECPL.Consumer, "consumer"),
    (ECPL.ThirdParty, "third-party"),
)
# The lane of an event without an agent, by its class: what the platform knew or did, what the
# consumer did or suffered, what a third party did (cases.ttl defines each class).
EVENT_LANES: tuple[tuple[URIRef, str], ...] = (
    (ECPL.ThirdPartyAct, "third-party"),
    (ECPL.Notice, "platform"),
    (ECPL.Omission, "platform"),
    (ECPL.DataLeak, "platform"),
    (ECPL.RetentionPractice, "platform"),
    (ECPL.Warning, "platform"),
    (ECPL.MeasureTaken, "platform"),
    (ECPL.NoticeForwarding, "platform"),
    (ECPL.IdentityVerification, "platform"),
    (ECPL.QualificationReview, "platform"),
    (ECPL.Assistance, "platform"),
    (ECPL.BreachNotification, "platform"),
    (ECPL.DisclosureAnswer, "platform"),
    (ECPL.Listing, "merchant"),
    (ECPL.RefundAnswer, "merchant"),
    (ECPL.Purchase, "consumer"),
    (ECPL.RefundRequest, "consumer"),
    (ECPL.HarmReport, "consumer"),
    (ECPL.DisclosureRequest, "consumer"),
    (ECPL.Damage, "consumer"),
)
# Keys a finding's JSON may carry (now or from the legal model's next version) that say it rests
# on an analogy or on a contested reading; any truthy value marks the finding.
ANALOGY_KEYS = ("rests_on_analogy", "by_analogy", "analogy")
CONTESTED_KEYS = ("contested_reading", "contested", "reading")

# Geometry (px).
LANE_LABEL_W = 150
COL_W = 200
BOX_W = 184
LINE_H = 15
PAD = 8
AXIS_H = 36


@dataclass(frozen=True)
class Line:
    """One line of text in a box; ``href`` makes it a link, ``lang`` hides it per language."""

    text: str
    lang: str | None = None
    cls: str = ""
    href: str | None = None
    title: str | None = None
    en: str | None = None  # a one-line pair: ``text`` is the zh half, this the English half


@dataclass(frozen=True)
class Cite:
    """A provision as cited, its page, and its article number on the date the fact arises."""

    iri: str
    href: str | None
    zh: str
    en: str
    on_date: NumberOnDate | None
    date: str | None

    @property
    def renumbered(self) -> bool:
        """True when the article bore another number on that date than in its IRI."""
        match = _article_number(self.iri)
        return (
            self.on_date is not None and match is not None and match != self.on_date.article_number
        )

    def note(self, lang: str) -> str:
        """ "on 2026-02-01: Art. 23 (unverified)" — the number in force on the date, if known."""
        if self.date is None:
            return "日期不详，按所引条号" if lang == "zh" else "date unknown: number as cited"
        if self.on_date is None:
            # not in force yet, or a numbering the data does not record (e.g. CRPL before 2014)
            if lang == "zh":
                return f"数据未载{self.date}时的条号"
            return f"no number recorded for {self.date}"
        unsure = (
            "" if self.on_date.confirmed else ("（未核实）" if lang == "zh" else " (unverified)")
        )
        if lang == "zh":
            return f"{self.date}时为第{self.on_date.article_number}条{unsure}"
        return f"Art. {self.on_date.article_number} on {self.date}{unsure}"


@dataclass
class Box:
    """Something drawn as a box: an event, a breach, a finding or the decision."""

    key: str  # the IRI (events, findings) or "shape|focus" (breaches)
    kind: str  # "event" | "breach" | "finding" | "decision"
    x: float = 0
    y: float = 0
    w: float = BOX_W
    lines: list[Line] = field(default_factory=list)
    cites: list[Cite] = field(default_factory=list)
    href: str | None = None
    flags: list[str] = field(default_factory=list)  # css classes: uncertain, analogy, contested
    data: dict[str, str] = field(default_factory=dict)  # data-* attributes for tests and tools

    @property
    def h(self) -> float:
        return PAD * 2 + LINE_H * (len(self.lines) + 2 * len(self.cites))


@dataclass(frozen=True)
class Arrow:
    kind: str  # "responds" (an answer to a notice or request) | "arises" (breach to finding)
    x1: float
    y1: float
    x2: float
    y2: float
    source: str
    target: str


@dataclass(frozen=True)
class Column:
    x: float
    date: str | None
    unordered: bool = False  # undated events whose order the sources do not give


@dataclass(frozen=True)
class LaneRow:
    key: str
    zh: str
    en: str
    y: float
    h: float


@dataclass
class Timeline:
    case: str
    width: float
    height: float
    lanes: list[LaneRow]
    columns: list[Column]
    events: list[Box]
    breaches: list[Box]
    findings: list[Box]
    arrows: list[Arrow]
    findings_y: float
    positions: list[dict[str, Any]]  # findings per doctrinal position, side by side


@dataclass
class _Frame:
    """What every part of the layout reads: the case graph, the event order and the columns."""

    graph: Graph
    label: Labeller
    link: Linker
    root: Path | None
    order: list[Node]
    columns: list[Column]
    column_of: dict[Node, int]
    day_of: dict[Node, str | None]
    decision_date: str | None

    def box_x(self, column: int) -> float:
        """A box's left edge, centred in ``column``."""
        return self.columns[column].x + (COL_W - BOX_W) / 2

    def day(self, anchor: Node | None) -> str | None:
        """The date a box tied to ``anchor`` speaks of (the decision's for no event)."""
        return self.day_of.get(anchor) if anchor is not None else self.decision_date


def build_timeline(
    case_graph: Graph,
    report: Report,
    link: Linker,
    *,
    labeller: Labeller | None = None,
    superclasses: dict[Node, frozenset[Node]] | None = None,
    root: Path | None = None,
) -> Timeline:
    """Lay out the case of ``case_graph`` with the violations and findings of ``report``.

    ``link`` turns an IRI into the href of its page (service path or the IRI itself);
    ``superclasses`` is the ontology's class closure (the validation resources hold it).
    """
    label = labeller or report.labeller or (lambda node, _lang: short(str(node)))
    closure = superclasses or {}
    case = _case(case_graph, report)
    events = _events(case_graph, case, closure)
    lanes_of = {e: _event_lane(case_graph, e, closure) for e in events}
    order = _order(case_graph, events)
    decision_date = _date(case_graph.value(case, ECPL.decisionDate)) if case else None
    columns, column_of = _columns(case_graph, order, events, decision_date)
    day_of = {e: _effective_date(case_graph, e) for e in order}
    frame = _Frame(case_graph, label, link, root, order, columns, column_of, day_of, decision_date)
    event_boxes = {event: _event_box(frame, event, lanes_of[event]) for event in order}
    breaches, breach_events = _breaches(frame, report)
    stacks = _stacks(frame, event_boxes, breaches)
    decision = _decision_box(case_graph, case, label, link, decision_date)
    lanes, y = _place(frame, stacks, lanes_of, decision)
    arrows = _response_arrows(frame, event_boxes)
    findings_y = y + 30
    finding_boxes = _place_findings(
        frame, report, breach_events, event_boxes, stacks, findings_y, arrows
    )
    bottom = max([findings_y + 40] + [b.y + b.h + PAD for b in finding_boxes])
    width = max(
        [LANE_LABEL_W + len(columns) * COL_W + PAD] + [b.x + b.w + PAD for b in finding_boxes]
    )
    return Timeline(
        case=str(case) if case is not None else "",
        width=width,
        height=bottom,
        lanes=lanes,
        columns=columns,
        events=[event_boxes[e] for e in order] + [decision],
        breaches=breaches,
        findings=finding_boxes,
        arrows=arrows,
        findings_y=findings_y,
        positions=positions_side_by_side(report.findings),
    )


def _columns(
    graph: Graph, order: list[Node], events: list[Node], decision_date: str | None
) -> tuple[list[Column], dict[Node, int]]:
    """One column per event, plus the decision; undated events that answer nothing share the
    first column, since the sources give no order among them."""
    unordered = [
        e
        for e in order
        if _effective_date(graph, e) is None
        and not any(x in events for x in graph.objects(e, ECPL.respondsTo))
    ]
    ordered = [e for e in order if e not in unordered]
    columns: list[Column] = []
    if unordered:
        columns.append(Column(LANE_LABEL_W, None, unordered=True))
    for e in ordered:
        columns.append(Column(LANE_LABEL_W + len(columns) * COL_W, _date_of(graph, e)))
    columns.append(Column(LANE_LABEL_W + len(columns) * COL_W, decision_date))
    column_of = {e: 0 for e in unordered}
    column_of.update({e: i + (1 if unordered else 0) for i, e in enumerate(ordered)})
    return columns, column_of


def _event_box(frame: _Frame, event: Node, lane: str) -> Box:
    """An event: its kind, its own label, its date (or that it has none), whether uncertain."""
    graph, label = frame.graph, frame.label
    box = Box(
        key=str(event),
        kind="event",
        href=frame.link(str(event)) if isinstance(event, URIRef) else None,
    )
    box.lines += _kind_lines(graph, event, label)
    own = [v for v in graph.objects(event, RDFS.label) if isinstance(v, Literal)]
    if own:
        for lang in ("zh", "en"):
            box.lines += [Line(t, lang) for t in wrap(label(event, lang), BOX_W - 2 * PAD)]
    when = _date_of(graph, event)
    box.lines.append(
        Line(when, cls="date") if when else Line("日期不详", cls="date undated", en="date unknown")
    )
    if _true(graph.value(event, ECPL.uncertain)):
        box.flags.append("uncertain")
        box.lines.append(Line("存疑", cls="flag", en="uncertain"))
    box.data = {"event": str(event), "lane": lane, "date": when or ""}
    return box


def _breaches(frame: _Frame, report: Report) -> tuple[list[Box], dict[str, list[Node]]]:
    """Violations on the event they are about (or one that refers to their focus node), and
    for each duty the events where it is breached."""
    breaches: list[Box] = []
    breach_events: dict[str, list[Node]] = {}
    for index, result in enumerate(report.results):
        if result.severity != "Violation":
            continue
        anchor = _anchor_event(frame.graph, result.focus_node, frame.order, frame.column_of)
        box = _breach_box(frame, index, result, anchor)
        breaches.append(box)
        if result.duty and anchor is not None:
            breach_events.setdefault(result.duty, []).append(anchor)
        column = frame.column_of[anchor] if anchor is not None else len(frame.columns) - 1
        box.x = frame.box_x(column)
    return breaches, breach_events


def _breach_box(frame: _Frame, index: int, result: Result, anchor: Node | None) -> Box:
    """One violation: the duty breached, as to whom, and its legal basis on the day."""
    label = frame.label
    box = Box(key=f"{result.shape}|{result.focus_node}", kind="breach")
    box.lines.append(Line("✗ 违反", cls="breach-head", en="breach"))
    if result.duty:
        box.href = frame.link(result.duty)
        for lang in ("zh", "en"):
            box.lines += [
                Line(t, lang) for t in wrap(label(URIRef(result.duty), lang), BOX_W - 2 * PAD)
            ]
    if result.value and (URIRef(result.value), None, None) in frame.graph:
        who = URIRef(result.value)
        for lang, head in (("zh", "对象："), ("en", "as to: ")):
            text = head + label(who, lang)
            box.lines += [Line(t, lang, "who") for t in wrap(text, BOX_W - 2 * PAD)]
    day = frame.day(anchor)
    box.cites = [_cite(b, day, frame.link, frame.root) for b in result.legal_basis]
    box.data = {
        "result": str(index),
        "shape": result.shape,
        "focus": result.focus_node,
        "duty": result.duty or "",
        "event": str(anchor) if anchor is not None else "",
        "bases": " ".join(result.legal_basis),
    }
    return box


def _stacks(
    frame: _Frame, event_boxes: dict[Node, Box], breaches: list[Box]
) -> dict[Node | None, list[Box]]:
    """Each event's box with the breaches drawn under it (None: breaches tied to no event)."""
    stacks: dict[Node | None, list[Box]] = {}
    for event, box in event_boxes.items():
        stacks[event] = [box]
    for box in breaches:
        anchor_key = box.data["event"]
        anchor = next((e for e in frame.order if str(e) == anchor_key), None)
        stacks.setdefault(anchor, []).append(box)
    return stacks


def _place(
    frame: _Frame, stacks: dict[Node | None, list[Box]], lanes_of: dict[Node, str], decision: Box
) -> tuple[list[LaneRow], float]:
    """Place the stacks in their lane and column; the lanes, and where the last one ends.

    The stacks of one lane and column (several in the shared undated column) go one below
    the other; the decision and breaches tied to no event go to the court lane's last column.
    A lane is as tall as its tallest cell.
    """
    last = len(frame.columns) - 1
    cells: dict[tuple[str, int], list[list[Box]]] = {}
    for anchor, boxes in stacks.items():
        lane = lanes_of[anchor] if anchor is not None else "court"
        column = frame.column_of[anchor] if anchor is not None else last
        cells.setdefault((lane, column), []).append(boxes)
    cells.setdefault(("court", last), []).insert(0, [decision])
    lane_h: dict[str, float] = {key: 44.0 for key, _zh, _en in LANES}
    for (lane, _column), cell in cells.items():
        height = sum(b.h + 6 for boxes in cell for b in boxes) + 2 * PAD
        lane_h[lane] = max(lane_h[lane], height)
    lanes: list[LaneRow] = []
    y = float(AXIS_H)
    for key, zh, en in LANES:
        lanes.append(LaneRow(key, zh, en, y, lane_h[key]))
        y += lane_h[key]
    lane_y = {row.key: row.y for row in lanes}
    for (lane, column), cell in cells.items():
        top = lane_y[lane] + PAD
        for boxes in cell:
            for box in boxes:
                box.x, box.y = frame.box_x(column), top
                top += box.h + 6
            top += 6
    return lanes, y


def _response_arrows(frame: _Frame, event_boxes: dict[Node, Box]) -> list[Arrow]:
    """An arrow from each event to the event that answers it (ecpl:respondsTo)."""
    arrows: list[Arrow] = []
    for event in frame.order:
        for earlier in frame.graph.objects(event, ECPL.respondsTo):
            if earlier in event_boxes:
                a, b = event_boxes[earlier], event_boxes[event]
                arrows.append(
                    Arrow("responds", a.x + a.w, a.y + 12, b.x, b.y + 12, str(earlier), str(event))
                )
    return arrows


FindingRow = list[tuple[Finding, Node | None, list[Node]]]


def _finding_groups(
    frame: _Frame, report: Report, breach_events: dict[str, list[Node]]
) -> dict[tuple[int, str], FindingRow]:
    """The findings by the column where their breach arises and by rule: the findings of one
    rule under different doctrinal positions share a row."""
    groups: dict[tuple[int, str], FindingRow] = {}
    for finding in report.findings:
        arising = [e for d in finding.duties for e in breach_events.get(d, [])]
        rests_on = finding.to_json().get("rests_on")  # the fact the rule fired on, if reported
        if isinstance(rests_on, str) and URIRef(rests_on) in frame.column_of:
            arising = [URIRef(rests_on)]
        anchor = max(arising, key=lambda e: frame.column_of[e]) if arising else None
        col = frame.column_of[anchor] if anchor is not None else len(frame.columns) - 1
        group = (col, finding.rule if finding.position else finding.iri)
        groups.setdefault(group, []).append((finding, anchor, arising))
    return groups


def _place_findings(
    frame: _Frame,
    report: Report,
    breach_events: dict[str, list[Node]],
    event_boxes: dict[Node, Box],
    stacks: dict[Node | None, list[Box]],
    findings_y: float,
    arrows: list[Arrow],
) -> list[Box]:
    """Findings below the lanes, at the event where their breach arises, rows stacked; adds
    one arrow per row from each event the finding arises from (to ``arrows``)."""
    # where an arrow from an event leaves: below the event and the breaches drawn under it
    stack_bottom = {
        anchor: max(b.y + b.h for b in boxes)
        for anchor, boxes in stacks.items()
        if anchor is not None
    }
    groups = _finding_groups(frame, report, breach_events)
    finding_boxes: list[Box] = []
    top = findings_y + PAD
    for (col, _rule), members in sorted(groups.items(), key=lambda kv: kv[0]):
        row: list[Box] = []
        for k, (finding, anchor, arising) in enumerate(
            sorted(members, key=lambda m: m[0].position or "")
        ):
            box = _finding_box(finding, frame.label, frame.link, frame.day(anchor), frame.root)
            box.x = frame.box_x(col) + k * COL_W
            box.y = top
            box.data["event"] = str(anchor) if anchor is not None else ""
            row.append(box)
            sources = {str(e) for e in arising} if k == 0 else set()  # one arrow per row
            for event in frame.order:
                if str(event) in sources:
                    src = event_boxes[event]
                    arrows.append(
                        Arrow(
                            "arises",
                            src.x + src.w / 2,
                            stack_bottom[event],
                            box.x + box.w / 2,
                            box.y,
                            str(event),
                            finding.iri,
                        )
                    )
        top += max(b.h for b in row) + 10
        finding_boxes += row
    return finding_boxes


def finding_flags(finding: Finding | dict[str, Any]) -> list[str]:
    """``analogy`` / ``contested`` when the finding says it rests on one; a finding under a
    doctrinal position is a contested reading by definition (doctrine.ttl: the ECL 38(2) debate)."""
    data = finding.to_json() if isinstance(finding, Finding) else finding
    flags = []
    if any(data.get(k) for k in ANALOGY_KEYS):
        flags.append("analogy")
    if any(data.get(k) for k in CONTESTED_KEYS) or data.get("doctrinal_position"):
        flags.append("contested")
    return flags


def positions_side_by_side(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Per rule that has findings under doctrinal positions: the findings, one column each."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.position:
            by_rule.setdefault(finding.rule, []).append(finding)
    return [
        {"rule": rule, "findings": sorted(group, key=lambda f: f.position or "")}
        for rule, group in sorted(by_rule.items())
    ]


# --- helpers ---------------------------------------------------------------------------------


def _case(graph: Graph, report: Report) -> Node | None:
    for iri in report.cases:
        return URIRef(iri)
    return next(iter(graph.subjects(RDF.type, ECPL.Case)), None)


def _events(graph: Graph, case: Node | None, closure: dict[Node, frozenset[Node]]) -> list[Node]:
    """The case's events: linked by ecpl:event, typed as an event, or dated."""
    found: set[Node] = set(graph.objects(case, ECPL.event)) if case is not None else set()
    for subject, cls in graph.subject_objects(RDF.type):
        if cls == ECPL.Event or ECPL.Event in closure.get(cls, frozenset()):
            found.add(subject)
    found |= set(graph.subjects(ECPL.date, None))
    return sorted(found, key=str)


def _date(value: Node | None) -> str | None:
    if isinstance(value, Literal):
        python = value.toPython()
        if isinstance(python, dt.date):
            return python.isoformat()
    return None


def _date_of(graph: Graph, event: Node) -> str | None:
    return _date(graph.value(event, ECPL.date))


def _effective_date(graph: Graph, event: Node, seen: frozenset[Node] = frozenset()) -> str | None:
    """Its own date, else the date of the event it answers (an answer is not earlier)."""
    own = _date_of(graph, event)
    if own or event in seen:
        return own
    for earlier in graph.objects(event, ECPL.respondsTo):
        found = _effective_date(graph, earlier, seen | {event})
        if found:
            return found
    return None


def _depth(graph: Graph, event: Node, seen: frozenset[Node] = frozenset()) -> int:
    if event in seen:
        return 0
    return max(
        (1 + _depth(graph, e, seen | {event}) for e in graph.objects(event, ECPL.respondsTo)),
        default=0,
    )


def _order(graph: Graph, events: list[Node]) -> list[Node]:
    """Date order; an undated answer after what it answers; unanchored undated events first."""

    def key(event: Node) -> tuple[str, int, int, str]:
        day = _effective_date(graph, event)
        own = 0 if _date_of(graph, event) else 1
        return (day or "", _depth(graph, event), own, str(event))

    return sorted(events, key=key)


def _classes(graph: Graph, node: Node, closure: dict[Node, frozenset[Node]]) -> set[Node]:
    direct = set(graph.objects(node, RDF.type))
    return direct | {sup for cls in direct for sup in closure.get(cls, frozenset())}


def _actor_lane(graph: Graph, actor: Node, closure: dict[Node, frozenset[Node]]) -> str:
    classes = _classes(graph, actor, closure)
    for cls, lane in ACTOR_LANES:
        if cls in classes:
            return lane
    return "third-party"


def _event_lane(graph: Graph, event: Node, closure: dict[Node, frozenset[Node]]) -> str:
    agent = graph.value(event, ECPL.agent)
    if agent is not None:
        return _actor_lane(graph, agent, closure)
    classes = _classes(graph, event, closure)
    for cls, lane in EVENT_LANES:
        if cls in classes:
            return lane
    affected = graph.value(event, ECPL.affectedParty)
    return _actor_lane(graph, affected, closure) if affected is not None else "third-party"


def _kind_lines(graph: Graph, event: Node, label: Labeller) -> list[Line]:
    kinds = sorted(
        (
            c
            for c in graph.objects(event, RDF.type)
            if isinstance(c, URIRef) and c.startswith(str(ECPL))
        ),
        key=str,
    )
    if not kinds:
        return []
    kind = kinds[0]
    return [Line(label(kind, "zh"), "zh", "kind"), Line(label(kind, "en"), "en", "kind")]


def _anchor_event(
    graph: Graph, focus: str, order: list[Node], column_of: dict[Node, int]
) -> Node | None:
    """The event a result is about: its focus node, else the earliest event referring to it
    (goods whose seller went unreviewed: the listing, from when the duty was owed)."""
    node = URIRef(focus)
    if node in column_of:
        return node
    referring = [e for e in order if node in set(graph.objects(e, None))]
    return min(referring, key=lambda e: column_of[e]) if referring else None


def _cite(basis: str, day: str | None, link: Linker, root: Path | None) -> Cite:
    on_date = number_on_date(basis, day, root) if day else None
    return Cite(basis, link(basis), citation(basis, "zh"), citation(basis, "en"), on_date, day)


def _decision_box(
    graph: Graph, case: Node | None, label: Labeller, link: Linker, day: str | None
) -> Box:
    box = Box(key=str(case) if case is not None else "", kind="decision")
    box.lines.append(Line("裁判", "zh", "kind"))
    box.lines.append(Line("decision", "en", "kind"))
    if case is not None:
        box.href = link(str(case))
        docket = graph.value(case, ECPL.docketNumber)
        if docket is not None:
            box.lines.append(Line(str(docket)))
        holding = graph.value(case, ECPL.holding)
        if holding is not None:
            for lang in ("zh", "en"):
                box.lines += [Line(t, lang) for t in wrap(label(holding, lang), BOX_W - 2 * PAD)]
    box.lines.append(
        Line(day, cls="date") if day else Line("日期不详", cls="date undated", en="date unknown")
    )
    box.data = {"decision": str(case) if case is not None else "", "date": day or ""}
    return box


def _finding_box(
    finding: Finding, label: Labeller, link: Linker, day: str | None, root: Path | None
) -> Box:
    box = Box(key=finding.iri, kind="finding", href=link(finding.rule) if finding.rule else None)
    for lang in ("zh", "en"):
        box.lines += [
            Line(t, lang, "rule") for t in wrap(label(URIRef(finding.rule), lang), BOX_W - 2 * PAD)
        ]
    if finding.status:
        status = URIRef(finding.status)
        box.lines.append(Line(label(status, "zh"), cls="status", en=label(status, "en")))
    if finding.position:
        box.lines.append(Line("依学说", cls="position-head", en="under position"))
        for lang in ("zh", "en"):
            box.lines += [
                Line(t, lang, "position", link(finding.position))
                for t in wrap(label(URIRef(finding.position), lang), BOX_W - 2 * PAD)
            ]
    box.flags = finding_flags(finding)
    if "analogy" in box.flags:
        box.lines.append(Line("⚠ 类推适用", "zh", "flag analogy"))
        box.lines.append(Line("⚠ rests on an analogy", "en", "flag analogy"))
        data = finding.to_json()
        basis = [b for b in data.get("analogical_basis") or [] if isinstance(b, str)]
        if basis:
            for lang, head in (("zh", "类推自 "), ("en", "by analogy to ")):
                text = head + ", ".join(citation(b, lang) for b in basis)
                box.lines += [Line(t, lang, "flag analogy") for t in wrap(text, BOX_W - 2 * PAD)]
        note = data.get("analogy_note")
        if isinstance(note, dict):
            for lang in ("zh", "en"):
                if isinstance(note.get(lang), str):
                    box.lines += [
                        Line(t, lang, "analogy-note") for t in wrap(note[lang], BOX_W - 2 * PAD)
                    ]
    if "contested" in box.flags:
        box.lines.append(Line("⚖ 有争议的解释", "zh", "flag contested"))
        box.lines.append(Line("⚖ contested reading", "en", "flag contested"))
    box.cites = [_cite(b, day, link, root) for b in finding.legal_basis]
    box.data = {
        "finding": finding.iri,
        "rule": finding.rule,
        "status": finding.status or "",
        "position": finding.position or "",
        "bases": " ".join(finding.legal_basis),
        "flags": " ".join(box.flags),
    }
    return box


def _true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


def _article_number(provision: str) -> int | None:
    parts = provision.split("/art/", 1)
    if len(parts) != 2:
        return None
    number = parts[1].split("/", 1)[0]
    return int(number) if number.isdigit() else None


def result_key(result: Result) -> str:
    """How a violation is named in the picture (``data-shape`` and ``data-focus``)."""
    return f"{result.shape}|{result.focus_node}"
