"""Storing a case graph: parse, validate, keep it in its own named graph with its findings.

Shared by the Graph Store Protocol (``/data``) and ``ecpl load`` so both do the same thing:
the upload is parsed with the hardened reader (``ecpl.rdfio``), validated
(``ecpl.validation``), and the findings are kept in the paired ``…/findings`` graph so the
competency questions over findings see every stored case.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from ecpl import iri
from ecpl.errors import Forbidden, InputError
from ecpl.rdfio import parse_rdf
from ecpl.store.base import Store


@dataclass(frozen=True)
class Stored:
    graph: str
    triples: int
    findings: int  # triples in the paired findings graph
    created: bool


def check_case_graph_iri(graph: str) -> str:
    """Writes go only to case graphs (``…/graph/case/{slug}``), never to source graphs."""
    graph = graph.strip()
    if not graph.startswith(iri.CASE_GRAPH_PREFIX) or graph.endswith("/findings"):
        raise Forbidden(
            f"graph <{graph}> is not writable; store case graphs under {iri.CASE_GRAPH_PREFIX}"
            "{slug} (findings graphs are written by the service)"
        )
    slug = graph[len(iri.CASE_GRAPH_PREFIX) :]
    try:
        if iri.slug(slug) != slug:
            raise ValueError(slug)
    except ValueError:
        raise InputError(
            f"graph <{graph}>: the part after {iri.CASE_GRAPH_PREFIX} must be a slug "
            "(lower-case letters, digits, hyphens)"
        ) from None
    return graph


def parse_upload(
    data: bytes,
    *,
    media_type: str | None = None,
    filename: str | None = None,
    max_bytes: int,
) -> Graph:
    """The uploaded RDF as a graph, through the hardened reader (no DOCTYPE, no remote context)."""
    graph: Graph = parse_rdf(data, media_type=media_type, filename=filename, max_bytes=max_bytes)
    return graph


def findings_of(graph: Graph) -> Graph:
    """The validation report and findings for a case graph (pyshacl is imported on first use)."""
    from ecpl.validation import validate

    findings: Graph = validate(graph).graph()
    return findings


def store_case(store: Store, graph_iri: str, graph: Graph, *, replace: bool) -> Stored:
    """Put (``replace``) or add the case graph, then recompute its findings from the whole graph."""
    graph_iri = check_case_graph_iri(graph_iri)
    if len(graph) == 0 and not replace:
        raise InputError("the upload holds no triples")
    created = graph_iri not in store.graphs()
    if replace:
        store.put_graph(graph_iri, graph)
        full = graph
    else:
        store.add_graph(graph_iri, graph)
        full = store.get_graph(graph_iri)
    findings = findings_of(full)
    target = str(iri.findings_graph(graph_iri))
    store.put_graph(target, findings)
    return Stored(graph_iri, len(full), len(findings), created)


def delete_case(store: Store, graph_iri: str) -> None:
    """Remove a stored case graph and its findings."""
    graph_iri = check_case_graph_iri(graph_iri)
    store.delete_graph(graph_iri)
    target = str(iri.findings_graph(graph_iri))
    if target in store.graphs():
        store.delete_graph(target)
