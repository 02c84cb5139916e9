"""What a query or update may do, judged on its tokens; the engine runs only what was judged.

:func:`prepare_query` and :func:`prepare_update` tokenize the text by the SPARQL grammar's
rules (:mod:`ecpl.sparql.lexer`), resolve every IRI (prefixed names, BASE, the request's base
IRI), refuse ``SERVICE`` outside the allow-list (SSRF) and ``LOAD`` (reads any IRI or file),
and return the canonical text the engine must execute: the same tokens without comments or
escapes, every IRI written out absolute. A second parser that reads the text differently
(rdflib ended ``#`` comments only at LF, the grammar ends them at CR too) cannot hide a
``SERVICE`` from the check, because the engine never sees the user's text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ecpl.errors import Forbidden, InputError
from ecpl.sparql import iri as iris
from ecpl.sparql import lexer
from ecpl.sparql.lexer import IRIREF, KEYWORD, PNAME_LN, PNAME_NS, PUNCT, VAR, Source, Token

Form = Literal["select", "ask", "construct", "describe", "update"]
MAX_DEPTH = 64
_QUERY_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}


@dataclass(frozen=True)
class Prepared:
    """A request that passed the policy: the text to execute and what it names."""

    text: str  # canonical text: what the engine must execute
    form: Form
    base_iri: str | None  # to pass to the engine (pyoxigraph query/update base_iri=)
    default_graphs: tuple[str, ...] = ()  # FROM (query) / USING (update), absolute
    named_graphs: tuple[str, ...] = ()  # FROM NAMED / USING NAMED, absolute
    with_graph: str | None = None  # update WITH (the first, if several operations name one)
    services: tuple[str, ...] = ()  # SERVICE endpoints (absolute IRIs), all allow-listed
    # update: graphs it may write; None = cannot tell (GRAPH ?g in a template)
    written_graphs: tuple[str, ...] | None = ()
    writes_all: bool = False  # update: DROP/CLEAR ALL|NAMED|DEFAULT, or default-graph writes

    @property
    def has_dataset(self) -> bool:
        """Whether the text names its own dataset (FROM, FROM NAMED, USING, WITH)."""
        return bool(self.default_graphs or self.named_graphs or self.with_graph)


def prepare_query(
    text: str, *, base_iri: str | None = None, service_allow_list: Sequence[str] = ()
) -> Prepared:
    """Judge a SPARQL query; Forbidden for SERVICE/LOAD, InputError for bad syntax."""
    return _judged(text, base_iri, tuple(service_allow_list), False)


def prepare_update(
    text: str, *, base_iri: str | None = None, service_allow_list: Sequence[str] = ()
) -> Prepared:
    """Judge a SPARQL update; Forbidden for SERVICE/LOAD, InputError for bad syntax."""
    return _judged(text, base_iri, tuple(service_allow_list), True)


def service_allowed(endpoint: str, allow_list: Sequence[str]) -> bool:
    """Whether ``endpoint`` is on the allow-list, comparing parsed parts, not strings.

    Scheme, host (case-insensitive; userinfo never accepted) and port (default ports filled
    in) must be equal, and the entry's path must be a prefix of the endpoint's on segment
    boundaries: ``http://allowed.example/`` admits neither ``http://allowed.example.invalid/``
    nor ``http://allowed.example@127.0.0.1/``.
    """
    target = iris.endpoint(endpoint)
    if target is None:
        return False
    for entry in allow_list:
        allowed = iris.endpoint(entry.strip())
        if (
            allowed is not None
            and allowed[:3] == target[:3]
            and target.segments[: len(allowed.segments)] == allowed.segments
        ):
            return True
    return False


def check_graphs(graphs: Iterable[str], has_graph: Callable[[str], bool], *, what: str) -> None:
    """InputError naming the first graph that is not in the store (nothing is fetched).

    A name that is not an absolute IRI is refused before ``has_graph`` sees it: a remote
    store asks its endpoint with the name inside ``<…>`` in a query.
    """
    for graph in graphs:
        if not (iris.is_absolute(graph) and iris.is_iri_text(graph)):
            raise InputError(f"{what} graph name {graph!r} is not an absolute IRI")
        if not has_graph(graph):
            raise InputError(
                f"{what} graph <{graph}> is not in this store; only stored graphs can be used"
            )


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """InputError for groups or expressions nested deeper than ``limit``.

    Deep nesting overflows parser stacks (pyoxigraph's kills the process); no real query
    nests more than a dozen levels. Counted on tokens: brackets in strings, IRIs and
    comments do not count.
    """
    tokens, source, _ = lexer.tokenize(text)
    _check_depth(tokens, source, limit)


def _check_depth(tokens: Sequence[Token], source: Source, limit: int) -> None:
    deepest, at = lexer.nesting(tokens)
    if deepest > limit:
        line, column = source.position(tokens[at].start)
        raise InputError(
            f"the query nests groups or expressions {deepest} levels deep (line {line}, "
            f"column {column}); the limit is {limit}"
        )


# Texts up to this size are cached (named queries, pages, repeated client queries); larger
# ones are judged each time, so the cache cannot be filled with hundreds of big texts.
CACHED_BYTES = 8 * 1024


def _judged(text: str, base_iri: str | None, allow_list: tuple[str, ...], update: bool) -> Prepared:
    if len(text) <= CACHED_BYTES:
        return _cached(text, base_iri, allow_list, update)
    return _prepare(text, base_iri, allow_list, update)


def _prepare(
    text: str, base_iri: str | None, allow_list: tuple[str, ...], update: bool
) -> Prepared:
    if base_iri is not None and not iris.is_absolute(base_iri):
        raise InputError(f"the base IRI <{base_iri}> is not absolute")
    tokens, source, trailing = lexer.tokenize(text)
    _check_depth(tokens, source, MAX_DEPTH)
    walk = _Walk(tokens, source, base_iri)
    canonical = lexer.canonical(tokens, trailing, walk.iri_text)
    services = walk.services(allow_list)
    if update:
        found = _UpdateTargets(walk)
        return Prepared(
            canonical,
            "update",
            base_iri,
            tuple(found.default),
            tuple(found.named),
            found.with_graph,
            services,
            None if found.unknown else tuple(dict.fromkeys(found.written)),
            found.writes_all,
        )
    form = walk.query_form()
    default, named = walk.dataset("FROM")
    return Prepared(canonical, form, base_iri, default, named, None, services)


_cached = lru_cache(maxsize=512)(_prepare)


class _Walk:
    """The tokens with every IRI resolved, and the checks that read them."""

    def __init__(self, tokens: list[Token], source: Source, base: str | None) -> None:
        self.tokens = tokens
        self.source = source
        self.iris: list[str | None] = [None] * len(tokens)
        self._resolve(base)

    def error(self, index: int, problem: str) -> InputError:
        if index >= len(self.tokens):
            return InputError(f"SPARQL syntax error: {problem} at the end of the text")
        return self.source.error(self.tokens[index].start, problem)

    def is_keyword(self, index: int, *names: str) -> bool:
        if index >= len(self.tokens):
            return False
        token = self.tokens[index]
        return token.kind == KEYWORD and token.value in names

    def iri(self, index: int) -> str:
        """The absolute IRI at ``index``; InputError when there is none."""
        found = self.iris[index] if index < len(self.tokens) else None
        if found is None:
            raise self.error(index, "expected an IRI")
        return found

    def _resolve(self, base: str | None) -> None:
        """Fill :attr:`iris` in text order, following BASE and PREFIX as they come."""
        tokens, prefixes = self.tokens, {}
        declaring = -1  # index of a PNAME_NS that a PREFIX declares
        previous = ""  # the keyword before this token, if it was one
        for index, token in enumerate(tokens):
            kind = token.kind
            after, previous = previous, token.value if kind == KEYWORD else ""
            if kind == IRIREF:
                ref = token.value
                if iris.is_absolute(ref):
                    value = ref
                elif base is None:
                    raise self.error(
                        index,
                        f"relative IRI <{ref}> with no base IRI (BASE in the query or the "
                        "request's) to resolve it against;",
                    )
                else:
                    value = iris.resolve(ref, base)
                self.iris[index] = value
                if after == "BASE":
                    base = value
                elif declaring >= 0 and index == declaring + 1:
                    prefixes[tokens[declaring].prefix] = value
            elif kind in (PNAME_LN, PNAME_NS):
                if after == "PREFIX" and kind == PNAME_NS:
                    declaring = index
                    continue
                namespace = prefixes.get(token.prefix)
                if namespace is None:
                    raise self.error(index, f"prefix '{token.prefix}:' is not declared:")
                self.iris[index] = namespace + token.value
            elif kind == KEYWORD and token.value in ("BASE", "PREFIX"):
                expected = (IRIREF,) if token.value == "BASE" else (PNAME_NS,)
                following = tokens[index + 1].kind if index + 1 < len(tokens) else None
                if following not in expected:
                    what = "an IRI" if token.value == "BASE" else "a prefix"
                    raise self.error(index + 1, f"{token.value} must be followed by {what}:")
                if token.value == "PREFIX" and (
                    index + 2 >= len(tokens) or tokens[index + 2].kind != IRIREF
                ):
                    raise self.error(index + 2, "PREFIX must be followed by a prefix and an IRI:")

    def iri_text(self, index: int, token: Token) -> str:
        value = self.iris[index]
        return token.text if value is None else f"<{value}>"

    def services(self, allow_list: Sequence[str]) -> tuple[str, ...]:
        """The SERVICE endpoints, each checked; Forbidden for LOAD and what is not allowed."""
        found: list[str] = []
        for index, token in enumerate(self.tokens):
            if token.kind != KEYWORD:
                continue
            if token.value == "LOAD":
                target = index + 2 if self.is_keyword(index + 1, "SILENT") else index + 1
                named = self.iris[target] if target < len(self.tokens) else None
                asked = f" (asked to load <{named}>)" if named else ""
                raise Forbidden(f"LOAD is not allowed on this service{asked}")
            if token.value != "SERVICE":
                continue
            target = index + 2 if self.is_keyword(index + 1, "SILENT") else index + 1
            if target < len(self.tokens) and self.tokens[target].kind == VAR:
                # Its value is known only while the query runs (from data or VALUES), so it
                # cannot be judged beforehand.
                raise Forbidden(
                    f"SERVICE {self.tokens[target].text}: an endpoint named by a variable is "
                    "not allowed on this service; name the endpoint IRI"
                )
            endpoint = self.iri(target)
            if not service_allowed(endpoint, allow_list):
                raise Forbidden(
                    f"SERVICE <{endpoint}> is not on this service's allow-list (ECPL_SERVICE_ALLOW)"
                )
            found.append(endpoint)
        return tuple(found)

    def dataset(self, keyword: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The graphs after each ``keyword`` (FROM or USING): default and NAMED."""
        default: list[str] = []
        named: list[str] = []
        for index, token in enumerate(self.tokens):
            if token.kind == KEYWORD and token.value == keyword:
                if self.is_keyword(index + 1, "NAMED"):
                    named.append(self.iri(index + 2))
                else:
                    default.append(self.iri(index + 1))
        return tuple(default), tuple(named)

    def query_form(self) -> Form:
        index = self.after_prologue(0)
        if index < len(self.tokens):
            token = self.tokens[index]
            if token.kind == KEYWORD and token.value in _QUERY_FORMS:
                return _QUERY_FORMS[token.value]  # type: ignore[return-value]
            if token.kind == KEYWORD:
                raise self.error(
                    index,
                    f"a query starts with SELECT, ASK, CONSTRUCT or "
                    f"DESCRIBE, not {token.value} (an update?):",
                )
        raise self.error(index, "not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE;")

    def after_prologue(self, index: int) -> int:
        """The index after the BASE and PREFIX declarations starting at ``index``."""
        while True:
            if self.is_keyword(index, "BASE"):
                index += 2
            elif self.is_keyword(index, "PREFIX"):
                index += 3
            else:
                return index


class _UpdateTargets:
    """What an update writes and the dataset it names, read operation by operation."""

    def __init__(self, walk: _Walk) -> None:
        self.walk = walk
        self.written: list[str] = []
        self.unknown = False
        self.writes_all = False
        self.with_graph: str | None = None
        self.default, self.named = walk.dataset("USING")
        tokens = walk.tokens
        index = walk.after_prologue(0)
        while index < len(tokens):
            index = self.operation(index)
            if index < len(tokens):
                if not (tokens[index].kind == PUNCT and tokens[index].text == ";"):
                    raise walk.error(index, "expected ';' between update operations, found")
                index = walk.after_prologue(index + 1)

    def _expect(self, index: int, *names: str) -> int:
        if not self.walk.is_keyword(index, *names):
            raise self.walk.error(index, f"expected {' or '.join(names)}, found")
        return index + 1

    def _silent(self, index: int) -> int:
        return index + 1 if self.walk.is_keyword(index, "SILENT") else index

    def _target(self, graph: str | None) -> None:
        if graph is None:
            self.writes_all = True
        else:
            self.written.append(graph)

    def operation(self, index: int) -> int:
        walk = self.walk
        if not walk.is_keyword(index, *_OPERATIONS):
            raise walk.error(index, "expected an update operation, found")
        op = walk.tokens[index].value
        index += 1
        if op in ("CLEAR", "DROP"):
            index = self._silent(index)
            if walk.is_keyword(index, "GRAPH"):
                self._target(walk.iri(index + 1))
                return index + 2
            self._expect(index, "DEFAULT", "NAMED", "ALL")
            self.writes_all = True
            return index + 1
        if op == "CREATE":
            index = self._expect(self._silent(index), "GRAPH")
            self._target(walk.iri(index))
            return index + 1
        if op in ("ADD", "MOVE", "COPY"):
            source, index = self._graph_or_default(self._silent(index))
            target, index = self._graph_or_default(self._expect(index, "TO"))
            self._target(target)
            if op == "MOVE":
                self._target(source)
            return index
        if op in ("INSERT", "DELETE") and walk.is_keyword(index, "DATA"):
            return self._quads(index + 1, None)
        if op == "DELETE" and walk.is_keyword(index, "WHERE"):
            return self._quads(index + 1, None)
        with_graph = None
        if op == "WITH":
            with_graph = walk.iri(index)
            if self.with_graph is None:
                self.with_graph = with_graph
            index = self._expect(index + 1, "DELETE", "INSERT")
            op = walk.tokens[index - 1].value
        if op == "DELETE":
            index = self._quads(index, with_graph)
            if walk.is_keyword(index, "INSERT"):
                index = self._quads(index + 1, with_graph)
        else:  # INSERT
            index = self._quads(index, with_graph)
        while walk.is_keyword(index, "USING"):
            index += 3 if walk.is_keyword(index + 1, "NAMED") else 2
        return self._group(self._expect(index, "WHERE"))

    def _graph_or_default(self, index: int) -> tuple[str | None, int]:
        if self.walk.is_keyword(index, "DEFAULT"):
            return None, index + 1
        if self.walk.is_keyword(index, "GRAPH"):
            index += 1
        return self.walk.iri(index), index + 1

    def _brace(self, index: int, char: str) -> bool:
        tokens = self.walk.tokens
        return index < len(tokens) and tokens[index].kind == PUNCT and tokens[index].text == char

    def _group(self, index: int) -> int:
        """The index after the ``{ … }`` group that starts at ``index``."""
        if not self._brace(index, "{"):
            raise self.walk.error(index, "expected '{', found")
        depth = 0
        tokens = self.walk.tokens
        while index < len(tokens):
            token = tokens[index]
            if token.kind == PUNCT:
                if token.text == "{":
                    depth += 1
                elif token.text == "}":
                    depth -= 1
                    if depth == 0:
                        return index + 1
            index += 1
        raise self.walk.error(index, "unclosed '{'")

    def _quads(self, index: int, default: str | None) -> int:
        """Record the graphs a quad template or quad data block writes; the index after it."""
        end = self._group(index)
        walk = self.walk
        index += 1
        while index < end - 1:
            token = walk.tokens[index]
            if walk.is_keyword(index, "GRAPH"):
                if walk.tokens[index + 1].kind == VAR:
                    self.unknown = True
                else:
                    self.written.append(walk.iri(index + 1))
                index = self._group(index + 2)
            else:
                if not (token.kind == PUNCT and token.text == "."):
                    self._target(default)
                index += 1
        return end


_OPERATIONS = ("LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "INSERT", "DELETE", "WITH")
