"""SPARQL 1.1 query and update text as tokens, by the grammar's terminal rules (§19.8).

Codepoint escapes (``\\uXXXX``, ``\\UXXXXXXXX``) are decoded in the whole text before
tokenizing, as SPARQL 1.1 §19.2 says; white space is space, tab, CR and LF; a comment runs
from ``#`` to the end of the line, and a line ends at CR or LF. Terminals are matched by the
longest match (one compiled master regex whose alternatives are ordered so that the first
match is the longest). Anything that is not a token is an :class:`InputError` naming the line
and column in the user's text.

:func:`canonical` re-serialises tokens with comments dropped and every string in one form;
the service executes that text, so the engine sees exactly the tokens that were judged.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from ecpl.errors import InputError

# Token kinds
IRIREF = "IRIREF"
PNAME_NS = "PNAME_NS"
PNAME_LN = "PNAME_LN"
BLANK_NODE_LABEL = "BLANK_NODE_LABEL"
VAR = "VAR"
LANGTAG = "LANGTAG"
INTEGER = "INTEGER"
DECIMAL = "DECIMAL"
DOUBLE = "DOUBLE"
STRING = "STRING"
NIL = "NIL"
ANON = "ANON"
PUNCT = "PUNCT"
KEYWORD = "KEYWORD"
A = "A"  # the keyword 'a' (rdf:type), the one keyword matched case-sensitively

# SPARQL 1.1 Query §19.8 and Update §19.8: every keyword of the two grammars, upper case.
_KEYWORD_NAMES = """
    BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK FROM NAMED GROUP BY
    HAVING ORDER ASC DESC LIMIT OFFSET VALUES LOAD SILENT INTO CLEAR DROP CREATE ADD TO MOVE
    COPY INSERT DATA DELETE WITH USING DEFAULT GRAPH ALL OPTIONAL SERVICE BIND UNDEF MINUS
    UNION FILTER IN NOT EXISTS TRUE FALSE SEPARATOR
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN
    UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY
    HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE
    IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE
    COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT
"""
KEYWORDS = frozenset(_KEYWORD_NAMES.split())

# §19.8 character classes
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_ECHAR = r"\\[tbnrf\\\"']"
_WS = "[ \t\r\n]"
_COMMENT = "#[^\r\n]*"
_EXPONENT = "[eE][+-]?[0-9]+"

# White space and comments before a token, then the token: alternatives in an order where
# the first that matches is the longest match.
_ALTERNATIVES = (
    f"(?P<SP>(?:{_WS}|{_COMMENT})*)(?:"
    + "|".join(
        [
            '(?P<IRIREF><[^<>"{}|^`\\\\\x00-\x20]*>)',
            "(?P<VAR>[?$]" + _VARNAME + ")",
            # the common punctuation early; ( [ + - . where NIL, ANON or a number may follow
            "(?P<PUNCT>\\^\\^|\\|\\||&&|!=|<=|>=|[{};,*/!=<>|^?\\])]|[+\\-](?![0-9.])|\\.(?![0-9]))",
            f"(?P<PNAME>(?:{_PN_PREFIX})?:(?P<LOCAL>{_PN_LOCAL})?)",
            "(?P<WORD>[A-Za-z][A-Za-z0-9_]*)",
            f"(?P<LONG1>'''(?:(?:'|'')?(?:[^'\\\\]|{_ECHAR}))*''')",
            f'(?P<LONG2>"""(?:(?:"|"")?(?:[^"\\\\]|{_ECHAR}))*""")',
            f"(?P<SHORT1>'(?:[^'\\\\\n\r]|{_ECHAR})*')",
            f'(?P<SHORT2>"(?:[^"\\\\\n\r]|{_ECHAR})*")',
            f"(?P<NIL>\\((?:{_WS}|{_COMMENT})*\\))",
            f"(?P<ANON>\\[(?:{_WS}|{_COMMENT})*\\])",
            "(?P<DOUBLE>[+-]?(?:[0-9]+\\.[0-9]*"
            + _EXPONENT
            + "|\\.[0-9]+"
            + _EXPONENT
            + "|[0-9]+"
            + _EXPONENT
            + "))",
            "(?P<DECIMAL>[+-]?[0-9]*\\.[0-9]+)",
            "(?P<INTEGER>[+-]?[0-9]+)",
            f"(?P<BLANK_NODE_LABEL>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
            "(?P<LANGTAG>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
            "(?P<PUNCT2>[(\\[+\\-.])",
            "(?P<END>\\Z)",
            "(?P<ERROR>.)",
        ]
    )
    + ")"
)
_MASTER = re.compile(_ALTERNATIVES, re.DOTALL)
# The same without prefixed names that have a prefix, for the rest of a run of name characters
# known to reach no ':' (a prefix is found by scanning the run; scanning it again from every
# word in it, as in 'a.a.a.a…', would take time quadratic in its length).
_MASTER_NO_PREFIX = re.compile(
    _ALTERNATIVES.replace(f"(?:{_PN_PREFIX})?:(?P<LOCAL>", ":(?P<LOCAL>"), re.DOTALL
)
_RUN = re.compile(f"[{_PN_CHARS}.]*")
_COMMENTS = re.compile(_COMMENT)

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", "\\": "\\", '"': '"', "'": "'"}
_ECHAR_RE = re.compile(r"\\(.)", re.DOTALL)
_PLX_ESC = re.compile(r"\\(.)")
# Decoded by SPARQL 1.1 before parsing, but read as content by engines that (like SPARQL 1.2
# and Turtle) decode escapes only inside strings and IRIs: both readings can be valid queries
# with different meanings, so these are refused rather than guessed.
_AMBIGUOUS = {"\\": "a backslash", '"': "a double quote", "'": "a single quote"}


class Token(NamedTuple):
    """One terminal: ``kind``, its source ``text`` (after escape decoding) and ``value``.

    ``value`` is the IRI between the brackets for IRIREF, the local name with escapes removed
    for PNAME_LN, the decoded string for STRING, the upper-cased keyword for KEYWORD, and the
    text otherwise; ``prefix`` is a prefixed name's prefix. ``space`` is the white space before
    the token with comments removed (kept so that line numbers survive re-serialisation).
    """

    kind: str
    text: str
    value: str
    start: int
    space: str
    prefix: str = ""


class Source(NamedTuple):
    """The decoded text and where its characters came from in the user's text."""

    original: str
    text: str
    decoded_at: list[int]  # positions in ``text`` just after each decoded escape
    shift: list[int]  # cumulative characters removed by escapes up to that position

    def position(self, offset: int) -> tuple[int, int]:
        """Line and column (1-based) in the user's text of ``offset`` in the decoded text."""
        index = bisect.bisect_right(self.decoded_at, offset)
        return _line_column(self.original, offset + (self.shift[index - 1] if index else 0))

    def error(self, offset: int, problem: str) -> InputError:
        line, column = self.position(offset)
        near = self.text[offset : offset + 20]
        return InputError(
            f"SPARQL syntax error at line {line}, column {column}: {problem} {near!r}"
        )


