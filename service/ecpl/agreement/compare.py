"""Compare what the model derives from a case's facts with what the court held.

The court's holding (``ecpl:holding``) is taken out of the case graph before validation, so the
model sees only the facts; its violations and findings are then set against the holding at three
levels: the outcome (was the platform held liable), each duty (``ecpl:dutyFoundBreached`` /
``ecpl:dutyFoundFulfilled``) and each liability rule (a rule counts as applied by the court when
one of its ``ecpl:legalBasis`` provisions is among the holding's ``ecpl:appliedProvision``).
A finding the model only derives as ``ecpl:Contingent`` (breach or fault still to be proved) is
never counted as a disagreement with a court that did not impose that liability: it is "not
comparable", with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.exceptions import ParserError

from ecpl import sources
from ecpl.errors import InputError
from ecpl.iri import ECPL

AGREE = "agree"
MORE = "model finds more"
LESS = "model finds less"
NOT_COMPARABLE = "not comparable"
VERDICTS = (AGREE, MORE, LESS, NOT_COMPARABLE)

OUTCOME = "outcome"
DUTY = "duty"
RULE = "rule"
KINDS = (OUTCOME, DUTY, RULE)
PLATFORM_LIABILITY = "platform-liability"


@dataclass(frozen=True)
class Reference:
    """What the comparison reads from the ontology: rules with their bases, and labels."""

    rule_bases: dict[str, tuple[str, ...]]
    labels: dict[tuple[str, str], str]

    def label(self, iri: str, lang: str = "en") -> str:
        return self.labels.get((iri, lang)) or iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Item:
    """One comparison: an outcome, a duty or a rule, with the verdict and why."""

    kind: str  # OUTCOME | DUTY | RULE
    subject: str  # the duty or rule IRI, or PLATFORM_LIABILITY
    court: str  # what the court held, in words
    model: str  # what the model derived, in words
    verdict: str  # one of VERDICTS
    reason: str


@dataclass(frozen=True)
class CaseAgreement:
    case: str
    label: str
    source_file: str
    court: str
    date: str
    items: list[Item] = field(default_factory=list)
    # the project's explanation of a disagreement (skos:editorialNote on the case), if any
    notes: tuple[str, ...] = ()


def load_reference(root: Path | None = None) -> Reference:
    """Rules, their legal bases and labels from the ontology (no rule list in the code)."""
    graph = sources.load_graph(("ontology",), root)
    bases: dict[str, tuple[str, ...]] = {}
    for rule in graph.subjects(RDF.type, ECPL.LiabilityRule):
        bases[str(rule)] = tuple(sorted(str(b) for b in graph.objects(rule, ECPL.legalBasis)))
    labels: dict[tuple[str, str], str] = {}
    for subject, label in graph.subject_objects(RDFS.label):
        if isinstance(label, Literal) and label.language in ("zh", "en"):
            labels.setdefault((str(subject), label.language), str(label))
    return Reference(bases, labels)


def _matches(basis: str, provision: str) -> bool:
    """A rule's basis matches a provision the court applied at article, paragraph or item level."""
    return (
        basis == provision or basis.startswith(provision + "/") or provision.startswith(basis + "/")
    )


def without_holding(graph: Graph, case: URIRef) -> Graph:
    """A copy of the case graph with the court's holding(s) removed: only the facts remain."""
    holdings = set(graph.objects(case, ECPL.holding))
    stripped = Graph()
    for prefix, namespace in graph.namespaces():
        stripped.bind(prefix, namespace)
    for s, p, o in graph:
        if s in holdings or o in holdings:
            continue
        stripped.add((s, p, o))
    return stripped


@dataclass(frozen=True)
class _Court:
    liable: bool | None
    breached: frozenset[str]
    fulfilled: frozenset[str]
    provisions: frozenset[str]


