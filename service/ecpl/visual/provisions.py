"""The number a cited provision bears on a date, answered by the named query that says it.

``data/queries/provision-number-on-date.rq`` is the one place that knows how numbering versions
(the CSL 2025 renumbering, the CRPL 2013 text) are read; this module runs it over the law
graphs with rdflib so pictures built outside the service (``ecpl validate --output html``) give
the same answer as ``/queries/provision-number-on-date``.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import XSD, Graph, Literal, URIRef

from ecpl import queries, sources
from ecpl.iri import ECPL

QUERY_NAME = "provision-number-on-date"
_lock = threading.Lock()  # rdflib's SPARQL evaluation over one shared graph is not thread-safe


@dataclass(frozen=True)
class NumberOnDate:
    """The article number a provision's article bears on ``date`` and how sure it is."""

    date: str
    article_number: int
    confirmed: bool


@cache
def _laws(root: Path | None) -> Graph:
    graph = Graph()
    for source in sources.iter_sources(root, ("data",)):
        if source.path.parent.name == "laws":
            graph.parse(source.path, format="turtle")
    return graph


@cache
def _query_text(root: Path | None) -> str:
    return queries.get(QUERY_NAME, root).text


def number_on_date(
    provision: str, date: str | dt.date, root: Path | None = None
) -> NumberOnDate | None:
    """The article number in force for ``provision`` on ``date``; None before the law was in
    force, for IRIs that are not provisions, or when the data has no numbering for that day."""
    day = date.isoformat() if isinstance(date, dt.date) else str(date)
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        return None
    with _lock:
        rows = list(
            _laws(root).query(
                _query_text(root),
                initBindings={
                    "provision": URIRef(provision),
                    "date": Literal(day, datatype=XSD.date),
                },
            )
        )
    answers = {(int(row.number), row.status == ECPL.Confirmed) for row in rows}  # type: ignore[union-attr]
    if len(answers) != 1:  # none, or an ambiguity the data should not have: say nothing
        return None
    number, confirmed = answers.pop()
    return NumberOnDate(day, number, confirmed)
