"""Named queries: the ``data/queries/*.rq`` files, their headers and their parameters.

A named query starts with a YAML header inside comment lines between ``#---`` markers::

    #---
    # title: {en: Statutory terms for the platform, zh: 各法对平台的称谓}
    # description: {en: ..., zh: ...}
    # competency_question: 1
    # params:
    #   - name: date             # the SPARQL variable ?date
    #     type: xsd:date         # iri | xsd:date | xsd:string | xsd:integer
    #     default: "2026-01-01"  # optional; a param without default is required
    #     label: {en: Date, zh: 日期}
    #---
    SELECT ... WHERE { ... ?date ... }

Parameters are bound as RDF terms substituted for the variables
(:func:`ecpl.sparql.substitute.substitute`, the same for every store), never by splicing the
user's text into the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import XSD, Literal, URIRef
from rdflib.term import Identifier

from ecpl import config
from ecpl.errors import InputError, NotFound

PARAM_TYPES = ("iri", "xsd:date", "xsd:string", "xsd:integer")
HEADER_KEYS = ("title", "description", "competency_question", "params")
PARAM_KEYS = ("name", "type", "default", "label")
LANGUAGES = ("en", "zh")
_HEADER = re.compile(r"\A#---\n(?P<body>(?:#.*\n)*?)#---\n", re.MULTILINE)
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20\x7f<>"{}|^`\\]')
# xsd:date's lexical space (XSD 1.1 Part 2, §3.3.9): year-month-day with an optional time zone;
# ISO 8601's other forms (20260101, 2026-W01-1, 2026-001) are not xsd:date literals.
_XSD_DATE = re.compile(
    r"-?(?P<year>[1-9][0-9]{3,}|0[0-9]{3})-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
)
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None = None
    label: dict[str, str] = field(default_factory=dict)

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class NamedQuery:
    name: str  # file stem, used in /queries/<name>
    text: str  # the SPARQL text including the header comments
    title: dict[str, str]
    description: dict[str, str]
    params: tuple[Param, ...] = ()
    competency_question: int | None = None

    def bindings(self, raw: dict[str, str]) -> dict[str, Identifier]:
        """RDF terms for this query's parameters from user-supplied strings."""
        unknown = sorted(set(raw) - {p.name for p in self.params})
        if unknown:
            raise InputError(f"query {self.name!r} has no parameter {', '.join(unknown)}")
        terms: dict[str, Identifier] = {}
        for param in self.params:
            value = raw.get(param.name, param.default)
            if value is None:
                raise InputError(f"query {self.name!r} needs parameter {param.name!r}")
            terms[param.name] = to_term(param, value)
        return terms


def to_term(param: Param, value: str) -> Identifier:
    """Turn a user's string into the RDF term a parameter of this type expects."""
    if param.type == "iri":
        value = value.strip().removeprefix("<").removesuffix(">")
        bad = not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value) or _IRI_FORBIDDEN.search(value)
        if bad or re.search(r"%(?![0-9A-Fa-f]{2})", value):
            raise InputError(f"parameter {param.name!r} must be an absolute IRI, got {value!r}")
        return URIRef(value)
    if param.type == "xsd:date":
        value = value.strip()
        if not _is_xsd_date(value):
            raise InputError(f"parameter {param.name!r} must be a date YYYY-MM-DD, got {value!r}")
        return Literal(value, datatype=XSD.date)
    if param.type == "xsd:integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
            raise InputError(f"parameter {param.name!r} must be an integer, got {value!r}")
        return Literal(int(value), datatype=XSD.integer)
    return Literal(value)


def _is_xsd_date(value: str) -> bool:
    """True for an xsd:date lexical form naming a day that exists (no 2026-02-30)."""
    match = _XSD_DATE.fullmatch(value)
    if not match:
        return False
    year, month, day = (int(match[name]) for name in ("year", "month", "day"))
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return day <= days


