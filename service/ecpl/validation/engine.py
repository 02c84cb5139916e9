"""validate(graph) -> Report: the project's shapes and rules over one case graph.

Shapes, ontology and reference data are loaded once per process (:func:`resources`). Instead of
handing pyshacl the ontology on every call (it copies the schema into each data graph, ~4x
slower), what the shapes need from it is precomputed: the superclass closure, added as rdf:type
triples to a copy of the case graph, and the reference individuals the rules read (liability
rules, duties, doctrinal positions). Validation always runs on a plain in-memory rdflib graph:
over an Oxigraph-backed graph (oxrdflib) plain strings come back as ``"…"^^xsd:string``, which
rdflib holds unequal to plain literals, so pyshacl reported ``sh:in ("CNY")`` as violated, and
its RDFS inference raised a TypeError.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from pyshacl import Validator
from pyshacl.graph_abstraction import DataGraph
from pyshacl.shapes_graph import ShapesGraph
from rdflib import OWL, RDF, RDFS, SH, SKOS, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from ecpl import config, sources
from ecpl.iri import ECPL, SHAPES
from ecpl.validation.report import Finding, Report, Result, short
from ecpl.validation.timeline import Citation, FactDate, Timeline, case_of, fact_date

# Subjects typed with these classes are copied into every validated graph (the rules read them) ...
REFERENCE_CLASSES = (ECPL.LiabilityRule, ECPL.DoctrinalPosition)
# ... and only the properties the rules in shapes/rules.ttl read from them.
REFERENCE_PROPERTIES = (
    ECPL.liabilityForm,
    ECPL.liabilityNature,
    ECPL.faultPrinciple,
    ECPL.legalBasis,
    ECPL.fineMinCNY,
    ECPL.fineMaxCNY,
    ECPL.seriousFineMinCNY,
    ECPL.seriousFineMaxCNY,
    ECPL.fineGainsMultipleMin,
    ECPL.fineGainsMultipleMax,
    ECPL.fineMaxWithoutGainsCNY,
    ECPL.personalFineMinCNY,
    ECPL.personalFineMaxCNY,
    ECPL.seriousFineTurnoverPercentMax,
    ECPL.seriousPersonalFineMinCNY,
    ECPL.seriousPersonalFineMaxCNY,
    ECPL.aboutProvision,
    ECPL.claimsForm,
    ECPL.claimsNature,
    ECPL.withinPosition,
)
DECLARED_VOCABULARY_SHAPE = SHAPES.DeclaredVocabulary
KNOWN_CLASS_SHAPE = SHAPES.KnownClass
OMISSION_DATE_SHAPE = SHAPES.OmissionDate
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Resources:
    """Everything validation needs that does not depend on the case graph."""

    shapes: Graph
    shapes_wrapper: ShapesGraph
    superclasses: dict[Node, frozenset[Node]]
    reference: Graph
    declared: frozenset[URIRef]
    labels: dict[tuple[Node, str], str]
    shape_meta: dict[Node, ShapeMeta]
    timeline: Timeline
    rules: dict[str, RuleMeta]
    # classes a case graph may use: the project's and the external ones ontology/ declares
    classes: frozenset[URIRef] = frozenset()
    # (property, value, class): an owl:hasValue restriction that is a subclass of a named class
    implied: tuple[tuple[URIRef, URIRef, URIRef], ...] = ()


@dataclass(frozen=True)
class ShapeMeta:
    """What a shape checks and cites: its duty, its bases, and bases that depend on context."""

    duty: str | None
    bases: tuple[str, ...]
    # (provision, condition kind "Party" | "Value" | "Focus", class IRI)
    context: tuple[tuple[str, str, str], ...] = ()
    # a missing-evidence shape: the act it looks for and the property linking it (--explain)
    expected: tuple[str, str] | None = None


@dataclass(frozen=True)
class RuleMeta:
    """What the report says about a liability rule beyond the finding's triples."""

    bases: tuple[str, ...]
    analogical: tuple[str, ...]
    by_analogy: bool
    # rules that displace this one where they apply to the same facts (ecpl:displacedBy)
    displaced_by: tuple[str, ...] = ()


