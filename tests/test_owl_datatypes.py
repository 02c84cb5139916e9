"""The ontology stays inside the OWL 2 datatype map; dates are held to xsd:date by ``ecpl check``.

Expectations from the OWL 2 Structural Specification §4 (the datatype map has xsd:dateTime and
xsd:dateTimeStamp but not xsd:date or xsd:gYear) and §10 (annotations may carry any literal).
"""

from __future__ import annotations

import pytest
from rdflib import Graph

from ecpl.checks import project
from ecpl.checks.reasoner import datatype_map_problems, date_value_problems
from ecpl.config import project_root
from ecpl.iri import ECPL

PREFIXES = """
@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
ecpl:on a owl:DatatypeProperty .
"""


def graph(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


@pytest.mark.parametrize(
    ("turtle", "flagged"),
    [
        ("ecpl:on rdfs:range xsd:date .", "rdfs:range xsd:date"),
        (
            "ecpl:C owl:equivalentClass [ owl:onProperty ecpl:on ; owl:someValuesFrom xsd:gYear ].",
            "owl:someValuesFrom xsd:gYear",
        ),
        ('ecpl:x ecpl:on "2019-01-01"^^xsd:date .', '"2019-01-01"^^xsd:date'),
        ("ecpl:on rdfs:range xsd:dateTime .", None),
        ("ecpl:on rdfs:range xsd:dateTimeStamp .", None),
        ('<https://w3id.org/ecpl/ontology> dcterms:created "2026-11-25"^^xsd:date .', None),
        ("ecpl:on schema:rangeIncludes xsd:date .", None),
    ],
)
def test_datatypes_outside_the_owl2_map_are_found(turtle: str, flagged: str | None) -> None:
    found = datatype_map_problems(graph(turtle))
    if flagged is None:
        assert found == []
    else:
        assert len(found) == 1 and flagged in found[0].message


def test_shipped_ontology_is_inside_the_datatype_map() -> None:
    loaded, problems = project.load(project_root())
    assert problems == []
    assert datatype_map_problems(loaded.graph("ontology")) == []


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ('"2019-01-01"^^xsd:date', True),
        ('"2019-13-01"^^xsd:date', False),  # no 13th month
        ('"2019-01-01"', False),  # a plain string
        ('"2019-01-01T00:00:00"^^xsd:dateTime', False),
    ],
)
def test_date_values_are_xsd_dates(value: str, ok: bool) -> None:
    data = graph(f"ecpl:on schema:rangeIncludes xsd:date . ecpl:law ecpl:on {value} .")
    found = date_value_problems(data)
    assert (found == []) is ok
    if not ok:
        assert "xsd:date" in found[0].message and found[0].subject == "ecpl:law"


def test_shipped_dates_are_xsd_dates() -> None:
    loaded, _ = project.load(project_root())
    data = loaded.graph("ontology", "data")
    assert date_value_problems(data) == []
    ecl = "https://w3id.org/ecpl/law/ecl"
    assert any(str(s) == ecl for s, _ in data.subject_objects(ECPL.adoptedOn))  # dates are there
