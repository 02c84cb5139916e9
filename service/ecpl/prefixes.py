"""The prefixes the project writes RDF and SPARQL with: one table, for every serialiser.

Turtle, TriG and JSON-LD written by the service, the exports and the ontology pages bind the
same prefixes to the same namespaces (``bind``); SPARQL text built by the code starts with
``sparql_prologue``. The ecpl namespaces themselves are minted in :mod:`ecpl.iri`.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD, Graph, Namespace

from ecpl.iri import ECPL, SHAPES

ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")  # the formats' IRIs (ecpl.formats)

# prefix -> namespace; the order is the order written.
PREFIXES: dict[str, Namespace] = {
    "ecpl": ECPL,
    "shapes": SHAPES,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "sh": Namespace(str(SH)),
    "eli": ELI,
    "schema": SCHEMA,
    "void": VOID,
    "sd": SD,
    "formats": W3C_FORMATS,
}


def bind(graph: Graph, names: Iterable[str] | None = None, *, override: bool = False) -> Graph:
    """Bind the project's prefixes (all, or ``names``) on ``graph``; return it.

    ``override=False`` keeps a prefix the graph already binds to another namespace (e.g. one
    the user's own file declared).
    """
    for name in PREFIXES if names is None else names:
        graph.bind(name, PREFIXES[name], override=override)
    return graph


def sparql_prologue(names: Iterable[str]) -> str:
    """``PREFIX`` lines for SPARQL text, e.g. ``sparql_prologue(["ecpl", "rdfs"])``."""
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in names)
