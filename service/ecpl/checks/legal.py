"""Legal soundness: rules derivable or said not to be, holdings in time, readings marked.

Three checks (issue 9), each over what the project states rather than what validation derives:

- every ecpl:LiabilityRule either has a derivation rule in shapes/ (an sh:SPARQLRule whose
  CONSTRUCT binds it as ``?rule``) or says why not (ecpl:notDerivableBecause, zh and en);
- a case's holding (ecpl:dutyFoundBreached) points to a duty at least one of whose legal bases was
  in force on the date of the case's facts (an event date, else the decision date or filing year);
- a liability rule, form or scope, or a doctrinal position, that rests on a scholarly source
  (dcterms:source an ecpl:ScholarlyWork) and still cites ecpl:legalBasis is a reading presented as
  statute unless it names who holds it (ecpl:heldBy).
"""

from __future__ import annotations

import re

from rdflib import RDF, SH, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from ecpl.checks.problem import Problem, show
from ecpl.checks.project import Project, instances
from ecpl.iri import ECPL
from ecpl.validation.timeline import FactDate, Timeline, as_date, latest_date

_BOUND_RULE = re.compile(r"BIND\s*\(\s*ecpl:(Rule-[A-Za-z0-9-]+)\s+AS\s+\?rule\s*\)")


def check_rule_derivations(ontology: Graph, shapes: Graph) -> list[Problem]:
    """Every liability rule has a derivation rule in shapes/ or a stated reason why not."""
    derived = {
        ECPL[name]
        for text in shapes.objects(None, SH.construct)
        for name in _BOUND_RULE.findall(str(text))
    }
    problems = []
    for rule in sorted(instances(ontology, [ECPL.LiabilityRule])):
        if rule in derived:
            continue
        reasons = {
            value.language
            for value in ontology.objects(rule, ECPL.notDerivableBecause)
            if isinstance(value, Literal)
        }
        if not {"zh", "en"} <= reasons:
            problems.append(
                Problem(
                    "derivation",
                    show(rule),
                    "liability rule without a derivation rule in shapes/ and without "
                    "ecpl:notDerivableBecause (zh and en) saying why it is not derived",
                )
            )
    return problems


def _facts_of_case(graph: Graph, case: URIRef) -> FactDate:
    events = graph.objects(case, ECPL.event)
    dates = [d for event in events if (d := as_date(graph.value(event, ECPL.date)))]
    return FactDate(min(dates) if dates else None, latest_date(graph, case))


def check_holdings_in_force(project: Project) -> list[Problem]:
    """A holding's breached duty must have had a basis in force on the date of the case's facts."""
    everything = project.graph()
    timeline = Timeline(project.graph("data"))
    problems = []
    cases = {s for s in everything.subjects(RDF.type, ECPL.Case) if isinstance(s, URIRef)}
    for case in sorted(cases):
        facts = _facts_of_case(everything, case)
        for holding in everything.objects(case, ECPL.holding):
            for duty in sorted(everything.objects(holding, ECPL.dutyFoundBreached), key=str):
                bases = [str(b) for b in everything.objects(duty, ECPL.legalBasis)]
                if bases and not any(timeline.in_force(b, facts) for b in bases):
                    problems.append(
                        Problem(
                            "in-force",
                            show(case),
                            f"holding finds {show(duty)} breached, but none of its legal bases "
                            f"was in force on the date of the facts ({facts})",
                        )
                    )
    return problems


def check_readings_marked(graph: Graph) -> list[Problem]:
    """A finding basis resting on scholarship that cites ecpl:legalBasis must say who holds it."""
    scholarly = instances(graph, [ECPL.ScholarlyWork])
    kinds = [ECPL.LiabilityRule, ECPL.LiabilityForm, ECPL.LiabilityScope, ECPL.DoctrinalPosition]
    problems = []
    for subject in sorted(instances(graph, kinds)):
        sources = set(graph.objects(subject, DCTERMS.source))
        if not sources & scholarly or (subject, ECPL.legalBasis, None) not in graph:
            continue
        if (subject, ECPL.heldBy, None) not in graph:
            problems.append(
                Problem(
                    "reading",
                    show(subject),
                    "rests on a scholarly source yet cites ecpl:legalBasis as if statute: mark it "
                    "as a reading (ecpl:readingOf the provision, ecpl:heldBy who holds it)",
                )
            )
    return problems
