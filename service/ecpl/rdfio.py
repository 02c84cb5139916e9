"""The one place where untrusted RDF is parsed (CLI, ``/validate``, graph-store uploads).

Uploads are parsed into a fresh in-memory rdflib graph, never into a store. Before the parser
sees the bytes: the size limit, UTF-8 (except RDF/XML, which declares its encoding), no remote
or ``file:`` JSON-LD context and no JSON-LD ``@id`` that is not an IRI (nothing is ever
fetched, nothing silently dropped).
RDF/XML goes through an expat reader that refuses any DTD, entity declaration or external
reference in the parser itself, whatever encoding the document declares or expat detects
(a byte scan for ``<!DOCTYPE`` misses UTF-16). While parsing, the graph counts its triples and
stops at the cap; after parsing, every term must be one the store can hold (absolute, valid
IRIs; well-formed language tags), so a write never fails half-way. Relative IRIs resolve
against the ``base`` the caller gives, never the server's working directory. Parser failures
become :class:`~ecpl.errors.InputError` naming the line and the problem; a parser's internal
fault is logged and answered with a message that shows no Python internals.
"""

from __future__ import annotations

import io
import json
import logging
import re
from typing import Any
from xml.sax import SAXException
from xml.sax.handler import feature_namespaces
from xml.sax.xmlreader import InputSource

import pyoxigraph as ox
import rdflib
import rdflib.plugins.sparql
from defusedxml import DefusedXmlException
from defusedxml.expatreader import create_parser
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.plugins.parsers.rdfxml import ErrorHandler, RDFXMLHandler
from rdflib.plugins.stores.memory import Memory

from ecpl.errors import InputError, TooLarge, UnsupportedMediaType

# No SPARQL query run by rdflib may fetch a graph from the web (LOAD, FROM <remote>).
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

log = logging.getLogger(__name__)

#: The base for relative IRIs in uploads that name none (anonymous /validate, the CLI): a fixed
#: name in the reserved ``.invalid`` domain (RFC 6761), never the server's working directory.
UPLOAD_BASE = "https://upload.invalid/"

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
_DTD_REFUSED = (
    "RDF/XML with a <!DOCTYPE> or <!ENTITY> declaration is refused "
    "(entity expansion and external entities are not allowed)"
)
# Characters that can never appear in an IRI (RFC 3987): controls, space, <>"{}|\^`
_NOT_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
# What the parsers raise for bad input; anything else is a fault inside a parser.
_SYNTAX_ERRORS = (BadSyntax, ParserError, SAXException, SyntaxError, json.JSONDecodeError)


class _CappedMemory(Memory):
    """An in-memory store that refuses the triple after ``cap``: the parse stops there."""

    def __init__(self, cap: int | None) -> None:
        super().__init__()
        self.cap = cap

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        super().add(triple, context, quoted)
        if self.cap is not None and len(self) > self.cap:
            raise TooLarge(
                f"the graph has more than {self.cap:,} triples, the limit "
                "(ECPL_MAX_CASE_TRIPLES); a case graph is usually 40-500 triples"
            )


