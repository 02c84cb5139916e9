"""The numbering queries (competency question 10) on the whole graph, run with pyoxigraph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from ecpl import iri, queries
from ecpl.sparql.substitute import substitute
from ecpl.store.terms import to_ox

CSL, ECL = iri.law("csl"), iri.law("ecl")
CONFIRMED = "https://w3id.org/ecpl/ontology#Confirmed"
UNVERIFIED = "https://w3id.org/ecpl/ontology#Unverified"


@pytest.fixture(scope="module")
def store(source_store: ox.Store) -> ox.Store:
    return source_store


def run(store: ox.Store, name: str, **params: str) -> list[dict[str, str]]:
    """Rows of a named query as {variable: lexical value or IRI}; parameters by substitution."""
    query = queries.get(name)
    bindings = query.bindings(params)
    solutions = store.query(
        query.text,
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): to_ox(v) for k, v in bindings.items()},
    )
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def number_on(store: ox.Store, provision: str, on: str) -> list[tuple[int, str]]:
    rows = run(store, "provision-number-on-date", provision=provision, date=on)
    return [(int(row["number"]), row["status"]) for row in rows]


def test_csl_21_before_and_after_the_amendment(store: ox.Store) -> None:
    art21 = str(iri.article("csl", 21))
    assert number_on(store, art21, "2025-12-31") == [(21, CONFIRMED)]
    assert number_on(store, art21, "2026-01-01") == [(23, CONFIRMED)]
    assert number_on(store, art21, "2017-06-01") == [(21, CONFIRMED)]


def test_csl_shift_without_confirmation_is_unverified(store: ox.Store) -> None:
    assert number_on(store, str(iri.article("csl", 24)), "2026-03-01") == [(26, UNVERIFIED)]
    assert number_on(store, str(iri.article("csl", 76)), "2026-03-01") == [(78, UNVERIFIED)]
    assert number_on(store, str(iri.article("csl", 59)), "2026-03-01") == [(61, CONFIRMED)]


def test_version_iri_is_returned(store: ox.Store) -> None:
    rows = run(store, "provision-number-on-date", provision=str(iri.article("csl", 25)))
    assert [row["version"] for row in rows] == [str(iri.version("csl", 25, "2026-01-01"))]


def test_paragraphs_and_items_give_their_articles_number(store: ox.Store) -> None:
    item = str(iri.item("csl", 21, 1, 3))  # network logs >= 6 months
    assert number_on(store, item, "2026-06-01") == [(23, CONFIRMED)]


def test_unversioned_article_keeps_its_number(store: ox.Store) -> None:
    assert number_on(store, str(iri.article("ecl", 38)), "2020-01-01") == [(38, CONFIRMED)]
    assert number_on(store, str(iri.paragraph("cc", 1198, 2)), "2026-06-01") == [(1198, CONFIRMED)]


def test_nothing_before_in_force(store: ox.Store) -> None:
    assert number_on(store, str(iri.article("csl", 21)), "2016-01-01") == []
    assert number_on(store, str(iri.article("ecl", 38)), "2018-12-31") == []
    # CRPL 44 is numbered by the 2013 text (in force 2014-03-15); the 1994 numbering differs
    assert number_on(store, str(iri.article("crpl", 44)), "2014-03-14") == []
    assert number_on(store, str(iri.article("crpl", 44)), "2014-03-15") == [(44, CONFIRMED)]


def by_number(store: ox.Store, law: str, number: int, on: str) -> list[tuple[str, str]]:
    rows = run(store, "provision-by-number-on-date", law=law, number=str(number), date=on)
    return [(row["article"], row["status"]) for row in rows]


def test_reverse_csl_23_in_2026_is_old_21(store: ox.Store) -> None:
    assert by_number(store, str(CSL), 23, "2026-02-01") == [
        (str(iri.article("csl", 21)), CONFIRMED)
    ]
    assert by_number(store, str(CSL), 26, "2026-02-01") == [
        (str(iri.article("csl", 24)), UNVERIFIED)
    ]


def test_reverse_old_number_on_old_date(store: ox.Store) -> None:
    assert by_number(store, str(CSL), 21, "2025-06-01") == [
        (str(iri.article("csl", 21)), CONFIRMED)
    ]
    # Art. 21 from 2026 is old Art. 19, which the graph does not cite
    assert by_number(store, str(CSL), 21, "2026-02-01") == []
    # Art. 23 in 2025 was an uncited article, not old Art. 21
    assert by_number(store, str(CSL), 23, "2025-06-01") == []


def test_reverse_unversioned_law(store: ox.Store) -> None:
    assert by_number(store, str(ECL), 38, "2026-02-01") == [
        (str(iri.article("ecl", 38)), CONFIRMED)
    ]
    assert by_number(store, str(ECL), 38, "2018-01-01") == []


def test_substituted_text_gives_the_answer(store: ox.Store) -> None:
    """The text every store runs: the parameters substituted by ecpl.sparql.substitute."""
    query = queries.get("provision-number-on-date")
    text = substitute(
        query.text,
        query.bindings({"provision": str(iri.article("csl", 40)), "date": "2026-01-01"}),
    )
    solutions = store.query(text, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    assert [(s["number"].value, s["status"].value) for s in solutions] == [("42", CONFIRMED)]


def test_substituted_text_reverse(store: ox.Store) -> None:
    query = queries.get("provision-by-number-on-date")
    params = {"law": str(CSL), "number": "23", "date": "2026-02-01"}
    text = substitute(query.text, query.bindings(params))
    solutions = store.query(text, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    assert [s["article"].value for s in solutions] == [str(iri.article("csl", 21))]
