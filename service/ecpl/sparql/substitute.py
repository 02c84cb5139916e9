"""Parameters bound into SPARQL text by substitution (SEP-0007), on the query's tokens.

Every store binds a named query's parameters here, the embedded one and the remote ones
alike, so both run the same text. Each parameter variable is replaced by its RDF term, the
way pyoxigraph's ``substitutions`` option does (the engine is the oracle in the tests):

- everywhere the variable occurs in the query: patterns, FILTER and BIND expressions, OPTIONAL
  and UNION branches at any depth, EXISTS — unlike a ``VALUES``/``BIND`` block at the start
  of the WHERE clause, which a nested OPTIONAL or a UNION branch does not see (SPARQL
  evaluates a group bottom-up: ``FILTER(lang(?l) = ?lang)`` there tests an unbound ``?lang``);
- not inside a sub-SELECT that does not project the variable (there it is another variable);
- a projected ``?x`` becomes ``(term AS ?x)`` and ``GROUP BY``/``ORDER BY ?x`` ``(term)``, so
  the answer keeps the column; a sub-SELECT stops projecting it (the query's own projection
  binds it, and SPARQL forbids binding a variable already in scope).

Only variable tokens are replaced, never text inside strings, IRIs or comments. Terms are
written here from their parts (IRIs checked, strings in the lexer's one escaped form), never
spliced from user text. Inside an expression a date or dateTime is written as a cast
(``<…#date>("2026-01-01")``, the same value): Virtuoso 7 compares a stored xsd:date with a
date literal wrongly unless the constant is cast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from ecpl.errors import InputError
from ecpl.sparql import iri as sparql_iri
from ecpl.sparql import lexer
from ecpl.sparql.lexer import Token

_XSD = "http://www.w3.org/2001/XMLSchema#"
_CAST_TYPES = frozenset({_XSD + "date", _XSD + "dateTime"})
# Where a variable stands: a projection, a solution modifier (GROUP BY / ORDER BY), the rest.
_PROJECTION, _MODIFIERS, _BODY = "projection", "modifiers", "body"
_EXPRESSION, _COLLECTION, _VALUES = "(expr", "(list", "(values"


def term_text(name: str, term: Identifier, *, expression: bool) -> str:
    """``term`` as SPARQL text; InputError for a term that cannot be written as a constant."""
    if isinstance(term, URIRef):
        value = str(term)
        if not (sparql_iri.is_absolute(value) and sparql_iri.is_iri_text(value)):
            raise InputError(f"parameter ?{name} is not an absolute IRI: {value!r}")
        return f"<{value}>"
    if isinstance(term, Literal):
        text = lexer.string_text(str(term))
        if term.language:  # rdflib checks the tag (BCP 47 syntax)
            return f"{text}@{term.language}"
        if term.datatype is None:
            return text
        datatype = term_text(name, URIRef(str(term.datatype)), expression=False)
        if expression and str(term.datatype) in _CAST_TYPES:
            return f"{datatype}({text})"
        return f"{text}^^{datatype}"
    raise InputError(f"parameter ?{name} must be an IRI or a literal, got {term!r}")


@dataclass
class _Scope:
    """A SELECT (the query or a sub-SELECT): where it starts and what it hides."""

    depth: int  # open brackets outside it
    hidden: frozenset[str]  # parameters that are the sub-SELECT's own variables
    phase: str = _BODY


def _projected(tokens: Sequence[Token], start: int) -> tuple[set[str], bool]:
    """The variables a SELECT at ``start`` projects, and whether it projects ``*``."""
    names: set[str] = set()
    depth = 0
    previous = tokens[start]
    for token in tokens[start + 1 :]:
        if token.kind == lexer.KEYWORD and token.value in ("WHERE", "FROM") and not depth:
            break
        if token.kind == lexer.PUNCT:
            if token.text == "{" and not depth:
                break
            if token.text == "*" and not depth:
                return names, True
            depth += {"(": 1, ")": -1}.get(token.text, 0)
        elif token.kind == lexer.VAR and (not depth or previous.value == "AS"):
            names.add(token.text[1:])  # ?x or (… AS ?x)
        previous = token
    return names, False


def _paren(tokens: Sequence[Token], index: int, brackets: list[str], scope: _Scope) -> str:
    """What an opening ``(`` at ``index`` starts: an expression, a VALUES list or a list."""
    before = tokens[index - 1] if index else None
    if before is not None and before.kind == lexer.KEYWORD:
        return _VALUES if before.value == "VALUES" else _EXPRESSION
    if brackets and brackets[-1] == _EXPRESSION:
        return _EXPRESSION
    if len(brackets) == scope.depth and scope.phase != _BODY:
        return _EXPRESSION  # SELECT (… AS ?x), ORDER BY (…), ORDER BY <fn>(…)
    if before is not None and before.kind in (lexer.IRIREF, lexer.PNAME_LN, lexer.PNAME_NS):
        earlier = tokens[index - 2] if index > 1 else None
        if earlier is not None and earlier.kind == lexer.KEYWORD and earlier.value == "FILTER":
            return _EXPRESSION  # FILTER <fn>(…)
    return _COLLECTION  # an RDF collection or a property path group in a pattern


def _replacement(
    tokens: Sequence[Token],
    index: int,
    brackets: list[str],
    scope: _Scope,
    term: Identifier,
) -> str:
    """The text that stands for the parameter variable ``tokens[index]``."""
    name = tokens[index].text[1:]
    before = tokens[index - 1] if index else None
    if before is not None and before.kind == lexer.KEYWORD and before.value in ("AS", "VALUES"):
        raise InputError(f"parameter ?{name} is assigned by the query ({before.value} ?{name})")
    if brackets and brackets[-1] == _VALUES:
        raise InputError(f"parameter ?{name} is assigned by the query (VALUES)")
    if len(brackets) == scope.depth:
        if scope.phase == _PROJECTION and scope.depth:
            return ""  # a sub-SELECT: the outer query projects the constant (no rebinding)
        if scope.phase == _PROJECTION:
            return f"({term_text(name, term, expression=True)} AS ?{name})"
        if scope.phase == _MODIFIERS:
            return f"({term_text(name, term, expression=True)})"
    expression = bool(brackets) and brackets[-1] == _EXPRESSION
    return term_text(name, term, expression=expression)


def _track(
    tokens: Sequence[Token], index: int, brackets: list[str], scopes: list[_Scope], params: set[str]
) -> None:
    """Follow brackets, sub-SELECTs and query parts up to and including ``tokens[index]``."""
    token = tokens[index]
    scope = scopes[-1]
    at_scope = len(brackets) == scope.depth
    if token.kind == lexer.KEYWORD:
        if token.value == "SELECT":
            if brackets:  # a sub-SELECT: its unprojected parameters are its own variables
                names, star = _projected(tokens, index)
                own = frozenset() if star else frozenset(params - names)
                scopes.append(_Scope(len(brackets), scope.hidden | own))
            scopes[-1].phase = _PROJECTION
        elif at_scope and token.value in ("WHERE", "FROM"):
            scope.phase = _BODY
        elif at_scope and token.value == "BY":
            scope.phase = _MODIFIERS
        elif at_scope and token.value in ("HAVING", "LIMIT", "OFFSET", "VALUES"):
            scope.phase = _BODY
    elif token.kind == lexer.PUNCT:
        char = token.text
        if char == "{":
            if at_scope:
                scope.phase = _BODY
            brackets.append("{")
        elif char == "[":
            brackets.append("[")
        elif char == "(":
            brackets.append(_paren(tokens, index, brackets, scope))
        elif char in ")]}" and brackets:
            brackets.pop()
            if len(scopes) > 1 and len(brackets) < scopes[-1].depth:
                scopes.pop()  # the group holding the sub-SELECT is closed


def substitute(text: str, bindings: Mapping[str, Identifier]) -> str:
    """``text`` with each variable named in ``bindings`` replaced by its term (SEP-0007).

    InputError when a parameter cannot be a constant: assigned by ``AS`` or ``VALUES``, or a
    term that cannot be written (a blank node, an IRI with spaces).
    """
    if not bindings:
        return text
    tokens, source, _ = lexer.tokenize(text)
    params = set(bindings)
    brackets: list[str] = []
    scopes = [_Scope(0, frozenset())]
    out: list[str] = []
    done = 0
    decoded = source.text
    for index, token in enumerate(tokens):
        name = token.text[1:] if token.kind == lexer.VAR else ""
        if name in params and name not in scopes[-1].hidden:
            new = _replacement(tokens, index, brackets, scopes[-1], bindings[name])
            end = token.start + len(token.text)
            if token.start and not decoded[token.start - 1].isspace():
                new = " " + new
            if end < len(decoded) and not decoded[end].isspace():
                new += " "
            out += [decoded[done : token.start], new]
            done = end
        _track(tokens, index, brackets, scopes, params)
    out.append(decoded[done:])
    return "".join(out)
