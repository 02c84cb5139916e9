"""Materialised inferences, so scholars' queries need no property-path workarounds.

The closure is what a scholar would otherwise spell out in every query with property paths,
so that queries stay simple (consistency is HermiT's job in ``ecpl check``, not this one's):
``rdfs:subClassOf`` and ``rdfs:subPropertyOf`` transitivity, ``rdf:type`` through
superclasses, triples of super-properties, and ``owl:inverseOf`` in both directions. Rules
run as SPARQL CONSTRUCTs over the union of all graphs (any engine) until nothing new appears;
only IRIs count as classes and properties (OWL restriction blank nodes are not classes a
scholar asks for).

The embedded store keeps the closure in step with writes without recomputing it: the functions
below work on a pyoxigraph store and hand what to add to the store's own ``add`` (which keeps
its default graph, the merge, in step); the store holds its write lock around them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from ecpl import iri, prefixes
from ecpl.store.terms import to_ox, to_rdflib

Triple = tuple[Node, Node, Node]
OxTriple = tuple[Any, Any, Any]  # pyoxigraph subject, predicate, object
Add = Callable[[Iterable[OxTriple]], None]

INFERRED = ox.NamedNode(str(iri.INFERRED_GRAPH))

# The predicates the rules read as schema: a write touching them needs a full recompute.
SCHEMA_PREDICATES = (
    "http://www.w3.org/2000/01/rdf-schema#subClassOf",
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf",
    "http://www.w3.org/2002/07/owl#inverseOf",
)

PREFIXES = prefixes.sparql_prologue(["rdf", "rdfs", "owl"])

RULES: dict[str, str] = {
    "subclass-transitive": """CONSTRUCT { ?a rdfs:subClassOf ?c }
        WHERE { ?a rdfs:subClassOf/rdfs:subClassOf+ ?c
                FILTER(isIRI(?a) && isIRI(?c) && ?a != ?c) }""",
    "subproperty-transitive": """CONSTRUCT { ?a rdfs:subPropertyOf ?c }
        WHERE { ?a rdfs:subPropertyOf/rdfs:subPropertyOf+ ?c
                FILTER(isIRI(?a) && isIRI(?c) && ?a != ?c) }""",
    "type-through-subclass": """CONSTRUCT { ?x rdf:type ?d }
        WHERE { ?x rdf:type ?c . ?c rdfs:subClassOf+ ?d FILTER(isIRI(?d) && ?c != ?d) }""",
    "subproperty-triples": """CONSTRUCT { ?s ?q ?o }
        WHERE { ?p rdfs:subPropertyOf+ ?q FILTER(isIRI(?p) && isIRI(?q) && ?p != ?q) ?s ?p ?o }""",
    "inverse": """CONSTRUCT { ?o ?q ?s }
        WHERE { { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p }
                FILTER(isIRI(?p) && isIRI(?q)) ?s ?p ?o FILTER(!isLiteral(?o)) }""",
}


def materialise(
    construct: Callable[[str], Iterable[Triple]],
    contains: Callable[[Triple], bool],
    add: Callable[[set[Triple]], None],
    max_rounds: int = 10,
) -> int:
    """Run the rules to a fixpoint; ``add`` stores each round's new triples. Returns the count.

    ``construct`` runs a CONSTRUCT over everything (asserted and inferred so far) and
    ``contains`` tells whether a triple is already in the store.
    """
    total = 0
    for _ in range(max_rounds):
        new = {
            triple
            for rule in RULES.values()
            for triple in construct(PREFIXES + rule)
            if not contains(triple)
        }
        if not new:
            break
        add(new)
        total += len(new)
    return total


# -- the embedded store (pyoxigraph) --------------------------------------------------------
def touches_schema(predicates: Iterable[str]) -> bool:
    """Whether triples with these predicates change what every triple entails."""
    return any(p in SCHEMA_PREDICATES for p in predicates)


def constructor(store: ox.Store) -> Callable[[str], Iterable[Triple]]:
    """A CONSTRUCT runner over ``store``'s default graph yielding rdflib triples (for the rules)."""

    def construct(query: str) -> Iterable[Triple]:
        answer = store.query(query)
        if not isinstance(answer, ox.QueryTriples):  # the rules are CONSTRUCTs
            raise TypeError(f"a rule answered with {answer!r}, not triples")
        for t in answer:
            yield (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))

    return construct


def _found(store: ox.Store, triple: Triple) -> bool:
    s, p, o = (to_ox(term) for term in triple)
    return any(True for _ in store.quads_for_pattern(s, p, o, None))  # type: ignore[arg-type]


def _default_quads(triples: Iterable[OxTriple]) -> Iterable[ox.Quad]:
    return (ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples)