_lock = threading.Lock()


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _WorkGraph(Graph):
    """An in-memory graph that parses each SPARQL text once per process.

    pyshacl hands the SHACL-AF rules to ``Graph.query`` as strings, and rdflib's parser takes
    ~100 ms per rule per call; the parsed and translated query is reusable (it is what
    ``prepareQuery`` returns), so it is cached by its text.
    """

    def query(  # type: ignore[override]
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,
        initBindings: Mapping[str, Any] | None = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str) and not initNs and not kwargs.get("base"):
            query_object = _prepared(query_object)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


@cache
def resources(root: Path | None = None) -> Resources:
    """Load shapes, ontology and reference data once (per root) and precompute closures."""
    base = root or config.project_root()
    shapes = sources.load_graph(("shapes",), base)
    ontology = sources.load_graph(("ontology",), base)
    data = Graph()
    for source in sources.iter_sources(base, ("data",)):
        if source.path.parent.name in ("doctrine", "laws") or source.path.parent.name == "data":
            data.parse(source.path, format="turtle")
    known = ontology + data

    superclasses: dict[Node, frozenset[Node]] = {}
    for cls in set(ontology.subjects(RDFS.subClassOf, None)) | set(
        ontology.subjects(RDF.type, OWL.Class)
    ):
        if isinstance(cls, URIRef):
            closure = {
                c
                for c in ontology.transitive_objects(cls, RDFS.subClassOf)
                if isinstance(c, URIRef) and c != cls
            }
            superclasses[cls] = frozenset(closure)

    reference = Graph()
    for cls in REFERENCE_CLASSES:
        for subject in set(known.subjects(RDF.type, cls)):
            reference.add((subject, RDF.type, cls))
            for prop in REFERENCE_PROPERTIES:
                for value in known.objects(subject, prop):
                    reference.add((subject, prop, value))

    declared = frozenset(
        s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ECPL))
    )
    labels: dict[tuple[Node, str], str] = {}
    for graph in (known, shapes):
        for prop in (SKOS.prefLabel, RDFS.label):
            for subject, label in graph.subject_objects(prop):
                if isinstance(label, Literal) and label.language in ("zh", "en"):
                    labels.setdefault((subject, label.language), str(label))

    classes = frozenset(
        c
        for c in set(ontology.subjects(RDF.type, OWL.Class)) | set(superclasses)
        if isinstance(c, URIRef)
    )
    return Resources(
        classes=classes,
        implied=_implied(ontology),
        shapes=shapes,
        shapes_wrapper=ShapesGraph(shapes),
        superclasses=superclasses,
        reference=reference,
        declared=declared,
        labels=labels,
        shape_meta=_shape_meta(shapes),
        timeline=Timeline(data),
        rules=_rule_meta(known),
    )


def _implied(ontology: Graph) -> tuple[tuple[URIRef, URIRef, URIRef], ...]:
    """``[owl:onProperty p ; owl:hasValue v] rdfs:subClassOf C``: whatever has p v is a C.

    This is how ecpl:platformKind ecpl:FoodServicePlatform makes a platform an
    ecpl:OnlineFoodServicePlatformOperator (ontology/case-vocabulary.ttl); validation runs no
    OWL reasoner, so these few axioms are applied when the case graph is prepared.
    """
    out = []
    for restriction, cls in ontology.subject_objects(RDFS.subClassOf):
        prop = ontology.value(restriction, OWL.onProperty)
        value = ontology.value(restriction, OWL.hasValue)
        if isinstance(prop, URIRef) and isinstance(value, URIRef) and isinstance(cls, URIRef):
            out.append((prop, value, cls))
    return tuple(sorted(out))


def _rule_meta(known: Graph) -> dict[str, RuleMeta]:
    rules = {}
    for rule in set(known.subjects(RDF.type, ECPL.LiabilityRule)):
        flag = known.value(rule, ECPL.byAnalogy)
        rules[str(rule)] = RuleMeta(
            bases=tuple(sorted(str(b) for b in known.objects(rule, ECPL.legalBasis))),
            analogical=tuple(sorted(str(b) for b in known.objects(rule, ECPL.analogicalBasis))),
            by_analogy=isinstance(flag, Literal) and flag.toPython() is True,
            displaced_by=tuple(sorted(str(r) for r in known.objects(rule, ECPL.displacedBy))),
        )
    return rules


