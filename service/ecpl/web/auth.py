"""Who may write: the bearer token that every updating endpoint checks (/sparql, /graph-store).

A small module of its own so that each blueprint imports it, rather than one blueprint
importing another's internals.
"""

from __future__ import annotations

import hmac
from typing import ClassVar

from flask import Request

from ecpl.errors import EcplError, Forbidden
from ecpl.web.context import get_settings


class Unauthorized(EcplError):
    """No bearer token on an update (401, with a WWW-Authenticate challenge)."""

    status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="ecpl"'}


def require_update_token(req: Request) -> None:
    """Allow a write only with ``Authorization: Bearer <token>`` matching the configured one."""
    token = get_settings().update_token
    if not token:
        raise Forbidden(
            "this service is read-only: updates are switched off "
            "(start it with --update-token or ECPL_UPDATE_TOKEN to allow them)"
        )
    header = req.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorized("updates need the header 'Authorization: Bearer <token>'")
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Forbidden("the update token is wrong")
