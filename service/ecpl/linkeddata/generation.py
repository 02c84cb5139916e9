"""Which version of the data a cached view was built from: views over the whole store (the
export, the not-found suggestions' index) are built once per version, not once per request.

The version of a store is the number of successful writes this process has answered
(``/data``, ``/sparql`` updates: any non-GET request to them that succeeded) together with the
store's triple count, which also moves with most writes made elsewhere (another server process
on a shared remote store).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, Response, request, request_finished

T = TypeVar("T")

_WRITE_PATHS = ("/data", "/sparql", "/update")
_writes = itertools.count()
_written = 0


def _note_write(sender: Flask, response: Response, **_extra: Any) -> None:
    global _written
    unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
    if unsafe and response.status_code < 300 and request.path.endswith(_WRITE_PATHS):
        _written = next(_writes) + 1


request_finished.connect(_note_write)


def version(access: Any) -> tuple[int, int, int]:
    """A key that changes whenever the data behind a store access may have changed (the
    store lives as long as the app, so its id is stable)."""
    return (id(access.store), _written, int(access.triple_count()))


class PerVersion:
    """A small cache of values computed once per data version; one computation at a time per
    key, so concurrent requests for the same view wait for it instead of each redoing it."""

    def __init__(self, size: int = 16) -> None:
        self._values: dict[Any, Any] = {}
        self._size = size
        self._lock = threading.Lock()
        self._building: dict[Any, threading.Lock] = {}

    def get(self, key: Any, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                return cast(T, self._values[key])
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._values:
                    return cast(T, self._values[key])
            value = build()
            with self._lock:
                if len(self._values) >= self._size:
                    self._values.pop(next(iter(self._values)))
                self._values[key] = value
                self._building.pop(key, None)
            return value
