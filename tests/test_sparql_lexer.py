"""The SPARQL tokenizer against the SPARQL 1.1 grammar's terminals (Query §19.2, §19.8)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecpl.errors import InputError
from ecpl.sparql import lexer
from ecpl.sparql.lexer import Token


def kinds(text: str) -> list[tuple[str, str]]:
    tokens, _, _ = lexer.tokenize(text)
    return [(t.kind, t.value) for t in tokens]


def one(text: str) -> Token:
    tokens, _, _ = lexer.tokenize(text)
    assert len(tokens) == 1, tokens
    return tokens[0]


# -- terminals (§19.8) -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("<http://example.org/book/book1>", "IRIREF", "http://example.org/book/book1"),
        ("<>", "IRIREF", ""),
        ("<#frag>", "IRIREF", "#frag"),  # '#' inside an IRI is not a comment
        ("ex:", "PNAME_NS", ""),
        (":", "PNAME_NS", ""),
        ("ex:book1", "PNAME_LN", "book1"),
        (":x", "PNAME_LN", "x"),
        ("ex:1st", "PNAME_LN", "1st"),  # PN_LOCAL may start with a digit
        ("ex:a:b", "PNAME_LN", "a:b"),  # and hold colons
        ("ex:a.b", "PNAME_LN", "a.b"),  # and inner dots
        (r"ex:a\.b\~c", "PNAME_LN", "a.b~c"),  # PN_LOCAL_ESC is unescaped
        (r"ex:\#x", "PNAME_LN", "#x"),  # an escaped '#' is no comment
        ("ex:%41b", "PNAME_LN", "%41b"),  # PERCENT stays encoded
        ("a.b-c:d", "PNAME_LN", "d"),
        ("_:b0", "BLANK_NODE_LABEL", "_:b0"),
        ("_:0a.b", "BLANK_NODE_LABEL", "_:0a.b"),
        ("?x", "VAR", "?x"),
        ("$x", "VAR", "$x"),
        ("?1", "VAR", "?1"),
        ("@en-GB", "LANGTAG", "@en-GB"),
        ("1", "INTEGER", "1"),
        ("+1", "INTEGER", "+1"),
        ("-1", "INTEGER", "-1"),
        ("1.5", "DECIMAL", "1.5"),
        (".5", "DECIMAL", ".5"),
        ("-.5", "DECIMAL", "-.5"),
        ("1e10", "DOUBLE", "1e10"),
        ("1.E3", "DOUBLE", "1.E3"),
        (".5e-1", "DOUBLE", ".5e-1"),
        ("+2.5e+3", "DOUBLE", "+2.5e+3"),
        ("'x'", "STRING", "x"),
        ('"x"', "STRING", "x"),
        ("'''a'b''c'''", "STRING", "a'b''c"),
        ('"""a"b""c"""', "STRING", 'a"b""c'),
        ('"""line\nbreak\rhere"""', "STRING", "line\nbreak\rhere"),
        (r'"t\tb\bn\nr\rf\f\\\"\'"', "STRING", "t\tb\bn\nr\rf\f\\\"'"),
        ('"#not a comment"', "STRING", "#not a comment"),
        ("''", "STRING", ""),
        ("()", "NIL", "()"),
        ("( \t\n)", "NIL", "()"),
        ("( # c\r)", "NIL", "()"),
        ("[]", "ANON", "[]"),
        ("[ ]", "ANON", "[]"),
        ("^^", "PUNCT", "^^"),
        ("||", "PUNCT", "||"),
        ("&&", "PUNCT", "&&"),
        ("!=", "PUNCT", "!="),
        ("<=", "PUNCT", "<="),
        (">=", "PUNCT", ">="),
        ("select", "KEYWORD", "SELECT"),
        ("SeLeCt", "KEYWORD", "SELECT"),
        ("group_concat", "KEYWORD", "GROUP_CONCAT"),
        ("isIRI", "KEYWORD", "ISIRI"),
        ("a", "A", "a"),
    ],
)
def test_terminal(text: str, kind: str, value: str) -> None:
    token = one(text)
    assert (token.kind, token.value) == (kind, value)


