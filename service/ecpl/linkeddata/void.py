"""The VoID description served at ``/.well-known/void``.

It tells a crawler or another knowledge graph what is here: the dataset, one subset per named
graph with its triple count, the SPARQL endpoint, the licence, the vocabularies used and the
external vocabularies our mappings link to (as ``void:Linkset`` subsets).
"""

from __future__ import annotations

from rdflib import DCTERMS, RDF, SKOS, XSD, Graph, Literal, URIRef

from ecpl import __version__, iri, prefixes
from ecpl.linkeddata.access import GraphAccess
from ecpl.prefixes import VOID

# Namespaces of the external vocabularies our mappings point into, with a short name.
LINKED_VOCABULARIES: dict[str, str] = {
    "http://data.europa.eu/eli/ontology#": "ELI",
    "https://schema.org/": "schema.org",
    "https://w3id.org/dpv#": "DPV",
    "https://w3id.org/dpv/risk#": "DPV risk",
    "https://w3id.org/dpv/tech#": "DPV tech",
    "https://w3id.org/dpv/loc#": "DPV loc",
    "https://spec.edmcouncil.org/fibo/ontology/FND/Law/LegalCore/": "FIBO FND Law (LegalCore)",
    "https://spec.edmcouncil.org/fibo/ontology/FND/Law/LegalCapacity/": "FIBO FND Law (capacity)",
    "http://www.estrellaproject.org/lkif-core/norm.owl#": "LKIF-Core norm",
    "http://www.estrellaproject.org/lkif-core/legal-action.owl#": "LKIF-Core legal-action",
    "https://www.omg.org/spec/LCC/Countries/ISO3166-1-CountryCodes/": "OMG LCC ISO 3166-1",
    "http://www.wikidata.org/entity/": "Wikidata",
}
MAPPING_PROPERTIES = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")

_MAPPING_QUERY = f"""
PREFIX skos: <{SKOS}>
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  VALUES ?p {{ {" ".join(f"skos:{name}" for name in MAPPING_PROPERTIES)} }}
  ?s ?p ?o FILTER(isIRI(?o) && !STRSTARTS(STR(?o), "{iri.BASE}"))
}}"""


def _vocabulary_of(target: str) -> str | None:
    best = max((ns for ns in LINKED_VOCABULARIES if target.startswith(ns)), key=len, default=None)
    return best


def _licences(access: GraphAccess) -> list[URIRef]:
    query = (
        f"CONSTRUCT {{ {iri.ONTOLOGY_IRI.n3()} <{DCTERMS.license}> ?l }} "
        f"WHERE {{ {iri.ONTOLOGY_IRI.n3()} <{DCTERMS.license}> ?l FILTER(isIRI(?l)) }}"
    )
    return sorted(o for o in access.construct(query).objects() if isinstance(o, URIRef))


def void_graph(access: GraphAccess, service_root: str) -> Graph:
    """VoID for the graph as served at ``service_root`` (e.g. ``http://localhost:8000``)."""
    root = service_root.rstrip("/")
    dataset = iri.void_dataset(root)
    graph = prefixes.bind(Graph(), ("void", "dcterms"))
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add(
        (dataset, DCTERMS.title, Literal("ecpl：电子商务平台安全保障义务知识图谱", lang="zh"))
    )
    graph.add(
        (
            dataset,
            DCTERMS.title,
            Literal("ecpl: e-commerce platform safety-guarantee obligations", lang="en"),
        )
    )
    for licence in _licences(access):  # the ontology header's dcterms:license
        graph.add((dataset, DCTERMS.license, licence))
    graph.add((dataset, DCTERMS.hasVersion, Literal(__version__)))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(root + "/sparql")))
    graph.add((dataset, VOID.uriSpace, Literal(iri.BASE)))
    graph.add((dataset, VOID.rootResource, iri.ONTOLOGY_IRI))
    graph.add((dataset, VOID.dataDump, URIRef(root + "/export?format=trig")))
    graph.add((dataset, VOID.triples, Literal(access.triple_count(), datatype=XSD.integer)))
    for vocabulary in (iri.ECPL, SKOS, DCTERMS):
        graph.add((dataset, VOID.vocabulary, URIRef(str(vocabulary))))
    for name, size in access.graph_sizes().items():  # one count query, not one per graph
        subset = iri.void_subset(dataset, str(name))
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, VOID.triples, Literal(size, datatype=XSD.integer)))
        graph.add((subset, DCTERMS.identifier, Literal(str(name))))
        graph.add((subset, VOID.inDataset, dataset))
    links: dict[tuple[str, str], int] = {}
    for _s, mapping, target in access.construct(_MAPPING_QUERY):
        namespace = _vocabulary_of(str(target))
        if namespace is not None:
            key = (namespace, str(mapping))
            links[key] = links.get(key, 0) + 1
    for namespace in sorted({ns for ns, _ in links}):
        graph.add((dataset, VOID.vocabulary, URIRef(namespace)))
    for (namespace, predicate), count in sorted(links.items()):
        linkset = iri.void_linkset(dataset, LINKED_VOCABULARIES[namespace], predicate)
        graph.add((dataset, VOID.subset, linkset))
        graph.add((linkset, RDF.type, VOID.Linkset))
        graph.add((linkset, VOID.subjectsTarget, dataset))
        graph.add((linkset, VOID.objectsTarget, URIRef(namespace)))
        graph.add((linkset, VOID.linkPredicate, URIRef(predicate)))
        graph.add((linkset, VOID.triples, Literal(count, datatype=XSD.integer)))
        graph.add(
            (linkset, DCTERMS.title, Literal(f"ecpl → {LINKED_VOCABULARIES[namespace]}", lang="en"))
        )
    return graph
