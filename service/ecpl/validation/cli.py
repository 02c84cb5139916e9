"""``ecpl validate FILE...``: a thin layer over :func:`ecpl.validation.validate`.

Exit codes: 0 every file conforms (warnings allowed), 1 some file records a breach of duty, 2 a
file could not be read or parsed (the message names the file, the line and the problem), 3 some
case graph is malformed (a case-graph error, e.g. an unknown class or a wrong datatype; reported
as such, never as a breach). 3 wins over 1: findings from a malformed graph are not reliable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import click
from rdflib import Graph

from ecpl.config import Settings
from ecpl.errors import EcplError
from ecpl.rdfio import parse_rdf
from ecpl.validation.engine import validate as validate_graph


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "rdf_format",
    default=None,
    help="Input format (turtle, json-ld, nt, xml); default: from each file's extension.",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option(
    "--output",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
)
@click.option(
    "--explain",
    is_flag=True,
    help="Text output: for each warning about a silent record, say which fact to add.",
)
def validate(
    files: tuple[str, ...], rdf_format: str | None, lang: str, output: str, explain: bool
) -> None:
    """Validate case graphs: breached duties, legal basis, liability findings."""
    limit = Settings.from_env().max_upload_bytes
    graphs: list[tuple[str, Graph]] = []
    for name in files:
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            _fail(f"{name}: cannot read the file ({exc.strerror or exc})")
        try:
            graphs.append(
                (name, parse_rdf(data, filename=name, format=rdf_format, max_bytes=limit))
            )
        except EcplError as exc:
            _fail(f"{name}: {exc}")
    all_conform = True
    all_well_formed = True
    documents = []
    for name, graph in graphs:
        report = validate_graph(graph)
        all_conform = all_conform and report.conforms
        all_well_formed = all_well_formed and report.well_formed
        if output == "json":
            documents.append({"file": name, **report.to_json()})
        elif output == "turtle":
            click.echo(f"# {name}")
            click.echo(report.graph().serialize(format="turtle"))
        else:
            if len(graphs) > 1:
                click.echo(f"== {name}")
            click.echo(report.to_text(lang, explain=explain))
    if output == "json":
        body = documents[0] if len(documents) == 1 else documents
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
    raise SystemExit(3 if not all_well_formed else 0 if all_conform else 1)


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(2)
