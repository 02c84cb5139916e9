"""Suggestions for an IRI the graph does not know: the nearest existing parents and names alike.

A scholar who mistypes ``/law/ecl/art/38/para/3`` should land on links to ECL 38 and its
paragraphs, not on a bare 404. Names alike are found in an index of the store's ecpl IRIs, built
once per data version (:mod:`ecpl.linkeddata.generation`): a 404 never scans the whole store.
"""

from __future__ import annotations

import re

from rdflib import RDFS, SKOS, Literal, URIRef

from ecpl import iri
from ecpl.linkeddata.access import GraphAccess
from ecpl.linkeddata.describe import label
from ecpl.linkeddata.generation import PerVersion, version

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
        found.append(iri.from_local_path("/".join(segments[:end])))
    return found


_indexes = PerVersion(size=4)
_KNOWN = URIRef("urn:x-ecpl:known")


def _index(access: GraphAccess) -> tuple[str, ...]:
    """Every ecpl IRI that is the subject of a triple, lower-cased with its original."""

    def build() -> tuple[str, ...]:
        base = Literal(iri.BASE).n3()
        query = f"""CONSTRUCT {{ ?s <{_KNOWN}> ?s }} WHERE {{
  SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), {base})) }}
}}"""
        return tuple(sorted(str(s) for s in access.construct(query).subjects()))

    if getattr(access, "store", None) is None:  # an rdflib dataset (tests, CLI): no cache
        return build()
    return _indexes.get(version(access), build)


def suggestions(access: GraphAccess, requested: str) -> list[tuple[URIRef, str]]:
    """Existing resources near ``requested``, with display labels, parents first."""
    candidates = _parents(requested)
    tail = requested.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()
    needle = _NEEDLE.sub("", tail)
    alike: list[URIRef] = []
    if len(needle) >= 3:
        for known in _index(access):
            if needle in known.lower():
                alike.append(URIRef(known))
                if len(alike) >= LIMIT * 4:
                    break
    chosen = list(dict.fromkeys([*candidates, *alike]))
    if not chosen:
        return []
    values = " ".join(c.n3() for c in chosen)
    query = f"""PREFIX rdfs: <{RDFS}> PREFIX skos: <{SKOS}>
CONSTRUCT {{ ?s a ?t . ?s rdfs:label ?l }} WHERE {{
  {{ SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }} }}
  OPTIONAL {{ ?s a ?t }} OPTIONAL {{ ?s rdfs:label ?l }}
}}"""
    graph = access.construct(query)
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    ordered = [c for c in candidates if c in subjects]
    ordered += sorted(subjects - set(ordered), key=str)
    return [(s, label(graph, s)) for s in ordered[:LIMIT]]