def _texts(value: object, where: str) -> list[str]:
    """Problems with a bilingual text: exactly ``en`` and ``zh``, each a non-empty string."""
    if not isinstance(value, dict):
        return [f"{where} must be a mapping with 'en' and 'zh', got {value!r}"]
    problems = [f"{where} lacks '{lang}'" for lang in LANGUAGES if lang not in value]
    for key, text in value.items():
        if key not in LANGUAGES:
            problems.append(
                f"{where} has an unknown key {key!r} (value {text!r}): an unquoted ', ' or ': ' "
                "inside a {…} value splits it; quote the text"
            )
        elif not isinstance(text, str) or not text.strip():
            problems.append(f"{where}.{key} must be non-empty text, got {text!r}")
    return problems


def header_problems(header: object) -> list[str]:
    """Every mistake in a parsed header: unknown keys, nulls, titles that are not text.

    YAML accepts much that is not what the author meant (``{en: A, B, zh: C}`` is three keys,
    one of them null), so the header is held to its schema key by key.
    """
    if not isinstance(header, dict):
        return [f"the header must be a mapping, got {header!r}"]
    problems = [f"unknown header key {key!r}" for key in header if key not in HEADER_KEYS]
    problems += [f"header key {key!r} has no value" for key, v in header.items() if v is None]
    for key in ("title", "description"):
        problems += _texts(header.get(key), key)
    cq = header.get("competency_question")
    if cq is not None and (not isinstance(cq, int) or isinstance(cq, bool)):
        problems.append(f"competency_question must be a number, got {cq!r}")
    params = header.get("params") or []
    if not isinstance(params, list):
        return [*problems, f"params must be a list, got {params!r}"]
    for index, entry in enumerate(params):
        where = f"params[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where} must be a mapping, got {entry!r}")
            continue
        problems += [f"{where} has an unknown key {k!r}" for k in entry if k not in PARAM_KEYS]
        problems += [f"{where}.{k} has no value" for k, v in entry.items() if v is None]
        if "label" in entry and entry["label"] is not None:
            problems += _texts(entry["label"], f"{where}.label")
    return problems


def parse(name: str, text: str) -> NamedQuery:
    """Parse one named query file's text; raises ValueError naming what is wrong."""
    match = _HEADER.match(text)
    if not match:
        raise ValueError(f"{name}.rq: missing the '#---' header")
    body = "\n".join(line[1:].removeprefix(" ") for line in match["body"].splitlines())
    try:
        header = yaml.safe_load(body) or {}
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise ValueError(f"{name}.rq: the header is not valid YAML: {detail}") from None
    problems = header_problems(header)
    if problems:
        raise ValueError(f"{name}.rq: " + "; ".join(problems))
    params = []
    for entry in header.get("params") or []:
        pname, ptype = entry.get("name"), entry.get("type", "xsd:string")
        if not isinstance(pname, str) or not _NAME.match(pname):
            raise ValueError(f"{name}.rq: bad parameter name {pname!r}")
        if ptype not in PARAM_TYPES:
            raise ValueError(f"{name}.rq: parameter {pname} has unknown type {ptype!r}")
        if f"?{pname}" not in text[match.end() :]:
            raise ValueError(f"{name}.rq: parameter {pname} is not used as ?{pname}")
        default = entry.get("default")
        params.append(
            Param(pname, ptype, None if default is None else str(default), entry.get("label", {}))
        )
    return NamedQuery(
        name=name,
        text=text,
        title=header["title"],
        description=header["description"],
        params=tuple(params),
        competency_question=header.get("competency_question"),
    )


def queries_dir(root: Path | None = None) -> Path:
    return config.resource_dir("data", root) / "queries"


def load_all(root: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query by name, in file-name order."""
    folder = queries_dir(root)
    return {
        path.stem: parse(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.rq"))
    }


def get(name: str, root: Path | None = None) -> NamedQuery:
    queries = load_all(root)
    if name not in queries:
        raise NotFound(f"no named query {name!r}; known: {', '.join(queries) or 'none'}")
    return queries[name]