class _Coalescing(RDFXMLHandler):
    """rdflib's RDF/XML handler with character data gathered first.

    expat reports text in pieces (one per line); rdflib appends each piece to the literal
    with ``+=`` on an attribute, which copies the string every time: quadratic on a
    literal of many lines (1 MB of newlines took 13 s). Gathering the pieces keeps it linear.
    """

    def __init__(self, store: Graph) -> None:
        super().__init__(store)
        self._text: list[str] = []

    def _flush(self) -> None:
        if self._text:
            text = "".join(self._text)
            self._text = []
            super().characters(text)

    def characters(self, content: str) -> None:
        self._text.append(content)

    def startElementNS(self, name: Any, qname: Any, attrs: Any) -> None:
        self._flush()
        super().startElementNS(name, qname, attrs)

    def endElementNS(self, name: Any, qname: Any) -> None:
        self._flush()
        super().endElementNS(name, qname)

    def processingInstruction(self, target: str, data: str) -> None:
        self._flush()

    def endDocument(self) -> None:
        self._flush()


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
    max_triples: int | None = None,
    base: str = UPLOAD_BASE,
) -> Graph:
    """Parse untrusted RDF into a new in-memory rdflib graph, or raise a user-facing error.

    ``max_triples`` stops the parse at the first triple past it (:class:`TooLarge`);
    ``base`` resolves relative IRIs.
    """
    if len(data) > max_bytes:
        raise TooLarge(f"input is {len(data):,} bytes; the limit is {max_bytes:,} bytes")
    name = rdf_format(media_type=media_type, filename=filename, format=format)
    title = _FORMAT_TITLES[name]
    # XML says its own encoding (declaration, BOM or first bytes) and expat reads it; the
    # other syntaxes are UTF-8 by their specs.
    text = "" if name == "xml" else _decode(data, title)
    if name == "json-ld":
        _check_json_ld(text)
    graph = Graph(store=_CappedMemory(max_triples))
    try:
        if name == "xml":
            _parse_xml(data, graph, base)
        else:
            graph.parse(data=text, format=name, publicID=base)
    except (InputError, UnsupportedMediaType):
        raise
    except DefusedXmlException:
        raise InputError(_DTD_REFUSED) from None
    except RecursionError:
        raise InputError(_TOO_DEEP.format(title=title)) from None
    except MemoryError:
        raise TooLarge(f"the {title} input needs more memory than this service allows") from None
    except _SYNTAX_ERRORS as exc:
        raise InputError(f"malformed {title}: {_describe(exc)}") from None
    # a fault inside a parser on this input: a clear error, no internals in the answer
    except Exception as exc:  # noqa: BLE001
        if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
            raise InputError(
                f"malformed {title}: a number is too long to read (more than 4,300 digits)"
            ) from None
        detail = _clip(str(exc), 200)  # the input's own text may be in it: keep the log short
        log.warning("%s parser failed on an upload: %s: %s", title, type(exc).__name__, detail)
        raise InputError(
            f"malformed {title}: the parser could not read this input; check its syntax"
        ) from None
    check_storable(graph)
    return graph


def _parse_xml(data: bytes, graph: Graph, base: str) -> None:
    """RDF/XML through expat with DTDs, entity declarations and external references refused.

    expat reads the bytes itself (so it sees the encoding the document declares or that its
    first bytes show: UTF-16 without a BOM too) and the refusal happens in the parser, before
    any declaration takes effect.
    """
    parser = create_parser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setFeature(feature_namespaces, 1)
    source = InputSource(base)
    source.setByteStream(io.BytesIO(data))
    source.setPublicId(base)
    handler = _Coalescing(graph)
    handler.setDocumentLocator(source)  # type: ignore[arg-type]  # rdflib reads its ids
    parser.setContentHandler(handler)
    parser.setErrorHandler(ErrorHandler())
    parser.parse(source)


def check_storable(graph: Graph) -> None:
    """Refuse terms a store cannot hold (relative or invalid IRIs, bad language tags).

    The store's own term constructors (pyoxigraph's) judge, so what passes here is what the
    store accepts: a write then never fails after the old graph was removed.
    """
    seen: set[Any] = set()
    for triple in graph:
        for term in triple:
            if term in seen or isinstance(term, BNode):
                continue
            seen.add(term)
            try:
                if isinstance(term, URIRef):
                    ox.NamedNode(str(term))
                elif isinstance(term, Literal):
                    if term.datatype is not None:
                        ox.NamedNode(str(term.datatype))
                    if term.language:
                        ox.Literal(str(term), language=term.language)
            except ValueError as exc:
                shown = str(term if not isinstance(term, Literal) else term.datatype or term)
                raise InputError(
                    f"{_clip(shown)!r} cannot be stored: {exc}; use absolute IRIs "
                    "(scheme:…) without spaces, quotes or angle brackets, and valid language tags"
                ) from None


def _clip(text: str, size: int = 120) -> str:
    return text if len(text) <= size else text[:size] + "…"


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
    except ValueError:  # Python refuses to read integers of more than 4,300 digits
        raise InputError(
            "malformed JSON-LD: a number is too long to read (more than 4,300 digits); "
            "write it as a typed string"
        ) from None
    if not isinstance(document, dict | list):
        raise InputError("malformed JSON-LD: the document must be a JSON object or array")
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
                elif key == "@id" and isinstance(value, str) and _NOT_IRI.search(value):
                    raise InputError(
                        f"JSON-LD @id {_clip(value)!r} is not an IRI (spaces, quotes, angle "
                        "brackets and control characters are not allowed); the node would be lost"
                    )
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
