"""The editor page (/) with and without the vendored YASGUI files, its links and examples, the
plain-form fallback against /sparql, escaping, and scripts/fetch-assets.sh without npm."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from ecpl import queries as named
from ecpl.config import Settings
from ecpl.web import editor
from ecpl.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(Settings(root=ROOT, workers=1))


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def with_assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / "yasgui.min.js").write_text("/* yasgui */", encoding="utf-8")
    (vendor / "yasgui.min.css").write_text("/* yasgui */", encoding="utf-8")
    monkeypatch.setattr(editor, "VENDOR_DIR", vendor)
    return vendor


@pytest.fixture()
def without_assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(editor, "VENDOR_DIR", tmp_path / "missing")
    return tmp_path / "missing"


def _script_json(page: str, element_id: str) -> object:
    match = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.S
    )
    assert match, f"no #{element_id} in the page"
    return json.loads(match.group(1))


def test_yasgui_page_when_assets_present(client: FlaskClient, with_assets: Path) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<div id="yasgui"' in page
    assert 'src="/assets/vendor/yasgui.min.js"' in page
    assert 'href="/assets/vendor/yasgui.min.css"' in page
    assert 'src="/assets/editor.js"' in page
    assert 'action="/sparql"' not in page  # no plain form
    config = _script_json(page, "ecpl-config")
    assert isinstance(config, dict) and config["endpoint"] == "/sparql"
    examples = _script_json(page, "ecpl-examples")
    assert isinstance(examples, list)
    assert {ex["name"] for ex in examples} == set(named.load_all(ROOT))


def test_plain_form_when_assets_missing(client: FlaskClient, without_assets: Path) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "yasgui.min.js" not in page
    assert '<form class="plain-editor" method="get" action="/sparql">' in page
    assert '<textarea id="query" name="query"' in page
    assert "SELECT ?duty ?label ?phase" in page  # the default example query
    for value in ("json", "xml", "csv", "tsv"):
        assert f'<option value="{value}">' in page


def test_plain_param_forces_the_form(client: FlaskClient, with_assets: Path) -> None:
    page = client.get("/?plain=1").get_data(as_text=True)
    assert 'action="/sparql"' in page and "yasgui.min.js" not in page


def test_links_to_ontology_laws_queries_and_validation(
    client: FlaskClient, without_assets: Path
) -> None:
    page = client.get("/").get_data(as_text=True)
    for href in ("/ontology", "/law/ecl", "/law/crpl", "/law/csl", "/law/cc", "/law/pipl"):
        assert f'href="{href}"' in page
    assert 'href="/law/spc-online"' in page and 'href="/law/spc-tort"' in page
    assert 'href="/queries"' in page and 'href="/validate"' in page
    assert "电子商务法" in page and "E-Commerce Law" in page  # zh and en


def test_no_cdn(client: FlaskClient, with_assets: Path) -> None:
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page)
    # scripts and connections are confined to this service
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy


def test_examples_link_to_the_editor_with_defaults_bound(
    client: FlaskClient, without_assets: Path
) -> None:
    queries = named.load_all(ROOT)
    if not queries:
        pytest.skip("the project has no named queries yet")
    page = client.get("/").get_data(as_text=True)
    for name, query in queries.items():
        assert f'data-name="{name}"' in page
        assert str(escape(query.title["zh"])) in page and str(escape(query.title["en"])) in page


def test_prefilled_query_is_escaped(client: FlaskClient, without_assets: Path) -> None:
    evil = "</textarea><script>alert(1)</script>"
    page = client.get("/", query_string={"query": evil}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_examples_json_cannot_close_the_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_assets: Path
) -> None:
    (tmp_path / "data" / "queries").mkdir(parents=True)
    (tmp_path / "data" / "queries" / "evil.rq").write_text(
        "#---\n# title: {en: '</script><script>alert(1)</script>', zh: 恶意}\n"
        "# description: {en: x, zh: x}\n#---\nASK {}\n",
        encoding="utf-8",
    )
    client = create_app(Settings(root=tmp_path, workers=1)).test_client()
    page = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    examples = _script_json(page, "ecpl-examples")
    assert isinstance(examples, list)
    assert examples[0]["title"]["en"] == "</script><script>alert(1)</script>"


def test_example_text_substitutes_defaults() -> None:
    query = named.parse(
        "q",
        "#---\n# title: {en: t, zh: t}\n# description: {en: d, zh: d}\n# params:\n"
        "#   - {name: date, type: xsd:date, default: '2026-01-01'}\n"
        "#   - {name: law, type: iri}\n#---\n"
        "SELECT ?law ?date WHERE { ?law <urn:p> ?date }\n",
    )
    text = editor.example_text(query)
    # the default as the service binds it (SEP-0007 substitution): the pattern holds the term,
    # the projection keeps the column; ?law has no default and stays a variable
    date = '"2026-01-01"^^<http://www.w3.org/2001/XMLSchema#date>'
    assert f"{{ ?law <urn:p> {date} }}" in text
    assert 'SELECT ?law (<http://www.w3.org/2001/XMLSchema#date>("2026-01-01") AS ?date)' in text
    assert text.startswith("# t\n# t\n# /queries/q\n")  # titled, the YAML header left out
    assert "#---" not in text and "description" not in text


def test_static_files_are_served(client: FlaskClient) -> None:
    for path, mimetype in (("/assets/ecpl.css", "text/css"), ("/assets/editor.js", "javascript")):
        response = client.get(path)
        assert response.status_code == 200
        assert mimetype in response.mimetype


def test_plain_form_target_answers(client: FlaskClient) -> None:
    """What the plain form submits: GET /sparql?query=…&format=… gives results."""
    query = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?label WHERE { <https://w3id.org/ecpl/law/ecl> rdfs:label ?label "
        'FILTER (lang(?label) = "zh") }'
    )
    response = client.get("/sparql", query_string={"query": query, "format": "json"})
    assert response.status_code == 200
    labels = [b["label"]["value"] for b in response.get_json()["results"]["bindings"]]
    assert labels == ["中华人民共和国电子商务法"]


# -- scripts/fetch-assets.sh ----------------------------------------------------------------
def _tool_path(tmp_path: Path, tools: tuple[str, ...]) -> str:
    """A PATH with only the named programs (so npm is missing)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in tools:
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


