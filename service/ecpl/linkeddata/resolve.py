"""Service paths <-> ecpl IRIs, and the links a page shows for any IRI.

Terms live at ``…/ontology#X``; browsers never send the fragment, so each term also has a page
of its own at ``/term/X`` (and an anchor ``#X`` on ``/ontology``). Shapes likewise at
``/shapes/X``. Laws, provisions, cases, positions and sources keep their IRI path as is.
"""

from __future__ import annotations

import re

from rdflib import URIRef

from ecpl import iri
from ecpl.errors import NotFound

TERM_PATH = "/term/"
SHAPE_PATH = "/shapes/"
# The path families dereferenced here (prefix of the IRI path -> what it names).
FAMILIES = ("law/", "case/", "doctrine/", "source/")
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _check_segments(path: str) -> None:
    for segment in path.split("/"):
        if not _SEGMENT.match(segment):
            raise NotFound(f"no ecpl resource at path segment {segment!r}")


def term_iri(name: str) -> URIRef:
    """The vocabulary term named ``name`` (``/term/Duty`` -> ``ecpl:Duty``)."""
    _check_segments(name)
    if "/" in name:
        raise NotFound(f"no ecpl term named {name!r}")
    return iri.ECPL[name]


def shape_iri(name: str) -> URIRef:
    _check_segments(name)
    if "/" in name:
        raise NotFound(f"no ecpl shape named {name!r}")
    return iri.SHAPES[name]


def resource_iri(path: str) -> URIRef:
    """The IRI a service path names (``/law/ecl/art/38`` -> ``…/law/ecl/art/38``)."""
    relative = path.lstrip("/")
    if relative.startswith(TERM_PATH.strip("/") + "/"):
        return term_iri(relative[len(TERM_PATH) - 1 :])
    if relative.startswith(SHAPE_PATH.strip("/") + "/"):
        return shape_iri(relative[len(SHAPE_PATH) - 1 :])
    if not relative.startswith(FAMILIES):
        raise NotFound(f"no ecpl resource family at /{relative}")
    _check_segments(relative)
    return iri.from_local_path(relative)


def local_href(target: str, base_url: str = "/") -> str | None:
    """Where the service shows ``target``: a path on this host, or None for foreign IRIs.

    ``base_url`` is the service root (``request.script_root + "/"``) so links stay on the
    host that served the page.
    """
    if not iri.is_ecpl(target):
        return None
    root = base_url.rstrip("/")
    rest = target[len(iri.BASE) :]
    if rest.startswith("ontology#"):
        return f"{root}{TERM_PATH}{rest[len('ontology#') :]}"
    if rest.startswith("shapes#"):
        return f"{root}{SHAPE_PATH}{rest[len('shapes#') :]}"
    return f"{root}/{rest}"


def href(target: str, base_url: str = "/") -> str | None:
    """A link for an IRI: on this host for ecpl IRIs, the IRI itself for http(s) IRIs.

    None for any other scheme (``javascript:``, ``data:`` …): data from uploaded case graphs
    must never become an active link.
    """
    local = local_href(target, base_url)
    if local is not None:
        return local
    return target if target.lower().startswith(("http://", "https://")) else None
