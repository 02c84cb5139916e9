"""The project's error kinds; the HTTP layer and the CLI map them to status codes and exits.

Raise these from domain code with a message that names the problem for the user; never let a
user's mistake surface as a stack trace.
"""

from __future__ import annotations


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