def _court(graph: Graph, case: URIRef) -> _Court:
    holdings = list(graph.objects(case, ECPL.holding))
    liable_values = {
        bool(v.toPython())
        for h in holdings
        for v in graph.objects(h, ECPL.liabilityImposed)
        if isinstance(v, Literal)
    }
    liable = True if True in liable_values else (False if liable_values else None)

    def objects(prop: URIRef) -> frozenset[str]:
        return frozenset(str(o) for h in holdings for o in graph.objects(h, prop))

    return _Court(
        liable,
        objects(ECPL.dutyFoundBreached),
        objects(ECPL.dutyFoundFulfilled),
        objects(ECPL.appliedProvision),
    )


def _single_case(graph: Graph, name: str) -> URIRef:
    cases = [c for c in graph.subjects(RDF.type, ECPL.Case) if isinstance(c, URIRef)]
    if len(cases) != 1:
        raise InputError(f"{name}: expected one ecpl:Case with an IRI, found {len(cases)}")
    return cases[0]


def compare_case(graph: Graph, reference: Reference, name: str = "case") -> CaseAgreement:
    """Validate the case without its holding and compare the result with the holding."""
    from ecpl.validation import validate  # heavy (pyshacl): imported when used

    case = _single_case(graph, name)
    court = _court(graph, case)
    report = validate(without_holding(graph, case))

    civil = str(ECPL.CivilLiability)
    established = str(ECPL.Established)
    rule_status: dict[str, str] = {}
    model_liability: str | None = None
    finding_duties: set[str] = set()
    for finding in report.findings:
        status = "established" if finding.status == established else "contingent"
        if rule_status.get(finding.rule) != "established":
            rule_status[finding.rule] = status
        if status == "established":
            finding_duties.update(finding.duties)
        if civil in finding.natures and model_liability != "established":
            model_liability = status
    model_breached = set(report.breached_duties) | finding_duties

    items = [_outcome_item(court.liable, model_liability)]
    items += _duty_items(court, model_breached)
    items += _rule_items(court, rule_status, reference)
    label = graph.value(case, RDFS.label)
    labels = {
        lbl.language: str(lbl)
        for lbl in graph.objects(case, RDFS.label)
        if isinstance(lbl, Literal)
    }
    court_node = graph.value(case, ECPL.court)
    court_labels = (
        {
            lbl.language: str(lbl)
            for lbl in graph.objects(court_node, RDFS.label)
            if isinstance(lbl, Literal)
        }
        if court_node is not None
        else {}
    )
    date = graph.value(case, ECPL.decisionDate)
    reported = graph.value(case, ECPL.reportedOn)
    date_text = str(date) if date is not None else (f"≤ {reported}" if reported else "—")
    notes = tuple(
        sorted(
            str(n)
            for n in graph.objects(case, SKOS.editorialNote)
            if isinstance(n, Literal) and n.language == "en"
        )
    )
    return CaseAgreement(
        notes=notes,
        case=str(case),
        label=labels.get("zh") or str(label or case),
        source_file=name,
        court=court_labels.get("zh", "—"),
        date=date_text,
        items=items,
    )


def _outcome_item(court: bool | None, model: str | None) -> Item:
    model_text = {
        None: "no civil finding",
        "established": "liable (established)",
        "contingent": "liable only if breach/fault proved (contingent)",
    }[model]
    if court is None:
        return Item(
            OUTCOME,
            PLATFORM_LIABILITY,
            "not stated",
            model_text,
            NOT_COMPARABLE,
            "the holding does not say whether the platform was held liable "
            "(e.g. the platform was not a party)",
        )
    court_text = "platform liable" if court else "platform not liable"
    if court:
        if model == "established":
            return Item(OUTCOME, PLATFORM_LIABILITY, court_text, model_text, AGREE, "")
        if model == "contingent":
            return Item(
                OUTCOME,
                PLATFORM_LIABILITY,
                court_text,
                model_text,
                AGREE,
                "the model's finding is contingent; the court found its condition met",
            )
        return Item(
            OUTCOME,
            PLATFORM_LIABILITY,
            court_text,
            model_text,
            LESS,
            "no liability rule fires on the recorded facts",
        )
    if model == "established":
        return Item(
            OUTCOME,
            PLATFORM_LIABILITY,
            court_text,
            model_text,
            MORE,
            "the model establishes a civil liability the court rejected",
        )
    if model == "contingent":
        return Item(
            OUTCOME,
            PLATFORM_LIABILITY,
            court_text,
            model_text,
            NOT_COMPARABLE,
            "the model's finding is contingent (breach or fault still to be proved); "
            "a court that rejects liability is consistent with it",
        )
    return Item(OUTCOME, PLATFORM_LIABILITY, court_text, model_text, AGREE, "")


