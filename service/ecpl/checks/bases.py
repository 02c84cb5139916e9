"""Nothing is asserted without a legal basis (DESIGN, modelling rules).

Duties, liability rules and statutory terms cite a provision through ``ecpl:legalBasis``,
``ecpl:definedIn`` or ``ecpl:usedIn``; a doctrinal position names the provision it is about
through ``ecpl:aboutProvision``. Which provision is cited, and whether it exists, is the
``provisions`` check.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from ecpl.checks.problem import Problem, show
from ecpl.checks.project import instances
from ecpl.iri import ECPL

BASIS_PROPERTIES = (ECPL.legalBasis, ECPL.definedIn, ECPL.usedIn)


def _has_any(graph: Graph, subject: URIRef, properties: tuple[URIRef, ...]) -> bool:
    return any((subject, prop, None) in graph for prop in properties)


def check_legal_basis(graph: Graph) -> list[Problem]:
    """``graph`` is the union of ontology/ and data/ (subclass axioms decide what is a duty)."""
    problems: list[Problem] = []
    wanted = {
        "duty": instances(graph, [ECPL.Duty]),
        "liability rule": instances(graph, [ECPL.LiabilityRule]),
        "statutory term": {s for s in graph.subjects(ECPL.statutoryTerm) if isinstance(s, URIRef)},
    }
    for kind, subjects in wanted.items():
        for subject in sorted(subjects):
            if not _has_any(graph, subject, BASIS_PROPERTIES):
                problems.append(
                    Problem(
                        "legal-basis",
                        show(subject),
                        f"{kind} without a legal basis "
                        "(ecpl:legalBasis, ecpl:definedIn or ecpl:usedIn)",
                    )
                )
    for position in sorted(instances(graph, [ECPL.DoctrinalPosition])):
        if not _has_any(graph, position, (ECPL.aboutProvision,)):
            problems.append(
                Problem(
                    "legal-basis",
                    show(position),
                    "doctrinal position without ecpl:aboutProvision",
                )
            )
    return problems
