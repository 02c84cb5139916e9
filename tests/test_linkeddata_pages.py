"""Linked-data pages over a small hand-written graph: every kind of IRI, every RDF format.

The graph is injected into the blueprint (``ACCESS_KEY``), so these tests do not depend on the
ontology and data files other engineers are still writing; ``test_linkeddata_service.py``
runs the same kind of requests against the real store.
"""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import RDF, RDFS, SKOS, Dataset, Graph, Literal, URIRef

from ecpl.iri import BASE, ECPL, SHAPES, TEXT_GRAPH
from ecpl.linkeddata import web
from ecpl.linkeddata.access import DatasetAccess
from ecpl.web import errors

ONTOLOGY_GRAPH = URIRef(BASE + "graph/ontology/test")
DATA_GRAPH = URIRef(BASE + "graph/data/test")
SHAPES_GRAPH = URIRef(BASE + "graph/shapes/test")

ONTOLOGY_TTL = """
@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix fibo: <https://spec.edmcouncil.org/fibo/ontology/FND/Law/LegalCapacity/> .
<https://w3id.org/ecpl/ontology> a owl:Ontology ; rdfs:label "ecpl 本体"@zh , "ecpl ontology"@en ;
    <http://purl.org/dc/terms/license> <https://creativecommons.org/licenses/by/4.0/> .
ecpl:Duty a owl:Class ; rdfs:label "义务"@zh , "duty"@en ;
    skos:definition "测试定义"@zh , "A test definition."@en .
ecpl:Actor a owl:Class ; rdfs:label "主体"@zh , "actor"@en .
ecpl:EcommercePlatformOperator a owl:Class ; rdfs:subClassOf ecpl:Actor ;
    rdfs:label "电子商务平台经营者"@zh , "e-commerce platform operator"@en ;
    ecpl:statutoryTerm "电子商务平台经营者"@zh ;
    ecpl:definedIn <https://w3id.org/ecpl/law/ecl/art/9/para/2> .
[] a owl:Axiom ; owl:annotatedSource ecpl:EcommercePlatformOperator ;
    owl:annotatedProperty rdfs:subClassOf ; owl:annotatedTarget ecpl:Actor ;
    ecpl:legalBasis <https://w3id.org/ecpl/law/ecl/art/9/para/1> .
ecpl:partOf a owl:ObjectProperty ; rdfs:label "属于"@zh , "part of"@en .
ecpl:legalBasis a owl:AnnotationProperty ; rdfs:label "法律依据"@zh , "legal basis"@en .
ecpl:QualificationReviewDuty a owl:NamedIndividual , ecpl:Duty ;
    rdfs:label "资质资格审核义务"@zh , "qualification-review duty"@en ;
    ecpl:legalBasis <https://w3id.org/ecpl/law/ecl/art/38/para/2> ;
    skos:broadMatch fibo:LegalObligation .
"""

