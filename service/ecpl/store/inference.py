"""Materialised inferences, so scholars' queries need no property-path workarounds.

The closure covers exactly what DESIGN.md promises: ``rdfs:subClassOf`` and
``rdfs:subPropertyOf`` transitivity, ``rdf:type`` through superclasses, triples of
super-properties, and ``owl:inverseOf`` in both directions. Rules run as SPARQL CONSTRUCTs
over the union of all graphs (any engine) until nothing new appears; only IRIs count as
classes and properties (OWL restriction blank nodes are not classes a scholar asks for).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib.term import Node

Triple = tuple[Node, Node, Node]

# The predicates the rules read as schema: a write touching them needs a full recompute.
SCHEMA_PREDICATES = (
    "http://www.w3.org/2000/01/rdf-schema#subClassOf",
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf",
    "http://www.w3.org/2002/07/owl#inverseOf",
)

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

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
