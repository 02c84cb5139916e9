"""Every ``ecpl:`` term has a label in Chinese and in English (DESIGN: labels on everything)."""

from __future__ import annotations

from rdflib import RDFS, SKOS, Graph, Literal, URIRef

from ecpl.checks.problem import Problem, show
from ecpl.iri import ECPL

LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel)
LANGUAGES = ("zh", "en")


def ecpl_terms(graph: Graph) -> set[URIRef]:
    """Every IRI of the ``ecpl:`` vocabulary namespace that occurs in ``graph``, anywhere."""
    return {
        term
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and term.startswith(str(ECPL))
    }


def _has_label(graph: Graph, term: URIRef, language: str) -> bool:
    for prop in LABEL_PROPERTIES:
        for value in graph.objects(term, prop):
            lang = (value.language or "").lower() if isinstance(value, Literal) else ""
            if lang == language or lang.startswith(language + "-"):
                return True
    return False


def check_labels(graph: Graph) -> list[Problem]:
    """``graph`` is the union of ontology/, shapes/ and data/: terms used anywhere need labels."""
    problems = []
    for term in sorted(ecpl_terms(graph)):
        missing = [lang for lang in LANGUAGES if not _has_label(graph, term, lang)]
        if missing:
            langs = " and ".join(f"@{lang}" for lang in missing)
            problems.append(
                Problem("labels", show(term), f"no {langs} label (rdfs:label or skos:prefLabel)")
            )
    return problems
