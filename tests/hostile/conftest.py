"""Fixtures of the hostile-input tests (tests/hostile/test_hostile_*.py, one file per attack
family): one writable ``ecpl serve`` with a short query time limit shared by the families, a
spying listener, a marker file, and the check that the service still answers after each attack.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hostile_kit import TIMEOUT_S, TOKEN, Listener, warm_up, write_marker_file

from live_server import Server, start_server


@pytest.fixture(scope="session")
def listener() -> Iterator[Listener]:
    spy = Listener()
    yield spy
    spy.close()


@pytest.fixture
def no_callout(listener: Listener) -> Iterator[Listener]:
    """The listener, asserting after the test that nothing contacted it."""
    before = len(listener.hits)
    yield listener
    assert listener.hits[before:] == [], f"the service made outbound requests: {listener.hits}"


@pytest.fixture(scope="session")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_marker_file(tmp_path_factory.mktemp("secret"))


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A writable server with a short time limit, so runaway queries are stopped quickly."""
    with start_server(
        "--timeout",
        str(TIMEOUT_S),
        "--workers",
        "2",
        "--update-token",
        TOKEN,
        log_dir=tmp_path_factory.mktemp("hostile"),
    ) as running:
        warm_up(running)
        yield running


@pytest.fixture(autouse=True)
def still_answers(server: Server) -> Iterator[None]:
    """After every attack the service answers a plain query correctly."""
    yield
    assert server.process.poll() is None, "the server process died"
    answer = requests.get(
        server.url + "/sparql",
        params={"query": "ASK { ?s a <https://w3id.org/ecpl/ontology#Duty> }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=TIMEOUT_S + 10,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["boolean"] is True