def decode(text: str) -> Source:
    """Decode codepoint escapes in the whole text (§19.2); InputError for what cannot be kept."""
    if "\\u" not in text and "\\U" not in text:
        return Source(text, text, [], [])
    pieces: list[str] = []
    decoded_at: list[int] = []
    shift: list[int] = []
    last = removed = length = 0
    for match in _ESCAPE.finditer(text):
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            where = "line {}, column {}".format(*_line_column(text, match.start()))
            raise InputError(f"codepoint escape {match.group(0)} at {where} is not a character")
        char = chr(code)
        if char in _AMBIGUOUS:
            where = "line {}, column {}".format(*_line_column(text, match.start()))
            raise InputError(
                f"codepoint escape {match.group(0)} at {where} stands for {_AMBIGUOUS[char]}, "
                "which SPARQL 1.1 and 1.2 read differently; write the character itself "
                "(escaped as \\\\, \\\" or \\' inside a string)"
            )
        pieces.append(text[last : match.start()])
        pieces.append(char)
        length += match.start() - last + 1
        removed += len(match.group(0)) - 1
        decoded_at.append(length)
        shift.append(removed)
        last = match.end()
    pieces.append(text[last:])
    decoded = "".join(pieces)
    again = _ESCAPE.search(decoded)
    if again:
        raise InputError(
            f"the text still holds the codepoint escape {again.group(0)} after its escapes are "
            "decoded (an escaped escape); write the character itself"
        )
    return Source(text, decoded, decoded_at, shift)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``; a line ends at LF, CR or CRLF."""
    before = text[:offset]
    line = before.count("\n") + before.count("\r") - before.count("\r\n") + 1
    return line, offset - max(before.rfind("\n"), before.rfind("\r"))


def _string_value(body: str) -> str:
    if "\\" not in body:
        return body
    return _ECHAR_RE.sub(lambda m: _ECHARS[m.group(1)], body)


# One branch per token class of the grammar, in the grammar's order (hence C901).
def tokenize(text: str) -> tuple[list[Token], Source, str]:  # noqa: C901
    """The tokens of ``text``, its decoded source, and the white space after the last token."""
    source = decode(text)
    decoded = source.text
    tokens: list[Token] = []
    append = tokens.append
    new = tuple.__new__
    plain = _PLAIN
    full, no_prefix = _MASTER.match, _MASTER_NO_PREFIX.match
    position = plain_until = 0
    while True:
        match = (no_prefix if position < plain_until else full)(decoded, position)
        if match is None:  # unreachable: ERROR and END match anywhere
            raise source.error(position, "cannot read the query here")
        kind = match.lastgroup
        before, start = match.span(1)
        position = match.end()
        space = decoded[before:start]
        if "#" in space:
            space = _COMMENTS.sub("", space)
        token = decoded[start:position]
        if kind == "WORD" and start >= plain_until:
            # no prefixed name starts here, so none starts later in this run of name
            # characters either: skip the search until the run ends
            plain_until = _RUN.match(decoded, start).end()  # type: ignore[union-attr]
        if kind in plain:
            append(new(Token, (plain[kind], token, token, start, space, "")))
        elif kind == "NIL" or kind == "ANON":  # the value without inner space or comments
            append(new(Token, (kind, token, token[0] + token[-1], start, space, "")))
        elif kind == "WORD":
            if token == "a":  # noqa: S105 (a SPARQL keyword, not a password)
                append(new(Token, (A, token, token, start, space, "")))
            else:
                upper = token.upper()
                if upper not in KEYWORDS:
                    raise source.error(start, "unknown keyword")
                append(new(Token, (KEYWORD, token, upper, start, space, "")))
        elif kind == "PNAME":
            local = match.group("LOCAL")
            if local is None:
                append(new(Token, (PNAME_NS, token, "", start, space, token[:-1])))
            else:
                prefix = token[: len(token) - len(local) - 1]
                if "\\" in local:
                    local = _PLX_ESC.sub(r"\1", local)
                append(new(Token, (PNAME_LN, token, local, start, space, prefix)))
        elif kind == "SHORT1" or kind == "SHORT2":
            value = _string_value(token[1:-1])
            append(new(Token, (STRING, token, value, start, space, "")))
        elif kind == "LONG1" or kind == "LONG2":
            value = _string_value(token[3:-3])
            append(new(Token, (STRING, token, value, start, space, "")))
        elif kind == "IRIREF":
            append(new(Token, (IRIREF, token, token[1:-1], start, space, "")))
        elif kind == "END":
            return tokens, source, space
        elif token in "\"'":  # noqa: S105 (quote characters, not a password)
            raise source.error(start, "unterminated or malformed string")
        else:
            raise source.error(start, "unexpected character")


_PLAIN = {
    "VAR": VAR,
    "PUNCT": PUNCT,
    "PUNCT2": PUNCT,
    "INTEGER": INTEGER,
    "DECIMAL": DECIMAL,
    "DOUBLE": DOUBLE,
    "BLANK_NODE_LABEL": BLANK_NODE_LABEL,
    "LANGTAG": LANGTAG,
}


def string_text(value: str) -> str:
    """A string in the one form canonical text uses: double quotes, four escapes."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if '"' in value:
        value = value.replace('"', '\\"')
    if "\n" in value or "\r" in value:
        value = value.replace("\n", "\\n").replace("\r", "\\r")
    return f'"{value}"'


