"""Laws and provisions in ELI and schema.org terms, computed from the ecpl description.

Other legal knowledge graphs read ELI (``eli:LegalResource`` and subdivisions chained with
``eli:is_part_of``) or schema.org ``Legislation``. These descriptions are derived on demand
from the ecpl triples, never stored twice: the data stays in ``data/laws`` in ecpl terms.
In-force status is evaluated on a given date (default: today).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.term import Node

from ecpl.iri import ECPL
from ecpl.linkeddata.access import GraphAccess
from ecpl.prefixes import ELI, SCHEMA

CHINA = ECPL.China  # the jurisdiction individual of ontology/mappings.ttl

INSTRUMENT_CLASSES = (
    ECPL.LegalInstrument,
    ECPL.Law,
    ECPL.AdministrativeRegulation,
    ECPL.JudicialInterpretation,
)
SUBDIVISION_CLASSES = (ECPL.Article, ECPL.Paragraph, ECPL.Item)
PROFILES = ("eli", "schema")
_SOURCE_CLASSES = (*INSTRUMENT_CLASSES, *SUBDIVISION_CLASSES, ECPL.ProvisionVersion)

_PREFIXES = f"PREFIX ecpl: <{ECPL}> PREFIX rdfs: <{RDFS}> PREFIX skos: <{SKOS}>"
_CLASSES = " ".join(c.n3() for c in _SOURCE_CLASSES)
# Simple queries, one pattern each: fast on rdflib's engine as well as on oxigraph.
_SOURCE_QUERIES = (
    f"""{_PREFIXES}
CONSTRUCT {{ ?r a ?class ; ?p ?o }} WHERE {{
  VALUES ?class {{ {_CLASSES} }}
  ?r a ?class ; ?p ?o .
  FILTER(?p IN (ecpl:partOf, ecpl:inInstrument, ecpl:number, ecpl:issuedBy, ecpl:adoptedOn,
                ecpl:inForceFrom, ecpl:inForceUntil, ecpl:hasVersion, ecpl:versionNumber,
                rdfs:label, skos:prefLabel))
}}""",
    f"""{_PREFIXES}
CONSTRUCT {{ ?class rdfs:label ?label }} WHERE {{
  VALUES ?class {{ {_CLASSES} }} ?class rdfs:label ?label }}""",
    f"""{_PREFIXES}
CONSTRUCT {{ ?body rdfs:label ?label }} WHERE {{
  ?r ecpl:issuedBy ?body . ?body rdfs:label ?label }}""",
    f"""{_PREFIXES}
