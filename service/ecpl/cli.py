"""The ``ecpl`` command line: a thin layer over the library.

Subcommands are imported lazily so that ``ecpl --help`` is fast and one subcommand's heavy
dependencies (owlready2, pyshacl, gunicorn) are only loaded when it runs. Each subcommand lives
next to the code it drives; this module only lists them.
"""

from __future__ import annotations

import importlib

import click

from ecpl import __version__
from ecpl.errors import EcplError, exit_code

# name -> ("module:attribute", one-line help shown by `ecpl --help`)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("ecpl.web.cli:serve", "Run the SPARQL service (W3C SPARQL 1.1 Protocol)."),
    "query": ("ecpl.store.cli:query", "Run a SPARQL query or a named query against the store."),
    "validate": (
        "ecpl.validation.cli:validate",
        "Validate case graphs: breached duties, findings.",
    ),
    "load": ("ecpl.store.cli:load", "Load a case graph into an on-disk or remote store."),
    "check": ("ecpl.checks.cli:check", "Check ontology, shapes and data (HermiT, labels, bases)."),
    "export": ("ecpl.linkeddata.cli:export", "Export the graph (TriG, N-Quads, ELI/schema.org)."),
    "import-text": ("ecpl.statutes.cli:import_text", "Attach statute text from LawRefBook files."),
    "agreement": ("ecpl.agreement.cli:agreement", "Compare derived findings with court holdings."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def invoke(self, ctx: click.Context) -> object:
        """Run the subcommand; a domain error becomes a message and an exit code, no traceback."""
        try:
            return super().invoke(ctx)
        except EcplError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exit_code(exc))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUBCOMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS:
            return None
        target = SUBCOMMANDS[cmd_name][0]
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                raise click.ClickException(f"'{cmd_name}' is not available in this build") from exc
            raise
        command = getattr(module, attribute)
        if not isinstance(command, click.Command):
            raise click.ClickException(f"'{cmd_name}' is misconfigured ({target})")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ecpl")
def main() -> None:
    """ecpl: the platform safety-guarantee knowledge graph of PRC e-commerce law."""
