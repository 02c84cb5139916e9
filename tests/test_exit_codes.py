"""One exit-code rule for every command: 4xx errors exit 2, 5xx errors exit 1 (ecpl.errors)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ecpl import errors
from ecpl.cli import main

# (error kind, the HTTP status the web layer answers, the exit README promises for it)
KINDS = [
    (errors.InputError, 400, 2),
    (errors.TooLarge, 413, 2),
    (errors.Forbidden, 403, 2),
    (errors.NotFound, 404, 2),
    (errors.NotAcceptable, 406, 2),
    (errors.UnsupportedMediaType, 415, 2),
    (errors.Unavailable, 503, 1),
    (errors.EcplError, 500, 1),
]


@pytest.mark.parametrize(("kind", "status", "code"), KINDS, ids=lambda v: getattr(v, "__name__", v))
def test_exit_code_follows_the_status(kind: type[errors.EcplError], status: int, code: int) -> None:
    exc = kind("x")
    assert exc.status == status
    assert errors.exit_code(exc) == code


def test_fail_prints_the_message_and_exits(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        errors.fail(errors.Forbidden("SERVICE is not allowed"))
    assert stopped.value.code == 2
    assert capsys.readouterr().err == "Error: SERVICE is not allowed\n"


def test_a_subcommand_error_uses_the_rule() -> None:
    """The top-level group maps an error that escapes a subcommand (a refused SERVICE query)."""
    result = CliRunner().invoke(
        main, ["query", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
