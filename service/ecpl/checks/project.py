"""The project as the checks see it: every Turtle file parsed on its own, grouped by folder.

Files are parsed one by one so that a syntax error names its file and line and the other
checks still run over the files that did parse.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from ecpl import sources
from ecpl.checks.problem import Problem

# Characters RFC 3987 forbids in an IRI; rdflib accepts them with only a logged warning.
_BAD_IRI = re.compile(r'[\s<>"{}|^`\\]')


@dataclass
class Project:
    """Parsed sources of one project folder, keyed by their path relative to the folder."""

    root: Path
    files: dict[str, Graph] = field(default_factory=dict)

    def graph(self, *folders: str) -> Graph:
        """The union of the files under the given top-level folders (all when none given)."""
        union = Graph()
        for name, graph in self.files.items():
            if folders and name.split("/", 1)[0] not in folders:
                continue
            union += graph
        return union

    def files_mentioning(self, term: URIRef) -> list[str]:
        """The files in which ``term`` occurs in any position (for naming where a problem is)."""
        return [
            name
            for name, graph in self.files.items()
            if (term, None, None) in graph
            or (None, term, None) in graph
            or (None, None, term) in graph
        ]


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs bad IRIs as warnings; they are reported as problems instead."""
    logger = logging.getLogger("rdflib")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _bad_iris(graph: Graph, text: str, name: str) -> list[Problem]:
    problems = []
    bad = {t for triple in graph for t in triple if isinstance(t, URIRef) and _BAD_IRI.search(t)}
    for term in sorted(bad):
        offset = text.find(str(term))
        where = f"{name}:{text.count(chr(10), 0, offset) + 1}" if offset >= 0 else name
        problems.append(Problem("syntax", where, f"invalid IRI <{term}>"))
    return problems


def load(root: Path) -> tuple[Project, list[Problem]]:
    """Parse every ``*.ttl`` under ``root``; unparseable files become syntax problems."""
    project = Project(root)
    problems: list[Problem] = []
    for source in sources.iter_sources(root, include_examples=True):
        name = source.path.relative_to(root).as_posix()
        graph = Graph()
        try:
            text = source.path.read_text(encoding="utf-8")
            with _quiet_rdflib():
                graph.parse(data=text, format="turtle", publicID=source.path.as_uri())
        except UnicodeDecodeError as exc:
            problems.append(Problem("syntax", name, f"not UTF-8 text: {exc.reason}"))
            continue
        except BadSyntax as exc:
            where = f"{name}:{exc.lines + 1}"
            problems.append(Problem("syntax", where, f"Turtle syntax error: {exc._why}"))
            continue
        # rdflib raises assorted errors for bad IRIs, prefixes, …: each is a problem to report
        except Exception as exc:  # noqa: BLE001
            problems.append(Problem("syntax", name, f"Turtle does not parse: {exc}"))
            continue
        bad = _bad_iris(graph, text, name)
        problems += bad
        if not bad:
            project.files[name] = graph
    return project, problems


def instances(graph: Graph, classes: Iterable[URIRef]) -> set[URIRef]:
    """IRIs typed with any of ``classes`` or their subclasses (rdfs:subClassOf closure)."""
    closure: set[URIRef] = set()
    for cls in classes:
        closure.update(
            c for c in graph.transitive_subjects(RDFS.subClassOf, cls) if isinstance(c, URIRef)
        )
    return {s for cls in closure for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}