DATA_TTL = """
@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix law: <https://w3id.org/ecpl/law/> .
law:ecl a ecpl:Law ; rdfs:label "中华人民共和国电子商务法"@zh , "E-Commerce Law"@en ;
    ecpl:adoptedOn "2018-08-31"^^xsd:date ; ecpl:inForceFrom "2019-01-01"^^xsd:date .
<https://w3id.org/ecpl/law/ecl/art/38> a ecpl:Article ; ecpl:number 38 ; ecpl:partOf law:ecl ;
    rdfs:label "电子商务法第三十八条"@zh , "ECL Art. 38"@en .
<https://w3id.org/ecpl/law/ecl/art/38/para/2> a ecpl:Paragraph ; ecpl:number 2 ;
    ecpl:partOf <https://w3id.org/ecpl/law/ecl/art/38> ;
    rdfs:label "电子商务法第三十八条第二款"@zh , "ECL Art. 38(2)"@en .
<https://w3id.org/ecpl/law/ecl/art/9/para/1> a ecpl:Paragraph ; rdfs:label "ECL Art. 9(1)"@en .
<https://w3id.org/ecpl/law/ecl/art/9/para/2> a ecpl:Paragraph ; rdfs:label "ECL Art. 9(2)"@en .
law:csl a ecpl:Law ; rdfs:label "网络安全法"@zh , "Cybersecurity Law"@en ;
    ecpl:inForceFrom "2017-06-01"^^xsd:date .
<https://w3id.org/ecpl/law/csl/art/21> a ecpl:Article ; ecpl:number 21 ; ecpl:partOf law:csl ;
    rdfs:label "网络安全法第二十一条"@zh , "CSL Art. 21"@en ;
    ecpl:hasVersion <https://w3id.org/ecpl/law/csl/art/21/version/2026-01-01> .
<https://w3id.org/ecpl/law/csl/art/21/para/1> a ecpl:Paragraph ; ecpl:number 1 ;
    ecpl:partOf <https://w3id.org/ecpl/law/csl/art/21> ; rdfs:label "CSL Art. 21(1)"@en .
<https://w3id.org/ecpl/law/csl/art/21/para/1/item/3> a ecpl:Item ; ecpl:number 3 ;
    ecpl:partOf <https://w3id.org/ecpl/law/csl/art/21/para/1> ;
    rdfs:label "网络安全法第二十一条第一款第三项"@zh , "CSL Art. 21(1) item 3"@en .
<https://w3id.org/ecpl/law/csl/art/21/version/2026-01-01> a ecpl:ProvisionVersion ;
    rdfs:label "网络安全法第二十三条（2025年修改后）"@zh , "CSL Art. 23 (as amended 2025)"@en ;
    ecpl:versionNumber 23 ; ecpl:inForceFrom "2026-01-01"^^xsd:date .
<https://w3id.org/ecpl/case/zhou-v-kuaike> a ecpl:Case ;
    rdfs:label "周某与快客公司网络侵权纠纷案"@zh , "Zhou v. Kuaike <script>alert(1)</script>"@en ;
    rdfs:seeAlso <javascript:alert(2)> .
<https://w3id.org/ecpl/doctrine/supplementary-liability> a ecpl:DoctrinalPosition ;
    rdfs:label "补充责任说"@zh , "supplementary-liability thesis"@en ;
    ecpl:aboutProvision <https://w3id.org/ecpl/law/ecl/art/38/para/2> ;
    dcterms:source <https://w3id.org/ecpl/source/seed-paper> .
<https://w3id.org/ecpl/source/seed-paper> rdfs:label "种子论文"@zh , "seed paper"@en .
"""

SHAPES_TTL = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
<https://w3id.org/ecpl/shapes#QualificationReviewShape> a sh:NodeShape ;
    rdfs:label "资质审核形状"@zh , "qualification review shape"@en ;
    sh:targetClass ecpl:Case ;
    ecpl:legalBasis <https://w3id.org/ecpl/law/ecl/art/38/para/2> .
