"""Filling a store from the project's sources: one named graph per file, statute text, closure.

An on-disk store remembers a fingerprint of the files it was loaded from (``FINGERPRINT_FILE``
in its folder, written only after a complete load), so a restart reuses it and a change to any
source reloads the source graphs while keeping stored case graphs.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pyoxigraph as ox

from ecpl import config, iri
from ecpl.sources import iter_sources

log = logging.getLogger(__name__)

FINGERPRINT_FILE = "ecpl-sources.sha256"


def source_files(root: Path | None = None) -> list[tuple[str, Path]]:
    """(graph IRI, file) for every source file and the imported statute text when present."""
    files = [(str(source.graph), source.path) for source in iter_sources(root)]
    text = config.statute_text_file()
    if text.is_file():
        files.append((str(iri.TEXT_GRAPH), text))
    return files


def fingerprint(files: list[tuple[str, Path]]) -> str:
    """A digest of every file's graph, name and content."""
    digest = hashlib.sha256()
    for graph, path in files:
        digest.update(graph.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_loaded_graph(graph: str) -> bool:
    """Graphs this module owns (replaced on reload); stored case graphs are not among them."""
    return graph.startswith(str(iri.GRAPH)) and not graph.startswith(iri.CASE_GRAPH_PREFIX)


def load_sources(store: ox.Store, files: list[tuple[str, Path]]) -> int:
    """Replace the source graphs in ``store`` with the files' contents; returns quads loaded."""
    for name in list(store.named_graphs()):
        if isinstance(name, ox.NamedNode) and is_loaded_graph(name.value):
            store.remove_graph(name)
    before = len(store)
    for graph, path in files:
        try:
            store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
        except SyntaxError as exc:
            raise ValueError(f"{path}: not valid Turtle: {exc}") from None
    return len(store) - before


def needs_reload(folder: Path, digest: str) -> bool:
    marker = folder / FINGERPRINT_FILE
    return not marker.is_file() or marker.read_text().strip() != digest


def mark_loaded(folder: Path, digest: str) -> None:
    (folder / FINGERPRINT_FILE).write_text(digest + "\n")
