"""``ecpl export``: the graph for other legal knowledge graphs, as a file or on stdout."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ecpl.linkeddata.access import GraphAccess
from ecpl.linkeddata.export import EXPORT_FORMATS, PROFILES


def _date(_ctx: click.Context, _param: click.Parameter, raw: str | None) -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {raw!r}") from exc


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(EXPORT_FORMATS), case_sensitive=False),
    default="trig",
    show_default=True,
    help="TriG and N-Quads keep the named graphs; Turtle merges them.",
)
@click.option(
    "--profile",
    type=click.Choice(list(PROFILES), case_sensitive=False),
    default="full",
    show_default=True,
    help="full: every named graph; eli / schema: the laws and provisions in those terms.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="File to write (default: standard output).",
)
@click.option(
    "--on",
    callback=_date,
    metavar="YYYY-MM-DD",
    help="Date on which eli:in_force / schema:legislationLegalForce is evaluated (default today).",
)
@click.option(
    "--store",
    help="Export from a store (folder or SPARQL URL) instead of the source files.",
)
def export(
    fmt: str, profile: str, output: Path | None, on: dt.date | None, store: str | None
) -> None:
    """Export the graph (TriG, N-Quads, Turtle) or its ELI / schema.org description."""
    from ecpl.errors import EcplError, fail
    from ecpl.linkeddata.export import export_bytes

    try:
        access: GraphAccess = _access(store)
        data = export_bytes(access, fmt.lower(), profile.lower(), on)
    except EcplError as exc:
        fail(exc)
    if output is None:
        sys.stdout.buffer.write(data)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror}") from exc
    click.echo(f"wrote {len(data)} bytes to {output}", err=True)


def _access(store: str | None) -> GraphAccess:
    """The source files as a Dataset (plus imported statute text), or an opened store."""
    from ecpl.linkeddata.access import DatasetAccess, StoreAccess

    if store:
        from ecpl.config import Settings
        from ecpl.store import open_store

        return StoreAccess(open_store(Settings.from_env(store=store)))
    from ecpl import config, iri, sources

    dataset = sources.load_dataset()
    text = config.statute_text_file()
    if text.is_file():
        dataset.graph(iri.TEXT_GRAPH).parse(text, format="turtle")
    return DatasetAccess(dataset)
