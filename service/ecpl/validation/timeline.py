"""The law on the date of the facts: which provisions were in force, and under which number.

Every citation in a validation report goes through :class:`Timeline`: a provision is cited only
if it was in force on the date of the facts the result or finding rests on, and a renumbered
provision (the CSL after its 2025 amendment) is cited under the number it had on that date.
The dates come from the data (ecpl:inForceFrom / ecpl:inForceUntil on the law and on the
article's ecpl:ProvisionVersion resources in data/laws), never from the shapes or rules.

The date of the facts is a :class:`FactDate`: the event's own ecpl:date where the case graph
records it, and otherwise only an upper bound (the decision date, or the end of the year in which
the case, or the case it appeals, was filed, read from its docket number). An upper bound before a
provision came into force excludes it; with no date at all the provision is given the benefit of
the doubt, as the rules always did.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ecpl import laws
from ecpl.iri import ECPL, LAW
from ecpl.statutes.numerals import to_chinese

_PARTS = re.compile(
    r"^(?P<article>" + re.escape(str(LAW)) + r"(?P<law>[a-z-]+)/art/(?P<art>\d+))"
    r"(?:/para/(?P<para>\d+))?(?:/item/(?P<item>\d+))?$"
)
_DOCKET_YEAR = re.compile(r"^[（(]?(\d{4})")


def _law_zh(law: str) -> str:
    """The law's Chinese short name from the one table (``ecpl.laws``); the key if unknown."""
    return laws.zh_name(law) if law in laws.LAW_NAMES else law


@dataclass(frozen=True)
class FactDate:
    """When the facts happened: an exact date, or only a date they cannot be later than."""

    exact: dt.date | None = None
    latest: dt.date | None = None

    def __str__(self) -> str:
        if self.exact:
            return self.exact.isoformat()
        if self.latest:
            return f"≤ {self.latest.isoformat()}"
        return "?"


@dataclass(frozen=True)
class Version:
    iri: str
    number: int
    start: dt.date | None
    end: dt.date | None
    confirmed: bool


@dataclass(frozen=True)
class Citation:
    """One provision as cited for a given date: its IRI, the version in force, its label."""

    iri: str
    version: str | None
    label: dict[str, str] = field(default_factory=dict)
    renumbered: bool = False

    def to_json(self) -> dict[str, object]:
        return {"iri": self.iri, "version": self.version, "label": self.label}


def as_date(value: Node | None) -> dt.date | None:
    if isinstance(value, Literal):
        python = value.toPython()
        if isinstance(python, dt.datetime):
            return python.date()
        if isinstance(python, dt.date):
            return python
    return None


