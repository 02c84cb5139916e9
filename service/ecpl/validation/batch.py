"""Batch validation: the case files of a folder and the summary of their reports.

``ecpl validate DIR`` validates every case file directly in DIR (not its subfolders, so
``data/cases`` and ``data/cases/examples`` stay separate runs) and ends with :func:`summarise`:
cases, conforming, breaches by duty, findings by rule. Counting is done here on the same
:class:`~ecpl.validation.report.Report` objects the per-file output is made from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ecpl.validation.report import Report

_NO_DUTY = {True: "（结构，不涉义务）", False: "(well-formedness, no duty)"}
CASE_SUFFIXES = (".ttl", ".jsonld", ".json", ".nt", ".rdf", ".owl", ".xml")


def case_files(folder: Path) -> list[Path]:
    """The case files directly in ``folder``, by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in CASE_SUFFIXES)


@dataclass
class Summary:
    """What a batch of reports adds up to."""

    cases: int = 0
    conforming: int = 0
    violations: int = 0
    warnings: int = 0
    # duty -> (cases with a violation of it, violations)
    breaches_by_duty: dict[str, tuple[int, int]] = field(default_factory=dict)
    # rule -> (cases with a finding under it, findings)
    findings_by_rule: dict[str, tuple[int, int]] = field(default_factory=dict)
    rows: list[tuple[str, bool, int, int, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "cases": self.cases,
            "conforming": self.conforming,
            "violations": self.violations,
            "warnings": self.warnings,
            "breaches_by_duty": {
                d: {"cases": c, "violations": n} for d, (c, n) in self.breaches_by_duty.items()
            },
            "findings_by_rule": {
                r: {"cases": c, "findings": n} for r, (c, n) in self.findings_by_rule.items()
            },
        }


def summarise(reports: Iterable[tuple[str, Report]]) -> Summary:
    """Count cases, conforming cases, violations per duty and findings per rule."""
    summary = Summary()
    duty_cases: Counter[str] = Counter()
    duty_count: Counter[str] = Counter()
    rule_cases: Counter[str] = Counter()
    rule_count: Counter[str] = Counter()
    for name, report in reports:
        summary.cases += 1
        summary.conforming += int(report.conforms)
        violations = report.violations
        warnings = [r for r in report.results if r.severity == "Warning"]
        summary.violations += len(violations)
        summary.warnings += len(warnings)
        summary.rows.append(
            (name, report.conforms, len(violations), len(warnings), len(report.findings))
        )
        duties = [r.duty or "" for r in violations]
        duty_count.update(duties)
        duty_cases.update(set(duties))
        rules = [f.rule for f in report.findings]
        rule_count.update(rules)
        rule_cases.update(set(rules))
    summary.breaches_by_duty = {d: (duty_cases[d], duty_count[d]) for d in sorted(duty_count)}
    summary.findings_by_rule = {r: (rule_cases[r], rule_count[r]) for r in sorted(rule_count)}
    return summary


def summary_table(summary: Summary, name: Callable[[str], str], lang: str = "zh") -> str:
    """The summary as plain-text tables (``name`` labels a duty or rule IRI)."""
    zh = lang == "zh"
    out: list[str] = []
    head = (
        ("文件", "符合", "违反", "警告", "认定")
        if zh
        else ("file", "conforms", "violations", "warnings", "findings")
    )
    rows = [
        (file, ("是" if zh else "yes") if ok else ("否" if zh else "no"), str(v), str(w), str(f))
        for file, ok, v, w, f in summary.rows
    ]
    out += _table(head, rows)
    out.append("")
    if zh:
        out.append(
            f"案件 {summary.cases}，符合 {summary.conforming}，"
            f"违反 {summary.violations} 项，警告 {summary.warnings} 项"
        )
    else:
        out.append(
            f"cases {summary.cases}, conforming {summary.conforming}, "
            f"violations {summary.violations}, warnings {summary.warnings}"
        )
    out.append("")
    out += _table(
        ("违反的义务", "案件", "违反") if zh else ("duty breached", "cases", "violations"),
        [
            (name(d) if d else _NO_DUTY[zh], str(c), str(n))
            for d, (c, n) in summary.breaches_by_duty.items()
        ]
        or [("—", "0", "0")],
    )
    out.append("")
    out += _table(
        ("责任规则", "案件", "认定") if zh else ("rule", "cases", "findings"),
        [(name(r) if r else "—", str(c), str(n)) for r, (c, n) in summary.findings_by_rule.items()]
        or [("—", "0", "0")],
    )
    return "\n".join(out) + "\n"


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _table(head: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True))

    return [line(head).rstrip(), "  ".join("-" * w for w in widths)] + [
        line(r).rstrip() for r in rows
    ]
