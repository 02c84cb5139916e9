"""The project's error kinds, and the one rule that maps them to HTTP statuses and CLI exits.

Raise these from domain code with a message that names the problem for the user; never let a
user's mistake surface as a stack trace. The web layer answers ``exc.status``
(``ecpl.web.errors``); every command exits with :func:`exit_code` (see :func:`fail`).
"""

from __future__ import annotations

import sys
from typing import NoReturn

# CLI exit codes, the same for every command (README, "Exit codes").
EXIT_OK = 0
EXIT_FAILED = 1  # the run failed for a reason the command line cannot fix, or it found problems
EXIT_USAGE = 2  # the command, its input or its request was refused: change them and retry
EXIT_MALFORMED = 3  # ecpl validate: a case graph is malformed (kept apart from a breach, 1)


class EcplError(Exception):
    """Base class: a failure with a message meant for the user."""

    status = 500


class InputError(EcplError):
    """Unreadable or invalid input from the user (HTTP 400, CLI exit 2)."""

    status = 400


class ConfigError(InputError, ValueError):
    """A setting (flag or ``ECPL_*`` variable) that cannot be used; a ValueError for callers."""


class TooLarge(InputError):
    """Input above a configured size limit (HTTP 413)."""

    status = 413


class Forbidden(EcplError):
    """An operation the service refuses by policy: updates without a token, SERVICE, LOAD."""

    status = 403


class NotAcceptable(EcplError):
    """No representation matches the request's Accept header or format parameter (406)."""

    status = 406


class UnsupportedMediaType(EcplError):
    """A request body of a media type the endpoint does not read (415)."""

    status = 415


class NotFound(EcplError):
    status = 404


class Unavailable(EcplError):
    """The store is down or a query ran past its time limit (503)."""

    status = 503


def exit_code(exc: EcplError) -> int:
    """The exit code of a command that stopped on ``exc``: the HTTP rule, in two classes.

    A 4xx error (bad input, too large, refused by policy, not found, not acceptable) is the
    user's to fix: exit 2. A 5xx error (store unavailable, time limit, internal) is not: exit 1.
    """
    return EXIT_USAGE if 400 <= exc.status < 500 else EXIT_FAILED


def fail(exc: EcplError) -> NoReturn:
    """End a command on ``exc``: its message on stderr, no traceback, :func:`exit_code`."""
    print(f"Error: {exc}", file=sys.stderr)
    raise SystemExit(exit_code(exc))