def _shape_meta(shapes: Graph) -> dict[Node, ShapeMeta]:
    """For every shape (node or property shape), the duty it checks and its legal bases."""
    meta: dict[Node, ShapeMeta] = {}
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    for shape in node_shapes:
        duty = shapes.value(shape, ECPL.checksDuty)
        bases = tuple(sorted(str(b) for b in shapes.objects(shape, ECPL.legalBasis)))
        context = []
        for node in shapes.objects(shape, ECPL.contextBasis):
            provision = shapes.value(node, ECPL.provision)
            for kind in ("Party", "Value", "Focus"):
                cls = shapes.value(node, ECPL[f"when{kind}OfClass"])
                if provision is not None and cls is not None:
                    context.append((str(provision), kind, str(cls)))
        act, link = shapes.value(shape, ECPL.expectedAct), shapes.value(shape, ECPL.expectedLink)
        expected = (str(act), str(link)) if act is not None and link is not None else None
        entry = ShapeMeta(str(duty) if duty else None, bases, tuple(sorted(context)), expected)
        meta[shape] = entry
        for prop in shapes.objects(shape, SH.property):
            own_duty = shapes.value(prop, ECPL.checksDuty)
            own_bases = tuple(sorted(str(b) for b in shapes.objects(prop, ECPL.legalBasis)))
            meta[prop] = ShapeMeta(
                str(own_duty) if own_duty else entry.duty, own_bases or bases, entry.context
            )
    return meta


def prepare(graph: Graph, res: Resources) -> Graph:
    """A copy of the case graph with the type closure and the reference individuals added."""
    work = _WorkGraph()
    add = work.add
    for triple in graph:
        add(triple)
    for prop, value, implied in res.implied:
        for subject in graph.subjects(prop, value):
            add((subject, RDF.type, implied))
    for subject, cls in list(work.subject_objects(RDF.type)):
        for sup in res.superclasses.get(cls, ()):
            add((subject, RDF.type, sup))
    for triple in res.reference:
        add(triple)
    return work


def validate(graph: Graph, *, root: Path | None = None) -> Report:
    """Validate one case graph with the project's shapes; derive findings with its rules."""
    res = resources(root)
    work = prepare(graph, res)
    dated = _date_omissions(work)
    validator = Validator(
        DataGraph.from_rdflib(work),
        shacl_graph=res.shapes,
        options={
            "advanced": True,
            "inplace": True,
            "allow_warnings": True,
            "inference": "none",
        },
    )
    validator.shacl_graph = res.shapes_wrapper  # reuse the parsed shapes across calls
    with _lock:  # ShapesGraph caches are shared; pyshacl is not thread-safe over them
        conforms, report_graph, _text = validator.run()
    results = (
        _in_force(_results(report_graph, res, work), work, res)
        + _undeclared(graph, res)
        + _unknown_classes(graph, res)
        + dated
    )
    findings, findings_graph, dropped = _findings(work, res)
    seen: set[tuple[str, str, str, str]] = set()
    for result in dropped:  # several findings of one rule may be dropped for the same reason
        if _order(result) not in seen:
            seen.add(_order(result))
            results.append(result)
    results = sorted(results, key=_order)
    conforms = not any(r.severity == "Violation" for r in results)

    def label(node: Node, lang: str) -> str:
        for key in ((node, lang), (node, "en" if lang == "zh" else "zh")):
            if key in res.labels:
                return res.labels[key]
        for value in graph.objects(node, RDFS.label):  # the case graph's own names
            if isinstance(value, Literal) and value.language in (lang, None):
                return str(value)
        return short(str(node))

    return Report(
        conforms=conforms,
        results=results,
        findings=findings,
        report_graph=report_graph,
        findings_graph=findings_graph,
        labeller=label,
        cases=sorted(str(c) for c in graph.subjects(RDF.type, ECPL.Case) if isinstance(c, URIRef)),
    )


def _order(result: Result) -> tuple[str, str, str, str]:
    return (result.severity, result.shape, result.focus_node, result.message.get("en", ""))