def canonical(tokens: Sequence[Token], trailing: str, iri_text: Callable[[int, Token], str]) -> str:
    """Re-serialise ``tokens``: comments gone, strings in one form, IRIs from ``iri_text``.

    ``iri_text(index, token)`` gives the text for IRIREF and prefixed-name tokens (the policy
    writes them resolved). Two touching tokens that meet with symbols on both sides get a
    space between them (the grammar allows white space between any two terminals), so that
    no engine can join them into a token this lexer does not know: ``<<`` or ``{|`` (SPARQL
    1.2), two strings as a long one. Touching words and symbols stay touching: oxigraph
    0.5 refuses ``CONCAT (`` and ``BNODE ( )`` with a space.
    """
    out: list[str] = []
    last = ""
    for index, token in enumerate(tokens):
        kind = token.kind
        if kind == STRING:
            text = string_text(token.value)
        elif kind in (IRIREF, PNAME_LN, PNAME_NS):
            text = iri_text(index, token)
        elif kind in (NIL, ANON):
            text = token.text[0] + _inner_space(token.text[1:-1]) + token.text[-1]
        else:
            text = token.text
        space = token.space
        if not space and index and last in _SYMBOLS and text[0] in _SYMBOLS:
            space = " "
        out.append(space)
        out.append(text)
        last = text[-1]
    out.append(trailing)
    return "".join(out)


# Characters that can begin or end a token and are not part of a word (letters, digits, '_'
# and every non-ASCII character a name may hold).
_SYMBOLS = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~")


def _inner_space(text: str) -> str:
    """The white space inside ``( )`` or ``[ ]`` without its comments."""
    return _COMMENTS.sub("", text) if "#" in text else text


def nesting(tokens: Sequence[Token]) -> tuple[int, int]:
    """The deepest nesting of ``{ ( [`` and the index of the token that reached it."""
    depth = deepest = at = 0
    for index, token in enumerate(tokens):
        if token.kind != PUNCT:
            continue
        char = token.text
        if char in "{([":
            depth += 1
            if depth > deepest:
                deepest, at = depth, index
        elif char in "})]":
            depth -= 1
    return deepest, at
