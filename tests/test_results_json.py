"""SPARQL JSON results terms, written as text, against the W3C format and the stdlib encoder.

Expectations come from SPARQL 1.1 Query Results JSON Format §3.2.2 (an IRI is
``{"type": "uri", "value": I}``, a literal carries ``xml:lang`` or ``datatype``, a simple literal
neither, a blank node ``{"type": "bnode", …}``) and the RDF-star note's ``"triple"``; the bytes
must be those ``json.dumps`` writes for that object, so no client sees a change.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from ecpl.formats import SPARQL_JSON
from ecpl.results import Caps, json_term, write_solutions

XSD = "http://www.w3.org/2001/XMLSchema#"
# any text a literal may hold: quotes, backslashes, control characters, line separators, CJK
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
IRIS = st.sampled_from(
    [
        "https://w3id.org/ecpl/ontology#EcommercePlatformOperator",
        "http://example.org/路径/条款?q=x&y=%22",
        "urn:x:a-b#c",
        XSD + "string",
    ]
)
LANGS = st.sampled_from(["zh", "en", "zh-Hans-CN"])
DATATYPES = st.sampled_from([XSD + "integer", XSD + "date", XSD + "double", "urn:ecpl:dt"])


def spec(term: object) -> dict[str, object]:
    """§3.2.2 of the JSON results format, written out from the spec."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    assert isinstance(term, ox.Triple)
    return {
        "type": "triple",
        "value": {
            "subject": spec(term.subject),
            "predicate": spec(term.predicate),
            "object": spec(term.object),
        },
    }


named = IRIS.map(ox.NamedNode)
literals = st.one_of(
    TEXT.map(ox.Literal),
    st.builds(lambda v, lang: ox.Literal(v, language=lang), TEXT, LANGS),
    st.builds(lambda v, dt: ox.Literal(v, datatype=ox.NamedNode(dt)), TEXT, DATATYPES),
)
blanks = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True).map(ox.BlankNode)
simple = st.one_of(named, literals, blanks)
terms = st.one_of(simple, st.builds(ox.Triple, st.one_of(named, blanks), named, simple))


@settings(max_examples=400, derandomize=True)
@given(terms)
def test_a_term_is_the_spec_object_in_json_dumps_bytes(term: object) -> None:
    written = json_term(term)
    assert json.loads(written) == spec(term)
    assert written == json.dumps(spec(term), ensure_ascii=False, separators=(",", ":"))


def test_a_row_binds_only_its_bound_variables_in_order() -> None:
    store = ox.Store()
    query = 'SELECT ?b ?a ?c WHERE { VALUES (?a ?b ?c) { ("x\\"y" <urn:z> UNDEF) } }'
    written = write_solutions(["b", "a", "c"], store.query(query), SPARQL_JSON, Caps())
    body = written.body.decode("utf-8")
    assert body == (
        '{"head":{"vars":["b","a","c"]},"results":{"bindings":['
        '{"b":{"type":"uri","value":"urn:z"},"a":{"type":"literal","value":"x\\"y"}}]}}'
    )
