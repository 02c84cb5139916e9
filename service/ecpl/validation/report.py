"""The validation report: SHACL results with their legal basis, and the derived findings.

A :class:`Report` is plain data so the CLI and the HTTP layer can render it as text, JSON or RDF
without knowing pyshacl. ``conforms`` is true when no result is a sh:Violation (warnings, such as
missing evidence, do not make a case graph non-conforming).

A violation is either a **breach** (the result of a duty shape: it names the duty) or a
**case-graph error** (the graph is malformed: a wrong datatype, a missing actor class, an unknown
class). They are kept apart: ``well_formed`` is false only for case-graph errors, and
``breached_duties`` lists only duties; ``ecpl validate`` exits 3 for a malformed graph, 1 for a
breach.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ecpl import laws
from ecpl.iri import ECPL, LAW
from ecpl.validation.timeline import Citation

LANGS = ("zh", "en")
_LIABILITY_RULES = "https://w3id.org/ecpl/shapes#LiabilityRules"
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_PROVISION = re.compile(
    r"^" + re.escape(str(LAW)) + r"(?P<law>[a-z-]+)(?:/art/(?P<art>\d+))?"
    r"(?:/para/(?P<para>\d+))?(?:/item/(?P<item>\d+))?$"
)

Labeller = Callable[[Node, str], str]


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, with the duty the shape checks and its legal basis."""

    focus_node: str
    shape: str
    severity: str  # "Violation" | "Warning" | "Info"
    message: dict[str, str]
    legal_basis: list[str] = field(default_factory=list)
    duty: str | None = None
    path: str | None = None
    value: str | None = None
    # the provisions as cited on the date of the facts (number then in force), and that date
    citations: list[Citation] = field(default_factory=list)
    facts_date: str | None = None
    # for a warning about a silent record: which fact to add (zh/en)
    advice: dict[str, str] = field(default_factory=dict)

    @property
    def category(self) -> str:
        """One of: duty (a duty shape's result), rule (a finding dropped), case-graph."""
        if self.duty:
            return "duty"
        return "rule" if self.shape == _LIABILITY_RULES else "case-graph"

    @property
    def is_case_graph_error(self) -> bool:
        return self.severity == "Violation" and self.category == "case-graph"

    def to_json(self) -> dict[str, Any]:
        return {
            "focus_node": self.focus_node,
            "shape": self.shape,
            "severity": self.severity,
            "category": self.category,
            "fact_to_add": self.advice or None,
            "message": self.message,
            "legal_basis": self.legal_basis,
            "cited_as": [c.to_json() for c in self.citations],
            "facts_date": self.facts_date,
            "duty": self.duty,
            "path": self.path,
            "value": self.value,
        }


@dataclass(frozen=True)
class Finding:
    """A liability finding derived by a SHACL-AF rule from the case's facts."""

    iri: str
    case: str
    rule: str
    status: str | None
    duties: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    natures: list[str] = field(default_factory=list)
    liable_party: str | None = None
    co_liable_parties: list[str] = field(default_factory=list)
    recourse_against: list[str] = field(default_factory=list)
    fault_principle: str | None = None
    position: str | None = None
    fine_min_cny: float | None = None
    fine_max_cny: float | None = None
    serious_fine_min_cny: float | None = None
    serious_fine_max_cny: float | None = None
    gains_multiple_min: float | None = None
    gains_multiple_max: float | None = None
    fine_max_without_gains_cny: float | None = None
    personal_fine_min_cny: float | None = None
    personal_fine_max_cny: float | None = None
    # PIPL 66(2): the alternative cap (% of the previous year's turnover), persons' serious range
    serious_turnover_percent_max: float | None = None
    serious_personal_fine_min_cny: float | None = None
    serious_personal_fine_max_cny: float | None = None
    enlarged_part_only: bool = False
    legal_basis: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    # a rule that applies to platforms only by analogy: said in every rendering
    by_analogy: bool = False
    analogical_basis: list[str] = field(default_factory=list)
    analogy_note: dict[str, str] = field(default_factory=dict)
    rests_on: str | None = None
    facts_date: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "case": self.case,
            "rule": self.rule,
            "status": self.status,
            "duties_breached": self.duties,
            "liability_forms": self.forms,
            "liability_natures": self.natures,
            "liable_party": self.liable_party,
            "co_liable_parties": self.co_liable_parties,
            "recourse_against": self.recourse_against,
            "fault_principle": self.fault_principle,
            "doctrinal_position": self.position,
            "fine_cny": {
                "min": self.fine_min_cny,
                "max": self.fine_max_cny,
                "serious_min": self.serious_fine_min_cny,
                "serious_max": self.serious_fine_max_cny,
                "gains_multiple_min": self.gains_multiple_min,
                "gains_multiple_max": self.gains_multiple_max,
                "max_without_gains": self.fine_max_without_gains_cny,
                "responsible_persons_min": self.personal_fine_min_cny,
                "responsible_persons_max": self.personal_fine_max_cny,
                "serious_turnover_percent_max": self.serious_turnover_percent_max,
                "serious_responsible_persons_min": self.serious_personal_fine_min_cny,
                "serious_responsible_persons_max": self.serious_personal_fine_max_cny,
            },
            "enlarged_part_only": self.enlarged_part_only,
            "legal_basis": self.legal_basis,
            "cited_as": [c.to_json() for c in self.citations],
            "by_analogy": self.by_analogy,
            "analogical_basis": self.analogical_basis,
            "analogy_note": self.analogy_note,
            "rests_on": self.rests_on,
            "facts_date": self.facts_date,
        }


