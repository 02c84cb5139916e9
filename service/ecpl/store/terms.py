"""Conversions between pyoxigraph terms and rdflib terms, keeping lexical forms exactly."""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier, Node

from ecpl.errors import InputError

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
DEFAULT_GRAPH = ox.DefaultGraph()


def graph_node(graph: str) -> ox.NamedNode:
    """A graph name as a pyoxigraph term; InputError (400) when it is not an absolute IRI."""
    try:
        return ox.NamedNode(graph)
    except ValueError:
        raise InputError(f"graph name {graph!r} is not an absolute IRI") from None


def to_rdflib(term: object) -> Identifier:
    """An rdflib term for a pyoxigraph one; plain strings stay plain (no ``^^xsd:string``)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        # normalize=False: the engine's lexical form exactly ("2100"^^xsd:double stays 2100)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise TypeError(f"unsupported term {term!r}")  # RDF-star triples are not used here


def to_ox(term: Node) -> OxTerm:
    """A pyoxigraph term for an rdflib one."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        try:
            return ox.BlankNode(str(term))
        except ValueError:  # e.g. Virtuoso's "nodeID://b1001": keep identity, fix the spelling
            return ox.BlankNode(
                "b" + hashlib.sha1(str(term).encode(), usedforsecurity=False).hexdigest()[:24]
            )
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")
