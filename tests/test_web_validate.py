"""/validate over a Flask test client: each input syntax and way of sending (body, upload, pasted
form field), each output format, and the 400/413/415 errors.

The HTTP layer is tested with a recording stand-in for ``ecpl.validation.validate`` (so the
parsed graph and the rendered report are known exactly), run in the test's process; the last
tests run the real validation in its worker processes.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from werkzeug.wsgi import LimitedStream

from ecpl import intake
from ecpl.config import Settings
from ecpl.errors import TooLarge
from ecpl.validation.report import Finding, Report, Result
from ecpl.web import bodies
from ecpl.web import validate as web_validate
from ecpl.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
SH = Namespace("http://www.w3.org/ns/shacl#")
ECPL = Namespace("https://w3id.org/ecpl/ontology#")
CASE = URIRef("https://w3id.org/ecpl/case/test-case")
LIMIT = 4096

TURTLE = """\
@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/ecpl/case/test-case> a ecpl:Case ; rdfs:label "测试案例"@zh .
"""
NTRIPLES = (
    "<https://w3id.org/ecpl/case/test-case> "
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://w3id.org/ecpl/ontology#Case> .\n"
)
JSONLD = json.dumps(
    {"@id": "https://w3id.org/ecpl/case/test-case", "@type": "https://w3id.org/ecpl/ontology#Case"}
)
RDFXML = """\
<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="https://w3id.org/ecpl/case/test-case">
    <rdf:type rdf:resource="https://w3id.org/ecpl/ontology#Case"/>
  </rdf:Description>
