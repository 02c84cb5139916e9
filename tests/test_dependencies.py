"""pyproject.toml says what the code needs, and the venv holds what the suite was locked to.

Oracles: the import statements of service/ecpl (parsed with ast), the installed distributions'
metadata (importlib.metadata), pyproject.toml's own ranges and constraints.txt.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
DEV = [Requirement(r) for r in PROJECT["optional-dependencies"]["dev"]]
# Declared for the command line, not imported: the tools run as programs.
TOOLS = {"ruff", "mypy", "pytest-xdist"}


def imported_distributions(folder: Path) -> set[str]:
    """Canonical names of the third-party distributions whose modules ``folder`` imports."""
    owners = metadata.packages_distributions()
    # modules of this repository (tests import bench/ and each other through sys.path)
    mine = [p for top in ("service", "tests", "bench") for p in (ROOT / top).rglob("*")]
    local = {p.stem for p in mine if p.suffix == ".py"} | {p.name for p in mine if p.is_dir()}
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in local or top in ("ecpl", "__future__"):
                    continue
                assert top in owners, f"{path.relative_to(ROOT)} imports {top}: not installed"
                found.update(canonicalize_name(d) for d in owners[top])
    return found


def test_every_imported_package_is_declared_and_every_declared_one_imported() -> None:
    declared = {canonicalize_name(r.name) for r in RUNTIME}
    used = imported_distributions(ROOT / "service" / "ecpl")
    assert used - declared == set(), "imported by service/ecpl but not in [project].dependencies"
    assert declared - used == set(), "declared in [project].dependencies but never imported"


def test_test_imports_are_declared() -> None:
    declared = {canonicalize_name(r.name) for r in RUNTIME + DEV}
    # packaging comes with pytest; this module reads requirements with it.
    used = imported_distributions(ROOT / "tests") - {"packaging"}
    assert used - declared == set()
    dev_used = {canonicalize_name(r.name) for r in DEV} - {canonicalize_name(t) for t in TOOLS}
    assert dev_used - used - {"types-pyyaml", "types-requests"} == set()


@pytest.mark.parametrize("req", RUNTIME + DEV, ids=lambda r: r.name)
def test_installed_version_is_in_the_declared_range(req: Requirement) -> None:
    """Fails when the venv drifts outside pyproject's ranges, e.g. a pyshacl beyond its pin."""
    installed = metadata.version(req.name)
    assert req.specifier.contains(installed, prereleases=True), (
        f"{req.name} {installed} is outside {req.specifier}"
    )


def test_pyshacl_is_pinned_to_one_minor() -> None:
    """validation/engine.py uses pyshacl internals: the range must not admit another minor."""
    (req,) = [r for r in RUNTIME if r.name == "pyshacl"]
    bounds = {spec.operator: spec.version for spec in req.specifier}
    low, high = bounds[">="].split("."), bounds["<"].split(".")
    assert low[0] == high[0] and int(high[1]) == int(low[1]) + 1, req
    from pyshacl import graph_abstraction  # the internal module engine.py imports

    assert hasattr(graph_abstraction, "DataGraph")


LOCKED = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)$")
STAMP = Path(sys.prefix) / ".installed-stamp"


@pytest.mark.skipif(not STAMP.exists(), reason="venv not installed by `make setup`")
def test_installed_versions_match_constraints() -> None:
    """`make setup` installs with constraints.txt: every package there is at its locked version."""
    wrong = []
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        match = LOCKED.match(line.strip())
        if not match:
            assert not line.strip() or line.startswith("#"), f"unreadable line: {line!r}"
            continue
        name, version = match.groups()
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name}: locked {version}, not installed")
            continue
        if installed != version:
            wrong.append(f"{name}: locked {version}, installed {installed}")
    assert wrong == []