def _duty_items(court: _Court, model: set[str]) -> list[Item]:
    items = []
    for duty in sorted(court.breached | court.fulfilled | model):
        held = (
            "breached"
            if duty in court.breached
            else "fulfilled"
            if duty in court.fulfilled
            else "not addressed"
        )
        derived = "breached" if duty in model else "no breach established"
        if duty in court.breached:
            verdict, reason = (
                (AGREE, "")
                if duty in model
                else (LESS, "the recorded facts do not establish the breach the court found")
            )
        elif duty in court.fulfilled:
            verdict, reason = (
                (MORE, "the model finds a breach of a duty the court found fulfilled")
                if duty in model
                else (AGREE, "")
            )
        elif court.liable is False:
            verdict, reason = MORE, "the court held the platform not liable"
        else:
            verdict, reason = NOT_COMPARABLE, "the holding does not address this duty"
        items.append(Item(DUTY, duty, held, derived, verdict, reason))
    return items


def _rule_items(court: _Court, fired: dict[str, str], reference: Reference) -> list[Item]:
    applied = {
        rule
        for rule, bases in reference.rule_bases.items()
        if any(_matches(b, p) for b in bases for p in court.provisions)
    }
    items = []
    for rule in sorted(applied | set(fired)):
        status = fired.get(rule)
        derived = f"fires ({status})" if status else "does not fire"
        held = "applied" if rule in applied else "not applied"
        if rule in applied:
            if status:
                verdict, reason = AGREE, ""
            elif court.liable is True:
                verdict, reason = (
                    LESS,
                    (
                        "the court applied this rule's provision and imposed liability; the model "
                        "derives no finding under it from the recorded facts"
                    ),
                )
            elif court.liable is False:
                verdict, reason = (
                    AGREE,
                    (
                        "the court applied this rule's provision to reject liability; the model "
                        "derives no finding under it either"
                    ),
                )
            else:
                verdict, reason = (
                    NOT_COMPARABLE,
                    (
                        "the court applied this rule's provision, but the source does not say "
                        "whether it held the platform liable"
                    ),
                )
        elif status == "contingent":
            verdict, reason = (
                NOT_COMPARABLE,
                (
                    "contingent finding (breach or fault still to be proved) under a rule the "
                    "court did not apply"
                ),
            )
        elif court.liable is False:
            verdict, reason = MORE, "the court held the platform not liable"
        elif court.provisions:
            verdict, reason = MORE, "the court did not apply this rule's provisions"
        else:
            verdict, reason = (
                NOT_COMPARABLE,
                ("the source does not name the provisions the court applied"),
            )
        items.append(Item(RULE, rule, held, derived, verdict, reason))
    return items


def compare_files(
    paths: Iterable[Path], reference: Reference, root: Path | None = None
) -> list[CaseAgreement]:
    """Compare every case file; a file that is not one readable case graph is an InputError."""
    out = []
    for path in sorted(paths):
        name = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
        try:
            graph = Graph().parse(path, format="turtle")
        except (ParserError, SyntaxError, ValueError, OSError) as exc:
            raise InputError(f"{name}: cannot read the case graph ({exc})") from exc
        out.append(compare_case(graph, reference, name))
    return out


def totals(cases: Iterable[CaseAgreement]) -> dict[str, dict[str, int]]:
    """Counts per kind (and "all") and verdict."""
    counts = {kind: dict.fromkeys(VERDICTS, 0) for kind in (*KINDS, "all")}
    for case in cases:
        for item in case.items:
            counts[item.kind][item.verdict] += 1
            counts["all"][item.verdict] += 1
    return counts


def rate(counts: dict[str, int]) -> float | None:
    """Agreement among the comparable items: agree / (agree + more + less)."""
    comparable = counts[AGREE] + counts[MORE] + counts[LESS]
    return counts[AGREE] / comparable if comparable else None
