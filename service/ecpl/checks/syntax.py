"""Syntax of the named queries (Turtle syntax is checked while loading, see ``project``)."""

from __future__ import annotations

from pathlib import Path

from rdflib.plugins.sparql import prepareQuery

from ecpl import queries
from ecpl.checks.problem import Problem


def check_queries(root: Path) -> list[Problem]:
    """Every ``data/queries/*.rq`` has a valid header and SPARQL that parses."""
    problems: list[Problem] = []
    folder = queries.queries_dir(root)
    for path in sorted(folder.glob("*.rq")):
        name = path.relative_to(root).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem("syntax", name, "named query is not UTF-8 text"))
            continue
        try:
            queries.parse(path.stem, text)
        except ValueError as exc:  # queries.parse names every header mistake in a ValueError
            problems.append(Problem("syntax", name, f"named-query header: {exc}"))
        try:
            prepareQuery(text)
        except Exception as exc:  # noqa: BLE001 - pyparsing raises ParseException, rdflib others
            message = " ".join(str(exc).split())
            problems.append(Problem("syntax", name, f"SPARQL does not parse: {message}"))
    return problems