@dataclass
class Report:
    """What ``validate`` returns; render with to_json / graph / to_text."""

    conforms: bool
    results: list[Result]
    findings: list[Finding]
    report_graph: Graph = field(repr=False, default_factory=Graph)
    findings_graph: Graph = field(repr=False, default_factory=Graph)
    labeller: Labeller | None = field(repr=False, default=None)
    # the ecpl:Case IRIs of the validated graph: graph() links the report to them
    # (ecpl:validatedCase), so a stored report is found from its case by an index lookup (cq06)
    cases: list[str] = field(default_factory=list)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def breached_duties(self) -> list[str]:
        """Duties with at least one violation, in a stable order."""
        return sorted({r.duty for r in self.violations if r.duty})

    @property
    def case_graph_errors(self) -> list[Result]:
        """Violations that say the case graph is malformed, not that a duty was breached."""
        return [r for r in self.results if r.is_case_graph_error]

    @property
    def well_formed(self) -> bool:
        return not self.case_graph_errors

    def to_json(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "well_formed": self.well_formed,
            "case_graph_errors": len(self.case_graph_errors),
            "breached_duties": self.breached_duties,
            "results": [r.to_json() for r in self.results],
            "findings": [f.to_json() for f in self.findings],
        }

    def graph(self) -> Graph:
        """The sh:ValidationReport plus the findings as triples (ecpl vocabulary, cases.ttl).

        Results are written from :attr:`results` (not copied from pyshacl's report), so that the
        Turtle says what the JSON and text say: the severity and the provisions on the date of the
        facts, one result per focus node and message.
        """
        out = Graph()
        out.bind("sh", SH)
        out.bind("ecpl", ECPL)
        reports = list(self.report_graph.subjects(RDF.type, SH.ValidationReport)) or [BNode()]
        report = reports[0]
        out.add((report, RDF.type, SH.ValidationReport))
        out.add((report, SH.conforms, Literal(self.conforms)))
        for triple in self.findings_graph:
            out.add(triple)
        for case in self.cases:
            out.add((report, ECPL.validatedCase, URIRef(case)))
        for result in self.results:
            node = BNode()
            out.add((report, SH.result, node))
            out.add((node, RDF.type, SH.ValidationResult))
            out.add((node, SH.focusNode, _term(result.focus_node)))
            out.add((node, SH.sourceShape, URIRef(result.shape)))
            out.add((node, SH.resultSeverity, SH[result.severity]))
            for lang, text in result.message.items():
                out.add((node, SH.resultMessage, Literal(text, lang=lang)))
            if result.path:
                out.add((node, SH.resultPath, URIRef(result.path)))
            if result.value is not None:
                out.add((node, SH.value, _term(result.value)))
            for basis in result.legal_basis:
                out.add((node, ECPL.legalBasis, URIRef(basis)))
            for cited in result.citations:
                if cited.version:
                    out.add((node, ECPL.citedVersion, URIRef(cited.version)))
            if result.duty:
                out.add((node, ECPL.checksDuty, URIRef(result.duty)))
        return out

    def to_text(self, lang: str = "zh", *, explain: bool = False) -> str:
        """A readable report in zh or en; ``explain``: the fact each silent record lacks."""
        if lang not in LANGS:
            raise ValueError(f"language must be one of {', '.join(LANGS)}, got {lang!r}")
        zh = lang == "zh"
        label = self.labeller or (lambda node, _lang: short(str(node)))

        def name(iri: str | None) -> str:
            return label(URIRef(iri), lang) if iri else "—"

        lines = self._verdict_lines(zh)
        if self.breached_duties:
            lines.append("")
            lines.append("违反的义务：" if zh else "Duties breached:")
            lines += [f"  - {name(d)}" for d in self.breached_duties]
        ordered = sorted(self.results, key=lambda r: (_SEVERITY_ORDER.get(r.severity, 9), r.shape))
        if ordered:
            lines.append("")
            lines.append("验证结果：" if zh else "Results:")
        for result in ordered:
            lines += _result_lines(result, lang, explain)
        if self.findings:
            lines.append("")
            lines.append("责任认定结果：" if zh else "Liability findings:")
        for finding in self.findings:
            lines += _finding_lines(finding, name, lang)
        return "\n".join(lines) + "\n"

    def _verdict_lines(self, zh: bool) -> list[str]:
        """The verdict with its counts, and the warning that comes before it when malformed."""
        counts = {s: sum(1 for r in self.results if r.severity == s) for s in _SEVERITY_ORDER}
        if zh:
            verdict = "符合" if self.conforms else "不符合"
            lines = [
                f"验证结论：{verdict}（违反 {counts['Violation']} 项，警告 {counts['Warning']} 项）"
            ]
        else:
            verdict = "conforms" if self.conforms else "does not conform"
            lines = [
                f"Validation: {verdict} ({counts['Violation']} violations, "
                f"{counts['Warning']} warnings)"
            ]
        if not self.well_formed:
            errors = len(self.case_graph_errors)
            lines.append(
                f"案件图结构错误 {errors} 项（不是义务违反）：请先改正案件图，结论才可靠。"
                if zh
                else f"The case graph is malformed ({errors} errors, not breaches of duty): "
                "correct it before relying on the results."
            )
        return lines