def _results(report: Graph, res: Resources, work: Graph) -> list[Result]:
    out = []
    party_classes = {
        cls for party in work.objects(None, ECPL.party) for cls in work.objects(party, RDF.type)
    }
    for node in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(node, SH.sourceShape)
        if shape is None:
            continue
        meta = res.shape_meta.get(shape, ShapeMeta(None, ()))
        message: dict[str, str] = {}
        for text in sorted(report.objects(node, SH.resultMessage), key=str):
            if isinstance(text, Literal):
                # pyshacl drops the language tag when it fills in {$this}/{?var}
                lang = text.language or ("zh" if _CJK.search(str(text)) else "en")
                message.setdefault(lang, str(text))
        if not message:
            message = {"en": "constraint not met", "zh": "不满足约束"}
        severity_node = report.value(node, SH.resultSeverity)
        severity = (
            _SEVERITIES.get(severity_node, "Violation")
            if isinstance(severity_node, URIRef)
            else "Violation"
        )
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        focus = report.value(node, SH.focusNode)
        bases = list(meta.bases)
        for provision, kind, cls in meta.context:
            subject = {"Value": value, "Focus": focus}.get(kind)
            applies = (
                URIRef(cls) in party_classes
                if kind == "Party"
                else subject is not None and (subject, RDF.type, URIRef(cls)) in work
            )
            if applies and provision not in bases:
                bases.append(provision)
        out.append(
            Result(
                advice=_advice(meta, severity, focus, value),
                focus_node=str(focus),
                shape=str(shape) if isinstance(shape, URIRef) else _named_parent(shape, res),
                severity=severity,
                message=message,
                legal_basis=sorted(bases),
                duty=meta.duty,
                path=str(path) if isinstance(path, URIRef) else None,
                value=str(value) if value is not None else None,
            )
        )
    return out


def _in_force(results: list[Result], work: Graph, res: Resources) -> list[Result]:
    """Cite only what was in force on the date of the facts; one result per focus and message.

    A violation none of whose bases was in force yet becomes a warning that says so (the duty
    was not the law then); the same holds for a missing-evidence warning.
    """
    out: dict[tuple[str, str, str, str], Result] = {}
    for result in results:
        if not result.legal_basis:  # a structural check: nothing to date
            out.setdefault(_order(result), result)
            continue
        focus = URIRef(result.focus_node)
        facts = fact_date(work, focus, case_of(work, focus))
        kept = [b for b in result.legal_basis if res.timeline.in_force(b, facts)]
        cited = [res.timeline.cite(b, facts) for b in kept]
        if result.legal_basis and not kept:
            if result.severity != "Violation":
                continue  # no evidence of an act no law then required: nothing to record
            result = _not_in_force(result, facts, res)
        else:
            result = replace(result, legal_basis=kept, citations=cited, facts_date=_facts(facts))
        out.setdefault(_order(result), result)
    return list(out.values())


def _facts(facts: FactDate) -> str | None:
    return None if facts.exact is None and facts.latest is None else str(facts)


def _not_in_force(result: Result, facts: FactDate, res: Resources) -> Result:
    names_zh = "、".join(res.timeline.cite(b, FactDate()).label["zh"] for b in result.legal_basis)
    names_en = ", ".join(res.timeline.cite(b, FactDate()).label["en"] for b in result.legal_basis)
    starts = sorted(d for b in result.legal_basis if (d := res.timeline.start(b)))
    since = starts[0].isoformat() if starts else "?"
    return replace(
        result,
        severity="Warning",
        legal_basis=[],
        citations=[],
        facts_date=_facts(facts),
        message={
            "zh": f"事实发生时（{facts}）{names_zh}均未施行（最早自 {since} 起施行），"
            "本项义务当时没有本图谱收录的法律依据，不构成违反。"
            f"原结论：{result.message.get('zh', '')}",
            "en": f"On the date of the facts ({facts}) none of {names_en} was in force yet "
            f"(the earliest from {since}): the duty had no basis in the law this graph holds, so "
            f"this is no breach. Would have been: {result.message.get('en', '')}",
        },
    )


def _named_parent(shape: Node, res: Resources) -> str:
    """A property shape given as a blank node is reported under its node shape's IRI."""
    for parent in res.shapes.subjects(SH.property, shape):
        return str(parent)
    return str(shape)


def _advice(
    meta: ShapeMeta, severity: str, focus: Node | None, value: Node | None
) -> dict[str, str]:
    """For a warning about a silent record: the fact to add (``ecpl validate --explain``)."""
    if severity != "Warning" or meta.expected is None:
        return {}
    act, link = (short(x) for x in meta.expected)
    # the act names the verified merchant (ecpl:subject); an omission answers the focus node
    target = short(str(value if link == "ecpl:subject" and value is not None else focus))
    missed = "ecpl:concerns" if link == "ecpl:concerns" else "ecpl:respondsTo"
    where = short(str(focus))
    return {
        "zh": f"若平台做了：添加一个 {act}（{link} {target}，附 ecpl:date 和 dcterms:source）；"
        f"若来源确认未做：添加一个 ecpl:Omission（ecpl:omittedAct {act}，{missed} {where}）；"
        "若案件图完整记录了平台的行为：在案件上写 ecpl:recordComplete true。",
        "en": f"If the platform did it: add an {act} ({link} {target}, with ecpl:date and "
        f"dcterms:source); if the source establishes it did not: add an ecpl:Omission "
        f"(ecpl:omittedAct {act}, {missed} {where}); if the graph records the platform's "
        "conduct completely: ecpl:recordComplete true on the case.",
    }


