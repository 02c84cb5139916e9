"""Suggestions for an IRI the graph does not know: the nearest existing parents and names alike.

A scholar who mistypes ``/law/ecl/art/38/para/3`` should land on links to ECL 38 and its
paragraphs, not on a bare 404.
"""

from __future__ import annotations

import re

from rdflib import RDFS, SKOS, Literal, URIRef

from ecpl import iri
from ecpl.linkeddata.access import GraphAccess
from ecpl.linkeddata.describe import label

LIMIT = 12
STARTING_POINTS: tuple[tuple[str, str], ...] = (
    ("/ontology", "本体文档 · Ontology documentation"),
    ("/shapes", "SHACL 形状 · Shapes"),
    *((f"/law/{key}", f"{key.upper()}") for key in iri.LAW_KEYS),
    ("/queries", "命名查询 · Named queries"),
    ("/sparql", "SPARQL"),
    ("/.well-known/void", "VoID"),
)
_NEEDLE = re.compile(r"[^a-z0-9-]+")


def _parents(requested: str) -> list[URIRef]:
    """``…/law/ecl/art/38/para/3`` -> ``…/art/38``, ``…/law/ecl`` (IRIs ending in a name)."""
    if not iri.is_ecpl(requested):
        return []
    rest = requested[len(iri.BASE) :].split("#", 1)[0]
    segments = rest.split("/")
    found = []
    for end in range(len(segments) - 1, 1, -1):
        found.append(URIRef(iri.BASE + "/".join(segments[:end])))
    return found


def suggestions(access: GraphAccess, requested: str) -> list[tuple[URIRef, str]]:
    """Existing resources near ``requested``, with display labels, parents first."""
    candidates = _parents(requested)
    tail = requested.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()
    needle = _NEEDLE.sub("", tail)
    values = " ".join(c.n3() for c in candidates)
    parts = []
    if candidates:
        parts.append(f"{{ VALUES ?s {{ {values} }} ?s ?p ?o }}")
    if len(needle) >= 3:
        parts.append(
            f"{{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), {Literal(iri.BASE).n3()})"
            f" && CONTAINS(LCASE(STR(?s)), {Literal(needle).n3()})) }}"
        )
    if not parts:
        return []
    query = f"""PREFIX rdfs: <{RDFS}> PREFIX skos: <{SKOS}>
CONSTRUCT {{ ?s a ?t . ?s rdfs:label ?l }} WHERE {{
  {{ SELECT DISTINCT ?s WHERE {{ {" UNION ".join(parts)} }} LIMIT {LIMIT * 4} }}
  OPTIONAL {{ ?s a ?t }} OPTIONAL {{ ?s rdfs:label ?l }}
}}"""
    graph = access.construct(query)
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    ordered = [c for c in candidates if c in subjects]
    ordered += sorted(subjects - set(ordered), key=str)
    return [(s, label(graph, s)) for s in ordered[:LIMIT]]
