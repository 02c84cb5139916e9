"""The project's Turtle sources and the named graph each is loaded into.

Every ``*.ttl`` file under ontology/, shapes/ and data/ is one named graph (see
:func:`ecpl.iri.source_graph`); the store's default graph is their union. Loading through this
module keeps that rule in one place for the store, the checks, validation and export.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from ecpl import config, iri


@dataclass(frozen=True)
class Source:
    folder: str  # "ontology", "shapes" or "data"
    path: Path
    graph: URIRef


def iter_sources(
    root: Path | None = None, folders: tuple[str, ...] = config.SOURCE_FOLDERS
) -> Iterator[Source]:
    """Every Turtle source file under ``root`` in a stable order."""
    base = root or config.project_root()
    for folder in folders:
        top = base / folder
        if not top.is_dir():
            continue
        for path in sorted(top.rglob("*.ttl")):
            yield Source(folder, path, iri.source_graph(folder, path.relative_to(top)))


def load_graph(folders: tuple[str, ...] = config.SOURCE_FOLDERS, root: Path | None = None) -> Graph:
    """The union of the given source folders as one rdflib graph."""
    graph = Graph()
    for source in iter_sources(root, folders):
        graph.parse(source.path, format="turtle")
    return graph


def load_dataset(root: Path | None = None) -> Dataset:
    """All sources as an rdflib Dataset, one named graph per file."""
    dataset = Dataset()
    for source in iter_sources(root):
        dataset.graph(source.graph).parse(source.path, format="turtle")
    return dataset