def _date_omissions(work: Graph) -> list[Result]:
    """An undated omission carries the date of the event it answers: when the act fell due.

    Only that default, and an sh:Info saying so, so that the date of the facts (the law in force)
    is the trigger's and the report shows where the date came from.
    """
    out = []
    for omission in sorted(set(work.subjects(RDF.type, ECPL.Omission)), key=str):
        if (omission, ECPL.date, None) in work:
            continue
        dates = sorted(
            (
                d
                for t in work.objects(omission, ECPL.respondsTo)
                for d in work.objects(t, ECPL.date)
                if isinstance(d, Literal)
            ),
            key=str,
        )
        if not dates:
            continue
        work.add((omission, ECPL.date, dates[0]))
        out.append(
            Result(
                focus_node=str(omission),
                shape=str(OMISSION_DATE_SHAPE),
                severity="Info",
                message={
                    "zh": f"不作为 {short(str(omission))} 没有日期：按其应回应的事件的日期"
                    f"（{dates[0]}，即行为应当作出之时）处理。",
                    "en": f"The omission {short(str(omission))} has no date: it takes the date "
                    f"of the event it should have answered ({dates[0]}, when the act fell due).",
                },
                value=str(dates[0]),
            )
        )
    return out


# RDF, RDFS and OWL's own classes may type nodes of a case graph (e.g. owl:NamedIndividual)
_BUILTIN_CLASS_SPACES = (str(RDF), str(RDFS), str(OWL))


def _unknown_classes(graph: Graph, res: Resources) -> list[Result]:
    """A class no ontology module declares is a case-graph error (a typo, or an external class
    that ontology/ would have to declare): the shapes and rules would silently not apply."""
    unknown = sorted(
        {
            cls
            for cls in graph.objects(None, RDF.type)
            if isinstance(cls, URIRef)
            and cls not in res.classes
            and not str(cls).startswith(_BUILTIN_CLASS_SPACES)
        }
    )
    out = []
    for cls in unknown:
        for subject in sorted(graph.subjects(RDF.type, cls), key=str):
            out.append(
                Result(
                    focus_node=str(subject),
                    shape=str(KNOWN_CLASS_SHAPE),
                    severity="Violation",
                    message={
                        "zh": f"{short(str(subject))} 的类别 {short(str(cls))} 不是本体声明的类"
                        "（拼写错误？外部类须先在 ontology/ 中声明）：案件图有误。",
                        "en": f"{short(str(subject))} is typed {short(str(cls))}, which no "
                        "ontology module declares (a typo? an external class must be declared in "
                        "ontology/ first): the case graph is malformed.",
                    },
                    path=str(RDF.type),
                    value=str(cls),
                )
            )
    return out


def _undeclared(graph: Graph, res: Resources) -> list[Result]:
    """Warn about ecpl: properties and individuals the ontology does not declare (likely typos);
    classes are :func:`_unknown_classes`'s."""
    used: set[URIRef] = set()
    for _subject, predicate, obj in graph:
        for term in (predicate, obj if predicate != RDF.type else None):
            if isinstance(term, URIRef) and term.startswith(str(ECPL)) and term not in res.declared:
                used.add(term)
    return [
        Result(
            focus_node=str(term),
            shape=str(DECLARED_VOCABULARY_SHAPE),
            severity="Warning",
            message={
                "zh": f"{short(str(term))} 不是本体中声明的术语（拼写错误？），已忽略。",
                "en": f"{short(str(term))} is not declared in the ontology (a typo?); ignored.",
            },
        )
        for term in sorted(used)
    ]