CONSTRUCT {{ ecpl:China ?p ?o }} WHERE {{
  VALUES ?p {{ rdfs:label skos:exactMatch }} ecpl:China ?p ?o }}""",
)


def legal_sources(access: GraphAccess) -> Graph:
    """The ecpl triples the ELI and schema.org views are computed from."""
    graph = Graph()
    for query in _SOURCE_QUERIES:
        for triple in access.construct(query):
            graph.add(triple)
    return graph


def _date(node: Node | None) -> dt.date | None:
    if isinstance(node, Literal):
        value = node.toPython()
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
    return None


def _ancestors(graph: Graph, resource: Node) -> list[Node]:
    """The resource, then what it is part of, up to the instrument (cycle-safe)."""
    chain: list[Node] = [resource]
    current: Node | None = resource
    while current is not None:
        current = graph.value(current, ECPL.partOf) or graph.value(current, ECPL.inInstrument)
        if current is None or current in chain:
            break
        chain.append(current)
    return chain


def in_force_on(graph: Graph, resource: Node, on: dt.date) -> bool | None:
    """In force on ``on``: the nearest own or inherited in-force interval decides."""
    for node in _ancestors(graph, resource):
        start = _date(graph.value(node, ECPL.inForceFrom))
        end = _date(graph.value(node, ECPL.inForceUntil))
        if start is None and end is None:
            continue
        return (start is None or start <= on) and (end is None or on <= end)
    return None


def _resources(graph: Graph, classes: tuple[URIRef, ...]) -> list[Node]:
    return sorted({r for c in classes for r in graph.subjects(RDF.type, c)}, key=str)


def _names(graph: Graph, resource: Node) -> list[Literal]:
    found = {o for p in (SKOS.prefLabel, RDFS.label) for o in graph.objects(resource, p)}
    return sorted((o for o in found if isinstance(o, Literal)), key=lambda lit: lit.language or "")


def _type_label(graph: Graph, resource: Node) -> list[Literal]:
    for cls in (ECPL.Law, ECPL.AdministrativeRegulation, ECPL.JudicialInterpretation):
        if (resource, RDF.type, cls) in graph:
            return [o for o in graph.objects(cls, RDFS.label) if isinstance(o, Literal)]
    return []


@dataclass(frozen=True)
class _Terms:
    """What one target vocabulary calls the things both views state about a law or provision."""

    legislation: URIRef  # type of every law and provision
    subdivision: URIRef | None  # extra type of a provision
    name: URIRef
    number: URIRef
    is_part_of: URIRef
    has_part: URIRef
    same_values: tuple[tuple[URIRef, URIRef], ...]  # (ecpl property, target property)
    jurisdiction: URIRef
    in_force: tuple[URIRef, URIRef, URIRef]  # (property, value if in force, value if not)


_ELI = _Terms(
    legislation=ELI.LegalResource,
    subdivision=ELI.LegalResourceSubdivision,
    name=ELI.title,
    number=ELI.number,
    is_part_of=ELI.is_part_of,
    has_part=ELI.has_part,
    same_values=(
        (ECPL.adoptedOn, ELI.date_document),
        (ECPL.inForceFrom, ELI.first_date_entry_in_force),
        (ECPL.inForceUntil, ELI.date_no_longer_in_force),
        (ECPL.issuedBy, ELI.passed_by),
    ),
    jurisdiction=ELI.jurisdiction,
    in_force=(ELI.in_force, ELI["InForce-inForce"], ELI["InForce-notInForce"]),
)
_SCHEMA = _Terms(
    legislation=SCHEMA.Legislation,
    subdivision=None,
    name=SCHEMA.name,
    number=SCHEMA.legislationIdentifier,
    is_part_of=SCHEMA.isPartOf,
    has_part=SCHEMA.hasPart,
    same_values=(
        (ECPL.adoptedOn, SCHEMA.legislationDate),
        (ECPL.inForceFrom, SCHEMA.legislationDateOfApplicability),
        (ECPL.inForceUntil, SCHEMA.expires),
        (ECPL.issuedBy, SCHEMA.legislationPassedBy),
    ),
    jurisdiction=SCHEMA.legislationJurisdiction,
    in_force=(SCHEMA.legislationLegalForce, SCHEMA.InForce, SCHEMA.NotInForce),
)


def _describe(sources: Graph, terms: _Terms, on: dt.date, out: Graph) -> list[Node]:
    """The statements both views share, in ``terms``; returns the instruments."""
    instruments = _resources(sources, INSTRUMENT_CLASSES)
    parts = [r for r in _resources(sources, SUBDIVISION_CLASSES) if r not in instruments]
    for resource in [*instruments, *parts]:
        out.add((resource, RDF.type, terms.legislation))
        if terms.subdivision is not None and resource not in instruments:
            out.add((resource, RDF.type, terms.subdivision))
        for name in _names(sources, resource):
            out.add((resource, terms.name, name))
        number = sources.value(resource, ECPL.number)
        if number is not None:
            out.add((resource, terms.number, Literal(str(number))))
        parent = sources.value(resource, ECPL.partOf)
        if parent is not None:
            out.add((resource, terms.is_part_of, parent))
            out.add((parent, terms.has_part, resource))
        for ours, theirs in terms.same_values:
            for obj in sources.objects(resource, ours):
                out.add((resource, theirs, obj))
        if resource in instruments:
            out.add((resource, terms.jurisdiction, CHINA))
        status = in_force_on(sources, resource, on)
        if status is not None:
            prop, yes, no = terms.in_force
            out.add((resource, prop, yes if status else no))
    return instruments


def eli_graph(sources: Graph, on: dt.date | None = None) -> Graph:
    """Laws as ``eli:LegalResource``, provisions as ``eli:LegalResourceSubdivision``."""
    out = Graph()
    out.bind("eli", ELI)
    out.bind("ecpl", ECPL)
    _describe(sources, _ELI, on or dt.date.today(), out)
    for resource in _resources(sources, (*INSTRUMENT_CLASSES, *SUBDIVISION_CLASSES)):
        for version in sources.objects(resource, ECPL.hasVersion):
            out.add((version, RDF.type, ELI.LegalExpression))
            out.add((version, ELI.realizes, resource))
            out.add((resource, ELI.is_realized_by, version))
            vnumber = sources.value(version, ECPL.versionNumber)
            if vnumber is not None:
                out.add((version, ELI.number, Literal(str(vnumber))))
            start = sources.value(version, ECPL.inForceFrom)
            if start is not None:
                out.add((version, ELI.version_date, start))
    for body in set(sources.objects(None, ECPL.issuedBy)):
        for body_label in sources.objects(body, RDFS.label):
            out.add((body, RDFS.label, body_label))
    for china_label in sources.objects(CHINA, RDFS.label):
        out.add((CHINA, RDFS.label, china_label))
    for same in sources.objects(CHINA, SKOS.exactMatch):
        out.add((CHINA, SKOS.exactMatch, same))
    return out


def schema_graph(sources: Graph, on: dt.date | None = None) -> Graph:
    """Laws and provisions as schema.org ``Legislation`` (pending terms of schema.org 30)."""
    out = Graph()
    out.bind("schema", SCHEMA)
    out.bind("ecpl", ECPL)
    for resource in _describe(sources, _SCHEMA, on or dt.date.today(), out):
        for type_label in _type_label(sources, resource):
            out.add((resource, SCHEMA.legislationType, type_label))
    for body in set(sources.objects(None, ECPL.issuedBy)):
        out.add((body, RDF.type, SCHEMA.GovernmentOrganization))
        for body_label in sources.objects(body, RDFS.label):
            out.add((body, SCHEMA.name, body_label))
    for china_label in sources.objects(CHINA, RDFS.label):
        out.add((CHINA, SCHEMA.name, china_label))
    if (CHINA, None, None) in out:
        out.add((CHINA, RDF.type, SCHEMA.Country))
        for same in sources.objects(CHINA, SKOS.exactMatch):
            out.add((CHINA, SCHEMA.sameAs, same))
    return out


def profile_graph(access: GraphAccess, profile: str, on: dt.date | None = None) -> Graph:
    """The ``eli`` or ``schema`` view of the laws in the graph."""
    sources = legal_sources(access)
    if profile == "eli":
        return eli_graph(sources, on)
    if profile == "schema":
        return schema_graph(sources, on)
    raise ValueError(f"unknown profile {profile!r}; expected one of {PROFILES}")
