"""``ecpl check [DIR]``: exit 0 when clean, 1 listing each problem, 2 for a bad DIR."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecpl import config


@click.command("check")
@click.argument("directory", metavar="[DIR]", required=False, type=click.Path(path_type=Path))
@click.option("--no-reasoner", is_flag=True, help="Skip the HermiT consistency check (no Java).")
@click.option("-v", "--verbose", is_flag=True, help="Show HermiT's own output.")
def check(directory: Path | None, no_reasoner: bool, verbose: bool) -> None:
    """Check ontology/, shapes/ and data/ under DIR (default: the project).

    Turtle and SPARQL syntax, declared ecpl: terms, zh+en labels, legal bases, cited
    provisions, well-formed SHACL (and the SPARQL in it), OWL 2 DL consistency under HermiT.
    """
    from ecpl.checks.runner import run_checks  # keeps `ecpl --help` light

    root = directory or config.project_root()
    if not root.is_dir():
        raise click.UsageError(f"{root} is not a directory")
    if not any((root / name).is_dir() for name in config.SOURCE_FOLDERS):
        folders = ", ".join(f"{name}/" for name in config.SOURCE_FOLDERS)
        raise click.UsageError(f"{root} holds none of {folders}")
    problems = run_checks(root, use_reasoner=not no_reasoner, verbose=verbose)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"ecpl check: {len(problems)} problem(s) in {root}", err=True)
        sys.exit(1)
    skipped = " (reasoner skipped)" if no_reasoner else ""
    click.echo(f"ecpl check: {root} is clean{skipped}")