def _findings(work: Graph, res: Resources) -> tuple[list[Finding], Graph, list[Result]]:
    """The derived findings, each citing only provisions in force on the date it rests on.

    A finding whose rule's legal basis was not yet in force is dropped and reported as a warning;
    a finding under a rule that applies to platforms only by analogy says so (ecpl:byAnalogy).
    """
    findings: list[Finding] = []
    dropped: list[Result] = []
    triples = Graph()
    triples.bind("ecpl", ECPL)
    for node in sorted(set(work.subjects(RDF.type, ECPL.Finding)), key=str):
        _attach_rule(work, node)
        rule = str(work.value(node, ECPL.appliesRule) or "")
        meta = res.rules.get(rule, RuleMeta((), (), False))
        case = work.value(node, ECPL.inCase)
        trigger, facts = _deciding_fact(work, node, case)
        if meta.bases and not any(res.timeline.in_force(b, facts) for b in meta.bases):
            dropped.append(_rule_not_in_force(trigger or case or node, rule, meta, facts, res))
            continue
        sole = _sole_cause(work, node, case)
        if sole is not None:
            dropped.append(_no_causal_link(trigger or case or node, rule, sole, facts))
            continue
        findings.append(_finding(work, node, rule, meta, (trigger, facts), res, triples))
    findings, displaced = _displace(findings, res)
    for finding in displaced:
        triples.remove((URIRef(finding.iri), None, None))
        dropped.append(_displaced(finding))
    return findings, triples, dropped


def _deciding_fact(work: Graph, node: Node, case: Node | None) -> tuple[Node | None, FactDate]:
    """The fact whose date decides the law a finding applies: the latest dated fact it rests on.

    A finding may rest on several facts (a notice and the damage after it). Its liability is
    complete only with the last of them, and facts that run on past a change in the law are
    judged by the law in force when they are complete (our reading of the temporal-effect rule
    for continuing facts). Ties and undated facts are ordered by IRI, so the law applied never
    depends on the order a graph happens to list them in.
    """
    triggers = sorted(work.objects(node, ECPL.restsOn), key=str)
    if not triggers:
        return None, FactDate()
    dated = [(fact_date(work, trigger, case), trigger) for trigger in triggers]
    known = [(facts, trigger) for facts, trigger in dated if facts.exact is not None]
    if not known:
        return dated[0][1], dated[0][0]
    facts, trigger = max(known, key=lambda pair: (pair[0].exact, str(pair[1])))
    return trigger, facts


def _one(work: Graph, node: Node, prop: URIRef) -> str | None:
    value = work.value(node, prop)
    return str(value) if value is not None else None


def _many(work: Graph, node: Node, prop: URIRef) -> list[str]:
    return sorted(str(v) for v in work.objects(node, prop))


def _amount(work: Graph, node: Node, prop: URIRef) -> float | None:
    value = work.value(node, prop)
    if isinstance(value, Literal) and isinstance(value.toPython(), int | float | Decimal):
        return float(value.toPython())
    return None


def _finding(
    work: Graph,
    node: Node,
    rule: str,
    meta: RuleMeta,
    deciding: tuple[Node | None, FactDate],
    res: Resources,
    triples: Graph,
) -> Finding:
    """One finding that stands, citing the provisions in force on its facts' date; its triples
    (with those citations, and the analogy it rests on) go to ``triples``."""
    trigger, facts = deciding
    bases = sorted(
        {str(v) for v in work.objects(node, ECPL.legalBasis)} if isinstance(node, URIRef) else set()
    )
    bases = [b for b in bases if res.timeline.in_force(b, facts)]
    analogical = [b for b in meta.analogical if res.timeline.in_force(b, facts)]
    citations = [res.timeline.cite(b, facts) for b in bases]
    note = _analogy_note(analogical, facts, res) if meta.by_analogy else {}
    _add_finding_triples(work, node, bases, citations, analogical, note, meta.by_analogy, triples)

    def one(prop: URIRef) -> str | None:
        return _one(work, node, prop)

    def many(prop: URIRef) -> list[str]:
        return _many(work, node, prop)

    def amount(prop: URIRef) -> float | None:
        return _amount(work, node, prop)

    enlarged = work.value(node, ECPL.enlargedPartOnly)
    return Finding(
        iri=str(node),
        case=one(ECPL.inCase) or "",
        rule=rule,
        status=one(ECPL.findingStatus),
        duties=many(ECPL.dutyBreached),
        forms=many(ECPL.resultingForm),
        natures=many(ECPL.resultingNature),
        liable_party=one(ECPL.liablePartyInCase),
        co_liable_parties=many(ECPL.coLiablePartyInCase),
        recourse_against=many(ECPL.recourseAgainstParty),
        fault_principle=one(ECPL.findingFaultPrinciple),
        position=one(ECPL.underPosition),
        fine_min_cny=amount(ECPL.findingFineMinCNY),
        fine_max_cny=amount(ECPL.findingFineMaxCNY),
        serious_fine_min_cny=amount(ECPL.findingSeriousFineMinCNY),
        serious_fine_max_cny=amount(ECPL.findingSeriousFineMaxCNY),
        gains_multiple_min=amount(ECPL.findingGainsMultipleMin),
        gains_multiple_max=amount(ECPL.findingGainsMultipleMax),
        fine_max_without_gains_cny=amount(ECPL.findingFineMaxWithoutGainsCNY),
        personal_fine_min_cny=amount(ECPL.findingPersonalFineMinCNY),
        personal_fine_max_cny=amount(ECPL.findingPersonalFineMaxCNY),
        serious_turnover_percent_max=amount(ECPL.findingSeriousFineTurnoverPercentMax),
        serious_personal_fine_min_cny=amount(ECPL.findingSeriousPersonalFineMinCNY),
        serious_personal_fine_max_cny=amount(ECPL.findingSeriousPersonalFineMaxCNY),
        enlarged_part_only=isinstance(enlarged, Literal) and enlarged.toPython() is True,
        legal_basis=bases,
        citations=citations,
        by_analogy=meta.by_analogy,
        analogical_basis=analogical,
        analogy_note=note,
        rests_on=str(trigger) if trigger is not None else None,
        facts_date=_facts(facts),
    )