def test_prefixed_name_parts() -> None:
    token = one(r"ex.1:a\-b")
    assert (token.prefix, token.value) == ("ex.1", "a-b")
    assert one(":").prefix == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # PN_LOCAL cannot end with '.': the dot ends the triple
        ("ex:a.", [("PNAME_LN", "a"), ("PUNCT", ".")]),
        # an INTEGER followed by the end of a triple, not a DECIMAL '1.'
        ("1.", [("INTEGER", "1"), ("PUNCT", ".")]),
        # longest match: '<a>' is an IRI, '< a' an operator and a keyword
        ("?a<?b", [("VAR", "?a"), ("PUNCT", "<"), ("VAR", "?b")]),
        ("?a - 1", [("VAR", "?a"), ("PUNCT", "-"), ("INTEGER", "1")]),
        ("?a -1", [("VAR", "?a"), ("INTEGER", "-1")]),
        ('"x"^^xsd:int', [("STRING", "x"), ("PUNCT", "^^"), ("PNAME_LN", "int")]),
        ('"x"@en', [("STRING", "x"), ("LANGTAG", "@en")]),
        ("ex:p+", [("PNAME_LN", "p"), ("PUNCT", "+")]),
        ("ex:p?", [("PNAME_LN", "p"), ("PUNCT", "?")]),
        ("^ex:p|ex:q", [("PUNCT", "^"), ("PNAME_LN", "p"), ("PUNCT", "|"), ("PNAME_LN", "q")]),
        ("( ?x )", [("PUNCT", "("), ("VAR", "?x"), ("PUNCT", ")")]),
        ("[ a ?x ]", [("PUNCT", "["), ("A", "a"), ("VAR", "?x"), ("PUNCT", "]")]),
        ("''''''", [("STRING", "")]),
    ],
)
def test_longest_match(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


# -- white space and comments ------------------------------------------------------------------
@pytest.mark.parametrize("eol", ["\n", "\r", "\r\n"])
def test_a_comment_ends_at_cr_or_lf(eol: str) -> None:
    assert kinds(f"?a # comment ?b{eol}?c") == [("VAR", "?a"), ("VAR", "?c")]


def test_a_comment_runs_to_the_end_of_the_text() -> None:
    tokens, _, trailing = lexer.tokenize("?a # ?b")
    assert [t.value for t in tokens] == ["?a"] and trailing == " "


@pytest.mark.parametrize("space", ["\x0c", "\x0b", "\xa0", "\u2028", "\u0085"])
def test_only_space_tab_cr_lf_are_white_space(space: str) -> None:
    with pytest.raises(InputError, match="unexpected character"):
        lexer.tokenize(f"?a{space}?b")


# -- codepoint escapes (§19.2): decoded in the whole text before tokenizing ------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"\u0053ELECT", [("KEYWORD", "SELECT")]),
        (r"?a \u0023 ?b", [("VAR", "?a")]),  # an escaped '#' starts a comment
        ("?a # x\\u000D?b", [("VAR", "?a"), ("VAR", "?b")]),  # an escaped CR ends one
        ("?a # x\\u000A?b", [("VAR", "?a"), ("VAR", "?b")]),
        (r"<http://a/\u0062>", [("IRIREF", "http://a/b")]),
        (r"'\u00E9'", [("STRING", "é")]),
        (r"'\U0001F600'", [("STRING", "\U0001f600")]),
        (r"?x\u0020?y", [("VAR", "?x"), ("VAR", "?y")]),
    ],
)
def test_codepoint_escapes(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        r"'\u005Cu0041'",  # an escaped backslash would form a new escape
        r"'\\\u0075 0041'".replace(" ", ""),  # a literal backslash + escaped 'u': \u0041 again
        r"\U00110000",  # beyond Unicode
        r"'\uD800'",  # a surrogate is no character
        r"'\u0022'",  # a quote: 1.1 and 1.2 engines read it differently
        r"'\u0027'",
    ],
)
def test_escapes_that_cannot_be_kept_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="escape"):
        lexer.tokenize(text)