def _result_lines(result: Result, lang: str, explain: bool) -> list[str]:
    """One SHACL result: severity (a case-graph error named as such), message, focus, basis."""
    zh = lang == "zh"
    severity = {"Violation": "违反", "Warning": "警告", "Info": "提示"}.get(
        result.severity, result.severity
    )
    if not zh:
        severity = result.severity
    if result.is_case_graph_error:
        severity = "案件图错误" if zh else "Case-graph error"
    lines = [
        f"  [{severity}] {_message(result.message, lang)}",
        f"      {'对象' if zh else 'focus'}: {short(result.focus_node)}",
    ]
    if result.legal_basis:
        cites = ", ".join(_cited(result.citations, result.legal_basis, lang))
        lines.append(f"      {'法律依据' if zh else 'legal basis'}: {cites}")
    if explain and result.advice:
        advice = _message(result.advice, lang)
        lines.append(f"      {'应补充' if zh else 'to add'}: {advice}")
    return lines


def _finding_lines(finding: Finding, name: Callable[[str | None], str], lang: str) -> list[str]:
    """One liability finding: rule (and position), status (and analogy), then its facts."""
    zh = lang == "zh"
    head = name(finding.rule)
    if finding.position:
        head += (" — 依学说：" if zh else " — under position: ") + name(finding.position)
    status = name(finding.status) if finding.status else ""
    if finding.by_analogy:
        status += ("，" if zh and status else ", " if status else "") + (
            "类推适用" if zh else "by analogy"
        )
    lines = [f"  * {head}" + (f" [{status}]" if status else "")]
    if finding.by_analogy and finding.analogy_note:
        note = _message(finding.analogy_note, lang)
        lines.append(f"      {'类推' if zh else 'analogy'}: {note}")
    for zh_label, en_label, value in _finding_rows(finding, name, lang):
        if value:
            lines.append(f"      {zh_label if zh else en_label}: {value}")
    return lines


