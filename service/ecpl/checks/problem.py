"""The one result type of every check: what is wrong, and where."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from ecpl.prefixes import PREFIXES

_PREFIXES = tuple((str(PREFIXES[name]), f"{name}:") for name in ("ecpl", "shapes", "sh"))


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found by ``check`` (e.g. "labels") at ``subject`` (a term IRI or a file)."""

    check: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.subject}: {self.message}"


def show(term: object) -> str:
    """A short, readable name for a term: ``ecpl:Duty``, ``<…/law/ecl/art/38>``, or the literal."""
    text = str(term)
    if isinstance(term, URIRef):
        for namespace, prefix in _PREFIXES:
            if text.startswith(namespace):
                return prefix + text[len(namespace) :]
        return f"<{text}>"
    return repr(text)