"""

TEXT = "（测试用占位文本，不是法条）"

LAW = "https://w3id.org/ecpl/law/"
SAMPLES: dict[str, tuple[str, URIRef, str]] = {
    # kind: (path, IRI, an English label the description must carry)
    "class": ("/term/Duty", ECPL.Duty, "duty"),
    "property": ("/term/partOf", ECPL.partOf, "part of"),
    "individual": (
        "/term/QualificationReviewDuty",
        ECPL.QualificationReviewDuty,
        "qualification-review duty",
    ),
    "law": ("/law/ecl", URIRef(LAW + "ecl"), "E-Commerce Law"),
    "article": ("/law/ecl/art/38", URIRef(LAW + "ecl/art/38"), "ECL Art. 38"),
    "paragraph": ("/law/ecl/art/38/para/2", URIRef(LAW + "ecl/art/38/para/2"), "ECL Art. 38(2)"),
    "item": (
        "/law/csl/art/21/para/1/item/3",
        URIRef(LAW + "csl/art/21/para/1/item/3"),
        "CSL Art. 21(1) item 3",
    ),
    "version": (
        "/law/csl/art/21/version/2026-01-01",
        URIRef(LAW + "csl/art/21/version/2026-01-01"),
        "CSL Art. 23 (as amended 2025)",
    ),
    "case": (
        "/case/zhou-v-kuaike",
        URIRef(BASE + "case/zhou-v-kuaike"),
        "Zhou v. Kuaike <script>alert(1)</script>",
    ),
    "position": (
        "/doctrine/supplementary-liability",
        URIRef(BASE + "doctrine/supplementary-liability"),
        "supplementary-liability thesis",
    ),
    "shape": (
        "/shapes/QualificationReviewShape",
        SHAPES.QualificationReviewShape,
        "qualification review shape",
    ),
    "source": ("/source/seed-paper", URIRef(BASE + "source/seed-paper"), "seed paper"),
}
FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}


def fixture_dataset() -> Dataset:
    dataset = Dataset()
    dataset.graph(ONTOLOGY_GRAPH).parse(data=ONTOLOGY_TTL, format="turtle")
    dataset.graph(DATA_GRAPH).parse(data=DATA_TTL, format="turtle")
    dataset.graph(SHAPES_GRAPH).parse(data=SHAPES_TTL, format="turtle")
    dataset.graph(TEXT_GRAPH).add(
        (URIRef(LAW + "ecl/art/38/para/2"), ECPL.text, Literal(TEXT, lang="zh"))
    )
    return dataset


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    app = Flask("test-linkeddata")
    app.extensions[web.ACCESS_KEY] = DatasetAccess(fixture_dataset())
    errors.register(app)  # the service's error responses (406 for an unknown format)
    app.register_blueprint(web.bp)
    return app.test_client()


@pytest.mark.parametrize("kind", sorted(SAMPLES))
@pytest.mark.parametrize("media_type", sorted(FORMATS))
def test_every_kind_in_every_rdf_format(client: FlaskClient, kind: str, media_type: str) -> None:
    path, resource, label = SAMPLES[kind]
    response = client.get(path, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.headers["Vary"]
    graph = Graph().parse(data=response.data, format=FORMATS[media_type])
    assert (resource, RDFS.label, Literal(label, lang="en")) in graph


@pytest.mark.parametrize("name", ["ttl", "jsonld", "rdfxml", "nt"])
def test_format_parameter_wins_over_accept(client: FlaskClient, name: str) -> None:
    response = client.get(f"/law/ecl/art/38?format={name}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype != "text/html"


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_kind_has_an_html_page(client: FlaskClient, kind: str) -> None:
    path, resource, _label = SAMPLES[kind]
    response = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert str(resource) in body
    assert "<script>alert" not in body  # data is escaped


def test_non_http_iris_never_become_links(client: FlaskClient) -> None:
    body = client.get("/case/zhou-v-kuaike", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "javascript:alert(2)" in body  # shown as text
    assert 'href="javascript:' not in body


def test_paragraph_page_shows_links_on_this_host_text_and_who_points_here(
    client: FlaskClient,
) -> None:
    body = client.get("/law/ecl/art/38/para/2", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert 'href="/law/ecl/art/38"' in body  # part of, linked on the service
    assert 'href="/term/QualificationReviewDuty"' in body  # what points here (legal basis)
    assert 'href="/doctrine/supplementary-liability"' in body
    assert TEXT in body  # imported statute text is shown
    assert 'href="https://w3id.org/ecpl/' not in body
    alternate = '<link rel="alternate" type="text/turtle" href="/law/ecl/art/38/para/2?format=ttl"'
    assert alternate in body
    assert (
        '<link rel="alternate" type="text/turtle" href="/law/ecl/art/38/para/2?format=ttl"' in body
    )


def test_term_page_shows_labels_definition_basis_and_axiom_basis(client: FlaskClient) -> None:
    body = client.get("/term/EcommercePlatformOperator", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert "电子商务平台经营者" in body and "e-commerce platform operator" in body
    assert 'href="/law/ecl/art/9/para/2"' in body  # definedIn
    assert 'href="/law/ecl/art/9/para/1"' in body  # basis of the subClassOf axiom
    duty = client.get("/term/Duty", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "A test definition." in duty and "测试定义" in duty


def test_provision_page_lists_the_relations_resting_on_it(client: FlaskClient) -> None:
    body = client.get("/law/ecl/art/9/para/1", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert "Relations resting on this provision" in body
    section = body.split("Relations resting on this provision", 1)[1]
    assert 'href="/term/EcommercePlatformOperator"' in section
    assert 'href="/term/Actor"' in section


def test_mappings_are_shown_as_external_links(client: FlaskClient) -> None:
    body = client.get("/term/QualificationReviewDuty", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    fibo = "https://spec.edmcouncil.org/fibo/ontology/FND/Law/LegalCapacity/LegalObligation"
    assert f'href="{fibo}"' in body
    assert "broadMatch" in body


def test_article_page_shows_version_history(client: FlaskClient) -> None:
    body = client.get("/law/csl/art/21", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Version history" in body
    assert 'href="/law/csl/art/21/version/2026-01-01"' in body
    assert "2026-01-01" in body and ">23<" in body


def test_rdf_description_includes_incoming_links_and_versions(client: FlaskClient) -> None:
    response = client.get("/law/csl/art/21", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.data, format="turtle")
    article = URIRef(LAW + "csl/art/21")
    version = URIRef(LAW + "csl/art/21/version/2026-01-01")
    assert (URIRef(LAW + "csl/art/21/para/1"), ECPL.partOf, article) in graph
    assert (version, ECPL.versionNumber, Literal(23)) in graph


@pytest.mark.parametrize(
    "path",
    ["/law/ecl/art/999", "/term/NoSuchTerm", "/case/no-such-case", "/shapes/Nope", "/doctrine/x"],
)
def test_unknown_iris_get_a_helpful_404(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert 'href="/ontology"' in body and 'href="/law/ecl"' in body


def test_404_suggests_the_nearest_existing_parent(client: FlaskClient) -> None:
    body = client.get("/law/ecl/art/38/para/9", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert 'href="/law/ecl/art/38"' in body


def test_404_for_programs_is_plain_text(client: FlaskClient) -> None:
    response = client.get("/law/ecl/art/999", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert "law/ecl/art/999" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/law/ecl/art/38/../../x", "/term/a%20b", "/law/ecl/<x>"])
def test_malformed_paths_are_404_not_500(client: FlaskClient, path: str) -> None:
    assert client.get(path, headers={"Accept": "text/html"}).status_code == 404


def test_unacceptable_format_is_406(client: FlaskClient) -> None:
    # format= naming nothing on offer leaves the choice to Accept, which asks for nothing here
    response = client.get("/law/ecl?format=pdf", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)
    assert "Accept" in response.headers["Vary"]


def test_no_accept_header_gets_rdf_xml_and_extensions_name_formats(client: FlaskClient) -> None:
    """A program that sends no Accept (owlready2's urllib) gets RDF/XML; .owl/.rdf/.ttl too."""
    for path in ("/ontology", "/ontology.owl", "/ontology.rdf", "/law/ecl", "/term/Duty"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "application/rdf+xml", path
        Graph().parse(data=response.data, format="xml")
    owl = client.get("/ontology.owl", headers={"Accept": "text/html"})  # the extension wins
    assert owl.mimetype == "application/rdf+xml"
    ttl = client.get("/ontology.ttl")
    assert ttl.mimetype == "text/turtle"
    assert (ECPL.Duty, None, None) in Graph().parse(data=ttl.data, format="turtle")
    assert client.get("/ontology.pdf").status_code == 404
    browser = client.get("/ontology", headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.mimetype == "text/html"


def test_index_pages_list_their_family_in_both_languages(client: FlaskClient) -> None:
    laws = client.get("/law", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/law/ecl"' in laws
    assert "中华人民共和国电子商务法" in laws and "E-Commerce Law" in laws
    assert 'href="/law/ecl/art/38"' not in laws  # articles are on the law's own page
    terms = client.get("/term", headers={"Accept": "text/html"}).get_data(as_text=True)
    for name in ("Duty", "EcommercePlatformOperator", "partOf", "QualificationReviewDuty"):
        assert f'href="/term/{name}"' in terms
    assert "电子商务平台经营者" in terms and "e-commerce platform operator" in terms
    cases = client.get("/case", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/case/zhou-v-kuaike"' in cases
    rdf = client.get("/law", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=rdf.data, format="turtle")
    assert (URIRef(LAW + "ecl"), RDFS.label, Literal("E-Commerce Law", lang="en")) in graph


def test_ontology_documentation_has_an_anchor_per_term(client: FlaskClient) -> None:
    response = client.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for name in ("Duty", "EcommercePlatformOperator", "partOf", "QualificationReviewDuty"):
        assert f'id="{name}"' in body
        assert f'href="/term/{name}"' in body


def test_ontology_as_owl_contains_only_ontology_graphs(client: FlaskClient) -> None:
    response = client.get("/ontology", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.data, format="turtle")
    assert (ECPL.Duty, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in graph
    assert (URIRef(LAW + "ecl"), None, None) not in graph
    versioned = client.get("/ontology/0.1.0", headers={"Accept": "text/turtle"})
    assert versioned.status_code == 200


def test_ontology_slash_name_redirects_to_the_term_page(client: FlaskClient) -> None:
    response = client.get("/ontology/Duty")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/term/Duty")


def test_shapes_documentation_and_rdf(client: FlaskClient) -> None:
    body = client.get("/shapes", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'id="QualificationReviewShape"' in body
    response = client.get("/shapes", headers={"Accept": "application/ld+json"})
    assert response.mimetype == "application/ld+json"
    graph = Graph().parse(data=response.data, format="json-ld")
    assert (SHAPES.QualificationReviewShape, None, None) in graph


def test_void_lists_graphs_counts_endpoint_and_linked_vocabularies(client: FlaskClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    void = "http://rdfs.org/ns/void#"
    dataset = URIRef("http://localhost/.well-known/void#dataset")
    assert (dataset, URIRef(void + "sparqlEndpoint"), URIRef("http://localhost/sparql")) in graph
    licence = URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert (dataset, URIRef("http://purl.org/dc/terms/license"), licence) in graph
    identifiers = {
        str(o) for o in graph.objects(None, URIRef("http://purl.org/dc/terms/identifier"))
    }
    assert {str(ONTOLOGY_GRAPH), str(DATA_GRAPH), str(TEXT_GRAPH)} <= identifiers
    counts = {
        str(graph.value(s, URIRef("http://purl.org/dc/terms/identifier"))): int(o)
        for s, o in graph.subject_objects(URIRef(void + "triples"))
        if graph.value(s, URIRef("http://purl.org/dc/terms/identifier")) is not None
    }
    assert counts[str(TEXT_GRAPH)] == 1
    vocabularies = set(graph.objects(dataset, URIRef(void + "vocabulary")))
    assert (
        URIRef("https://spec.edmcouncil.org/fibo/ontology/FND/Law/LegalCapacity/") in vocabularies
    )
    html_page = client.get("/.well-known/void?format=html")
    assert html_page.mimetype == "text/html"


def test_named_graph_iris_serve_their_triples(client: FlaskClient) -> None:
    response = client.get("/graph/shapes/test", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format="turtle")
    assert (SHAPES.QualificationReviewShape, None, None) in graph
    assert (ECPL.Duty, None, None) not in graph
    page = client.get("/graph/shapes/test", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and "QualificationReviewShape" in page.get_data(
        as_text=True
    )
    assert client.get("/graph/nope", headers={"Accept": "text/html"}).status_code == 404


def test_jsonld_body_is_json(client: FlaskClient) -> None:
    response = client.get("/term/Duty", headers={"Accept": "application/ld+json"})
    assert isinstance(json.loads(response.data), list | dict)


def test_labels_in_both_languages_reach_rdf_clients(client: FlaskClient) -> None:
    response = client.get("/term/Duty", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.data, format="turtle")
    labels = {(str(o), o.language) for o in graph.objects(ECPL.Duty, RDFS.label)}
    assert labels == {("义务", "zh"), ("duty", "en")}
    assert (ECPL.Duty, SKOS.definition, Literal("A test definition.", lang="en")) in graph
