"""The built wheel carries the ontology, shapes, data and web templates, so an installed package
finds them without a checkout (``ecpl.config.project_root`` prefers ``ecpl/_resources``)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot build a wheel here (no hatchling from the registry?): {result.stderr}")
    (path,) = out.glob("ecpl-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_holds_every_source_file(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for folder in ("ontology", "shapes", "data"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".ttl", ".rq"}:
                relative = path.relative_to(ROOT).as_posix()
                assert f"ecpl/_resources/{relative}" in names, relative


def test_wheel_holds_templates_and_entry_point(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert any(n.startswith("ecpl/web/templates/") for n in names)
    assert "ecpl/cli.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "ecpl = ecpl.cli:main" in wheel.read(entry_points).decode()


def test_installed_layout_is_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ecpl import config

    resources = tmp_path / "_resources"
    (resources / "ontology").mkdir(parents=True)
    monkeypatch.setattr(config, "_RESOURCES", resources)
    assert config.project_root() == resources
    assert config.resource_dir("shapes") == resources / "shapes"
