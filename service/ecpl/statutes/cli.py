"""``ecpl import-text``: a thin click layer over :mod:`ecpl.statutes.importer`."""

from __future__ import annotations

from pathlib import Path

import click

from ecpl import iri
from ecpl.errors import EcplError, fail


@click.command("import-text")
@click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="DIR"
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Turtle file to write (default: ECPL_TEXT_FILE or var/statute-text.ttl).",
)
@click.option(
    "--allow-missing",
    is_flag=True,
    help="Write the text that was found and only warn about missing laws or paragraphs.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress line on the terminal.")
def import_text(directory: Path, output: Path | None, allow_missing: bool, quiet: bool) -> None:
    """Attach the zh text of every cited paragraph and item from LawRefBook files.

    DIR is a LawRefBook tree (github.com/LawRefBook/Laws) or a folder holding its files, e.g.
    DIR/民法商法/电子商务法(2018-08-31).md. The text goes into a Turtle file outside git that the
    store loads into the graph https://w3id.org/ecpl/graph/text.

    By default the import is all or nothing: a missing law file, a file with an unexpected
    title, or a cited paragraph the file lacks is reported and nothing is written (exit 2).
    With --allow-missing the found text is written and the problems are printed as warnings.
    A file that cannot be read or parsed (not UTF-8, an article twice) always aborts.
    Progress (law files read, rate, time left) goes to stderr on a terminal only.
    """
    from ecpl.progress import Progress
    from ecpl.statutes import importer

    total = sum(len(files) for files in importer.LAW_FILES.values())
    try:
        with Progress(total, "import-text", quiet=quiet) as progress:

            def reached(name: str) -> None:
                progress.advance(item=name)

            result, written = importer.import_text(
                directory, output, allow_missing=allow_missing, on_file=reached
            )
    except EcplError as exc:
        fail(exc)
    for key in iri.LAW_KEYS:
        paragraphs, items = result.counts.get(key, (0, 0))
        click.echo(f"{key.upper():<11} {paragraphs:4d} paragraphs {items:4d} items")
    for problem in result.problems:
        click.echo(f"Warning: {problem}", err=True)
    total = sum(p for p, _ in result.counts.values())
    click.echo(f"wrote text for {total} paragraphs to {written}")
