"""Every ``ecpl:`` term that is used is declared in ontology/ (no silent typos).

Declared means: the term is the subject of an ``rdf:type`` triple in ontology/ (owl:Class,
owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty, owl:NamedIndividual, or an
instance of a declared class). A term used in shapes/ or data/ but never declared is most often
a misspelt local name, which the store and SHACL would otherwise accept without a word.
"""

from __future__ import annotations

from rdflib import RDF, URIRef

from ecpl.checks.labels import ecpl_terms
from ecpl.checks.problem import Problem, show
from ecpl.checks.project import Project


def check_declared_terms(project: Project) -> list[Problem]:
    ontology = project.graph("ontology")
    declared = {s for s in ontology.subjects(RDF.type) if isinstance(s, URIRef)}
    problems = []
    for term in sorted(ecpl_terms(project.graph()) - declared):
        where = ", ".join(project.files_mentioning(term))
        problems.append(
            Problem(
                "declared-terms", show(term), f"used but not declared in ontology/ (in {where})"
            )
        )
    return problems
