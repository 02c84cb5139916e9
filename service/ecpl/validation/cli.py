"""``ecpl validate FILE|DIR...``: a thin layer over :func:`ecpl.validation.validate`.

A folder stands for the case files directly in it (:mod:`ecpl.validation.batch`); with a folder
the text output is a summary table (cases, conforming, breaches by duty, findings by rule) and the
JSON output carries the same summary. ``--output html`` writes one case's report page, with its
timeline, as a self-contained file (styles inline) for offline reading. Progress goes to stderr on
a terminal only (``ecpl.progress``); ``--quiet`` silences it.

Exit codes: 0 every file conforms (warnings allowed), 1 some file records a breach of duty, 2 a
file could not be read or parsed (the message names the file, the line and the problem), or the
options do not fit, 3 some case graph is malformed (a case-graph error, e.g. an unknown class or a
wrong datatype; reported as such, never as a breach). 3 wins over 1: findings from a malformed
graph are not reliable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import click
from rdflib import Graph, URIRef

from ecpl.config import Settings
from ecpl.errors import (
    EXIT_FAILED,
    EXIT_MALFORMED,
    EXIT_OK,
    EcplError,
    InputError,
    fail,
)
from ecpl.progress import Progress
from ecpl.rdfio import parse_rdf
from ecpl.validation.batch import case_files, summarise, summary_table
from ecpl.validation.engine import validate as validate_graph
from ecpl.validation.report import Report, short


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "rdf_format",
    default=None,
    help="Input format (turtle, json-ld, nt, xml); default: from each file's extension.",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option(
    "--output",
    type=click.Choice(["text", "json", "turtle", "html"]),
    default="text",
    show_default=True,
    help="html: one case's report page with its timeline, self-contained (styles inline).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress line on the terminal.")
@click.option(
    "--explain",
    is_flag=True,
    help="Text output: for each warning about a silent record, say which fact to add.",
)
def validate(
    files: tuple[str, ...],
    rdf_format: str | None,
    lang: str,
    output: str,
    quiet: bool,
    explain: bool,
) -> None:
    """Validate case graphs (files, or every case file in a folder): breached duties, legal
    basis, liability findings; a folder ends with a summary table."""
    limit = Settings.from_env().max_upload_bytes
    paths, batch = _expand(files)
    if output == "html" and len(paths) != 1:
        _fail(f"--output html writes one case's page; got {len(paths)} files (give one file)")
    all_conform = True
    all_well_formed = True
    documents = []
    reports: list[tuple[str, Report]] = []
    labeller = None
    with Progress(len(paths), "validate", quiet=quiet) as progress:
        for path in paths:
            name = str(path)
            progress.item = path.name
            graph = _read(path, rdf_format, limit)
            report = validate_graph(graph)
            labeller = labeller or report.labeller
            all_conform = all_conform and report.conforms
            all_well_formed = all_well_formed and report.well_formed
            reports.append((name, report))
            if output == "html":
                from ecpl.visual.page import render_standalone

                click.echo(render_standalone(report, graph), nl=False)
            elif output == "json":
                documents.append({"file": name, **report.to_json()})
            elif output == "turtle":
                click.echo(f"# {name}")
                click.echo(report.graph().serialize(format="turtle"))
            elif not batch:
                if len(paths) > 1:
                    click.echo(f"== {name}")
                click.echo(report.to_text(lang, explain=explain))
            progress.advance()
    if output == "json":
        if batch:
            summary = summarise(reports)
            click.echo(
                json.dumps(
                    {"summary": summary.to_json(), "reports": documents},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            body = documents[0] if len(documents) == 1 else documents
            click.echo(json.dumps(body, ensure_ascii=False, indent=2))
    elif batch and output == "text":

        def name_of(term: str) -> str:
            return labeller(URIRef(term), lang) if labeller else short(term)

        click.echo(summary_table(summarise(reports), name_of, lang), nl=False)
    found = EXIT_MALFORMED if not all_well_formed else EXIT_OK if all_conform else EXIT_FAILED
    raise SystemExit(found)


def _expand(names: tuple[str, ...]) -> tuple[list[Path], bool]:
    """The files to validate (a folder's case files in name order) and whether a folder was
    given; exit 2 naming a path that does not exist or a folder with no case files."""
    paths: list[Path] = []
    batch = False
    for name in names:
        path = Path(name)
        if path.is_dir():
            batch = True
            found = case_files(path)
            if not found:
                _fail(f"{name}: no case files in this folder (*.ttl, *.jsonld, *.nt, *.rdf)")
            paths += found
        elif path.exists():
            paths.append(path)
        else:
            _fail(f"{name}: no such file or folder")
    return paths, batch


def _read(path: Path, rdf_format: str | None, limit: int) -> Graph:
    try:
        data = path.read_bytes()
    except OSError as exc:
        _fail(f"{path}: cannot read the file ({exc.strerror or exc})")
    try:
        return parse_rdf(data, filename=str(path), format=rdf_format, max_bytes=limit)
    except EcplError as exc:
        fail(type(exc)(f"{path}: {exc}"))  # the kind's exit code, the file named


def _fail(message: str) -> NoReturn:
    """A usage mistake (a path, an option): exit by the one rule (an InputError: 2)."""
    fail(InputError(message))
