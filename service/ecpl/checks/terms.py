"""Every ``ecpl:`` term that is used is declared in ontology/ (no silent typos).

Declared means an OWL 2 declaration in ontology/: the term is typed owl:Class,
owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty or owl:NamedIndividual, or it is
an individual of a class declared there (``ecpl:ExAnte a ecpl:DutyPhase``). A term used in
ontology/, shapes/ or data/ (as subject, predicate, class or object) without one is most often a
misspelt local name, which the store and SHACL would otherwise accept without a word.
"""

from __future__ import annotations

from rdflib import OWL, RDF, Graph, URIRef

from ecpl.checks.labels import ecpl_terms
from ecpl.checks.problem import Problem, show
from ecpl.checks.project import Project

DECLARATIONS = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
)


def declared_terms(ontology: Graph) -> set[URIRef]:
    """IRIs with a declaration in ``ontology`` (see the module docstring)."""
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    return {
        s
        for s, kind in ontology.subject_objects(RDF.type)
        if isinstance(s, URIRef) and (kind in DECLARATIONS or kind in classes)
    }


def check_declared_terms(project: Project) -> list[Problem]:
    declared = declared_terms(project.graph("ontology"))
    problems = []
    for term in sorted(ecpl_terms(project.graph()) - declared):
        where = ", ".join(project.files_mentioning(term))
        problems.append(
            Problem(
                "declared-terms", show(term), f"used but not declared in ontology/ (in {where})"
            )
        )
    return problems