</rdf:RDF>
"""
INPUTS = {
    "text/turtle": TURTLE,
    "application/n-triples": NTRIPLES,
    "application/ld+json": JSONLD,
    "application/rdf+xml": RDFXML,
}


RULE = "https://w3id.org/ecpl/ontology#Rule-ECL-38-2"
BASIS = "https://w3id.org/ecpl/law/ecl/art/38/para/2"


def known_report(conforms: bool) -> Report:
    """A report with content the tests know (the shape the real validation returns)."""
    graph = Graph()
    node = URIRef("urn:test:report")
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(conforms)))
    results = [
        Result(
            focus_node=str(CASE),
            shape="https://w3id.org/ecpl/shapes#QualificationReviewShape",
            severity="Violation",
            message={"zh": "<b>未审核资质</b>", "en": "<b>bad</b>"},
            legal_basis=[BASIS],
            duty=str(ECPL.QualificationReviewDuty),
        )
    ]
    findings = [
        Finding(
            iri="urn:test:finding",
            case=str(CASE),
            rule=RULE,
            status=None,
            duties=[str(ECPL.QualificationReviewDuty)],
            forms=[str(ECPL.CorrespondingLiability)],
            natures=[str(ECPL.CivilLiability)],
            liable_party=str(ECPL.EcommercePlatformOperator),
            legal_basis=[BASIS],
        )
    ]
    return Report(
        conforms=conforms,
        results=[] if conforms else results,
        findings=[] if conforms else findings,
        report_graph=graph,
    )


class Recorder:
    """Stands in for ``validate``: keeps the graph it was given."""

    def __init__(self, conforms: bool = False) -> None:
        self.conforms = conforms
        self.graphs: list[Graph] = []

    def __call__(self, graph: Graph) -> Report:
        self.graphs.append(graph)
        return known_report(self.conforms)


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(Settings(root=ROOT, workers=1, max_upload_bytes=LIMIT))


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    fake = Recorder()
    monkeypatch.setattr(web_validate, "validator", lambda: fake)
    # the stand-in records in this process: run the job here, not in a worker
    monkeypatch.setattr(intake, "runner_for", lambda *_args: intake.InProcess())
    return fake


def _is_case(graph: Graph) -> bool:
    return (CASE, RDF.type, ECPL.Case) in graph


# -- the form -------------------------------------------------------------------------------
def test_form_page(client: FlaskClient) -> None:
    response = client.get("/validate")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'action="/validate"' in page
    assert '<textarea name="data"' in page and 'type="file" name="file"' in page
    for syntax in ("turtle", "jsonld", "ntriples", "rdfxml"):
        assert f'<option value="{syntax}">' in page
    assert "案例图校验" in page and "Validate a case graph" in page


# -- input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("media_type", list(INPUTS))
def test_each_syntax_as_body(client: FlaskClient, recorder: Recorder, media_type: str) -> None:
    response = client.post("/validate", data=INPUTS[media_type].encode(), content_type=media_type)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _is_case(recorder.graphs[-1])


def test_upload_by_file_name(client: FlaskClient, recorder: Recorder) -> None:
    response = client.post(
        "/validate",
        data={"file": (io.BytesIO(RDFXML.encode()), "case.rdf", "application/octet-stream")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _is_case(recorder.graphs[-1])


def test_upload_with_syntax_field(client: FlaskClient, recorder: Recorder) -> None:
    response = client.post(
        "/validate",
        data={"file": (io.BytesIO(NTRIPLES.encode()), "case.txt"), "syntax": "ntriples"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _is_case(recorder.graphs[-1])


@pytest.mark.parametrize(("text", "syntax"), [(TURTLE, ""), (JSONLD, ""), (RDFXML, "rdfxml")])
def test_pasted_form_field(client: FlaskClient, recorder: Recorder, text: str, syntax: str) -> None:
    response = client.post("/validate", data={"data": text, "syntax": syntax})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _is_case(recorder.graphs[-1])


# -- output ---------------------------------------------------------------------------------
def test_json_summary_is_the_default(client: FlaskClient, recorder: Recorder) -> None:
    response = client.post("/validate", data=TURTLE, content_type="text/turtle")
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["conforms"] is False
    assert body["breached_duties"] == [str(ECPL.QualificationReviewDuty)]
    assert body["results"][0]["legal_basis"] == [BASIS]
    assert body["findings"][0]["rule"] == RULE
    assert body["findings"][0]["liability_forms"] == [str(ECPL.CorrespondingLiability)]


def test_conforming_case_is_also_200(client: FlaskClient, recorder: Recorder) -> None:
    recorder.conforms = True
    response = client.post(
        "/validate", data=TURTLE, content_type="text/turtle", headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.get_json()["conforms"] is True


@pytest.mark.parametrize(
    ("accept", "fmt", "mimetype"),
    [
        ("text/turtle", "turtle", "text/turtle"),
        ("application/ld+json", "json-ld", "application/ld+json"),
    ],
)
def test_report_graph_by_accept(
    client: FlaskClient, recorder: Recorder, accept: str, fmt: str, mimetype: str
) -> None:
    response = client.post(
        "/validate", data=TURTLE, content_type="text/turtle", headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.mimetype == mimetype
    graph = Graph().parse(data=response.get_data(as_text=True), format=fmt)
    assert (URIRef("urn:test:report"), SH.conforms, Literal(False)) in graph


def test_html_report_escapes_data(client: FlaskClient, recorder: Recorder) -> None:
    response = client.post(
        "/validate", data=TURTLE, content_type="text/turtle", headers={"Accept": "text/html"}
    )
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<b>" not in page and "&lt;b&gt;bad&lt;/b&gt;" in page
    assert "&lt;b&gt;未审核资质&lt;/b&gt;" in page
    assert "does not conform" in page
    # provisions cited in both languages and linked to the service's pages
    assert '<a href="/law/ecl/art/38/para/2"' in page
    assert "电子商务法第38条第2款" in page and "ECL 38(2)" in page
    assert 'href="/ontology#Rule-ECL-38-2"' in page
    assert "ecpl:CorrespondingLiability" in page and "ecpl:QualificationReviewDuty" in page


def test_format_parameter_and_form_field_choose_output(
    client: FlaskClient, recorder: Recorder
) -> None:
    response = client.post("/validate?format=turtle", data=TURTLE, content_type="text/turtle")
    assert response.mimetype == "text/turtle"
    response = client.post("/validate", data={"data": TURTLE, "format": "html"})
    assert response.mimetype == "text/html"
    response = client.post("/validate", data={"data": TURTLE, "format": "jsonld"})
    assert response.mimetype == "application/ld+json"


def test_unavailable_output_is_406(client: FlaskClient, recorder: Recorder) -> None:
    response = client.post(
        "/validate", data=TURTLE, content_type="text/turtle", headers={"Accept": "image/png"}
    )
    assert response.status_code == 406
    response = client.post("/validate", data={"data": TURTLE, "format": "pdf"})
    assert response.status_code == 406
    assert "pdf" in response.get_data(as_text=True)


# -- errors ---------------------------------------------------------------------------------
def test_malformed_input_is_400_with_the_parsers_message(
    client: FlaskClient, recorder: Recorder
) -> None:
    broken = TURTLE + "<https://w3id.org/ecpl/case/x> a .\n"
    response = client.post(
        "/validate", data=broken, content_type="text/turtle", headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert "Turtle" in response.get_json()["message"]
    assert recorder.graphs == []


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"data": b"", "content_type": "text/turtle"},
        {"data": {"data": "   "}},
        {"data": {"data": TURTLE, "syntax": "n3-ish"}},
    ],
)
def test_empty_or_unusable_form_is_400(
    client: FlaskClient, recorder: Recorder, request_kwargs: dict[str, Any]
) -> None:
    response = client.post("/validate", headers={"Accept": "application/json"}, **request_kwargs)
    assert response.status_code == 400
    assert response.get_json()["message"]


class ExplodingStream(io.RawIOBase):
    """A body that must never be read."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise AssertionError("the body was read although Content-Length is over the limit")