class Timeline:
    """In-force periods and numbering of every provision in data/laws."""

    def __init__(self, laws: Graph) -> None:
        self._law_start: dict[str, dt.date | None] = {}
        self._versions: dict[str, list[Version]] = {}
        for law in set(laws.subjects(ECPL.inForceFrom, None)):
            if isinstance(law, URIRef) and re.fullmatch(re.escape(str(LAW)) + r"[a-z-]+", law):
                self._law_start[str(law)] = as_date(laws.value(law, ECPL.inForceFrom))
        for article, version in laws.subject_objects(ECPL.hasVersion):
            number = laws.value(version, ECPL.versionNumber)
            self._versions.setdefault(str(article), []).append(
                Version(
                    iri=str(version),
                    number=int(number.toPython()) if isinstance(number, Literal) else 0,
                    start=as_date(laws.value(version, ECPL.inForceFrom)),
                    end=as_date(laws.value(version, ECPL.inForceUntil)),
                    confirmed=laws.value(version, ECPL.numberingStatus) != ECPL.Unverified,
                )
            )
        for versions in self._versions.values():
            versions.sort(key=lambda v: v.start or dt.date.min)

    def start(self, iri: str) -> dt.date | None:
        """The day the provision came into force (its first version's, or its law's)."""
        match = _PARTS.match(iri)
        if not match:
            return self._law_start.get(iri)
        versions = self._versions.get(match["article"])
        if versions and versions[0].start:
            return versions[0].start
        return self._law_start.get(str(LAW) + match["law"])

    def in_force(self, iri: str, facts: FactDate) -> bool:
        """Whether the provision was (or may have been) in force on the date of the facts."""
        start = self.start(iri)
        if start is None:
            return True
        if facts.exact is not None:
            return facts.exact >= start
        if facts.latest is not None:
            return facts.latest >= start
        return True

    def version(self, iri: str, facts: FactDate) -> Version | None:
        """The article version in force on the exact date of the facts (None if not known)."""
        match = _PARTS.match(iri)
        if not match or facts.exact is None:
            return None
        for version in self._versions.get(match["article"], ()):
            if (version.start is None or version.start <= facts.exact) and (
                version.end is None or facts.exact <= version.end
            ):
                return version
        return None

    def cite(self, iri: str, facts: FactDate) -> Citation:
        """The provision as cited on that date: ``网络安全法第二十三条（原第二十一条）第一款``."""
        match = _PARTS.match(iri)
        if not match:
            return Citation(iri, None, {"zh": iri, "en": iri})
        version = self.version(iri, facts)
        law, art = match["law"], int(match["art"])
        para, item = match["para"], match["item"]
        renumbered = version is not None and version.number != art
        if renumbered and version is not None:
            unverified_zh = "" if version.confirmed else "，新条号未经核对"
            unverified_en = "" if version.confirmed else "; new number unverified"
            zh = f"{_law_zh(law)}第{to_chinese(version.number)}条"
            zh += f"（原第{to_chinese(art)}条{unverified_zh}）"
            zh += f"第{to_chinese(int(para))}款" if para else ""
            zh += f"第{to_chinese(int(item))}项" if item else ""
            en = f"{law.upper()} {version.number} (formerly {art}{unverified_en})"
        else:
            zh = f"{_law_zh(law)}第{art}条"
            zh += f"第{para}款" if para else ""
            zh += f"第{item}项" if item else ""
            en = f"{law.upper()} {art}"
        en += f"({para})" if para else ""
        en += f" item {item}" if item else ""
        return Citation(
            iri, version.iri if version else None, {"zh": zh, "en": en}, renumbered=renumbered
        )


def fact_date(graph: Graph, node: Node, case: Node | None) -> FactDate:
    """The date of the facts at ``node`` (an event, or a thing events concern) in ``case``."""
    exact = as_date(graph.value(node, ECPL.date))
    if exact is None:  # a thing (goods, a seller): the earliest dated event about it
        dates = [
            d
            for event in graph.subjects(ECPL.concerns, node)
            if (d := as_date(graph.value(event, ECPL.date))) is not None
        ]
        exact = min(dates) if dates else None
    return FactDate(exact, latest_date(graph, case) if case is not None else None)


def latest_date(graph: Graph, case: Node) -> dt.date | None:
    """The latest the facts of a case can have happened: decision date, or end of filing year."""
    bounds: list[dt.date] = []
    seen: set[Node] = set()
    todo = [case]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        decided = as_date(graph.value(current, ECPL.decisionDate))
        if decided:
            bounds.append(decided)
        for docket in graph.objects(current, ECPL.docketNumber):
            year = _DOCKET_YEAR.match(str(docket).strip())
            if year:
                bounds.append(dt.date(int(year[1]), 12, 31))
        todo.extend(graph.objects(current, ECPL.appealOf))
    return min(bounds) if bounds else None


def case_of(graph: Graph, node: Node) -> Node | None:
    """The case whose event (or whose event's object) ``node`` is."""
    for case in graph.subjects(ECPL.event, node):
        return case
    for event in graph.subjects(ECPL.concerns, node):
        for case in graph.subjects(ECPL.event, event):
            return case
    for case in graph.subjects(ECPL.party, node):
        return case
    cases = list(graph.subjects(ECPL.event, None))
    return cases[0] if len(set(cases)) == 1 else None
