"""The one access-log line per request, for the Flask app and the direct query lane alike
(the HTTP servers' own access logs are off)."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("ecpl.web")


def log_request(
    remote: str | None,
    method: str,
    full_path: str,
    status: int,
    length: int | None,
    started: float,
) -> None:
    """Client, request line (path and query, at most 300 characters), status, bytes, time."""
    log.info(
        '%s "%s %s" %s %s %.1fms',
        remote or "-",
        method,
        full_path.rstrip("?")[:300],
        status,
        length or "-",
        (time.perf_counter() - started) * 1000,
    )
