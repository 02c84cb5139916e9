"""The shell side: ``ecpl query``, ``ecpl load`` and ``ecpl serve``'s argument errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecpl import iri
from ecpl.cli import main

ROOT = Path(__file__).resolve().parents[1]
CASE_FILE = ROOT / "data" / "cases" / "zhou-v-kuaike.ttl"


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_query_table(runner: CliRunner) -> None:
    ask = f"ASK {{ <{iri.ECPL.EcommercePlatformOperator}> a ?t }}"
    result = runner.invoke(main, ["query", ask])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "true"


def test_query_json_format(runner: CliRunner) -> None:
    query = f"SELECT ?t WHERE {{ <{iri.ECPL.Consumer}> a ?t FILTER(isIRI(?t)) }}"
    result = runner.invoke(main, ["query", "--format", "json", query])
    assert result.exit_code == 0, result.output
    values = {b["t"]["value"] for b in json.loads(result.output)["results"]["bindings"]}
    assert "http://www.w3.org/2002/07/owl#Class" in values


def test_query_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("SELECT (1 AS ?one) WHERE {}")
    result = runner.invoke(main, ["query", "--file", str(path), "--format", "csv"])
    assert result.exit_code == 0
    assert result.output.splitlines() == ["one", "1"]


def test_named_query_with_param(runner: CliRunner) -> None:
    # CSL Art. 23 in force on 2026-02-01 is the original CSL Art. 21 (provisions.yaml:
    # the 2025 amendment renumbers it from 2026-01-01).
    result = runner.invoke(
        main,
        [
            "query",
            "--named",
            "provision-by-number-on-date",
            "--param",
            "number=23",
            "--param",
            "date=2026-02-01",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    articles = {b["article"]["value"] for b in json.loads(result.output)["results"]["bindings"]}
    assert str(iri.article("csl", 21)) in articles


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query"], "exactly one"),
        (["query", "ASK {}", "--named", "x"], "exactly one"),
        (["query", "--named", "no-such-query"], "no named query"),
        (["query", "--named", "provision-by-number-on-date", "--param", "date=yesterday"], "date"),
        (["query", "--named", "provision-by-number-on-date", "--param", "nope=1"], "nope"),
        (["query", "SELECT ?s WHERE { ?s"], "syntax"),
        (["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"], "SERVICE"),
    ],
)
def test_query_errors_are_messages(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_load_into_disk_store_then_query(runner: CliRunner, tmp_path: Path) -> None:
    store = tmp_path / "db"
    result = runner.invoke(main, ["load", str(CASE_FILE), "--store", str(store)])
    assert result.exit_code == 0, result.output
    graph = iri.CASE_GRAPH_PREFIX + "zhou-v-kuaike"
    assert f"<{graph}>" in result.output and "findings" in result.output
    ask = f"ASK {{ GRAPH <{iri.findings_graph(graph)}> {{ ?s ?p ?o }} }}"
    answer = runner.invoke(main, ["query", "--store", str(store), ask])
    assert answer.output.strip() == "true"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--graph", str(iri.source_graph("ontology", "actors.ttl"))], "not writable"),
        ([], "lasting store"),
    ],
)
def test_load_errors(runner: CliRunner, tmp_path: Path, args: list[str], message: str) -> None:
    extra = [] if "lasting" in message else ["--store", str(tmp_path / "db")]
    result = runner.invoke(main, ["load", str(CASE_FILE), *args, *extra])
    assert result.exit_code != 0
    assert message in result.output


def test_load_unreadable_file(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix oops")
    result = runner.invoke(main, ["load", str(bad), "--store", str(tmp_path / "db")])
    assert result.exit_code == 2
    assert "Turtle" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "99999"], "99999"),
        (["--store", str(CASE_FILE)], "not a folder"),
        (["--workers", "0"], "0"),
    ],
)
def test_serve_bad_arguments(args: list[str], message: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "ecpl", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert run.returncode != 0
    assert message in run.stderr
    assert "Traceback" not in run.stderr
