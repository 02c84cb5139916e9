"""A linked-data page's description equals one computed in Python from the stored graphs.

The oracle reads every named graph of the service's store (``Store.get_graph``, no SPARQL) into
one rdflib graph and collects, by plain iteration, what a page shows: the resource's triples,
its inbound links (from IRIs), its axioms, its versions, the axioms citing it, and the labels of
every IRI next to it. :func:`ecpl.linkeddata.describe.describe` must give the same graph
through the engine — a rewrite of its query for speed cannot silently drop or add a triple.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import OWL, RDFS, SKOS, BNode, Graph, URIRef
from rdflib.compare import to_isomorphic
from rdflib.term import Node

from ecpl.config import Settings
from ecpl.iri import ECPL
from ecpl.linkeddata.access import StoreAccess
from ecpl.linkeddata.describe import describe
from ecpl.store import open_store

LAW = "https://w3id.org/ecpl/law/"
RESOURCES = [
    URIRef(LAW + "ecl/art/38/para/2"),  # cited by cases, rules and axioms
    URIRef(LAW + "csl/art/61"),  # has versions
    ECPL.EcommercePlatformOperator,  # a class with annotated axioms
    ECPL.NoticeAndActionDuty,  # a duty with its bases
    ECPL.legalBasis,  # a property: its uses are predicates, labelled too
]


@pytest.fixture(scope="module")
def access() -> Iterator[StoreAccess]:
    store = open_store(Settings(workers=1))
    yield StoreAccess(store)
    store.close()


@pytest.fixture(scope="module")
def union(access: StoreAccess) -> Graph:
    graph = Graph()
    for name in access.graph_names():
        for triple in access.named_graph(name):
            graph.add(triple)
    return graph


def expected(graph: Graph, r: URIRef) -> Graph:
    out = Graph()
    neighbours: set[Node] = set()
    for _, p, o in graph.triples((r, None, None)):
        out.add((r, p, o))
        neighbours |= {p, o}
    for s, q, _ in graph.triples((None, None, r)):
        neighbours |= {s, q}
        if not isinstance(s, BNode):
            out.add((s, q, r))
    for ax in graph.subjects(OWL.annotatedSource, r):
        for _, ap, ao in graph.triples((ax, None, None)):
            out.add((ax, ap, ao))
            neighbours |= {ap, ao}
    for v in graph.objects(r, ECPL.hasVersion):
        for _, vp, vo in graph.triples((v, None, None)):
            out.add((v, vp, vo))
    for cx in graph.subjects(ECPL.legalBasis, r):
        neighbours |= set(graph.objects(cx, None))
        parts = [graph.value(cx, p) for p in (OWL.annotatedSource, OWL.annotatedProperty)]
        targets = list(graph.objects(cx, OWL.annotatedTarget))
        if None not in parts and targets:
            out.add((cx, ECPL.legalBasis, r))
            out.add((cx, OWL.annotatedSource, parts[0]))
            out.add((cx, OWL.annotatedProperty, parts[1]))
            for target in targets:
                out.add((cx, OWL.annotatedTarget, target))
    for n in neighbours:
        if isinstance(n, URIRef):
            for lp in (RDFS.label, SKOS.prefLabel):
                for label in graph.objects(n, lp):
                    out.add((n, lp, label))
    return out


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: str(r).rsplit("/", 3)[-1])
def test_description_equals_the_python_oracle(
    access: StoreAccess, union: Graph, resource: URIRef
) -> None:
    want = expected(union, resource)
    assert len(want) > 5, "the oracle found almost nothing: is this resource in the data?"
    got = describe(access, resource)
    assert to_isomorphic(got) == to_isomorphic(want), (
        f"missing {len(want - got)}, extra {len(got - want)}"
    )
