"""What a query may do, decided on the parsed query before any engine runs it.

Refused: ``SERVICE`` to an endpoint outside the allow-list (SSRF), ``LOAD`` (reads any IRI or
file), and ``FROM``/``FROM NAMED`` or protocol graph parameters naming graphs that are not in
the store (rdflib would fetch them from the web or the file system). Parsing with rdflib is
slow, so a query whose text cannot contain those keywords skips it, and parse results are cached.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import rdflib.plugins.sparql
from pyparsing import ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from ecpl.errors import Forbidden, InputError

# rdflib must never dereference FROM graphs, whichever code path ends up in its engine.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

# Keywords that can introduce a call-out; \u escapes may spell them in disguise.
_RISKY = re.compile(r"service|load|from|\\u|\\U", re.IGNORECASE)


@dataclass(frozen=True)
class Inspection:
    """What the parsed request names: SERVICE endpoints, LOAD sources, FROM graphs."""

    services: tuple[str, ...] = ()
    loads: tuple[str, ...] = ()
    graphs: tuple[str, ...] = ()


def _walk(node: object, found: dict[str, list[str]]) -> None:
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            found["services"].append(str(node["term"]) if "term" in node else "?")
        elif node.name == "Load":
            found["loads"].append(str(node["iri"]) if "iri" in node else "?")
        elif node.name == "DatasetClause":
            found["graphs"].extend(str(node[key]) for key in ("default", "named") if key in node)
            return
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list | tuple | ParseResults):
        for value in node:
            _walk(value, found)


@lru_cache(maxsize=512)
def inspect(text: str, *, update: bool = False) -> Inspection:
    """Parse ``text`` with rdflib and list what it would call out to; InputError when unparsable."""
    if not _RISKY.search(text):
        return Inspection()
    try:
        parsed = parseUpdate(text) if update else parseQuery(text)
    except Exception as exc:  # pyparsing's ParseException and rdflib's own errors
        kind = "update" if update else "query"
        raise InputError(f"SPARQL {kind} syntax error: {exc}") from None
    found: dict[str, list[str]] = {"services": [], "loads": [], "graphs": []}
    _walk(parsed, found)
    return Inspection(tuple(found["services"]), tuple(found["loads"]), tuple(found["graphs"]))


def check(
    text: str,
    *,
    has_graph: Callable[[str], bool],
    service_allow_list: Sequence[str] = (),
    update: bool = False,
) -> Inspection:
    """Raise Forbidden for SERVICE outside the allow-list or LOAD, InputError for foreign FROM."""
    check_depth(text)
    found = inspect(text, update=update)
    if found.loads:
        raise Forbidden(f"LOAD is not allowed on this service (asked to load <{found.loads[0]}>)")
    for service in found.services:
        if not any(service.startswith(prefix) for prefix in service_allow_list):
            raise Forbidden(
                f"SERVICE <{service}> is not on this service's allow-list (ECPL_SERVICE_ALLOW)"
            )
    check_graphs(found.graphs, has_graph, what="FROM")
    return found


def check_graphs(graphs: Iterable[str], has_graph: Callable[[str], bool], *, what: str) -> None:
    """InputError naming the first graph that is not in the store (nothing is fetched)."""
    for graph in graphs:
        if not has_graph(graph):
            raise InputError(
                f"{what} graph <{graph}> is not in this store; only stored graphs can be used"
            )


_IRI_OR_STRING = re.compile(r"<[^<>\s]*>|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(text: str) -> str:
    """``select``, ``ask`` or ``graph`` (CONSTRUCT/DESCRIBE): needed to ask a remote store for
    the right result format before sending (Virtuoso answers a CONSTRUCT in JSON if asked)."""
    bare = _IRI_OR_STRING.sub(" ", text)
    bare = re.sub(r"#[^\n]*", " ", bare)
    match = _FORM.search(bare)
    if not match:
        raise InputError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE found")
    form = match.group(1).lower()
    return "graph" if form in ("construct", "describe") else form


MAX_DEPTH = 64


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """InputError for groups or expressions nested deeper than ``limit``.

    Deep nesting overflows the parsers' stacks (pyoxigraph's kills the process, rdflib's
    raises RecursionError); no real query nests more than a dozen levels.
    """
    if text.count("{") + text.count("(") + text.count("[") <= limit:
        return
    bare = re.sub(r"#[^\n]*", " ", _IRI_OR_STRING.sub(" ", text))
    depth = deepest = 0
    for char in bare:
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth -= 1
    if deepest > limit:
        raise InputError(
            f"the query nests groups or expressions {deepest} levels deep; the limit is {limit}"
        )
