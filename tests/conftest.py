"""Shared fixtures: the project root, and the reference files in ../shared (skipped if absent).

Comments in the tests that cite DOMAIN.md, DESIGN.md or statutes/provisions.yaml mean the
project's reference folder ../shared (beside the repository, not in it): the hand-written
expectations come from there and from the statute texts in ../shared/statutes/lawrefbook/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ECPL_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared() -> Path:
    """The reference folder ../shared; tests that need it skip where it is absent."""
    if not (SHARED / "statutes" / "provisions.yaml").is_file():
        pytest.skip("../shared is absent (reference files for citation checks)")
    return SHARED


@pytest.fixture(scope="session")
def provisions(shared: Path) -> list[dict]:
    """Ground-truth paragraphs from ../shared/statutes/provisions.yaml."""
    return yaml.safe_load((shared / "statutes" / "provisions.yaml").read_text(encoding="utf-8"))


from live_server import live_server  # noqa: E402, F401


@pytest.fixture(scope="session")
def source_store() -> ox.Store:
    """All project sources in a pyoxigraph store, one named graph per file (the service's layout).

    Read-only for tests: query it with ``use_default_graph_as_union=True``.
    """
    from ecpl import sources

    store = ox.Store()
    for source in sources.iter_sources():
        store.load(
            path=str(source.path),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(str(source.graph)),
        )
    return store


@pytest.fixture(scope="session")
def shipped_problems() -> list[object]:
    """``run_checks`` over the shipped project with HermiT, run once per session (~10 s each).

    Tests that need HermiT's verdict on the shipped ontology share it; their module carries
    ``xdist_group("hermit")`` so that under ``-n`` they land on one worker and share it there too.
    """
    import shutil

    if shutil.which("java") is None:
        pytest.skip("HermiT needs Java (java not on PATH)")
    from ecpl.checks.runner import run_checks

    return list(run_checks(ROOT, use_reasoner=True))