def _add_finding_triples(
    work: Graph,
    node: Node,
    bases: list[str],
    citations: list[Citation],
    analogical: list[str],
    note: dict[str, str],
    by_analogy: bool,
    triples: Graph,
) -> None:
    """The finding's triples as derived, with its legal basis replaced by the provisions in
    force (and the versions cited), and the analogy it rests on."""
    for triple in work.triples((node, None, None)):
        if triple[1] != ECPL.legalBasis:
            triples.add(triple)
    for basis in bases:
        triples.add((node, ECPL.legalBasis, URIRef(basis)))
    for citation in citations:
        if citation.version:
            triples.add((node, ECPL.citedVersion, URIRef(citation.version)))
    if by_analogy:
        triples.add((node, ECPL.byAnalogy, Literal(True)))
        for lang, text in note.items():
            triples.add((node, ECPL.analogyNote, Literal(text, lang=lang)))
    for basis in analogical:
        triples.add((node, ECPL.analogicalBasis, URIRef(basis)))


def _displace(findings: list[Finding], res: Resources) -> tuple[list[Finding], list[Finding]]:
    """Drop a subsidiary rule's finding where a rule displacing it found on the same facts."""
    made = {(f.rule, f.rests_on) for f in findings}
    kept, gone = [], []
    for finding in findings:
        meta = res.rules.get(finding.rule)
        if meta and any((other, finding.rests_on) in made for other in meta.displaced_by):
            gone.append(finding)
        else:
            kept.append(finding)
    return kept, gone


def _displaced(finding: Finding) -> Result:
    return Result(
        focus_node=finding.rests_on or finding.case,
        shape=str(SHAPES.LiabilityRules),
        severity="Info",
        message={
            "zh": f"{short(finding.rule)} 是补充性规定：同一事实已依特别规定认定，不再依其认定。",
            "en": f"{short(finding.rule)} is subsidiary: a special rule applies to the same facts, "
            "so there is no finding under it.",
        },
        facts_date=finding.facts_date,
        value=finding.rule,
    )


# What the law attaches to a rule, copied onto each of its findings unless the finding has its own
# (an ECL 38(2) position's form and nature; the ECL 80 item for the article breached).
_FROM_RULE = (
    (ECPL.liabilityForm, ECPL.resultingForm),
    (ECPL.liabilityNature, ECPL.resultingNature),
    (ECPL.faultPrinciple, ECPL.findingFaultPrinciple),
    (ECPL.legalBasis, ECPL.legalBasis),
    (ECPL.fineMinCNY, ECPL.findingFineMinCNY),
    (ECPL.fineMaxCNY, ECPL.findingFineMaxCNY),
    (ECPL.seriousFineMinCNY, ECPL.findingSeriousFineMinCNY),
    (ECPL.seriousFineMaxCNY, ECPL.findingSeriousFineMaxCNY),
    (ECPL.fineGainsMultipleMin, ECPL.findingGainsMultipleMin),
    (ECPL.fineGainsMultipleMax, ECPL.findingGainsMultipleMax),
    (ECPL.fineMaxWithoutGainsCNY, ECPL.findingFineMaxWithoutGainsCNY),
    (ECPL.personalFineMinCNY, ECPL.findingPersonalFineMinCNY),
    (ECPL.personalFineMaxCNY, ECPL.findingPersonalFineMaxCNY),
    (ECPL.seriousFineTurnoverPercentMax, ECPL.findingSeriousFineTurnoverPercentMax),
    (ECPL.seriousPersonalFineMinCNY, ECPL.findingSeriousPersonalFineMinCNY),
    (ECPL.seriousPersonalFineMaxCNY, ECPL.findingSeriousPersonalFineMaxCNY),
)