def _copy_script(tmp_path: Path) -> Path:
    (tmp_path / "repo" / "scripts").mkdir(parents=True)
    script = tmp_path / "repo" / "scripts" / "fetch-assets.sh"
    shutil.copy(ROOT / "scripts" / "fetch-assets.sh", script)
    return script


TOOLS = ("bash", "dirname", "cat", "mktemp", "rm", "touch", "tail", "ls", "head")


def test_fetch_assets_without_npm_exits_0_with_a_note(tmp_path: Path) -> None:
    script = _copy_script(tmp_path)
    env = {**os.environ, "PATH": _tool_path(tmp_path, TOOLS)}
    done = subprocess.run(
        ["bash", str(script)], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0
    assert "npm not found" in done.stderr and "plain query form" in done.stderr
    assert not (tmp_path / "repo" / "service" / "ecpl" / "web" / "static" / "vendor").exists()


def test_fetch_assets_is_idempotent(tmp_path: Path) -> None:
    script = _copy_script(tmp_path)
    vendor = tmp_path / "repo" / "service" / "ecpl" / "web" / "static" / "vendor"
    vendor.mkdir(parents=True)
    (vendor / "yasgui.min.js").write_text("js", encoding="utf-8")
    (vendor / "yasgui.min.css").write_text("css", encoding="utf-8")
    (vendor / "VERSION").write_text("@zazuko/yasgui@4.6.2\n", encoding="utf-8")
    env = {**os.environ, "PATH": _tool_path(tmp_path, TOOLS)}  # no npm: must not be needed
    done = subprocess.run(
        ["bash", str(script)], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert (vendor / ".stamp").is_file()
    assert (vendor / "yasgui.min.js").read_text(encoding="utf-8") == "js"
