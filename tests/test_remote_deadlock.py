"""A write the remote store rolls back as a deadlock victim is sent again, not answered 503.

Virtuoso answers two colliding writers with SQLSTATE 40001 (SR172, "Transaction deadlocked")
after rolling the loser back; SQL's serialization-failure state asks the client to retry. The
scale-out test of two instances writing at once hit it in one full run.
"""

from __future__ import annotations

import pytest
import requests

from ecpl.errors import Unavailable
from ecpl.store import remote
from ecpl.store.remote import RemoteStore

DEADLOCK = "the SPARQL store answered 500: Virtuoso 40001 Error SR172: Transaction deadlocked"


def _store(monkeypatch: pytest.MonkeyPatch, failures: int) -> tuple[RemoteStore, list[str]]:
    store = RemoteStore("http://127.0.0.1:9/sparql")
    sent: list[str] = []

    def post_once(url: str, data: dict, accept: str, timeout_s: float | None) -> object:
        sent.append(data.get("update", ""))
        if len(sent) <= failures:
            raise Unavailable(DEADLOCK)
        return requests.Response()

    monkeypatch.setattr(store, "_post_once", post_once)
    monkeypatch.setattr(remote.time, "sleep", lambda s: None)
    return store, sent


def test_a_deadlocked_write_is_sent_again(monkeypatch: pytest.MonkeyPatch) -> None:
    store, sent = _store(monkeypatch, failures=2)
    store._update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert len(sent) == 3 and len(set(sent)) == 1  # the same request, until it went through


def test_a_store_that_keeps_deadlocking_is_503(monkeypatch: pytest.MonkeyPatch) -> None:
    store, sent = _store(monkeypatch, failures=100)
    with pytest.raises(Unavailable, match="40001"):
        store._update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert len(sent) == remote.DEADLOCK_ATTEMPTS


def test_other_store_failures_are_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    store = RemoteStore("http://127.0.0.1:9/sparql")
    calls: list[int] = []

    def post_once(*args: object) -> object:
        calls.append(1)
        raise Unavailable("the SPARQL store answered 500: out of memory")

    monkeypatch.setattr(store, "_post_once", post_once)
    with pytest.raises(Unavailable, match="out of memory"):
        store._update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert calls == [1]