def _attach_rule(work: Graph, node: Node) -> None:
    rule = work.value(node, ECPL.appliesRule)
    if rule is None:
        return
    for source, target in _FROM_RULE:
        if (node, target, None) in work:
            continue
        for value in list(work.objects(rule, source)):
            work.add((node, target, value))


def _analogy_note(analogical: list[str], facts: FactDate, res: Resources) -> dict[str, str]:
    also_zh = "；另类推" + "、".join(res.timeline.cite(b, facts).label["zh"] for b in analogical)
    also_en = "; also by analogy: " + ", ".join(
        res.timeline.cite(b, facts).label["en"] for b in analogical
    )
    return {
        "zh": "类推适用：该条文义针对经营场所、公共场所的经营者、管理者和群众性活动的组织者，"
        "不涵盖网络平台；对平台适用系类推，结论是解释而非法律明文"
        + (also_zh if analogical else "")
        + "。",
        "en": "By analogy: the provision's words address operators and managers of business "
        "premises and public places and organisers of mass events, not online platforms; applying "
        "it to a platform is an analogy, a reading rather than the statute's words"
        + (also_en if analogical else "")
        + ".",
    }


def _sole_cause(work: Graph, finding: Node, case: Node | None) -> Node | None:
    """Who alone caused the damage, where that rules out this civil finding against the platform.

    Causation is an element of every civil rule: where the source finds each damage in the case
    caused solely by someone other than the party the finding holds liable (ecpl:solelyCausedBy,
    e.g. the hitch-ride driver), no civil finding stands. Administrative penalties do not turn on
    damage and are kept.
    """
    if case is None or (finding, ECPL.resultingForm, ECPL.AdministrativePenalty) in work:
        return None
    liable = work.value(finding, ECPL.liablePartyInCase)
    damages = [e for e in work.objects(case, ECPL.event) if (e, RDF.type, ECPL.Damage) in work]
    causes = [work.value(d, ECPL.solelyCausedBy) for d in damages]
    if not damages or any(c is None or c == liable for c in causes):
        return None
    return causes[0]


def _no_causal_link(focus: Node, rule: str, sole: Node, facts: FactDate) -> Result:
    return Result(
        focus_node=str(focus),
        shape=str(SHAPES.LiabilityRules),
        severity="Warning",
        message={
            "zh": f"来源认定损害完全由 {short(str(sole))} 造成，平台的行为与损害没有因果关系："
            f"不依 {short(rule)} 认定民事责任。",
            "en": f"The source finds the damage caused solely by {short(str(sole))}, so the "
            f"platform's conduct has no causal link to it: no civil finding under {short(rule)}.",
        },
        facts_date=_facts(facts),
        value=rule,
    )


def _rule_not_in_force(
    node: Node, rule: str, meta: RuleMeta, facts: FactDate, res: Resources
) -> Result:
    names_zh = "、".join(res.timeline.cite(b, FactDate()).label["zh"] for b in meta.bases)
    names_en = ", ".join(res.timeline.cite(b, FactDate()).label["en"] for b in meta.bases)
    starts = sorted(d for b in meta.bases if (d := res.timeline.start(b)))
    since = starts[0].isoformat() if starts else "?"
    return Result(
        focus_node=str(node),
        shape=str(SHAPES.LiabilityRules),
        severity="Warning",
        message={
            "zh": f"事实发生时（{facts}）{names_zh}尚未施行（自 {since} 起施行）："
            "不依该规则认定责任。",
            "en": f"On the date of the facts ({facts}) {names_en} was not yet in force (in force "
            f"from {since}): no finding under that rule.",
        },
        duty=None,
        facts_date=_facts(facts),
        value=rule,
    )
