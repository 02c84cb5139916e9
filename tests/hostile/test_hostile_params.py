"""Named-query parameters: user text becomes an RDF term of the declared type or a 400, never
SPARQL, never an ill-typed literal, never a 503.
"""

from __future__ import annotations

import pytest
import requests
from hostile_kit import (
    Listener,
    assert_clear_4xx,
)

from live_server import Server

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("name", "param", "template", "says"),
    [
        ("cq02-duties-by-phase", "actor", "{ecpl}X> }} SERVICE <{url}/> {{ ?s ?p ?o }} #", "IRI"),
        ("cq10-cited-provisions", "date", '2026-01-01"^^<x> }} }} SERVICE <{url}/> {{', "date"),
        ("provision-by-number-on-date", "number", "23 }} SERVICE <{url}/> {{", "integer"),
    ],
)
def test_named_query_parameters_cannot_inject_sparql(
    server: Server, no_callout: Listener, name: str, param: str, template: str, says: str
) -> None:
    """Parameters are bound as RDF terms: SPARQL in a value is an invalid value, never run."""
    value = template.format(ecpl="https://w3id.org/ecpl/ontology#", url=no_callout.url)
    response = requests.get(
        f"{server.url}/queries/{name}",
        params={param: value},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert_clear_4xx(response, 400, param, says)


PROVISION = "https://w3id.org/ecpl/law/csl/art/21"


@pytest.mark.parametrize(
    "value",
    [
        "https://w3id.org/ecpl/law/csl/art/21\x01",
        "https://w3id.org/ecpl/law/csl/art/%zz",
        "https://w3id.org/ecpl/law/csl/art/2%1",
        "https://w3id.org/ecpl/law/csl/art/21 x",
        "not-an-iri",
    ],
)
def test_an_invalid_iri_parameter_is_400(server: Server, value: str) -> None:
    """RFC 3987: no control characters or spaces; '%' starts two hex digits."""
    response = requests.get(
        server.url + "/queries/provision-number-on-date",
        params={"provision": value, "date": "2026-01-01"},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert_clear_4xx(response, 400, "provision", "IRI")


@pytest.mark.parametrize(
    "value",
    # ISO 8601 basic, week and ordinal forms are not xsd:date (XSD 1.1 Part 2, §3.3.9), nor
    # are days that do not exist
    ["20260101", "2026-W01-1", "2026-001", "2026-02-30", "2026-13-01", "26-01-01", "2026-1-1"],
)
def test_a_date_parameter_outside_the_xsd_date_lexical_space_is_400(
    server: Server, value: str
) -> None:
    response = requests.get(
        server.url + "/queries/provision-number-on-date",
        params={"provision": PROVISION, "date": value},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert_clear_4xx(response, 400, "date")


@pytest.mark.parametrize("value", ["2026-01-01", "2024-02-29", "2026-01-01+08:00", "2026-01-01Z"])
def test_xsd_date_lexical_forms_are_accepted(server: Server, value: str) -> None:
    response = requests.get(
        server.url + "/queries/provision-number-on-date",
        params={"provision": PROVISION, "date": value},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text[:300]