def _as_ox(triples: Iterable[Triple]) -> list[OxTriple]:
    return [(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]


def _insert_rule(construct: str) -> str:
    """A rule's CONSTRUCT as an update that stores what it derives and is not yet held, in the
    inferred graph and in the default graph (the merge), inside the engine."""
    head, _, where = construct.partition("WHERE")
    template = head.strip().removeprefix("CONSTRUCT").strip()[1:-1].strip()
    pattern = where.strip()[1:-1].strip()
    return (
        f"{PREFIXES}INSERT {{ GRAPH {INFERRED} {{ {template} }} {template} }} "
        f"WHERE {{ {pattern} FILTER NOT EXISTS {{ {template} }} }}"
    )


_INSERTS = tuple(_insert_rule(rule) for rule in RULES.values())


def closure(store: ox.Store, max_rounds: int = 10) -> int:
    """Derive the whole closure from ``store``'s default graph (the merge of all graphs) into
    the inferred graph; returns how many triples it holds.

    The same rules and fixpoint as :func:`materialise`, run as SPARQL updates in pyoxigraph:
    no term crosses into Python, which at 10,000 cases made a cold start take 20 s instead
    of 2. A rule may see what an earlier rule of the same round derived; the rules are
    monotonic, so the fixpoint is the same.
    """
    held = _count_inferred(store)
    for _ in range(max_rounds):
        for update in _INSERTS:
            store.update(update)
        before, held = held, _count_inferred(store)
        if held == before:
            break
    return held


def _count_inferred(store: ox.Store) -> int:
    answer = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {INFERRED} {{ ?s ?p ?o }} }}")
    assert isinstance(answer, ox.QuerySolutions)  # noqa: S101 - a SELECT
    return int(next(iter(answer))[0].value)


def schema_scratch(store: ox.Store) -> ox.Store:
    """A scratch store holding the schema triples (asserted and inferred) the rules read."""
    scratch = ox.Store()
    for predicate in SCHEMA_PREDICATES:
        scratch.extend(
            ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None)
        )
    return scratch


def added(store: ox.Store, graph: Graph, add: Add) -> int:
    """Add the inferences that ``graph``'s new triples entail, without a full recompute.

    Adding triples only adds inferences (the rules are monotonic), and instance triples
    entail nothing through each other except via the schema, so the rules run over the
    schema triples plus the new graph in a scratch store. The caller recomputes everything
    instead when ``graph`` changes the schema (:func:`touches_schema`).
    """
    scratch = schema_scratch(store)
    scratch.extend(_default_quads(_as_ox(graph)))

    def add_both(triples: set[Triple]) -> None:
        quads = _as_ox(triples)
        scratch.extend(_default_quads(quads))
        add(quads)

    return materialise(
        constructor(scratch),
        lambda triple: _found(scratch, triple) or _found(store, triple),
        add_both,
    )


def inverse_properties(store: ox.Store) -> set[str]:
    """Properties whose triples entail a triple about their object (via owl:inverseOf)."""
    answer = store.query(
        PREFIXES
        + """SELECT DISTINCT ?p WHERE {
            { ?q owl:inverseOf ?r } UNION { ?r owl:inverseOf ?q }
            ?p rdfs:subPropertyOf* ?q FILTER(isIRI(?p)) }"""
    )
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError(f"pyoxigraph answered a SELECT with {answer!r}")
    return {row["p"].value for row in answer if row["p"] is not None}


def supported_nodes(quads: Sequence[ox.Quad], inverse: set[str]) -> set[Any]:
    """The nodes whose inferences ``quads`` may support: their subjects, and the objects of
    inverse properties (every rule has one instance premise and keeps its node pair)."""
    return {q.subject for q in quads} | {
        q.object
        for q in quads
        if q.predicate.value in inverse and isinstance(q.object, ox.NamedNode | ox.BlankNode)
    }


def rederive(store: ox.Store, nodes: set[Any], inverse: set[str]) -> list[OxTriple]:
    """The inferences about ``nodes`` that the asserted triples still support.

    Called after a graph and the inferences about its nodes were dropped: the rules run on
    the schema plus the remaining asserted triples about those nodes; what they derive about
    the nodes, and no graph asserts, is to be restored.
    """
    asserted = [
        q
        for node in nodes
        for q in (
            *store.quads_for_pattern(node, None, None, None),
            *(
                q
                for predicate in inverse
                for q in store.quads_for_pattern(None, ox.NamedNode(predicate), node)
            ),
        )
        if q.graph_name not in (INFERRED, ox.DefaultGraph())
    ]
    scratch = schema_scratch(store)
    scratch.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in asserted)
    derived: set[Triple] = set()

    def add(triples: set[Triple]) -> None:
        derived.update(triples)
        scratch.extend(_default_quads(_as_ox(triples)))

    materialise(constructor(scratch), lambda triple: _found(scratch, triple), add)
    restored = []
    for subject, prop, obj in _as_ox(derived):
        if subject not in nodes:  # the others were never dropped
            continue
        if not any(True for _ in store.quads_for_pattern(subject, prop, obj, None)):
            restored.append((subject, prop, obj))  # else asserted in another graph
    return restored
