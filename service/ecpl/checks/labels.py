"""Labels in Chinese and in English on everything the project names (DESIGN, modelling rules).

Covered: every IRI of the ``ecpl:`` vocabulary that occurs anywhere (declared or only used),
and every provision and doctrinal position declared in data/ (``…/law/…``, ``…/doctrine/…``:
the resources other graphs link to and scholars see in results). Case graphs are users' data
and are left to SHACL validation.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef

from ecpl.checks.problem import Problem, show
from ecpl.iri import DOCTRINE, ECPL, LAW

LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel)
LANGUAGES = ("zh", "en")
PUBLISHED = (str(LAW), str(DOCTRINE))


def ecpl_terms(graph: Graph) -> set[URIRef]:
    """Every IRI of the ``ecpl:`` vocabulary namespace that occurs in ``graph``, anywhere."""
    return {
        term
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and term.startswith(str(ECPL))
    }


def published_resources(data: Graph) -> set[URIRef]:
    """Laws, provisions and doctrinal positions typed in data/."""
    return {
        s
        for s in data.subjects(RDF.type)
        if isinstance(s, URIRef) and any(s.startswith(ns) for ns in PUBLISHED)
    }


def _has_label(graph: Graph, term: URIRef, language: str) -> bool:
    for prop in LABEL_PROPERTIES:
        for value in graph.objects(term, prop):
            lang = (value.language or "").lower() if isinstance(value, Literal) else ""
            if lang == language or lang.startswith(language + "-"):
                return True
    return False


def check_labels(graph: Graph, data: Graph | None = None) -> list[Problem]:
    """``graph``: ontology/ + shapes/ + data/; ``data``: data/ alone (for published resources)."""
    subjects = ecpl_terms(graph) | (published_resources(data) if data is not None else set())
    problems = []
    for term in sorted(subjects):
        missing = [lang for lang in LANGUAGES if not _has_label(graph, term, lang)]
        if missing:
            langs = " and ".join(f"@{lang}" for lang in missing)
            problems.append(
                Problem("labels", show(term), f"no {langs} label (rdfs:label or skos:prefLabel)")
            )
    return problems