def _finding_rows(
    finding: Finding, name: Callable[[str | None], str], lang: str
) -> list[tuple[str, str, str]]:
    """A finding's facts as (zh label, en label, value); empty values are left out by callers."""
    zh = lang == "zh"
    return [
        ("违反的义务", "duty breached", ", ".join(name(d) for d in finding.duties)),
        ("责任形态", "form", ", ".join(name(f) for f in finding.forms)),
        ("责任性质", "nature", ", ".join(name(n) for n in finding.natures)),
        ("责任人", "liable", name(finding.liable_party) if finding.liable_party else ""),
        ("共同责任人", "co-liable", ", ".join(name(p) for p in finding.co_liable_parties)),
        ("追偿对象", "recourse against", ", ".join(name(p) for p in finding.recourse_against)),
        (
            "归责原则",
            "fault principle",
            name(finding.fault_principle) if finding.fault_principle else "",
        ),
        ("罚款幅度（元）", "fine (CNY)", _fine(finding, zh)),
        (
            "仅限扩大部分",
            "enlarged part only",
            ("是" if zh else "yes") if finding.enlarged_part_only else "",
        ),
        (
            "法律依据",
            "legal basis",
            ", ".join(_cited(finding.citations, finding.legal_basis, lang)),
        ),
        (
            "类推依据",
            "analogical basis",
            ", ".join(citation(b, lang) for b in finding.analogical_basis),
        ),
        ("事实日期", "date of the facts", finding.facts_date or ""),
    ]


def _cited(citations: list[Citation], bases: list[str], lang: str) -> list[str]:
    """The provisions as cited on the date of the facts, falling back to the plain citation."""
    by_iri = {c.iri: c for c in citations}
    return [by_iri[b].label.get(lang, b) if b in by_iri else citation(b, lang) for b in bases]


def _term(value: str) -> Node:
    """An IRI for what looks like one, a literal otherwise (sh:value may be either)."""
    return URIRef(value) if re.match(r"^[a-z][a-z0-9+.-]*:", value) else Literal(value)


def _message(message: dict[str, str], lang: str) -> str:
    return (
        message.get(lang)
        or message.get("en")
        or message.get("zh")
        or next(iter(message.values()), "")
    )


def _fine(finding: Finding, zh: bool) -> str:
    def amount(value: float | None) -> str:
        return "?" if value is None else f"{value:,.0f}"

    parts = []
    if finding.gains_multiple_min is not None or finding.gains_multiple_max is not None:
        low, high = finding.gains_multiple_min, finding.gains_multiple_max
        span = f"{amount(low)}–{amount(high)}"
        parts.append(f"违法所得{span}倍" if zh else f"{span}× gains")
    if finding.fine_max_without_gains_cny is not None:
        no_gains = amount(finding.fine_max_without_gains_cny)
        parts.append(f"无违法所得：≤{no_gains}" if zh else f"without gains: ≤{no_gains}")
    if finding.personal_fine_min_cny is not None or finding.personal_fine_max_cny is not None:
        persons = f"{amount(finding.personal_fine_min_cny)}–{amount(finding.personal_fine_max_cny)}"
        parts.append(("直接责任人员：" if zh else "responsible persons: ") + persons)
    if finding.fine_min_cny is not None or finding.fine_max_cny is not None:
        parts.append(f"{amount(finding.fine_min_cny)}–{amount(finding.fine_max_cny)}")
    if finding.serious_fine_min_cny is not None or finding.serious_fine_max_cny is not None:
        serious = f"{amount(finding.serious_fine_min_cny)}–{amount(finding.serious_fine_max_cny)}"
        if finding.serious_turnover_percent_max is not None:
            pct = f"{finding.serious_turnover_percent_max:g}%"
            serious += f"，或上一年度营业额{pct}以下" if zh else f", or up to {pct} of turnover"
        parts.append(("情节严重：" if zh else "serious: ") + serious)
    low, high = finding.serious_personal_fine_min_cny, finding.serious_personal_fine_max_cny
    if low is not None or high is not None:
        label = "情节严重时直接责任人员：" if zh else "responsible persons, serious: "
        parts.append(label + f"{amount(low)}–{amount(high)}")
    return "; ".join(parts)


def short(iri: str) -> str:
    """A compact name for an IRI: the ecpl: local name, or the IRI itself."""
    if iri.startswith(str(ECPL)):
        return "ecpl:" + iri[len(str(ECPL)) :]
    return iri


def citation(iri: str, lang: str = "en") -> str:
    """ "ECL 38(2)" / "电子商务法第38条第2款" for a provision IRI; other IRIs unchanged."""
    match = _PROVISION.match(iri)
    if not match:
        return short(iri)
    law, art, para, item = match["law"], match["art"], match["para"], match["item"]
    if lang == "zh":
        text = laws.zh_name(law) if law in laws.LAW_NAMES else law.upper()
        text += f"第{art}条" if art else ""
        text += f"第{para}款" if para else ""
        text += f"第{item}项" if item else ""
        return text
    text = law.upper() + (f" {art}" if art else "")
    text += f"({para})" if para else ""
    text += f" item {item}" if item else ""
    return text
