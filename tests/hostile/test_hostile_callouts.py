"""Call-outs: SERVICE, FROM, the protocol's graph parameters, LOAD and JSON-LD contexts fetch
nothing and read no local file (a local listener and a marker file are the witnesses).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests
from hostile_kit import (
    AUTH,
    MARKER,
    UPLOADERS,
    Listener,
    ask_marker,
    assert_clear_4xx,
    sparql_get,
)

from live_server import Server

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        "select * where {{ service <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}/x> {{ ?s ?q ?r }} }} }} LIMIT 1",
        "SELECT * WHERE {{ BIND(<{url}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    ],
)
def test_service_to_loopback_is_refused(
    server: Server, no_callout: Listener, template: str
) -> None:
    response = sparql_get(server, template.format(url=no_callout.url))
    assert response.status_code in (400, 403), response.text
    assert "SERVICE" in response.text
    time.sleep(0.3)  # a call-out would be in flight by now


def test_service_in_an_update_is_refused(server: Server, no_callout: Listener) -> None:
    update = (
        "INSERT { GRAPH <https://w3id.org/ecpl/graph/case/x> { ?s ?p ?o } } "
        f"WHERE {{ SERVICE <{no_callout.url}/sparql> {{ ?s ?p ?o }} }}"
    )
    response = requests.post(
        server.url + "/sparql", data={"update": update}, headers=AUTH, timeout=30
    )
    assert_clear_4xx(response, 403, "SERVICE")


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_from_a_local_file_reads_nothing(server: Server, secret_file: Path, clause: str) -> None:
    query = f"SELECT * {clause} <{secret_file.as_uri()}> WHERE {{ ?s ?p ?o }}"
    response = sparql_get(server, query)
    assert_clear_4xx(response, 400, "not in this store")
    assert MARKER not in response.text
    assert not ask_marker(server)


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_from_an_http_iri_fetches_nothing(
    server: Server, no_callout: Listener, clause: str
) -> None:
    response = sparql_get(server, f"SELECT * {clause} <{no_callout.url}/g.nt> WHERE {{ ?s ?p ?o }}")
    assert_clear_4xx(response, 400, "not in this store")


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_protocol_graph_parameters_fetch_nothing(
    server: Server, no_callout: Listener, secret_file: Path, param: str
) -> None:
    for graph in (secret_file.as_uri(), no_callout.url + "/g.nt"):
        response = requests.get(
            server.url + "/sparql",
            params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", param: graph},
            timeout=30,
        )
        assert_clear_4xx(response, 400, "not in this store")
        assert MARKER not in response.text


@pytest.mark.parametrize("target", ["file", "http"])
def test_load_is_refused_even_with_the_token(
    server: Server, no_callout: Listener, secret_file: Path, target: str
) -> None:
    source = secret_file.as_uri() if target == "file" else f"{no_callout.url}/g.nt"
    for update in (
        f"LOAD <{source}>",
        f"LOAD SILENT <{source}> INTO GRAPH <https://w3id.org/ecpl/graph/case/loaded>",
    ):
        response = requests.post(
            server.url + "/sparql", data={"update": update}, headers=AUTH, timeout=30
        )
        assert_clear_4xx(response, 403, "LOAD")
    assert not ask_marker(server)


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize("where", ["http", "file", "nested-http", "import"])
def test_json_ld_contexts_are_not_fetched(
    server: Server, no_callout: Listener, secret_file: Path, endpoint: str, where: str
) -> None:
    remote = f"{no_callout.url}/context.jsonld"
    context: object = {
        "http": remote,
        "file": secret_file.as_uri(),
        "nested-http": [{"ex": "http://example.org/"}, remote],
        "import": {"@import": remote},
    }[where]
    document = {"@context": context, "@id": "urn:x:a", "http://example.org/p": "v"}
    body = json.dumps(document).encode()
    response = UPLOADERS[endpoint](server, body, "application/ld+json")
    assert_clear_4xx(response, 400, "context")
    assert MARKER not in response.text
