"""Parameters bound by substitution on the tokens (ecpl.sparql.substitute), for every store.

The oracle is the engine: pyoxigraph's own ``substitutions`` option (SEP-0007), which binds a
projected variable as a constant wherever it is in scope. The substituted text must give the
same rows, on small queries of every shape where a parameter can stand and on every shipped
named query with parameters; the lexer's tokens show that nothing else in the text changes.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from rdflib import XSD, BNode, Dataset, Literal, URIRef
from rdflib.term import Identifier

from ecpl import queries
from ecpl.errors import InputError
from ecpl.sparql import lexer
from ecpl.sparql.substitute import substitute
from ecpl.store.terms import to_ox

DATA = b"""
<urn:a> <urn:p> <urn:b> .
<urn:a> <urn:on> "2026-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .
<urn:c> <urn:p> <urn:d> .
<urn:c> <urn:on> "2025-06-01"^^<http://www.w3.org/2001/XMLSchema#date> .
<urn:b> <urn:label> "b-zh"@zh .
<urn:b> <urn:label> "b-en"@en .
<urn:d> <urn:label> "d-en"@en .
<urn:b> <urn:q> <urn:a> .
"""
LANG = {"lang": Literal("en")}
SUBJECT = {"s": URIRef("urn:a")}
DATE = {"date": Literal("2025-12-31", datatype=XSD.date)}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.load(DATA, format=ox.RdfFormat.N_TRIPLES)
    return store


def rows(answer: object, drop: tuple[str, ...] = ()) -> list[str]:
    """Rows regardless of order, each as sorted (variable, term) pairs; ``drop`` left out."""
    assert isinstance(answer, ox.QuerySolutions)
    names = [v.value for v in answer.variables if v.value not in drop]
    return sorted(repr(sorted((n, str(r[n])) for n in names if r[n] is not None)) for r in answer)


def engine(
    store: ox.Store, text: str, bindings: dict[str, Identifier], **options: object
) -> list[str]:
    subs = {ox.Variable(k): to_ox(v) for k, v in bindings.items()}
    return rows(store.query(text, substitutions=subs, **options))  # type: ignore[arg-type]


SHAPES = {
    # a parameter in a FILTER of an OPTIONAL nested in an OPTIONAL: a VALUES block at the start
    # of WHERE is not visible there (the inner group is evaluated first)
    "nested-optional": (
        "SELECT ?s ?lang ?l WHERE { ?s <urn:p> ?o OPTIONAL { ?o <urn:q> ?z "
        "OPTIONAL { ?o <urn:label> ?l FILTER(lang(?l) = ?lang) } } }",
        LANG,
    ),
    "union-branch": (
        "SELECT ?lang ?l ?k WHERE { { ?o <urn:label> ?l FILTER(lang(?l) = ?lang) BIND(1 AS ?k) }"
        " UNION { ?o <urn:q> ?l BIND(2 AS ?k) } }",
        LANG,
    ),
    "subject-and-projection": ("SELECT ?s ?o WHERE { ?s <urn:p> ?o }", SUBJECT),
    "date-in-filter": ("SELECT ?date ?x WHERE { ?x <urn:on> ?d FILTER(?d <= ?date) }", DATE),
    "date-in-bind": (
        "SELECT ?date ?x ?after WHERE { ?x <urn:on> ?d BIND(?d > ?date AS ?after) }",
        DATE,
    ),
    "group-by": (
        "SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s <urn:p> ?o } GROUP BY ?s ORDER BY ?s",
        SUBJECT,
    ),
    "exists": (
        "SELECT ?lang ?o WHERE { ?x <urn:p> ?o FILTER EXISTS { ?o <urn:label> ?l "
        "FILTER(lang(?l) = ?lang) } }",
        LANG,
    ),
    "sub-select-projecting": (
        "SELECT ?lang ?l WHERE { { SELECT ?lang ?l WHERE { ?o <urn:label> ?l "
        "FILTER(lang(?l) = ?lang) } } }",
        LANG,
    ),
    # the sub-SELECT does not project ?lang: inside it ?lang is its own (unbound) variable
    "sub-select-not-projecting": (
        "SELECT ?lang ?l WHERE { { SELECT ?l WHERE { ?o <urn:label> ?l "
        "FILTER(lang(?l) = ?lang) } } }",
        LANG,
    ),
    "dollar-sign": ("SELECT $s ?o WHERE { ?s <urn:p> ?o }", SUBJECT),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_same_rows_as_the_engine(store: ox.Store, shape: str) -> None:
    text, bindings = SHAPES[shape]
    assert rows(store.query(substitute(text, bindings))) == engine(store, text, bindings)


def test_the_shapes_are_not_trivial(store: ox.Store) -> None:
    """The parameter changes the answer of each shape (else the comparison shows nothing)."""
    for shape, (text, bindings) in SHAPES.items():
        if shape == "sub-select-not-projecting":
            continue
        unbound = rows(store.query(text), drop=tuple(bindings))
        bound = rows(store.query(substitute(text, bindings)), drop=tuple(bindings))
        assert bound != unbound, shape


def test_only_variable_tokens_change(store: ox.Store) -> None:
    text = (
        "SELECT ?lang ?t ?i WHERE {\n"
        "  # ?lang in a comment\n"
        '  BIND("?lang and $lang" AS ?t) BIND(<urn:x?lang> AS ?i)\n'
        "}"
    )
    out = substitute(text, LANG)
    assert "# ?lang in a comment" in out
    tokens, _, _ = lexer.tokenize(out)
    assert [t.value for t in tokens if t.kind == lexer.STRING] == ["en", "?lang and $lang"]
    assert "urn:x?lang" in [t.value for t in tokens if t.kind == lexer.IRIREF]
    assert [t.text for t in tokens if t.kind == lexer.VAR].count("?lang") == 1  # (… AS ?lang)
    assert engine(store, text, LANG) == rows(store.query(out))


def test_dates_in_expressions_are_cast() -> None:
    """The form Virtuoso 7 compares correctly; in a pattern the literal itself."""
    out = substitute("SELECT ?x WHERE { ?x <urn:on> ?date FILTER(?date > ?x) }", DATE)
    literal = '"2025-12-31"^^<http://www.w3.org/2001/XMLSchema#date>'
    assert f"<urn:on> {literal}" in out
    assert 'FILTER( <http://www.w3.org/2001/XMLSchema#date>("2025-12-31") > ?x)' in out


@pytest.mark.parametrize(
    ("text", "bindings", "message"),
    [
        ("SELECT * WHERE { BIND(1 AS ?lang) }", LANG, "assigned"),
        ("SELECT * WHERE { VALUES ?lang { 1 } }", LANG, "assigned"),
        ("SELECT * WHERE { VALUES (?x ?lang) { (1 2) } }", LANG, "assigned"),
        ("SELECT ?s WHERE { ?s ?p ?o }", {"s": BNode()}, "IRI or a literal"),
        ("SELECT ?s WHERE { ?s ?p ?o }", {"s": URIRef("urn:a> } DROP ALL { <b")}, "IRI"),
    ],
)
def test_what_cannot_be_a_constant_is_refused(
    text: str, bindings: dict[str, Identifier], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        substitute(text, bindings)


# -- the shipped named queries ----------------------------------------------------------------

VARIANTS = {
    "cq06-case-breaches-and-liability": [
        {},
        {"lang": "en"},
        {"case": "https://w3id.org/ecpl/case/example-rule-ecl-38-2-positive", "lang": "zh"},
    ],
    "cq10-cited-provisions": [{}, {"date": "2010-01-01"}, {"date": "2025-12-31"}],
    "provision-number-on-date": [
        {},
        {"date": "2025-12-31"},
        {"provision": "https://w3id.org/ecpl/law/crpl/art/44/para/1", "date": "2014-03-15"},
    ],
    "provision-by-number-on-date": [{}, {"number": "21", "date": "2025-12-31"}],
}
PARAMETERISED = [
    (name, params)
    for name, query in sorted(queries.load_all().items())
    if query.params
    for params in VARIANTS.get(name, [{}])
]


@pytest.fixture(scope="module")
def corpus(source_store: ox.Store) -> ox.Store:
    """The sources plus two stored cases with their findings graphs (for cq06)."""
    from test_cases_queries import CASES, store_case

    dataset = Dataset()
    store_case(dataset, CASES / "zhou-v-kuaike.ttl")
    store_case(dataset, CASES / "examples" / "rule-ecl-38-2-positive.ttl")
    store = ox.Store()
    store.extend(source_store.quads_for_pattern(None, None, None, None))
    store.load(dataset.serialize(format="nquads").encode(), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.mark.parametrize(("name", "params"), PARAMETERISED)
def test_named_queries_same_rows_as_the_engine(
    corpus: ox.Store, name: str, params: dict[str, str]
) -> None:
    query = queries.get(name)
    bindings = query.bindings(params)
    # the engine substitutes projected variables only: project the others for it, then drop
    body = query.text.split("#---\n", 2)[-1]
    missing = tuple(p for p in bindings if not re.search(rf"SELECT[^{{]*\?{p}\b", body))
    projected = re.sub(
        r"\bSELECT\b", "SELECT " + " ".join(f"?{p}" for p in missing), query.text, count=1
    )
    subs = {ox.Variable(k): to_ox(v) for k, v in bindings.items()}
    expected = rows(
        corpus.query(projected, use_default_graph_as_union=True, substitutions=subs), missing
    )
    ours = substitute(query.text, bindings)
    assert rows(corpus.query(ours, use_default_graph_as_union=True)) == expected
    assert expected, "an empty answer compares nothing"


def test_cq06_labels_inside_the_union_branches(corpus: ox.Store) -> None:
    """cq06 filters labels by ?lang inside UNION branches: substitution reaches them."""
    query = queries.get("cq06-case-breaches-and-liability")
    case = "https://w3id.org/ecpl/case/example-rule-ecl-38-2-positive"
    text = substitute(query.text, query.bindings({"case": case, "lang": "en"}))
    found = rows(corpus.query(text, use_default_graph_as_union=True))
    for label in ("dutyLabel", "ruleLabel", "positionLabel", "formLabel"):
        assert any(f"'{label}'" in row for row in found), label