def test_error_position_is_in_the_users_text() -> None:
    with pytest.raises(InputError, match="line 2, column 13"):
        lexer.tokenize("SELECT * {\n\\u0020?s ?p ~ }")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("SELECT * { ?s ?p 'open", "string"),
        ('"a\nb"', "string"),  # a short string cannot hold a line break
        ("'\\q'", "string"),  # no such ECHAR
        ("?s FOO ?o", "unknown keyword"),
        ("A", "unknown keyword"),  # 'a' is the one case-sensitive keyword
        ("?s ?p ~", "unexpected character"),
        ("$", "unexpected character"),
        ("_:", "unexpected character"),
        ("@", "unexpected character"),
        ("<a b>", "unknown keyword"),  # no space in an IRI: '<' then 'a'…
    ],
)
def test_bad_input_is_an_input_error(text: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        lexer.tokenize(text)


# -- canonical text ----------------------------------------------------------------------------
def _canonical(text: str) -> str:
    tokens, _, trailing = lexer.tokenize(text)
    return lexer.canonical(tokens, trailing, lambda _, token: token.text)


def test_canonical_drops_comments_and_keeps_lines() -> None:
    text = "SELECT * # one\nWHERE {\r\n  ?s ?p 'it''s' # two\n}"
    assert _canonical(text) == 'SELECT * \nWHERE {\r\n  ?s ?p "it" "s" \n}'


def test_canonical_strings_have_one_form() -> None:
    assert _canonical("'''a\"b\nc\\\\'''") == '"a\\"b\\nc\\\\"'
    assert _canonical("'\\r'") == '"\\r"'


def test_canonical_separates_touching_tokens() -> None:
    # an engine that knows '<<' or '{|' (SPARQL 1.2) must not join what was judged as two
    assert _canonical("?a<<?b") == "?a< < ?b"
    assert _canonical("(<<?a") == "( < < ?a"
    assert _canonical("{|}") == "{ | }"
    assert _canonical("'''x'") == '"" "x"'
    assert _canonical("( #c\n)") == "( \n)"
    # words and symbols stay touching (oxigraph refuses 'CONCAT (' with a space)
    assert _canonical("CONCAT(?a,'b')") == 'CONCAT( ?a, "b" )'


_PIECES = st.sampled_from(
    [
        "SELECT",
        "select",
        "?x",
        "$y",
        "<http://e/a#b>",
        "ex:a",
        r"ex:a\.b",
        ":",
        "_:b1",
        "'s'",
        '"q\\"q"',
        "'''l\nl'''",
        '"#"',
        "1",
        "-2.5",
        ".5e3",
        "@en",
        "^^",
        "(",
        ")",
        "()",
        "[]",
        "{",
        "}",
        ".",
        ";",
        "<=",
        "&&",
        "a",
        "FILTER",
        r"'\u00e9'",
    ]
)
_SEPARATORS = st.sampled_from([" ", "\n", "\r", "\t", " #c\n", " #c\r", "\r\n", "#\\u000D"])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(_PIECES, _SEPARATORS), max_size=30))
def test_canonical_text_has_the_same_tokens(parts: list[tuple[str, str]]) -> None:
    """Re-tokenizing the canonical text gives the same tokens: nothing was re-read."""
    text = "".join(piece + sep for piece, sep in parts)
    tokens, _, trailing = lexer.tokenize(text)
    again, _, _ = lexer.tokenize(lexer.canonical(tokens, trailing, lambda _, t: t.text))
    assert [(t.kind, t.value) for t in again] == [(t.kind, t.value) for t in tokens]


def test_nesting_counts_tokens_only() -> None:
    tokens, _, _ = lexer.tokenize("{ '{{{{' <x([> # {{{\n ( [ a ?x ] ) }")
    assert lexer.nesting(tokens)[0] == 3


def test_a_ten_kilobyte_query_tokenizes_whole() -> None:
    """Performance sanity (timings: bench/bench_policy.py): 10 KB, every block a token run."""
    block = '  OPTIONAL {{ ?s{0} <urn:p> "x{0} # no comment" ; <urn:q> ?o{0} }} # c {0}\n'
    blocks = 150
    text = "SELECT * WHERE {\n" + "".join(block.format(i) for i in range(blocks)) + "}\n"
    assert len(text) > 10_000
    tokens, _, _ = lexer.tokenize(text)
    assert len(tokens) == 5 + 9 * blocks  # SELECT * WHERE { … } and nine per block
    strings = [t.value for t in tokens if t.kind == "STRING"]
    assert strings == [f"x{i} # no comment" for i in range(blocks)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a.b:c", [("PNAME_LN", "a.b:c")]),
        ("a.:d", [("A", "a"), ("PUNCT", "."), ("PNAME_LN", ":d")]),  # no prefix ends in '.'
        ("true.e:f", [("PNAME_LN", "true.e:f")]),
        ("a.a-b:c", [("PNAME_LN", "a.a-b:c")]),  # the longest match from the first 'a'
        ("a.a-a.:c", [("A", "a"), ("PUNCT", "."), ("A", "a"), ("PUNCT", "-"), ("A", "a")]),
        ("a.a-a. a", [("A", "a"), ("PUNCT", "."), ("A", "a"), ("PUNCT", "-"), ("A", "a")]),
    ],
)
def test_prefixed_names_in_runs_of_name_characters(
    text: str, expected: list[tuple[str, str]]
) -> None:
    tokens, _, _ = lexer.tokenize(text)
    assert [(t.kind, t.text) for t in tokens][: len(expected)] == expected


def test_a_long_run_of_words_and_dots_is_tokenized_in_linear_time() -> None:
    """'a.a.a.…' made the prefix search rescan the run from every word: 2 s for 16 KB."""
    tokens, _, _ = lexer.tokenize("a." * 100_000)  # 200 KB; quadratic would take minutes
    assert len(tokens) == 200_000
