"""The project's Turtle sources and the named graph each is loaded into.

Every ``*.ttl`` file under ontology/, shapes/ and data/ is one named graph (see
:func:`ecpl.iri.source_graph`); the store's default graph is their union. Loading through this
module keeps that rule in one place for the store, the checks, validation and export.

The example case graphs under data/cases/examples/ are test fixtures (invented facts, one per
shape and rule), not cases: they stay out of the default dataset that scholars query, so that no
count of ecpl:Case and no named query mistakes them for real cases. The tests and ``ecpl check``
read them with ``include_examples=True``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from ecpl import config, iri

# Test fixtures kept beside the data they illustrate but out of the default dataset.
EXAMPLES = ("data", "cases", "examples")


@dataclass(frozen=True)
class Source:
    folder: str  # "ontology", "shapes" or "data"
    path: Path
    graph: URIRef


def iter_sources(
    root: Path | None = None,
    folders: tuple[str, ...] = config.SOURCE_FOLDERS,
    *,
    include_examples: bool = False,
) -> Iterator[Source]:
    """Every Turtle source file under ``root`` in a stable order (examples only if asked)."""
    base = root or config.project_root()
    examples = base.joinpath(*EXAMPLES)
    for folder in folders:
        top = base / folder
        if not top.is_dir():
            continue
        for path in sorted(top.rglob("*.ttl")):
            if not include_examples and path.is_relative_to(examples):
                continue
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
