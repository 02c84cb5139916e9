"""RDF/XML and encodings: DTDs, entity declarations and external references are refused by the
XML parser itself, in whatever encoding the document is written (UTF-16 without a BOM has no
byte sequence "<!DOCTYPE" to scan for); nothing is expanded, fetched or read.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hostile_kit import (
    MARKER,
    UPLOADERS,
    Listener,
    ask_marker,
    assert_clear_4xx,
    post_validate,
    sparql_get,
)

from live_server import Server

pytestmark = pytest.mark.slow


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="urn:x:lol"><rdfs:label>&lol9;</rdfs:label></rdf:Description>
</rdf:RDF>
"""


def xxe(path: Path) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "{path.as_uri()}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="urn:x:xxe"><rdfs:label>&secret;</rdfs:label></rdf:Description>
</rdf:RDF>
""".encode()


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
def test_billion_laughs_is_refused_fast(server: Server, endpoint: str) -> None:
    started = time.monotonic()
    response = UPLOADERS[endpoint](server, BILLION_LAUGHS, "application/rdf+xml")
    assert_clear_4xx(response, 400, "DOCTYPE")
    assert time.monotonic() - started < 5
    assert "lollol" not in response.text


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
def test_xxe_reads_no_local_file(server: Server, secret_file: Path, endpoint: str) -> None:
    response = UPLOADERS[endpoint](server, xxe(secret_file), "application/rdf+xml")
    assert_clear_4xx(response, 400, "ENTITY")
    assert MARKER not in response.text
    assert not ask_marker(server)


NOT_UTF8 = '<urn:x:a> <urn:x:b> "案例" .\n'.encode("gb18030")


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
def test_non_utf8_upload_is_400(server: Server, endpoint: str) -> None:
    response = UPLOADERS[endpoint](server, NOT_UTF8, "text/turtle")
    assert_clear_4xx(response, 400, "UTF-8")


LAUGH_TEXT = BILLION_LAUGHS.decode("ascii")
# Encodings expat detects from the first bytes or reads from the declaration (XML 1.0
# Appendix F): no BOM, so a byte scan for "<!DOCTYPE" would find nothing in the UTF-16 ones.
ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-16-le-no-bom": lambda text: text.replace(
        '<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>'
    ).encode("utf-16-le"),
    "utf-16-be-no-bom": lambda text: text.replace(
        '<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>'
    ).encode("utf-16-be"),
    "utf-16-le-undeclared": lambda text: text.encode("utf-16-le"),
    "utf-32-le": lambda text: text.encode("utf-32-le"),
    "ebcdic-declared": lambda text: text.replace(
        '<?xml version="1.0"?>', '<?xml version="1.0" encoding="IBM037"?>'
    ).encode("ascii"),
    "utf-8-declared-latin1": lambda text: text.replace(
        '<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>'
    ).encode("ascii"),
}
ANSWER_WITHIN_S = 20  # generous: the expansion itself takes minutes; a refusal is immediate


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_billion_laughs_in_any_encoding_is_400_quickly(
    server: Server, endpoint: str, encoding: str
) -> None:
    body = ENCODINGS[encoding](LAUGH_TEXT)
    started = time.monotonic()
    response = UPLOADERS[endpoint](server, body, "application/rdf+xml")
    assert time.monotonic() - started < ANSWER_WITHIN_S
    assert_clear_4xx(response, 400, "")
    assert "lollol" not in response.text
    stored = sparql_get(server, "ASK { <urn:x:lol> ?p ?o }", Accept="application/json")
    assert stored.json()["boolean"] is False


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize("encoding", ["utf-16-le-no-bom", "utf-16-be-no-bom", "utf-8"])
def test_xxe_in_utf16_reads_no_local_file(
    server: Server, secret_file: Path, endpoint: str, encoding: str
) -> None:
    body = ENCODINGS[encoding](xxe(secret_file).decode("ascii"))
    response = UPLOADERS[endpoint](server, body, "application/rdf+xml")
    assert_clear_4xx(response, 400, "DOCTYPE")
    assert MARKER not in response.text
    assert not ask_marker(server)


@pytest.mark.parametrize("endpoint", sorted(UPLOADERS))
@pytest.mark.parametrize(
    "template",
    [
        '<!DOCTYPE rdf:RDF SYSTEM "{url}/external.dtd">',
        '<!DOCTYPE rdf:RDF [ <!ENTITY % p SYSTEM "{url}/p.dtd"> %p; ]>',
        '<!DOCTYPE rdf:RDF PUBLIC "-//x//y" "{url}/public.dtd">',
    ],
)
def test_external_dtds_and_parameter_entities_fetch_nothing(
    server: Server, no_callout: Listener, endpoint: str, template: str
) -> None:
    doctype = template.format(url=no_callout.url)
    body = (
        f'<?xml version="1.0" encoding="UTF-16"?>\n{doctype}\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    ).encode("utf-16-le")
    response = UPLOADERS[endpoint](server, body, "application/rdf+xml")
    assert_clear_4xx(response, 400, "DOCTYPE")
    time.sleep(0.3)  # a fetch would be in flight by now


def test_rdfxml_in_utf16_without_a_dtd_still_parses(server: Server) -> None:
    """The refusal is of DTDs, not of an encoding XML allows: a plain UTF-16 document is read."""
    body = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
        '<rdf:Description rdf:about="https://w3id.org/ecpl/case/utf16">'
        "<rdfs:label>案例</rdfs:label></rdf:Description></rdf:RDF>"
    ).encode("utf-16-le")
    response = post_validate(server, body, "application/rdf+xml")
    assert response.status_code == 200, response.text[:300]