def test_over_the_limit_is_413_before_reading(client: FlaskClient, recorder: Recorder) -> None:
    response = client.post(
        "/validate",
        content_type="text/turtle",
        environ_overrides={"wsgi.input": ExplodingStream(), "CONTENT_LENGTH": str(LIMIT * 10)},
    )
    assert response.status_code == 413
    assert recorder.graphs == []


def test_over_the_limit_upload_is_413(client: FlaskClient, recorder: Recorder) -> None:
    big = TURTLE + "# padding\n" * LIMIT
    response = client.post("/validate", data=big, content_type="text/turtle")
    assert response.status_code == 413
    response = client.post(
        "/validate",
        data={"file": (io.BytesIO(big.encode()), "case.ttl")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


@pytest.mark.parametrize("media_type", ["text/plain", "application/pdf", "application/json"])
def test_unsupported_type_is_415(client: FlaskClient, recorder: Recorder, media_type: str) -> None:
    response = client.post(
        "/validate",
        data=TURTLE,
        content_type=media_type,
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 415
    assert "text/turtle" in response.get_json()["message"]


def test_guess_syntax() -> None:
    assert web_validate.guess_syntax('  {"@id": "x"}') == "jsonld"
    assert web_validate.guess_syntax("[{}]") == "jsonld"
    assert web_validate.guess_syntax('<?xml version="1.0"?><rdf:RDF/>') == "rdfxml"
    assert web_validate.guess_syntax("<urn:a> <urn:b> <urn:c> .") == "turtle"


# -- the real validation ----------------------------------------------------------------------
ZHOU = ROOT / "data" / "cases" / "zhou-v-kuaike.ttl"


@pytest.fixture(scope="module")
def big_client() -> FlaskClient:
    """An app with the default upload limit (the case file is larger than LIMIT)."""
    return create_app(Settings(root=ROOT, workers=1)).test_client()


@pytest.fixture(scope="module")
def zhou() -> bytes:
    if not ZHOU.is_file():
        pytest.skip("data/cases/zhou-v-kuaike.ttl is not in this build")
    return ZHOU.read_bytes()


def test_real_validation_over_http_matches_in_process(big_client: FlaskClient, zhou: bytes) -> None:
    from ecpl.validation import validate

    expected = validate(Graph().parse(data=zhou.decode("utf-8"), format="turtle")).to_json()
    response = big_client.post(
        "/validate", data=zhou, content_type="text/turtle", headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.get_json() == expected


def test_real_validation_as_turtle_and_html(big_client: FlaskClient, zhou: bytes) -> None:
    response = big_client.post("/validate?format=turtle", data=zhou, content_type="text/turtle")
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert any(graph.subjects(RDF.type, SH.ValidationReport))
    response = big_client.post(
        "/validate",
        data={"file": (io.BytesIO(zhou), "zhou.ttl"), "format": "html"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "校验报告" in page and "Validation report" in page


def test_form_prefills_an_example_case(tmp_path: Path) -> None:
    (tmp_path / "data" / "cases").mkdir(parents=True)
    (tmp_path / "data" / "cases" / "demo.ttl").write_text(TURTLE, encoding="utf-8")
    client = create_app(Settings(root=tmp_path, workers=1)).test_client()
    page = client.get("/validate").get_data(as_text=True)
    assert 'href="/validate?example=demo"' in page
    page = client.get("/validate?example=demo").get_data(as_text=True)
    assert "&lt;https://w3id.org/ecpl/case/test-case&gt; a ecpl:Case" in page
    assert '<option value="turtle" selected>' in page
    for bad in ("nope", "../cases/demo", "demo.ttl"):
        response = client.get("/validate", query_string={"example": bad})
        assert response.status_code == 404


class Trickle(io.RawIOBase):
    """A body that arrives a few bytes per read, like a chunked upload."""

    def __init__(self, data: bytes, step: int = 7) -> None:
        self.data, self.step = data, step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        piece, self.data = self.data[: min(self.step, len(buffer))], self.data[self.step :]
        buffer[: len(piece)] = piece
        return len(piece)


def test_read_limited_assembles_a_trickling_body() -> None:
    body = TURTLE.encode()
    assert bodies.read_limited(Trickle(body), LIMIT) == body
    assert bodies.read_limited(io.BytesIO(b"x" * LIMIT), LIMIT) == b"x" * LIMIT


@pytest.mark.parametrize(
    "stream",
    [
        lambda: Trickle(b"x" * (LIMIT + 1), step=1000),
        lambda: LimitedStream(io.BytesIO(b"x" * (LIMIT * 2)), LIMIT, is_max=True),
    ],
)
def test_read_limited_refuses_past_the_limit(stream: Any) -> None:
    with pytest.raises(TooLarge, match=str(LIMIT)):
        bodies.read_limited(stream(), LIMIT)


def test_chunked_body_over_the_limit_is_413(client: FlaskClient, recorder: Recorder) -> None:
    """No Content-Length (chunked upload): refused once the body passes the limit."""
    body = (TURTLE + "# padding\n" * LIMIT).encode()
    response = client.post(
        "/validate",
        content_type="text/turtle",
        headers={"Accept": "application/json"},
        environ_overrides={"wsgi.input": Trickle(body, step=1000), "wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert "limit" in response.get_json()["message"]
    assert recorder.graphs == []


def _many_triples(count: int) -> str:
    case = "<https://w3id.org/ecpl/case/test-case>"
    lines = [f"{case} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{ECPL}Case> ."]
    lines += [f"{case} <{ECPL}event> <urn:x:e{i}> ." for i in range(count - 1)]
    return "\n".join(lines) + "\n"


def test_over_the_triple_cap_is_413_naming_the_cap(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = create_app(Settings(root=ROOT, workers=1, max_case_triples=20)).test_client()
    response = client.post(
        "/validate",
        data=_many_triples(21),
        content_type="application/n-triples",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 413
    assert "more than 20 triples" in response.get_data(as_text=True)
    assert "ECPL_MAX_CASE_TRIPLES" in response.get_data(as_text=True)
    assert recorder.graphs == []  # never validated
    at_cap = client.post("/validate", data=_many_triples(20), content_type="application/n-triples")
    assert at_cap.status_code == 200
    assert len(recorder.graphs) == 1


def test_default_triple_cap_fits_real_case_graphs_and_refuses_huge_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ECPL_MAX_CASE_TRIPLES", raising=False)
    largest_case = max(len(Graph().parse(p)) for p in (ROOT / "data" / "cases").rglob("*.ttl"))
    assert largest_case < Settings.from_env().max_case_triples < 60_000


def test_triple_cap_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECPL_MAX_CASE_TRIPLES", "300")
    assert Settings.from_env().max_case_triples == 300
    monkeypatch.setenv("ECPL_MAX_CASE_TRIPLES", "lots")
    with pytest.raises(ValueError, match="ECPL_MAX_CASE_TRIPLES"):
        Settings.from_env()
