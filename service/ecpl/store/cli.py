"""``ecpl query`` and ``ecpl load``: the store from the shell (thin layer over the library)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecpl import queries
from ecpl.config import Settings
from ecpl.errors import EcplError
from ecpl.store import cases, open_store

_FORMATS = ("table", "json", "xml", "csv", "tsv", "turtle", "nt", "jsonld", "rdfxml")


def _fail(exc: EcplError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2 if exc.status < 500 else 1)


def _table(result: object) -> str:
    from ecpl.store.base import QueryResult

    assert isinstance(result, QueryResult)
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
            result = the_store.query(text, bindings=bindings, row_limit=None)
        finally:
            the_store.close()
        if fmt == "table":
            click.echo(_table(result))
            return
        from ecpl.web import conneg

        media = conneg.lookup(fmt, conneg.offers_for(result))
        if media is None:
            raise click.UsageError(f"--format {fmt} does not fit a {result.kind} result")
        sys.stdout.buffer.write(conneg.serialize_result(result, media))
    except EcplError as exc:
        _fail(exc)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--graph", "graph_iri", help="Named graph IRI (default: …/graph/case/{file stem}).")
@click.option("--store", default=None, help="A folder (on-disk store) or an http(s) SPARQL URL.")
def load(file: Path, graph_iri: str | None, store: str | None) -> None:
    """Load a case graph: parsed, validated, stored with its findings (like PUT /data)."""
    from ecpl import iri

    try:
        settings = Settings.from_env(store=store)
        if settings.store in ("memory", ":memory:", ""):
            raise click.UsageError(
                "ecpl load needs a lasting store: --store FOLDER or --store http(s)://…"
            )
        target = graph_iri or str(iri.CASE_GRAPH_PREFIX + iri.slug(file.stem))
        data = file.read_bytes()
        graph = cases.parse_upload(data, filename=file.name, max_bytes=settings.max_upload_bytes)
        the_store = open_store(settings)
        try:
            stored = cases.store_case(the_store, target, graph, replace=True)
        finally:
            the_store.close()
    except EcplError as exc:
        _fail(exc)
        return
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    findings = f"{stored.findings} findings triples"
    click.echo(f"loaded {stored.triples} triples into <{stored.graph}> ({findings})")
