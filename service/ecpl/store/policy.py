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


# ---------------------------------------------------------------------------------------------
# TEMPORARY (query branch): a minimal ``prepare_query`` / ``prepare_update`` on the old rdflib
# ``inspect`` so the query path can be built against the interface the token-based policy
# (lexer branch) provides. At merge, the lexer branch's policy.py replaces everything below.
# ---------------------------------------------------------------------------------------------
import threading as _threading  # noqa: E402
from typing import Literal as _Literal  # noqa: E402
from urllib.parse import urljoin as _urljoin  # noqa: E402

_PARSE_LOCK = _threading.Lock()  # rdflib's pyparsing grammar is not safe across threads

_BASE = re.compile(r"\bBASE\s*<([^<>\s]*)>", re.IGNORECASE)
_UPDATE_RISKY = re.compile(r"\\u|\\U", re.IGNORECASE)


@dataclass(frozen=True)
class Prepared:
    """TEMPORARY: what a request is, as the policy parsed it (see the lexer branch)."""

    text: str
    form: _Literal["select", "ask", "construct", "describe", "update"]
    base_iri: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    with_graph: str | None = None
    services: tuple[str, ...] = ()
    written_graphs: tuple[str, ...] | None = None
    writes_all: bool = False

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def _absolute(value: str, base: str | None) -> str:
    resolved = _urljoin(base, value) if base else value
    if ":" not in resolved:
        raise InputError(f"<{value}> is not an absolute IRI and there is no base IRI")
    return resolved


def _allowed(service: str, allow: Sequence[str]) -> bool:
    from urllib.parse import urlsplit

    try:
        wanted = urlsplit(service)
        port = wanted.port
    except ValueError:
        return False
    for entry in allow:
        allowed = urlsplit(entry)
        if (
            wanted.scheme == allowed.scheme
            and wanted.hostname == allowed.hostname
            and port == allowed.port
            and not wanted.username
            and (wanted.path or "/").startswith(allowed.path or "/")
        ):
            return True
    return False


def prepare_query(
    text: str, *, base_iri: str | None = None, service_allow_list: Sequence[str] = ()
) -> Prepared:
    """TEMPORARY: a query's form, base, dataset and SERVICE calls; Forbidden / InputError."""
    check_depth(text)
    match = _BASE.search(text)
    base = _urljoin(base_iri or "", match.group(1)) if match else base_iri
    try:
        form = query_form(text)
    except InputError:
        raise InputError(
            "SPARQL syntax error: no SELECT, ASK, CONSTRUCT or DESCRIBE query form found"
        ) from None
    if form == "graph":
        bare = re.sub(r"#[^\n]*", " ", _IRI_OR_STRING.sub(" ", text))
        form = "describe" if re.search(r"\bDESCRIBE\b", bare, re.IGNORECASE) else "construct"
    default: list[str] = []
    named: list[str] = []
    services: list[str] = []
    if _RISKY.search(text):
        try:
            with _PARSE_LOCK:
                parsed = parseQuery(text)
        except Exception as exc:
            raise InputError(f"SPARQL query syntax error: {exc}") from None
        found: dict[str, list[str]] = {"services": [], "loads": [], "graphs": []}
        _walk(parsed, found)
        services = found["services"]
        for clause in parsed[1].get("datasetClause") or []:
            if "default" in clause:
                default.append(_absolute(str(clause["default"]), base))
            elif "named" in clause:
                named.append(_absolute(str(clause["named"]), base))
    for service in services:
        if not _allowed(service, service_allow_list):
            raise Forbidden(
                f"SERVICE <{service}> is not on this service's allow-list (ECPL_SERVICE_ALLOW)"
            )
    return Prepared(
        text,
        form,  # type: ignore[arg-type]
        base,
        tuple(default),
        tuple(named),
        services=tuple(services),
    )


def _get(node: object, key: str) -> object:
    """A CompValue member or None (CompValue.get answers the key itself when it is missing)."""
    return node[key] if isinstance(node, dict) and key in node else None


def _written(op: CompValue, base: str | None) -> list[str] | None:
    """Graphs one update operation writes; None when it writes the default graph or a variable."""
    name = op.name
    if name in ("Load",):
        raise Forbidden("LOAD is not allowed on this service")
    if name in ("Clear", "Drop", "Create"):
        target = _get(op, "graphiri")
        if isinstance(target, str) and target.upper() in ("ALL", "DEFAULT", "NAMED"):
            return None
        return [_absolute(str(target), base)]
    if name in ("Add", "Move", "Copy"):
        source, target = op["graph"][0], op["graph"][1]
        out = []
        for graph in (target, source) if name == "Move" else (target,):
            if isinstance(graph, str) and graph.upper() == "DEFAULT":
                return None
            out.append(_absolute(str(graph), base))
        return out
    with_graph = _get(op, "withClause")
    out = []
    clauses = [_get(op, "quads")] if name in ("InsertData", "DeleteData") else []
    if name == "DeleteWhere":
        clauses = [_get(op, "quads")]
    for key in ("delete", "insert"):
        if key in op:
            clauses.append(_get(op[key], "quads"))
    for quads in clauses:
        if quads is None:
            continue
        if _get(quads, "triples"):
            if with_graph is None:
                return None
            out.append(_absolute(str(with_graph), base))
        for part in _get(quads, "quadsNotTriples") or []:  # type: ignore[attr-defined]
            term = _get(part, "term")
            if not isinstance(term, rdflib.URIRef):
                return None
            out.append(_absolute(str(term), base))
    return out


def prepare_update(
    text: str, *, base_iri: str | None = None, service_allow_list: Sequence[str] = ()
) -> Prepared:
    """TEMPORARY: an update's base, USING dataset and the graphs it may write."""
    check_depth(text)
    match = _BASE.search(text)
    base = _urljoin(base_iri or "", match.group(1)) if match else base_iri
    try:
        with _PARSE_LOCK:
            parsed = parseUpdate(text)
    except Exception as exc:
        raise InputError(f"SPARQL update syntax error: {exc}") from None
    found: dict[str, list[str]] = {"services": [], "loads": [], "graphs": []}
    _walk(parsed, found)
    if found["loads"]:
        raise Forbidden(
            f"LOAD is not allowed on this service (asked to load <{found['loads'][0]}>)"
        )
    for service in found["services"]:
        if not _allowed(service, service_allow_list):
            raise Forbidden(
                f"SERVICE <{service}> is not on this service's allow-list (ECPL_SERVICE_ALLOW)"
            )
    written: list[str] | None = []
    writes_all = False
    default: list[str] = []
    named: list[str] = []
    with_graph: str | None = None
    for op in _get(parsed, "request") or []:  # type: ignore[attr-defined]
        if op.name in ("Clear", "Drop") and str(_get(op, "graphiri")).upper() in ("ALL", "NAMED"):
            writes_all = True
        for clause in _get(op, "using") or []:  # type: ignore[attr-defined]
            if "default" in clause:
                default.append(_absolute(str(clause["default"]), base))
            elif "named" in clause:
                named.append(_absolute(str(clause["named"]), base))
        if _get(op, "withClause") is not None:
            with_graph = _absolute(str(op["withClause"]), base)
        graphs = _written(op, base)
        if graphs is None or written is None:
            written = None
        else:
            written.extend(graphs)
    return Prepared(
        text,
        "update",
        base,
        tuple(default),
        tuple(named),
        with_graph,
        tuple(found["services"]),
        None if written is None else tuple(dict.fromkeys(written)),
        writes_all,
    )
