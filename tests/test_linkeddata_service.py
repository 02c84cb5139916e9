"""Linked data on the real service (app factory + store loaded from the project files).

Samples of each kind of IRI that the project's own data defines; expected labels and
structure written by hand from DOMAIN.md and provisions.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from ecpl.iri import ECPL, LAW

FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
# path -> (IRI, a triple the description must hold, with None for "any")
SAMPLES = {
    "/law/ecl": (LAW["ecl"], (LAW["ecl"], RDF.type, ECPL.Law)),
    "/law/ecl/art/38": (
        URIRef(f"{LAW['ecl']}/art/38"),
        (URIRef(f"{LAW['ecl']}/art/38"), ECPL.partOf, LAW["ecl"]),
    ),
    "/law/ecl/art/38/para/2": (
        URIRef(f"{LAW['ecl']}/art/38/para/2"),
        (URIRef(f"{LAW['ecl']}/art/38/para/2"), ECPL.number, Literal(2)),
    ),
    "/law/csl/art/21/para/1/item/3": (
        URIRef(f"{LAW['csl']}/art/21/para/1/item/3"),
        (URIRef(f"{LAW['csl']}/art/21/para/1/item/3"), ECPL.number, Literal(3)),
    ),
    "/law/csl/art/21/version/2026-01-01": (
        URIRef(f"{LAW['csl']}/art/21/version/2026-01-01"),
        (URIRef(f"{LAW['csl']}/art/21/version/2026-01-01"), ECPL.versionNumber, Literal(23)),
    ),
    "/term/EcommercePlatformOperator": (
        ECPL.EcommercePlatformOperator,
        (ECPL.EcommercePlatformOperator, RDFS.subClassOf, ECPL.EcommerceOperator),
    ),
    "/term/QualificationReviewDuty": (
        ECPL.QualificationReviewDuty,
        (ECPL.QualificationReviewDuty, RDF.type, ECPL.Duty),
    ),
    "/term/China": (ECPL.China, (ECPL.China, RDFS.label, Literal("中华人民共和国", lang="zh"))),
}


@pytest.fixture(scope="module")
def client() -> Iterator[FlaskClient]:
    from ecpl.config import Settings
    from ecpl.web.app import create_app

    app = create_app(Settings.from_env(store="memory"))
    yield app.test_client()


@pytest.mark.parametrize("path", sorted(SAMPLES))
@pytest.mark.parametrize("media_type", sorted(FORMATS))
def test_project_iris_in_every_format(client: FlaskClient, path: str, media_type: str) -> None:
    resource, triple = SAMPLES[path]
    response = client.get(path, headers={"Accept": media_type})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == media_type
    graph = Graph().parse(data=response.data, format=FORMATS[media_type])
    assert triple in graph
    languages = {o.language for o in graph.objects(resource, RDFS.label)}
    assert {"zh", "en"} <= languages


@pytest.mark.parametrize("path", sorted(SAMPLES))
def test_project_iris_as_html(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert str(SAMPLES[path][0]) in response.get_data(as_text=True)


def test_csl_article_shows_both_numberings(client: FlaskClient) -> None:
    body = client.get("/law/csl/art/21", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/law/csl/art/21/version/2017-06-01"' in body
    assert 'href="/law/csl/art/21/version/2026-01-01"' in body
    assert "2025-12-31" in body  # the old numbering ends when the amendment takes effect


def test_statutory_term_reaches_rdf_clients(client: FlaskClient) -> None:
    response = client.get("/term/EcommercePlatformOperator", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.data, format="turtle")
    terms = {str(o) for o in graph.objects(ECPL.EcommercePlatformOperator, ECPL.statutoryTerm)}
    assert terms == {"电子商务平台经营者"}


def test_term_page_shows_mappings_and_definition(client: FlaskClient) -> None:
    body = client.get("/term/EcommercePlatformOperator", headers={"Accept": "text/html"})
    text = body.get_data(as_text=True)
    assert 'href="https://schema.org/OnlineMarketplace"' in text
    assert 'href="/law/ecl/art/9/para/2"' in text  # defined in ECL 9(2)


def test_ontology_documentation_and_owl(client: FlaskClient) -> None:
    page = client.get("/ontology", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<h1>电子商务平台安全保障义务与责任本体" in page  # the ontology's dcterms:title
    for name in ("Duty", "EcommercePlatformOperator", "SafetyGuaranteeObligation", "China"):
        assert f'id="{name}"' in page
    owl = client.get("/ontology", headers={"Accept": "application/rdf+xml"})
    graph = Graph().parse(data=owl.data, format="xml")
    assert (URIRef("https://w3id.org/ecpl/ontology"), RDF.type, OWL.Ontology) in graph
    assert (ECPL.China, None, None) in graph  # the mappings module is part of the merged file
    assert not any(str(s).startswith(str(LAW)) for s in graph.subjects())  # data stays out


def test_shapes_documentation(client: FlaskClient) -> None:
    response = client.get("/shapes", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert 'class="entry"' in response.get_data(as_text=True)


def test_void_names_every_loaded_graph(client: FlaskClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.data, format="turtle")
    identifiers = {
        str(o) for o in graph.objects(None, URIRef("http://purl.org/dc/terms/identifier"))
    }
    assert "https://w3id.org/ecpl/graph/ontology/mappings" in identifiers
    assert "https://w3id.org/ecpl/graph/data/laws/ecl" in identifiers
    licences = set(graph.objects(None, URIRef("http://purl.org/dc/terms/license")))
    assert licences == {URIRef("https://creativecommons.org/licenses/by/4.0/")}


def test_unknown_article_is_404_with_a_link_to_the_law(client: FlaskClient) -> None:
    response = client.get("/law/ecl/art/999", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert 'href="/law/ecl"' in response.get_data(as_text=True)


def test_export_route_serves_eli(client: FlaskClient) -> None:
    response = client.get("/export?profile=eli&format=turtle")
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format="turtle")
    eli = "http://data.europa.eu/eli/ontology#"
    assert (LAW["ecl"], RDF.type, URIRef(eli + "LegalResource")) in graph
    bad = client.get("/export?format=pdf", headers={"Accept": "text/plain"})
    assert bad.status_code == 400


def _project_iris() -> list[URIRef]:
    from ecpl import sources
    from ecpl.iri import BASE

    graph = sources.load_graph()
    found = {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(BASE)}
    return sorted(found - {URIRef(BASE + "ontology")})


def test_every_project_iri_has_a_path_on_the_service() -> None:
    from ecpl.linkeddata import resolve

    iris = _project_iris()
    assert len(iris) > 100
    for resource in iris:
        path = resolve.href(str(resource), "/")
        assert path is not None and path.startswith("/"), resource
        assert resolve.resource_iri(path) == resource


def test_a_spread_of_project_iris_dereferences(client: FlaskClient) -> None:
    from ecpl.linkeddata import resolve

    iris = _project_iris()
    for resource in iris[:: max(1, len(iris) // 60)]:
        path = resolve.href(str(resource), "/")
        assert path is not None
        response = client.get(path, headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, path
        assert (resource, None, None) in Graph().parse(data=response.data, format="nt")


def test_void_counts_every_graph_of_the_store(client: FlaskClient) -> None:
    """Per-graph counts come from one grouped query; the oracle is each graph as stored."""
    from ecpl.web.context import STORE_KEY

    response = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format="nt")
    identifier = URIRef("http://purl.org/dc/terms/identifier")
    counts = {
        str(graph.value(subset, identifier)): int(count)
        for subset, count in graph.subject_objects(URIRef("http://rdfs.org/ns/void#triples"))
        if graph.value(subset, identifier) is not None
    }
    store = client.application.extensions[STORE_KEY]
    assert counts == {name: len(store.get_graph(name)) for name in store.graphs()}
