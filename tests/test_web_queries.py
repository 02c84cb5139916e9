"""/queries over a Flask test client: the listing (HTML, JSON), runs with bound parameters in
several formats, the query text, and the errors (missing/invalid/unknown parameter, unknown query).

The app runs over a small project root made here (a few triples and three named queries), so the
expected answers are known by construction; the last tests list the project's real queries.
The test queries project their parameters: pyoxigraph substitutes only projected variables.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ecpl import queries as named
from ecpl.config import Settings
from ecpl.web import queries as web_queries
from ecpl.web.app import create_app

ECPL = "https://w3id.org/ecpl/ontology#"

MINI_TTL = """\
# A tiny source file for the /queries tests.
@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

ecpl:TestDuty a ecpl:Duty ; rdfs:label "测试义务"@zh , "Test duty"@en .
ecpl:OtherDuty a ecpl:Duty ; rdfs:label "其他义务"@zh , "Other duty"@en .
ecpl:VersionA ecpl:inForceFrom "2017-06-01"^^xsd:date ; ecpl:versionNumber 21 .
ecpl:VersionB ecpl:inForceFrom "2026-01-01"^^xsd:date ; ecpl:versionNumber 23 .
"""

DUTY_LABEL_RQ = """\
#---
# title: {en: A duty's label, zh: 义务的名称}
# description: {en: The label of one duty in one language., zh: 某项义务在某语言中的名称。}
# competency_question: 2
# params:
#   - name: duty
#     type: iri
#     label: {en: Duty, zh: 义务}
#   - name: lang
#     type: xsd:string
#     default: zh
#     label: {en: Language, zh: 语言}
#---
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?duty ?lang ?label WHERE { ?duty rdfs:label ?label . FILTER (lang(?label) = ?lang) }
"""

IN_FORCE_RQ = """\
#---
# title: {en: Versions in force on a date, zh: 某日施行的版本}
# description: {en: Versions in force on a date., zh: 某日已施行的版本。}
# competency_question: 10
# params:
#   - name: date
#     type: xsd:date
#     default: "2020-01-01"
#     label: {en: Date, zh: 日期}
#   - name: min
#     type: xsd:integer
#     default: 0
#     label: {en: Lowest number, zh: 最小条号}
#---
PREFIX ecpl: <https://w3id.org/ecpl/ontology#>
SELECT ?version ?number ?date ?min WHERE {
  ?version ecpl:inForceFrom ?from ; ecpl:versionNumber ?number .
  FILTER (?from <= ?date && ?number >= ?min)
}
ORDER BY ?number
"""

DUTIES_GRAPH_RQ = """\
#---
# title: {en: Duties as a graph, zh: 义务图}
# description: {en: Every duty with its labels., zh: 每项义务及其名称。}
#---
PREFIX ecpl: <https://w3id.org/ecpl/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?duty a ecpl:Duty ; rdfs:label ?label } WHERE { ?duty a ecpl:Duty ; rdfs:label ?label }
"""


@pytest.fixture(scope="module")
def mini_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("root")
    (root / "ontology").mkdir()
    (root / "ontology" / "mini.ttl").write_text(MINI_TTL, encoding="utf-8")
    queries_dir = root / "data" / "queries"
    queries_dir.mkdir(parents=True)
    (queries_dir / "duty-label.rq").write_text(DUTY_LABEL_RQ, encoding="utf-8")
    (queries_dir / "in-force.rq").write_text(IN_FORCE_RQ, encoding="utf-8")
    (queries_dir / "duties-graph.rq").write_text(DUTIES_GRAPH_RQ, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def app(mini_root: Path) -> Flask:
    return create_app(Settings(root=mini_root, workers=1))


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _bindings(response_json: dict, var: str) -> list[str]:
    return [b[var]["value"] for b in response_json["results"]["bindings"]]


# -- the listing ----------------------------------------------------------------------------
def test_listing_json_has_titles_params_and_links(client: FlaskClient) -> None:
    response = client.get("/queries", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    entries = {q["name"]: q for q in response.get_json()["queries"]}
    assert set(entries) == {"duty-label", "in-force", "duties-graph"}
    entry = entries["duty-label"]
    assert entry["title"] == {"en": "A duty's label", "zh": "义务的名称"}
    assert entry["competency_question"] == 2
    assert entry["url"] == "/queries/duty-label"
    assert entry["sparql_url"] == "/queries/duty-label.rq"
    params = {p["name"]: p for p in entry["parameters"]}
    assert params["duty"]["required"] is True and params["duty"]["type"] == "iri"
    assert params["duty"]["label"] == {"en": "Duty", "zh": "义务"}
    assert params["lang"]["required"] is False and params["lang"]["default"] == "zh"
    assert entries["duties-graph"]["competency_question"] is None
    assert entry["form"] == "select" and entries["duties-graph"]["form"] == "construct"


def test_listing_html_for_browsers(client: FlaskClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/queries", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for text in ("义务的名称", "A duty&#39;s label", "CQ 2", 'action="/queries/duty-label"'):
        assert text in page
    assert 'name="duty"' in page and "required" in page
    assert 'href="/queries/duty-label.rq"' in page
    assert "Accept" in response.headers["Vary"]
    # result formats offered per query form; a link opens each query in the editor
    graph_form = page[page.index('id="duties-graph"') : page.index('id="duty-label"')]
    assert '<option value="turtle">' in graph_form and '<option value="csv">' not in graph_form
    select_form = page[page.index('id="duty-label"') :]
    assert '<option value="csv">' in select_form.split("</form>")[0]
    assert 'href="/?query=' in page


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("PREFIX a: <http://example.org/select#>\nASK { ?s ?p ?o }", "ask"),
        ("# SELECT in a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "construct"),
        ("prefix x: <urn:x>\ndescribe <urn:a>", "describe"),
        ("SELECT * { ?s ?p ?o }", "select"),
    ],
)
def test_query_form(text: str, form: str) -> None:
    assert web_queries.query_form(text) == form


def test_listing_format_parameter_wins_over_accept(client: FlaskClient) -> None:
    response = client.get("/queries?format=json", headers={"Accept": "text/html"})
    assert response.mimetype == "application/json"
    response = client.get("/queries?format=pdf")
    assert response.status_code == 406
    assert "pdf" in response.get_data(as_text=True)


def test_listing_escapes_header_text(tmp_path: Path) -> None:
    (tmp_path / "data" / "queries").mkdir(parents=True)
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "mini.ttl").write_text(MINI_TTL, encoding="utf-8")
    evil = DUTIES_GRAPH_RQ.replace("Duties as a graph", "<script>alert(1)</script>")
    (tmp_path / "data" / "queries" / "evil.rq").write_text(evil, encoding="utf-8")
    client = create_app(Settings(root=tmp_path, workers=1)).test_client()
    page = client.get("/queries", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# -- running --------------------------------------------------------------------------------
def test_run_binds_iri_and_default_string(client: FlaskClient) -> None:
    response = client.get(
        "/queries/duty-label",
        query_string={"duty": ECPL + "TestDuty"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/sparql-results+json"
    assert _bindings(response.get_json(), "label") == ["测试义务"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_run_with_explicit_param_and_angle_brackets(client: FlaskClient) -> None:
    response = client.get(
        "/queries/duty-label",
        query_string={"duty": f"<{ECPL}OtherDuty>", "lang": "en", "format": "json"},
    )
    assert response.status_code == 200
    assert _bindings(response.get_json(), "label") == ["Other duty"]


def test_run_date_and_integer_params(client: FlaskClient) -> None:
    # Default date 2020-01-01: only the 2017 version is in force.
    response = client.get("/queries/in-force", query_string={"format": "json"})
    assert [int(n) for n in _bindings(response.get_json(), "number")] == [21]
    response = client.get(
        "/queries/in-force", query_string={"date": "2026-01-01", "format": "json"}
    )
    assert [int(n) for n in _bindings(response.get_json(), "number")] == [21, 23]
    response = client.get(
        "/queries/in-force", query_string={"date": "2026-01-01", "min": "22", "format": "json"}
    )
    assert _bindings(response.get_json(), "version") == [ECPL + "VersionB"]


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_run_result_formats_by_accept(client: FlaskClient, accept: str, mimetype: str) -> None:
    response = client.get(
        "/queries/in-force", query_string={"date": "2026-01-01"}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.mimetype == mimetype
    body = response.get_data(as_text=True)
    assert "VersionB" in body and "VersionA" in body


def test_run_csv_rows(client: FlaskClient) -> None:
    response = client.get("/queries/in-force", query_string={"date": "2026-01-01", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["version", "number", "date", "min"]
    assert [row[1] for row in rows[1:]] == ["21", "23"]


def test_run_construct_as_turtle_and_jsonld(client: FlaskClient) -> None:
    response = client.get("/queries/duties-graph", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert "测试义务" in response.get_data(as_text=True)
    response = client.get("/queries/duties-graph", query_string={"format": "jsonld"})
    assert response.mimetype == "application/ld+json"
    ids = {node.get("@id") for node in json.loads(response.get_data(as_text=True))}
    assert {ECPL + "TestDuty", ECPL + "OtherDuty"} <= ids


def test_user_text_is_bound_as_a_term_not_spliced(client: FlaskClient) -> None:
    """Text that would close the FILTER if spliced is only a language tag matching nothing."""
    response = client.get(
        "/queries/duty-label",
        query_string={"duty": ECPL + "TestDuty", "lang": 'zh") || true || ("', "format": "json"},
    )
    assert response.status_code == 200
    assert _bindings(response.get_json(), "label") == []


# -- the query text -------------------------------------------------------------------------
def test_query_text_by_suffix_and_format(client: FlaskClient) -> None:
    for url in ("/queries/duty-label.rq", "/queries/duty-label?format=sparql"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == "application/sparql-query"
        assert response.get_data(as_text=True) == DUTY_LABEL_RQ


# -- errors ---------------------------------------------------------------------------------
def test_missing_required_param_is_400_naming_it(client: FlaskClient) -> None:
    response = client.get("/queries/duty-label", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "duty" in response.get_json()["message"]


@pytest.mark.parametrize(
    ("query_string", "named"),
    [
        ({"duty": "not an iri"}, "duty"),
        ({"duty": ECPL + "Test Duty"}, "duty"),
        ({"duty": ECPL + "TestDuty> . ?s ?p ?o"}, "duty"),
        ({"duty": ECPL + "TestDuty", "nope": "1"}, "nope"),
    ],
)
def test_invalid_param_is_400_naming_it(
    client: FlaskClient, query_string: dict[str, str], named: str
) -> None:
    response = client.get(
        "/queries/duty-label", query_string=query_string, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert named in response.get_json()["message"]


@pytest.mark.parametrize(
    ("query_string", "named"),
    [({"date": "2026-13-01"}, "date"), ({"min": "twenty"}, "min")],
)
def test_invalid_typed_param_is_400(
    client: FlaskClient, query_string: dict[str, str], named: str
) -> None:
    response = client.get("/queries/in-force", query_string=query_string)
    assert response.status_code == 400
    assert named in response.get_data(as_text=True)


def test_repeated_param_is_400(client: FlaskClient) -> None:
    response = client.get("/queries/in-force?date=2020-01-01&date=2026-01-01")
    assert response.status_code == 400
    assert "date" in response.get_data(as_text=True)


def test_unknown_query_is_404(client: FlaskClient) -> None:
    for url in ("/queries/no-such-query", "/queries/no-such-query.rq"):
        response = client.get(url, headers={"Accept": "application/json"})
        assert response.status_code == 404
        assert "no-such-query" in response.get_json()["message"]


# -- the project's own named queries ----------------------------------------------------------
def test_project_queries_are_all_listed(root: Path) -> None:
    expected = named.load_all(root)
    client = create_app(Settings(root=root, workers=1)).test_client()
    response = client.get("/queries", headers={"Accept": "application/json"})
    assert response.status_code == 200
    listed = {q["name"]: q for q in response.get_json()["queries"]}
    assert set(listed) == set(expected)
    for name, query in expected.items():
        assert listed[name]["title"]["zh"] == query.title["zh"]
        response = client.get(f"/queries/{name}.rq")
        assert response.get_data(as_text=True) == query.text
