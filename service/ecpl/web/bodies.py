"""Reading request bodies under a size limit: one rule for /validate, /data and the like.

A body is read in a loop because a chunked request (no Content-Length) arrives in pieces and
one read may return only the first; where the server caps the stream at its own maximum,
werkzeug raises RequestEntityTooLarge on reading past it, which is the same refusal (413).
"""

from __future__ import annotations

from typing import IO

from werkzeug.exceptions import RequestEntityTooLarge

from ecpl.errors import TooLarge


def read_limited(
    stream: IO[bytes], limit: int, what: str = "the request body", chunk: int = 64 * 1024
) -> bytes:
    """The whole body, refused with :class:`TooLarge` once it passes ``limit`` bytes."""
    parts: list[bytes] = []
    total = 0
    try:
        while total <= limit:
            part = stream.read(min(chunk, limit + 1 - total))
            if not part:
                break
            parts.append(part)
            total += len(part)
    except RequestEntityTooLarge:
        total = limit + 1
    if total > limit:
        raise TooLarge(f"{what} is larger than this service's limit of {limit} bytes")
    return b"".join(parts)
