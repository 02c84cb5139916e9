"""The service answers with its engine's terms exactly (issue 12: no rdflib normalisation).

Oracle: the same query on a plain pyoxigraph store in this process. Over HTTP the answer is
read back with pyoxigraph's own SPARQL results / RDF parsers and compared term for term.
"""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest
import requests

XSD = "http://www.w3.org/2001/XMLSchema#"
# Literals of the types the engine normalises in computations, and computed values.
BINDS = [
    f'"2100"^^<{XSD}double>',
    f'"1"^^<{XSD}double>',
    f'"-0"^^<{XSD}double>',
    f'"NaN"^^<{XSD}float>',
    f'"1.50"^^<{XSD}decimal>',
    f'"01"^^<{XSD}integer>',
    f'"+5"^^<{XSD}int>',
    f'"1"^^<{XSD}boolean>',
    f'"2002-10-10T17:00:00Z"^^<{XSD}dateTime>',
    f'"2026-01-01"^^<{XSD}date>',
    f'"P1Y"^^<{XSD}duration>',
    f'"2026"^^<{XSD}gYear>',
    f'TIMEZONE("2002-10-10T17:00:00Z"^^<{XSD}dateTime>)',
    f'TZ("2002-10-10T17:00:00Z"^^<{XSD}dateTime>)',
    f'("1.0e0"^^<{XSD}double> + 1)',
    f'("1.50"^^<{XSD}decimal> * 2)',
    f'STRDT("x y", <{XSD}token>)',
    '"电子商务平台经营者"@zh',
    '"tab\\there \\"quoted\\" line\\nbreak"',
    "<http://example.org/a>",
]
QUERY = "SELECT * WHERE { " + " ".join(f"BIND({b} AS ?v{i})" for i, b in enumerate(BINDS)) + " }"
FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


def _engine_rows(query: str) -> list[dict[str, object]]:
    answer = ox.Store().query(query)
    assert isinstance(answer, ox.QuerySolutions)
    names = [v.value for v in answer.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in answer]


def _rows(data: bytes, fmt: ox.QueryResultsFormat) -> list[dict[str, object]]:
    answer = ox.parse_query_results(data, format=fmt)
    assert isinstance(answer, ox.QuerySolutions)
    names = [v.value for v in answer.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in answer]


@pytest.mark.parametrize("media", list(FORMATS))
def test_literals_come_back_as_the_engine_gives_them(live_server: str, media: str) -> None:
    response = requests.get(
        live_server + "/sparql", params={"query": QUERY}, headers={"Accept": media}, timeout=30
    )
    assert response.status_code == 200, response.text
    expected = _engine_rows(QUERY)
    assert _rows(response.content, FORMATS[media]) == expected
    # the cases the issue names, spelled out
    row = expected[0]
    assert str(row["v0"]) == f'"2100"^^<{XSD}double>'
    assert str(row["v12"]) == f'"PT0S"^^<{XSD}dayTimeDuration>'


def test_graph_answers_keep_the_engine_terms(live_server: str) -> None:
    construct = (
        "CONSTRUCT { <http://example.org/s> <http://example.org/p> ?v } WHERE { "
        + " UNION ".join(f"{{ BIND({b} AS ?v) }}" for b in BINDS[:12])
        + " }"
    )
    answer = ox.Store().query(construct)
    expected = {str(t) for t in answer}
    for media, fmt in (
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ):
        response = requests.get(
            live_server + "/sparql",
            params={"query": construct},
            headers={"Accept": media},
            timeout=30,
        )
        assert response.status_code == 200, (media, response.text)
        got = {
            str(ox.Triple(q.subject, q.predicate, q.object))
            for q in ox.parse(response.content, format=fmt)
        }
        assert got == expected, media


def test_the_cli_writes_the_engine_terms() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ecpl", "query", "--format", "tsv", QUERY],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert _rows(result.stdout, ox.QueryResultsFormat.TSV) == _engine_rows(QUERY)
