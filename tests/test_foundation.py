"""The package skeleton: CLI, configuration, IRI minting, named-query parsing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rdflib import XSD, Literal, URIRef

from ecpl import config, iri, queries
from ecpl.errors import InputError
from ecpl.sparql import lexer
from ecpl.sparql.substitute import substitute


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecpl", *args], capture_output=True, text=True, timeout=120
    )


def test_help_lists_every_subcommand() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for name in ("serve", "query", "validate", "load", "check", "export", "import-text"):
        assert name in result.stdout


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert "ecpl, version" in result.stdout


def test_unknown_subcommand_fails_cleanly() -> None:
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert "No such command" in result.stderr
    assert "Traceback" not in result.stderr


def test_resource_dirs_exist() -> None:
    for name in config.SOURCE_FOLDERS:
        assert config.resource_dir(name).is_dir()
    with pytest.raises(ValueError):
        config.resource_dir("etc")


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECPL_PORT", "9123")
    monkeypatch.setenv("ECPL_SERVICE_ALLOW", "https://a.example/sparql, https://b.example/")
    settings = config.Settings.from_env(workers=3)
    assert settings.port == 9123
    assert settings.workers == 3
    assert settings.service_allow_list == ("https://a.example/sparql", "https://b.example/")
    monkeypatch.setenv("ECPL_PORT", "eighty")
    with pytest.raises(ValueError, match="ECPL_PORT"):
        config.Settings.from_env()


def test_provision_iris() -> None:
    assert str(iri.paragraph("ECL", 38, 2)) == "https://w3id.org/ecpl/law/ecl/art/38/para/2"
    assert str(iri.item("csl", 21, 1, 3)) == "https://w3id.org/ecpl/law/csl/art/21/para/1/item/3"
    assert str(iri.version("csl", 21, "2026-01-01")).endswith("/law/csl/art/21/version/2026-01-01")
    assert iri.local_path(str(iri.law("spc-online"))) == "/law/spc-online"
    with pytest.raises(ValueError):
        iri.law("dsl")
    with pytest.raises(ValueError):
        iri.version("csl", 21, "2026")


def test_source_graph_names() -> None:
    assert (
        str(iri.source_graph("data", "laws/ecl.ttl")) == "https://w3id.org/ecpl/graph/data/laws/ecl"
    )


QUERY = """#---
# title: {en: Number on a date, zh: 某日的条号}
# description: {en: Test query, zh: 测试}
# params:
#   - name: provision
#     type: iri
#   - name: date
#     type: xsd:date
#     default: "2026-01-01"
#---
SELECT ?n WHERE { ?provision ?p ?n . FILTER(?date > ?n) }
"""


def test_named_query_header_and_bindings() -> None:
    query = queries.parse("number-on-date", QUERY)
    assert query.title["zh"] == "某日的条号"
    assert [p.name for p in query.params] == ["provision", "date"]
    terms = query.bindings({"provision": "https://w3id.org/ecpl/law/csl/art/21"})
    assert terms["provision"] == URIRef("https://w3id.org/ecpl/law/csl/art/21")
    assert terms["date"] == Literal("2026-01-01", datatype=XSD.date)
    with pytest.raises(InputError, match="needs parameter 'provision'"):
        query.bindings({})
    with pytest.raises(InputError, match="absolute IRI"):
        query.bindings({"provision": "x> } DROP ALL { <y"})
    with pytest.raises(InputError, match="date"):
        query.bindings({"provision": "https://a/b", "date": "yesterday"})
    with pytest.raises(InputError, match="no parameter"):
        query.bindings({"provision": "https://a/b", "case": "x"})


def test_substitution_escapes_terms() -> None:
    query = queries.parse("number-on-date", QUERY)
    value = '2026"} DROP ALL {'
    text = substitute(query.text, {"date": Literal(value, datatype=None)})
    tokens, _, _ = lexer.tokenize(text)
    assert [t.value for t in tokens if t.kind == lexer.STRING] == [value]  # one string token
    assert "DROP" not in [t.value for t in tokens if t.kind == lexer.KEYWORD]


def test_shipped_named_queries_parse() -> None:
    for name, query in queries.load_all().items():
        assert query.title["en"] and query.title["zh"], name


def test_bad_setting_is_a_message_not_a_traceback() -> None:
    env = {**os.environ, "ECPL_QUERY_TIMEOUT": "soon"}
    for args in (["query", "ASK {}"], ["serve", "--port", "1"]):
        result = subprocess.run(
            [sys.executable, "-m", "ecpl", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert result.returncode == 2, args
        assert "ECPL_QUERY_TIMEOUT must be an integer" in result.stderr
        assert "Traceback" not in result.stderr
