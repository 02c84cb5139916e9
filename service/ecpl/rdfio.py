"""The one place where untrusted RDF is parsed (CLI, ``/validate``, graph-store uploads).

Uploads are parsed into a fresh in-memory rdflib graph, never into a store, after checks that
run *before* the parser sees the bytes: the size limit, UTF-8, no DTD in RDF/XML (entity
expansion, XXE) and no remote or ``file:`` JSON-LD context (nothing is ever fetched). Parser
failures become :class:`~ecpl.errors.InputError` naming the line and the problem.
"""

from __future__ import annotations

import json
import re
from typing import Any

import rdflib
import rdflib.plugins.sparql
from rdflib import Graph

from ecpl.errors import InputError, TooLarge, UnsupportedMediaType

# No SPARQL query run by rdflib may fetch a graph from the web (LOAD, FROM <remote>).
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

#: media type -> rdflib parser name, for the formats uploads may use.
RDF_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}

_EXTENSIONS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nt": "nt",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}

# Names a user may give with --format / ?format= (case-insensitive).
_FORMAT_NAMES = {
    "turtle": "turtle",
    "ttl": "turtle",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "xml": "xml",
    "rdfxml": "xml",
    "rdf/xml": "xml",
    "rdf-xml": "xml",
}

_FORMAT_TITLES = {"turtle": "Turtle", "json-ld": "JSON-LD", "nt": "N-Triples", "xml": "RDF/XML"}
_TOO_DEEP = "{title} input is nested too deeply (brackets, lists or objects); flatten it"
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def rdf_format(
    *, media_type: str | None = None, filename: str | None = None, format: str | None = None
) -> str:
    """The rdflib parser name, from an explicit format, else the media type, else the extension."""
    if format:
        name = _FORMAT_NAMES.get(format.strip().lower())
        if name is None:
            known = ", ".join(sorted(_FORMAT_NAMES))
            raise UnsupportedMediaType(f"unknown RDF format {format!r}; use one of: {known}")
        return name
    if media_type:
        base = media_type.split(";", 1)[0].strip().lower()
        if base in RDF_MEDIA_TYPES:
            return RDF_MEDIA_TYPES[base]
        if not filename:
            known = ", ".join(RDF_MEDIA_TYPES)
            raise UnsupportedMediaType(f"unsupported media type {base!r}; send one of: {known}")
    if filename:
        lower = filename.lower()
        for ext, name in _EXTENSIONS.items():
            if lower.endswith(ext):
                return name
        known = ", ".join(sorted(_EXTENSIONS))
        raise UnsupportedMediaType(
            f"cannot tell the RDF format of {filename!r} from its extension; "
            f"use one of {known} or give the format explicitly"
        )
    raise UnsupportedMediaType("no RDF format given (media type, file extension or format)")


def parse_rdf(
    data: bytes,
    *,
    media_type: str | None = None,
    filename: str | None = None,
    format: str | None = None,
    max_bytes: int,
) -> Graph:
    """Parse untrusted RDF into a new in-memory rdflib graph, or raise a user-facing error."""
    if len(data) > max_bytes:
        raise TooLarge(f"input is {len(data):,} bytes; the limit is {max_bytes:,} bytes")
    name = rdf_format(media_type=media_type, filename=filename, format=format)
    title = _FORMAT_TITLES[name]
    text = _decode(data, title)
    if name == "xml" and _DTD.search(data):
        raise InputError(
            "RDF/XML with a <!DOCTYPE> or <!ENTITY> declaration is refused "
            "(entity expansion and external entities are not allowed)"
        )
    if name == "json-ld":
        _check_json_ld(text)
    graph = Graph()
    try:
        graph.parse(data=text, format=name)
    except (InputError, UnsupportedMediaType):
        raise
    except RecursionError:
        raise InputError(_TOO_DEEP.format(title=title)) from None
    except Exception as exc:  # every parser has its own exception types
        raise InputError(f"malformed {title}: {_describe(exc)}") from None
    return graph


def _decode(data: bytes, title: str) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{title} input is not UTF-8 text (invalid byte 0x{data[exc.start]:02x} "
            f"at line {line}, byte offset {exc.start}); save the file as UTF-8"
        ) from None


def _check_json_ld(text: str) -> None:
    """Refuse JSON-LD that would make the parser fetch anything (remote or file: contexts)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON-LD: line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise InputError(_TOO_DEEP.format(title="JSON-LD")) from None
    _scan_json(document)


def _scan_json(document: Any) -> None:
    """Walk the whole document (iteratively: depth is the attacker's choice)."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    _check_context(value)
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _check_context(context: Any) -> None:
    if isinstance(context, list):
        for entry in context:
            _check_context(entry)
    elif isinstance(context, str):
        raise InputError(
            f"JSON-LD @context {context!r} refers to a document by IRI; remote and file: "
            "contexts are not fetched: inline the context as a JSON object"
        )
    elif isinstance(context, dict) and "@import" in context:
        raise InputError("JSON-LD @import in a context is not fetched: inline the context")


def _describe(exc: Exception) -> str:
    """A one-line description with the line (and column) where the parser gave up."""
    why = getattr(exc, "_why", None)  # notation3 BadSyntax: the source and the offset
    if why is not None:
        source, offset = getattr(exc, "_str", b""), getattr(exc, "_i", 0)
        if isinstance(source, str):
            source = source.encode("utf-8")
        before = source[:offset].rstrip()
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        near = before[-40:].decode("utf-8", "replace").replace("\n", " ")
        return f"line {line}, column {column}: {why} (after {near!r})"
    get_line = getattr(exc, "getLineNumber", None)  # SAX
    if callable(get_line):
        return f"line {get_line()}, column {exc.getColumnNumber()}: {exc.getMessage()}"  # type: ignore[attr-defined]
    return _first_line(str(exc)) or type(exc).__name__


def _first_line(text: str) -> str:
    lines = [part.strip() for part in text.strip().splitlines() if part.strip()]
    return " ".join(lines[:3])[:400]
