"""SPARQL results as bytes, written from the engine's own terms, within row and byte caps.

The one place that writes query answers for HTTP and the CLI. Terms are written exactly as the
engine gives them (``"2100"^^xsd:double`` stays ``2100``): no rdflib terms, no normalisation.
SELECT/ASK go out as SPARQL JSON, XML, CSV or TSV; graphs through pyoxigraph's own Turtle,
N-Triples, JSON-LD and RDF/XML writers. A cap cuts the answer at a row (triple) boundary, the
body stays well-formed, and :class:`Serialised` says why it was cut, for a response header.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring as _string  # json.dumps's own (C) string writer
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ecpl import prefixes
from ecpl.errors import NotAcceptable
from ecpl.formats import (
    CSV,
    JSONLD,
    NTRIPLES,
    RDF_TYPES,
    RDFXML,
    RESULT_TYPES,
    SPARQL_JSON,
    SPARQL_XML,
    TRIPLE_VARIABLES,
    TSV,
    TURTLE,
    offers,
)

RDF_FORMATS = {
    TURTLE: ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    JSONLD: ox.RdfFormat.JSON_LD,
    RDFXML: ox.RdfFormat.RDF_XML,
}
# the prefixes a Turtle or JSON-LD answer may use (those it uses), from the one table
PREFIXES = {
    name: str(prefixes.PREFIXES[name])
    for name in ("ecpl", "rdf", "rdfs", "owl", "xsd", "skos", "dcterms")
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
TRUNCATED_LINK = "urn:ecpl:truncated"


@dataclass(frozen=True)
class Caps:
    """Limits on one answer: rows (or triples), bytes of the body, bytes of any one term."""

    rows: int | None = None
    bytes: int | None = None
    term_bytes: int | None = None


@dataclass(frozen=True)
class Serialised:
    """A written answer: its body, media type, form and, when a cap cut it, why."""

    body: bytes
    media_type: str
    kind: str  # "select", "ask" or "graph"
    truncated: str | None = None


def kind_of(form: str) -> str:
    """``select``/``ask``/``graph`` for a query form (CONSTRUCT and DESCRIBE give graphs)."""
    return "graph" if form in ("construct", "describe", "graph") else form


class TooBig(Exception):
    """A term over the per-term cap (internal: stops writing at the row before it)."""


# -- terms ------------------------------------------------------------------------------------
def _check(text: str, caps: Caps) -> str:
    limit = caps.term_bytes
    if limit is not None and len(text) > limit // 4 and len(text.encode("utf-8")) > limit:
        raise TooBig
    return text


def json_term(term: object, caps: Caps = Caps()) -> str:
    """A term as SPARQL 1.1 JSON results write it (§3.2.2), as JSON text.

    Written as text, not as a dict for ``json.dumps``: rows are most of a worker's time per
    lookup. The same bytes as ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))``
    of the dict (members in the order type, value, xml:lang/datatype), with its string encoder.
    """
    if isinstance(term, ox.NamedNode):
        return '{"type":"uri","value":' + _string(_check(term.value, caps)) + "}"
    if isinstance(term, ox.BlankNode):
        return '{"type":"bnode","value":' + _string(term.value) + "}"
    if isinstance(term, ox.Literal):
        text = '{"type":"literal","value":' + _string(_check(term.value, caps))
        if term.language:
            return text + ',"xml:lang":' + _string(term.language) + "}"
        datatype = term.datatype.value
        if datatype != _XSD_STRING:
            return text + ',"datatype":' + _string(datatype) + "}"
        return text + "}"
    if isinstance(term, ox.Triple):
        return (
            '{"type":"triple","value":{"subject":'
            + json_term(term.subject, caps)
            + ',"predicate":'
            + json_term(term.predicate, caps)
            + ',"object":'
            + json_term(term.object, caps)
            + "}}"
        )
    raise TypeError(f"cannot write {term!r} as a SPARQL result term")


def _xml_term(term: object, caps: Caps) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(_check(term.value, caps))}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        value = escape(_check(term.value, caps))
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{value}</literal>"
        if term.datatype.value != _XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{value}</literal>"
        return f"<literal>{value}</literal>"
    if isinstance(term, ox.Triple):
        parts = (
            ("subject", term.subject),
            ("predicate", term.predicate),
            ("object", term.object),
        )
        inner = "".join(f"<{k}>{_xml_term(v, caps)}</{k}>" for k, v in parts)
        return f"<triple>{inner}</triple>"
    raise TypeError(f"cannot write {term!r} as a SPARQL result term")


def _csv_field(term: object, caps: Caps) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = "_:" + term.value
    elif isinstance(term, ox.NamedNode | ox.Literal):
        text = _check(term.value, caps)
    else:
        text = _check(str(term), caps)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_field(term: object, caps: Caps) -> str:
    return "" if term is None else _check(str(term), caps)  # pyoxigraph: N-Triples syntax


# -- SELECT / ASK -------------------------------------------------------------------------------
def _rows(
    variables: Sequence[str],
    solutions: Iterable[ox.QuerySolution],
    write_row: Callable[[Sequence[str], ox.QuerySolution, Caps], str],
    caps: Caps,
    budget: int | None,
) -> tuple[list[str], str | None]:
    """Rows written one by one until a cap is reached: (rows, why cut or None)."""
    out: list[str] = []
    size = 0
    for solution in solutions:
        if caps.rows is not None and len(out) >= caps.rows:
            return out, f"results cut at the row limit of {caps.rows}"
        try:
            row = write_row(variables, solution, caps)
        except TooBig:
            return out, f"results cut before a term longer than {caps.term_bytes} bytes"
        size += len(row) * 3 if not row.isascii() else len(row)
        if budget is not None and size > budget:
            return out, f"results cut at the response size limit of {caps.bytes} bytes"
        out.append(row)
    return out, None


def _json_row(variables: Sequence[str], solution: ox.QuerySolution, caps: Caps) -> str:
    parts = []
    for index, name in enumerate(variables):
        term = solution[index]
        if term is not None:
            parts.append(_string(name) + ":" + json_term(term, caps))
    return "{" + ",".join(parts) + "}"


def _xml_row(variables: Sequence[str], solution: ox.QuerySolution, caps: Caps) -> str:
    parts = ["<result>"]
    for index, name in enumerate(variables):
        term = solution[index]
        if term is not None:
            parts.append(f"<binding name={quoteattr(name)}>{_xml_term(term, caps)}</binding>")
    parts.append("</result>")
    return "".join(parts)


def _csv_row(variables: Sequence[str], solution: ox.QuerySolution, caps: Caps) -> str:
    return ",".join(_csv_field(solution[i], caps) for i in range(len(variables))) + "\r\n"


def _tsv_row(variables: Sequence[str], solution: ox.QuerySolution, caps: Caps) -> str:
    return "\t".join(_tsv_field(solution[i], caps) for i in range(len(variables))) + "\n"


def write_solutions(
    variables: Sequence[str],
    solutions: Iterable[ox.QuerySolution],
    media_type: str,
    caps: Caps,
    cut_before: str | None = None,
) -> Serialised:
    """SELECT results in ``media_type``, cut at a row boundary when a cap is reached.

    ``cut_before``: the rows given were already cut (and why). JSON says it in ``head.link``
    and a ``truncated`` member (ignored by standard readers), XML in ``head/link``.
    """
    budget = None if caps.bytes is None else max(0, caps.bytes - 512 - 64 * len(variables))
    if media_type == SPARQL_JSON:
        rows, cut = _rows(variables, solutions, _json_row, caps, budget)
        cut = cut or cut_before
        head: dict[str, object] = {"vars": list(variables)}
        if cut:
            head["link"] = [TRUNCATED_LINK]
        text = (
            '{"head":'
            + json.dumps(head, ensure_ascii=False, separators=(",", ":"))
            + ',"results":{"bindings":['
            + ",".join(rows)
            + "]}"
            + (',"truncated":true}' if cut else "}")
        )
    elif media_type == SPARQL_XML:
        rows, cut = _rows(variables, solutions, _xml_row, caps, budget)
        cut = cut or cut_before
        names = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
        link = f'<link href="{TRUNCATED_LINK}"/><!-- {escape(cut)} -->' if cut else ""
        text = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head>{names}{link}</head><results>\n" + "\n".join(rows) + "\n</results></sparql>\n"
        )
    elif media_type == CSV:
        rows, cut = _rows(variables, solutions, _csv_row, caps, budget)
        cut = cut or cut_before
        text = ",".join(variables) + "\r\n" + "".join(rows)
    elif media_type == TSV:
        rows, cut = _rows(variables, solutions, _tsv_row, caps, budget)
        cut = cut or cut_before
        text = "\t".join(f"?{v}" for v in variables) + "\n" + "".join(rows)
    else:
        raise NotAcceptable(
            f"cannot write SELECT results as {media_type}; available: {', '.join(RESULT_TYPES)}"
        )
    return Serialised(text.encode("utf-8"), media_type, "select", cut)


def write_boolean(value: bool, media_type: str) -> Serialised:
    """An ASK answer in ``media_type``."""
    word = "true" if value else "false"
    if media_type == SPARQL_JSON:
        text = '{"head":{},"boolean":' + word + "}"
    elif media_type == SPARQL_XML:
        text = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        )
    elif media_type == CSV:
        text = f"_askResult\r\n{word}\r\n"
    elif media_type == TSV:
        text = f"?_askResult\n{word}\n"
    else:
        raise NotAcceptable(
            f"cannot write an ASK result as {media_type}; available: {', '.join(RESULT_TYPES)}"
        )
    return Serialised(text.encode("utf-8"), media_type, "ask")


# -- graphs -------------------------------------------------------------------------------------
def _term_size(term: object) -> int:
    if isinstance(term, ox.Literal):
        return len(term.value.encode("utf-8")) + len(term.datatype.value) + 8
    if isinstance(term, ox.Triple):
        return _term_size(term.subject) + _term_size(term.predicate) + _term_size(term.object)
    return len(str(term).encode("utf-8"))


def write_triples(triples: Iterable[ox.Triple], media_type: str, caps: Caps) -> Serialised:
    """A graph answer through pyoxigraph's own writer, cut at a triple when a cap is reached.

    Asked for in a results format only (rasqal's roqet reads every answer as a table), the
    triples are written as rows of ?subject ?predicate ?object.
    """
    if media_type in RESULT_TYPES:
        rows = ((t.subject, t.predicate, t.object) for t in triples)
        table = write_solutions(TRIPLE_VARIABLES, rows, media_type, caps)  # type: ignore[arg-type]
        return Serialised(table.body, media_type, "graph", table.truncated)
    fmt = RDF_FORMATS.get(media_type)
    if fmt is None:
        raise NotAcceptable(f"cannot write RDF as {media_type}; available: {', '.join(RDF_TYPES)}")
    kept: list[ox.Triple] = []
    size = 0
    cut: str | None = None
    for triple in triples:
        if caps.rows is not None and len(kept) >= caps.rows:
            cut = f"results cut at the row limit of {caps.rows} triples"
            break
        terms = (triple.subject, triple.predicate, triple.object)
        sizes = [_term_size(t) for t in terms]
        if caps.term_bytes is not None and max(sizes) > caps.term_bytes:
            cut = f"results cut before a term longer than {caps.term_bytes} bytes"
            break
        size += sum(sizes) + 8
        if caps.bytes is not None and size > caps.bytes:
            cut = f"results cut at the response size limit of {caps.bytes} bytes"
            break
        kept.append(triple)
    body = _serialise(kept, fmt)
    while caps.bytes is not None and len(body) > caps.bytes and kept:  # markup overhead
        kept = kept[: len(kept) // 2]
        cut = f"results cut at the response size limit of {caps.bytes} bytes"
        body = _serialise(kept, fmt)
    return Serialised(body, media_type, "graph", cut)


def _serialise(triples: list[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    if fmt == ox.RdfFormat.N_TRIPLES:
        body = ox.serialize(triples, format=fmt)
    else:
        used = {
            name: ns
            for name, ns in PREFIXES.items()
            if any(
                isinstance(term, ox.NamedNode) and term.value.startswith(ns)
                for t in triples
                for term in (t.subject, t.predicate, t.object)
            )
        }
        body = ox.serialize(triples, format=fmt, prefixes=used)
    return body or b""  # (None only when pyoxigraph writes to an output it was given)


def write(answer: object, media_type: str, caps: Caps) -> Serialised:
    """Any pyoxigraph answer (solutions, boolean, triples) in ``media_type``."""
    if isinstance(answer, ox.QueryBoolean):
        return write_boolean(bool(answer), media_type)
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        return write_solutions(names, answer, media_type, caps)
    if not isinstance(answer, ox.QueryTriples):
        raise TypeError(f"not a pyoxigraph query answer: {answer!r}")
    return write_triples(answer, media_type, caps)


def negotiable(kind: str, media_type: str) -> bool:
    return media_type in offers(kind)
