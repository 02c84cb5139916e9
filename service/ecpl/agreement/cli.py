"""``ecpl agreement``: compare the model's findings with the courts' holdings, write the table."""

from __future__ import annotations

from pathlib import Path

import click

from ecpl import config
from ecpl.agreement.compare import compare_files, load_reference, rate, totals
from ecpl.agreement.markdown import markdown
from ecpl.errors import InputError

DEFAULT_DIRS = ("data/cases/real",)


def case_files(inputs: tuple[Path, ...], root: Path) -> list[Path]:
    """The Turtle files named, or in the folders named (default: data/cases/real)."""
    targets = list(inputs) or [root / d for d in DEFAULT_DIRS]
    files: list[Path] = []
    for target in targets:
        if target.is_dir():
            files += sorted(target.glob("*.ttl"))
        elif target.is_file():
            files.append(target)
        else:
            raise InputError(f"{target}: no such file or folder")
    if not files:
        raise InputError("no case graphs (*.ttl) found in " + ", ".join(map(str, targets)))
    return files


@click.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Markdown file to write (default: ./docs/agreement.md; '-' for stdout).",
)
def agreement(inputs: tuple[Path, ...], output: Path | None) -> None:
    """Validate each real case without its holding and compare with what the court held.

    INPUTS are case files or folders (default: data/cases/real). Writes the table to
    docs/agreement.md and prints the overall agreement rate.
    """
    root = config.project_root()
    files = case_files(inputs, root)
    reference = load_reference(root)
    cases = compare_files(files, reference, root)
    text = markdown(cases, reference)
    if output is not None and str(output) == "-":
        click.echo(text, nl=False)
        return
    target = output or Path("docs") / "agreement.md"
    if not target.parent.is_dir():
        raise InputError(f"{target.parent}: no such folder (run from the checkout or use -o)")
    target.write_text(text, encoding="utf-8")
    counts = totals(cases)["all"]
    value = rate(counts)
    shown = "—" if value is None else f"{value:.0%}"
    click.echo(f"{len(cases)} cases; agreement {shown}; written to {target}", err=True)
