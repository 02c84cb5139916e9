"""Path <-> IRI resolution and the not-found suggestions, as plain functions."""

from __future__ import annotations

import pytest
from rdflib import Dataset, URIRef

from ecpl.errors import NotFound
from ecpl.iri import ECPL, SHAPES
from ecpl.linkeddata import resolve, suggest
from ecpl.linkeddata.access import DatasetAccess


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/law/ecl/art/38/para/2", "https://w3id.org/ecpl/law/ecl/art/38/para/2"),
        (
            "/law/csl/art/21/version/2026-01-01",
            "https://w3id.org/ecpl/law/csl/art/21/version/2026-01-01",
        ),
        ("/case/zhou-v-kuaike", "https://w3id.org/ecpl/case/zhou-v-kuaike"),
        ("/doctrine/joint-liability", "https://w3id.org/ecpl/doctrine/joint-liability"),
        ("/source/seed-paper", "https://w3id.org/ecpl/source/seed-paper"),
        ("/term/Rule-ECL-38-2", str(ECPL["Rule-ECL-38-2"])),
        ("/shapes/QualificationReviewShape", str(SHAPES.QualificationReviewShape)),
    ],
)
def test_paths_name_iris(path: str, expected: str) -> None:
    assert resolve.resource_iri(path) == URIRef(expected)


@pytest.mark.parametrize(
    "path", ["/graph/x", "/law/ecl/../x", "/law/ecl/<x>", "/term/a/b", "/law/ecl//art", "/law/"]
)
def test_bad_paths_are_not_found(path: str) -> None:
    with pytest.raises(NotFound):
        resolve.resource_iri(path)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (str(ECPL.Duty), "/svc/term/Duty"),
        (str(SHAPES.X), "/svc/shapes/X"),
        ("https://w3id.org/ecpl/law/ecl/art/38", "/svc/law/ecl/art/38"),
        ("https://schema.org/Legislation", "https://schema.org/Legislation"),
        ("javascript:alert(1)", None),
        ("urn:isbn:123", None),
    ],
)
def test_links_stay_on_this_service(target: str, expected: str | None) -> None:
    assert resolve.href(target, "/svc/") == expected


def test_paths_and_links_round_trip() -> None:
    for target in (ECPL.Duty, SHAPES.S, URIRef("https://w3id.org/ecpl/law/cc/art/1198/para/2")):
        link = resolve.href(str(target), "/")
        assert link is not None
        assert resolve.resource_iri(link) == target


def test_suggestions_offer_existing_parents_first() -> None:
    dataset = Dataset()
    dataset.graph(URIRef("https://w3id.org/ecpl/graph/data/t")).parse(
        data="""
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/ecpl/law/ecl> rdfs:label "ECL"@en .
        <https://w3id.org/ecpl/law/ecl/art/38> rdfs:label "ECL Art. 38"@en .
        <https://w3id.org/ecpl/law/cc/art/1198> rdfs:label "CC Art. 1198"@en .
        <https://w3id.org/ecpl/ontology#EcommercePlatformOperator> rdfs:label "platform"@en .
        """,
        format="turtle",
    )
    found = suggest.suggestions(
        DatasetAccess(dataset), "https://w3id.org/ecpl/law/ecl/art/38/para/7"
    )
    iris = [str(iri) for iri, _label in found]
    assert iris[:2] == ["https://w3id.org/ecpl/law/ecl/art/38", "https://w3id.org/ecpl/law/ecl"]
    assert "https://w3id.org/ecpl/law/cc/art/1198" not in iris
    typo = "https://w3id.org/ecpl/ontology#PlatformOperator"
    by_name = suggest.suggestions(DatasetAccess(dataset), typo)
    assert [str(i) for i, _ in by_name] == [str(ECPL.EcommercePlatformOperator)]


def test_suggestions_quote_user_text_safely() -> None:
    dataset = Dataset()
    evil = 'https://w3id.org/ecpl/law/x") } DROP ALL #'
    assert suggest.suggestions(DatasetAccess(dataset), evil) == []
