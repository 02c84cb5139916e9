"""parse_rdf: the one parser for untrusted RDF, and the ecpl validate CLI's exit codes."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecpl.cli import main
from ecpl.errors import InputError, TooLarge, UnsupportedMediaType
from ecpl.rdfio import RDF_MEDIA_TYPES, parse_rdf

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "cases" / "examples"
LIMIT = 1_000_000
TURTLE = b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n"


@pytest.mark.parametrize(
    ("data", "kwargs"),
    [
        (TURTLE, {"media_type": "text/turtle; charset=utf-8"}),
        (TURTLE, {"filename": "case.ttl"}),
        (
            b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n",
            {"format": "nt"},
        ),
        (
            b'{"@id": "http://example.org/a", "http://example.org/b": {"@id": "http://example.org/c"}}',
            {"media_type": "application/ld+json"},
        ),
        (
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            b'<rdf:Description rdf:about="http://example.org/a">'
            b'<b xmlns="http://example.org/" rdf:resource="http://example.org/c"/>'
            b"</rdf:Description></rdf:RDF>",
            {"filename": "x.rdf"},
        ),
    ],
)
def test_each_format_parses_to_one_triple(data: bytes, kwargs: dict) -> None:
    assert len(parse_rdf(data, max_bytes=LIMIT, **kwargs)) == 1


def test_media_type_table() -> None:
    assert RDF_MEDIA_TYPES["text/turtle"] == "turtle"
    assert RDF_MEDIA_TYPES["application/rdf+xml"] == "xml"


def test_malformed_turtle_names_the_line() -> None:
    with pytest.raises(InputError, match=r"line 3"):
        parse_rdf(TURTLE + b"ex:a ex:b ;; ] .\n", format="turtle", max_bytes=LIMIT)


def test_malformed_xml_names_the_line() -> None:
    with pytest.raises(InputError, match=r"line 2"):
        parse_rdf(b"<rdf:RDF xmlns:rdf='x'>\n<a></b>", format="xml", max_bytes=LIMIT)


def test_too_large_is_refused_before_parsing() -> None:
    with pytest.raises(TooLarge, match="limit"):
        parse_rdf(b"not even rdf" * 100, format="turtle", max_bytes=100)


@pytest.mark.parametrize(
    ("doc", "why"),
    [
        (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n<rdf:RDF/>', "DOCTYPE"),
        # XML 1.0 §2.8: markup declarations belong in a DTD; outside one they are not XML
        (b'<?xml version="1.0"?>\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n<rdf:RDF/>', "line 2"),
    ],
)
def test_xml_with_dtd_or_entity_is_refused(doc: bytes, why: str) -> None:
    with pytest.raises(InputError, match=why):
        parse_rdf(doc, format="xml", max_bytes=LIMIT)


def test_non_utf8_is_refused() -> None:
    with pytest.raises(InputError, match="UTF-8"):
        parse_rdf("ex:a ex:b '周' .".encode("gb18030"), format="turtle", max_bytes=LIMIT)


def test_unknown_format_and_media_type() -> None:
    with pytest.raises(UnsupportedMediaType):
        parse_rdf(TURTLE, format="n3x", max_bytes=LIMIT)
    with pytest.raises(UnsupportedMediaType):
        parse_rdf(TURTLE, media_type="text/html", max_bytes=LIMIT)
    with pytest.raises(UnsupportedMediaType):
        parse_rdf(TURTLE, filename="case.docx", max_bytes=LIMIT)


@pytest.fixture()
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request made to it."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = json.dumps({"@context": {"b": "http://example.org/b"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/context.jsonld", requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "shape",
    [
        lambda url: {"@context": url, "@id": "http://example.org/a", "b": "c"},
        lambda url: {"@context": [{"x": "http://x/"}, url], "@id": "http://example.org/a"},
        lambda url: {"@graph": [{"@context": url, "@id": "http://example.org/a"}]},
        lambda url: {"@context": {"@import": url}, "@id": "http://example.org/a"},
    ],
)
def test_json_ld_remote_context_is_refused_and_not_fetched(listener, shape) -> None:
    url, requests = listener
    data = json.dumps(shape(url)).encode()
    with pytest.raises(InputError, match="not fetched"):
        parse_rdf(data, format="json-ld", max_bytes=LIMIT)
    assert requests == []


def test_file_context_is_refused() -> None:
    data = json.dumps({"@context": "file:///etc/passwd", "@id": "http://example.org/a"}).encode()
    with pytest.raises(InputError, match="not fetched"):
        parse_rdf(data, format="json-ld", max_bytes=LIMIT)


def test_sparql_load_graphs_disabled() -> None:
    import rdflib.plugins.sparql

    assert rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS is False


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_exit_0_when_conforming() -> None:
    result = CliRunner().invoke(
        main, ["validate", str(EXAMPLES / "identity-verification-positive.ttl"), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_cli_exit_1_on_violations_json_output() -> None:
    path = EXAMPLES / "rule-ecl-38-1-positive.ttl"
    result = CliRunner().invoke(main, ["validate", str(path), "--output", "json"])
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert body["conforms"] is False
    assert "https://w3id.org/ecpl/ontology#NecessaryMeasuresDuty" in body["breached_duties"]


def test_cli_turtle_output() -> None:
    path = EXAMPLES / "rule-ecl-38-1-positive.ttl"
    result = CliRunner().invoke(main, ["validate", str(path), "--output", "turtle"])
    assert result.exit_code == 1
    assert "sh:ValidationReport" in result.output and "ecpl:Finding" in result.output


def test_cli_exit_2_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\n\nex:a ex:b\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "bad.ttl" in result.output and "line 3" in result.output
    assert "Traceback" not in result.output


def test_cli_exit_2_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECPL_MAX_UPLOAD_BYTES", "10")
    result = CliRunner().invoke(
        main, ["validate", str(EXAMPLES / "identity-verification-positive.ttl")]
    )
    assert result.exit_code == 2
    assert "limit" in result.output


def test_cli_format_option_overrides_extension(tmp_path: Path) -> None:
    path = tmp_path / "case.txt"
    path.write_bytes((EXAMPLES / "identity-verification-positive.ttl").read_bytes())
    assert CliRunner().invoke(main, ["validate", str(path)]).exit_code == 2
    assert CliRunner().invoke(main, ["validate", "--format", "turtle", str(path)]).exit_code == 0


def test_cli_missing_file() -> None:
    result = CliRunner().invoke(main, ["validate", "/nonexistent/case.ttl"])
    assert result.exit_code == 2
    assert "case.ttl" in result.output


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "json-ld"),
        (b"<urn:x:a> <urn:x:b> " + b"(" * 50_000 + b")" * 50_000 + b" .", "turtle"),
        (b"<urn:x:a> <urn:x:b> " + b"[" * 50_000 + b"]" * 50_000 + b" .", "turtle"),
    ],
)
def test_deep_nesting_is_an_input_error(data: bytes, fmt: str) -> None:
    with pytest.raises(InputError):
        parse_rdf(data, format=fmt, max_bytes=10_000_000)


def _lines(count: int) -> str:
    return "".join(
        f"<http://example.org/s> <http://example.org/p> <http://example.org/o{i}> .\n"
        for i in range(count)
    )


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        ("nt", _lines(101) + "<broken"),
        ("turtle", _lines(101) + "<broken"),
        (
            "xml",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://example.org/">'
            + "".join(
                f'<rdf:Description rdf:about="http://example.org/s{i}"><ex:p>v</ex:p>'
                "</rdf:Description>"
                for i in range(101)
            )
            + "<broken",
        ),
    ],
)
def test_the_triple_cap_stops_the_parse_where_it_is_crossed(fmt: str, body: str) -> None:
    """The input is broken after the 101st triple: a parse that stopped at the cap (100) says
    "too large"; one that read to the end would report the syntax error instead. (JSON-LD is
    read as JSON whole before any triple exists; its triples are capped the same way.)"""
    with pytest.raises(TooLarge, match="more than 100 triples"):
        parse_rdf(body.encode(), format=fmt, max_bytes=LIMIT, max_triples=100)
    with pytest.raises(InputError) as whole:
        parse_rdf(body.encode(), format=fmt, max_bytes=LIMIT, max_triples=1000)
    assert not isinstance(whole.value, TooLarge)
