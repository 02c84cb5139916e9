"""``ecpl query`` and ``ecpl load``: the store from the shell (thin layer over the library)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from ecpl import intake, queries
from ecpl.config import Settings
from ecpl.errors import EcplError, TooLarge, fail
from ecpl.store import cases, open_store
from ecpl.store.base import QueryResult

_FORMATS = ("table", "json", "xml", "csv", "tsv", "turtle", "nt", "jsonld", "rdfxml")


def _media(fmt: str, kind: str) -> str:
    """The media type for ``--format`` and an answer's kind (``xml`` is RDF/XML for graphs)."""
    from ecpl import formats
    from ecpl.errors import InputError

    media = formats.lookup(fmt, formats.offers(kind))
    if media is None:
        raise InputError(f"--format {fmt} does not fit a {kind} result")
    return media


def _table(result: QueryResult) -> str:
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    cells = [[row[v].n3() if v in row else "" for v in result.variables] for row in result.rows]
    widths = [max([len(v)] + [len(c[i]) for c in cells]) for i, v in enumerate(result.variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(result.variables, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)) for cell in cells]
    if result.truncated:
        lines.append("(results cut at the row limit)")
    return "\n".join(lines)


@click.command()
@click.argument("sparql", required=False)
@click.option(
    "--file",
    "file_",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file holding the query.",
)
@click.option("--named", help="Run a named query from data/queries (by file stem).")
@click.option("--param", "params", multiple=True, metavar="K=V", help="Named-query parameter.")
@click.option("--store", default=None, help="memory (default), a folder, or an http(s) URL.")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="table", show_default=True)
def query(
    sparql: str | None,
    file_: Path | None,
    named: str | None,
    params: tuple[str, ...],
    store: str | None,
    fmt: str,
) -> None:
    """Run a SPARQL query (argument, --file) or a named query (--named --param k=v) and print it."""
    given = [x for x in (sparql, file_, named) if x]
    if len(given) != 1:
        raise click.UsageError("give exactly one of: a QUERY argument, --file F, --named NAME")
    if params and not named:
        raise click.UsageError("--param only goes with --named")
    try:
        bindings = None
        if named:
            raw: dict[str, str] = {}
            for item in params:
                key, sep, value = item.partition("=")
                if not sep:
                    raise click.UsageError(f"--param {item!r}: expected NAME=VALUE")
                raw[key.strip()] = value
            named_query = queries.get(named)
            bindings = named_query.bindings(raw)
            text = named_query.text
        elif file_:
            text = file_.read_text(encoding="utf-8")
        else:
            text = sparql or ""
        settings = Settings.from_env(store=store)
        the_store = open_store(settings)
        try:
            if fmt == "table":
                result = the_store.query(text, bindings=bindings, row_limit=None)
                click.echo(_table(result))
                return
            answer = the_store.serialise(
                text, functools.partial(_media, fmt), bindings=bindings, row_limit=None
            )
        finally:
            the_store.close()
        sys.stdout.buffer.write(answer.body)
        if answer.truncated:
            click.echo(f"({answer.truncated})", err=True)
    except EcplError as exc:
        fail(exc)


@click.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--graph", "graph_iri", help="Named graph IRI (default: …/graph/case/{file stem}).")
@click.option("--store", default=None, help="A folder (on-disk store) or an http(s) SPARQL URL.")
@click.option("-q", "--quiet", is_flag=True, help="No progress line on the terminal.")
def load(files: tuple[Path, ...], graph_iri: str | None, store: str | None, quiet: bool) -> None:
    """Load case graphs: each parsed, validated, stored with its findings (like PUT /data).

    Progress (cases done, rate, time left) goes to stderr on a terminal only."""
    from ecpl.progress import Progress

    if graph_iri and len(files) > 1:
        raise click.UsageError("--graph names one graph: give one file with it")
    with Progress(len(files), "load", quiet=quiet) as progress:
        for file in files:
            progress.item = file.name
            progress.clear()  # the per-file line goes to stdout below the status line
            _load_one(file, graph_iri, store)
            progress.advance()


def _load_one(file: Path, graph_iri: str | None, store: str | None) -> None:
    """Load a case graph: parsed, validated, stored with its findings (like PUT /data)."""
    from ecpl import iri

    try:
        settings = Settings.from_env(store=store)
        if settings.store in ("memory", ":memory:", ""):
            raise click.UsageError(
                "ecpl load needs a lasting store: --store FOLDER or --store http(s)://…"
            )
        target = cases.check_case_graph_iri(
            graph_iri or str(iri.CASE_GRAPH_PREFIX + iri.slug(file.stem))
        )
        upload = intake.Upload(file.read_bytes(), filename=file.name, base=target)
        limits = intake.Limits.of(settings)
        if len(upload.data) > limits.max_bytes:
            raise TooLarge(
                f"{file} is {len(upload.data):,} bytes; the limit is {limits.max_bytes:,}"
            )
        the_store = open_store(settings)
        try:  # parsed and validated in a worker under the upload limits, as PUT /data
            runner = intake.Runner(1)
            stored = cases.write_case(the_store, runner, target, [upload], limits, replace=True)
        finally:
            the_store.close()
    except EcplError as exc:
        fail(exc)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    findings = f"{stored.findings} findings triples"
    click.echo(f"loaded {stored.triples} triples into <{stored.graph}> ({findings})")
