"""Real clients against a live ``ecpl serve``, each with its documented defaults.

The clients are the oracles: SPARQLWrapper, rdflib's SPARQLStore, rasqal's roqet, owlready2 with
HermiT, and plain HTTP checked against the specs (SPARQL 1.1 Protocol and result formats, CORS,
RFC 9110 ``Vary``, the ICO format). Expected answers come from the domain: of the eight
instruments, five are laws (法律: ECL, CRPL, CSL, CC, PIPL); RPRDIN is an administrative
regulation and the two SPC texts are judicial interpretations.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import SPARQLWrapper

from ecpl.iri import ECPL, LAW, source_graph

pytestmark = pytest.mark.slow

ECL = URIRef(f"{LAW}ecl")
LAWS = {URIRef(f"{LAW}{key}") for key in ("ecl", "crpl", "csl", "cc", "pipl")}
INSTRUMENTS = ("ecl", "crpl", "csl", "cc", "rprdin", "pipl", "spc-online", "spc-tort")
LAW_TRIPLES = {(law, RDF.type, ECPL.Law) for law in LAWS}
SELECT_LAWS = f"SELECT ?law WHERE {{ ?law a <{ECPL.Law}> }}"
CONSTRUCT_LAWS = f"CONSTRUCT {{ ?law a <{ECPL.Law}> }} WHERE {{ ?law a <{ECPL.Law}> }}"
ASK_ECL_IS_A_LAW = f"ASK {{ <{ECL}> a <{ECPL.Law}> }}"
ASK_SPC_IS_A_LAW = f"ASK {{ <{LAW}spc-online> a <{ECPL.Law}> }}"  # a judicial interpretation
DESCRIBE_ECL = f"DESCRIBE <{ECL}>"
ECL_TITLE = Literal("中华人民共和国电子商务法", lang="zh")  # the statute's own title
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # Firefox/Chrome


def _wrapper(base: str, query: str) -> SPARQLWrapper:
    """SPARQLWrapper exactly as its documentation's first example uses it: no options set."""
    client = SPARQLWrapper(base + "/sparql")
    client.setQuery(query)
    return client


# -- SPARQLWrapper, defaults only ---------------------------------------------------------------
def test_sparqlwrapper_defaults_select(live_server: str) -> None:
    document = _wrapper(live_server, SELECT_LAWS).queryAndConvert()  # SPARQL XML as a DOM
    values = {URIRef(n.firstChild.nodeValue) for n in document.getElementsByTagName("uri")}
    assert values == LAWS


@pytest.mark.parametrize(
    ("query", "expected"), [(ASK_ECL_IS_A_LAW, "true"), (ASK_SPC_IS_A_LAW, "false")]
)
def test_sparqlwrapper_defaults_ask(live_server: str, query: str, expected: str) -> None:
    document = _wrapper(live_server, query).queryAndConvert()
    assert document.getElementsByTagName("boolean")[0].firstChild.nodeValue == expected


def test_sparqlwrapper_defaults_construct(live_server: str) -> None:
    """Accept: application/rdf+xml with format=xml: for a graph, xml means RDF/XML."""
    result = _wrapper(live_server, CONSTRUCT_LAWS).query()
    assert result.response.headers["Content-Type"].split(";")[0] == "application/rdf+xml"
    graph = result.convert()
    assert set(graph) == LAW_TRIPLES


def test_sparqlwrapper_defaults_describe(live_server: str) -> None:
    graph = _wrapper(live_server, DESCRIBE_ECL).queryAndConvert()
    assert (ECL, RDF.type, ECPL.Law) in graph
    assert (ECL, RDFS.label, ECL_TITLE) in graph


# -- rdflib's SPARQLStore, defaults only --------------------------------------------------------
def test_rdflib_sparqlstore_defaults(live_server: str) -> None:
    graph = Graph(store=SPARQLStore(live_server + "/sparql"))
    assert {row[0] for row in graph.query(SELECT_LAWS)} == LAWS  # type: ignore[index]
    assert graph.query(ASK_ECL_IS_A_LAW).askAnswer is True
    assert graph.query(ASK_SPC_IS_A_LAW).askAnswer is False
    constructed = graph.query(CONSTRUCT_LAWS).graph
    assert constructed is not None and set(constructed) == LAW_TRIPLES
    described = graph.query(DESCRIBE_ECL).graph
    assert described is not None and (ECL, RDFS.label, ECL_TITLE) in described
    assert (ECL, RDF.type, ECPL.Law) in graph  # a triple pattern becomes a query too


# -- rasqal's roqet -------------------------------------------------------------------------
ROQET = shutil.which("roqet")
needs_roqet = pytest.mark.skipif(
    ROQET is None,
    reason="roqet is not installed (Debian package rasqal-utils; scripts/system-deps.sh "
    "installs it as root)",
)


def _roqet(base: str, query: str) -> Result:
    """roqet's own SPARQL XML rendering of what it read from the service."""
    assert ROQET is not None
    done = subprocess.run(
        [ROQET, "-q", "-r", "xml", "-p", base + "/sparql", "-e", query],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return Result.parse(io.BytesIO(done.stdout), format="xml")


@needs_roqet
def test_roqet_select(live_server: str) -> None:
    assert {row["law"] for row in _roqet(live_server, SELECT_LAWS)} == LAWS  # type: ignore[index]


@needs_roqet
def test_roqet_construct(live_server: str) -> None:
    """roqet reads every answer as variable bindings (it asks for SPARQL XML whatever the
    query): the graph comes back as rows of ?subject ?predicate ?object, one per triple."""
    rows = _roqet(live_server, CONSTRUCT_LAWS)
    found = {(r["subject"], r["predicate"], r["object"]) for r in rows}  # type: ignore[index]
    assert found == LAW_TRIPLES
    assert len(rows) == len(LAW_TRIPLES)


# -- owlready2 + HermiT, defaults only -------------------------------------------------------
@pytest.fixture(scope="module")
def reasoned(live_server: str) -> Iterator[tuple[object, object]]:
    """``get_ontology(url).load()`` and ``sync_reasoner()`` as owlready2's docs show them."""
    owlready2 = pytest.importorskip("owlready2")
    if shutil.which(owlready2.JAVA_EXE) is None:
        pytest.skip("HermiT needs Java (apt-get install default-jre-headless)")
    world = owlready2.World()
    ontology = world.get_ontology(live_server + "/ontology").load()
    owlready2.sync_reasoner(world)  # HermiT with its default settings
    yield world, ontology
    world.close()


def test_owlready2_loads_the_ontology_and_hermit_reasons_with_defaults(
    reasoned: tuple[object, object],
) -> None:
    world, ontology = reasoned
    assert ontology.base_iri == str(ECPL)  # type: ignore[attr-defined]
    platform = world[str(ECPL.EcommercePlatformOperator)]  # type: ignore[index]
    assert platform is not None
    assert world[str(ECPL.EcommerceOperator)] in platform.ancestors()  # type: ignore[index]
    unsatisfiable = [c for c in world.inconsistent_classes() if c.iri != str(OWL.Nothing)]  # type: ignore[attr-defined]
    assert unsatisfiable == []


def test_owlready2_loads_the_owl_file_alike(live_server: str) -> None:
    owlready2 = pytest.importorskip("owlready2")
    iris = []
    for path in ("/ontology", "/ontology.owl"):
        world = owlready2.World()
        try:
            ontology = world.get_ontology(live_server + path).load()
            iris.append({c.iri for c in ontology.classes()})
        finally:
            world.close()
    assert str(ECPL.Duty) in iris[0]
    assert iris[0] == iris[1]


OWLAPI_JARS = Path("/usr/share/java")
PROFILE_CHECK = Path(__file__).parent / "oracles" / "OwlDlProfile.java"


def _java_can_run_sources() -> bool:
    java = shutil.which("java")
    if java is None or not (OWLAPI_JARS / "owlapi-distribution.jar").is_file():
        return False
    modules = subprocess.run([java, "--list-modules"], capture_output=True, text=True, timeout=60)
    return "jdk.compiler" in modules.stdout


@pytest.mark.skipif(
    not _java_can_run_sources(),
    reason="needs a JDK and the OWL API (Debian packages default-jdk-headless, libowlapi-java; "
    "scripts/system-deps.sh installs them as root)",
)
def test_owl_api_finds_the_ontology_in_the_owl2_dl_profile(
    live_server: str, tmp_path: Path
) -> None:
    """The OWL API's OWL2DLProfile (Protégé's and ROBOT's check) on what /ontology serves."""
    document = tmp_path / "ontology.owl"
    document.write_bytes(requests.get(live_server + "/ontology.owl", timeout=30).content)
    done = subprocess.run(
        ["java", "-cp", f"{OWLAPI_JARS}/*", str(PROFILE_CHECK), str(document)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == []  # no violation of any kind


def test_without_accept_the_ontology_is_rdf_xml(live_server: str) -> None:
    """urllib, owlready2's fetcher, sends no Accept header at all."""
    session = requests.Session()
    session.headers.pop("Accept", None)
    response = session.get(live_server + "/ontology", timeout=30)
    assert response.headers["Content-Type"].split(";")[0] == "application/rdf+xml"
    graph = Graph().parse(data=response.content, format="xml")
    assert (ECPL.Duty, RDF.type, OWL.Class) in graph
    assert (None, RDFS.range, URIRef("http://www.w3.org/2001/XMLSchema#date")) not in graph


# -- content negotiation for graphs over HTTP ---------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "fmt", "media_type", "parse_as"),
    [
        ({"Accept": "application/xml"}, None, "application/rdf+xml", "xml"),
        ({"Accept": "text/xml"}, None, "application/rdf+xml", "xml"),
        ({"Accept": "*/*"}, "xml", "application/rdf+xml", "xml"),
        ({"Accept": "text/turtle"}, "pdf", "text/turtle", "turtle"),  # unknown format: Accept
        ({"Accept": "application/json"}, None, "application/ld+json", "json-ld"),
    ],
)
def test_construct_xml_means_rdf_xml(
    live_server: str, headers: dict[str, str], fmt: str | None, media_type: str, parse_as: str
) -> None:
    params = {"query": CONSTRUCT_LAWS, **({"format": fmt} if fmt else {})}
    response = requests.get(live_server + "/sparql", params=params, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert set(Graph().parse(data=response.content, format=parse_as)) == LAW_TRIPLES


# -- a /sparql link opened in a browser -----------------------------------------------------
def test_browser_gets_the_results_as_a_table(live_server: str) -> None:
    response = requests.get(
        live_server + "/sparql",
        params={"query": SELECT_LAWS},
        headers={"Accept": BROWSER},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Accept" in response.headers["Vary"]
    body = response.text
    assert "<table" in body and "<th>?law</th>" in body
    for law in LAWS:
        assert f'href="{law.removeprefix("https://w3id.org/ecpl")}"' in body  # on this host
    assert "&lt;https://w3id.org/ecpl/ontology#Law&gt;" in body  # the query, escaped
    programs = requests.get(live_server + "/sparql", params={"query": SELECT_LAWS}, timeout=30)
    assert programs.headers["Content-Type"].split(";")[0] == "application/sparql-results+json"
    asked = requests.get(
        live_server + "/sparql", params={"query": ASK_ECL_IS_A_LAW, "format": "html"}, timeout=30
    )
    assert asked.headers["Content-Type"].startswith("text/html") and "true" in asked.text


# -- CORS on every page family, Vary on 406, favicon ------------------------------------------
PAGES = [
    "/law",
    "/law/ecl",
    "/law/ecl/art/38/para/2",
    "/term",
    "/term/Duty",
    "/case",
    "/case/zhou-v-kuaike",
    "/doctrine",
    "/doctrine/supplementary",
    "/source/seed-paper",
    "/ontology",
    "/ontology.owl",
    "/shapes",
    "/.well-known/void",
    "/export?profile=eli",
    "/queries",
    "/sparql?query=ASK%20%7B%7D",
    "/favicon.ico",
]


@pytest.mark.parametrize("path", PAGES)
def test_cors_on_every_page_family(live_server: str, path: str) -> None:
    response = requests.get(
        live_server + path, headers={"Origin": "https://tools.example"}, timeout=60
    )
    assert response.status_code == 200, path
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/law/ecl", "/ontology", "/.well-known/void"])
def test_cors_preflight_on_linked_data(live_server: str, path: str) -> None:
    response = requests.options(
        live_server + path,
        headers={"Origin": "https://tools.example", "Access-Control-Request-Method": "GET"},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_cors_on_errors(live_server: str) -> None:
    missing = requests.get(live_server + "/law/ecl/art/999", timeout=30)
    assert missing.status_code == 404
    assert missing.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/sparql", {"query": "ASK {}"}),
        ("/sparql", {"query": CONSTRUCT_LAWS}),
        ("/law/ecl", {}),
        ("/ontology", {}),
        ("/.well-known/void", {}),
        ("/law", {}),
        ("/queries/cq04-recourse", {}),
        ("/data", {"graph": str(source_graph("data", "laws/ecl"))}),
    ],
)
def test_every_406_says_vary_accept(live_server: str, path: str, params: dict[str, str]) -> None:
    response = requests.get(
        live_server + path, params=params, headers={"Accept": "image/png"}, timeout=30
    )
    assert response.status_code == 406
    vary = {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}
    assert "accept" in vary
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_favicon_is_an_icon(live_server: str) -> None:
    response = requests.get(live_server + "/favicon.ico", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] in ("image/vnd.microsoft.icon", "image/x-icon")
    data = response.content
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)  # ICONDIR
    assert (reserved, kind) == (0, 1) and count >= 1
    size, offset = struct.unpack_from("<II", data, 6 + 8)  # first ICONDIRENTRY: bytes, offset
    image = data[offset : offset + size]
    assert len(image) == size
    assert image.startswith(b"\x89PNG\r\n\x1a\n") or image[:4] == b"\x28\x00\x00\x00"


# -- index pages ---------------------------------------------------------------------------
def _html(base: str, path: str) -> str:
    response = requests.get(base + path, headers={"Accept": BROWSER}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    return response.text


def test_law_index_lists_the_eight_instruments(live_server: str) -> None:
    body = _html(live_server, "/law")
    for key in INSTRUMENTS:
        assert f'href="/law/{key}"' in body, key
    assert str(ECL_TITLE) in body and "E-Commerce Law" in body
    assert "/art/" not in body  # articles are listed on each law's own page


def test_term_index_lists_the_vocabulary_by_kind(live_server: str) -> None:
    body = _html(live_server, "/term")
    for name in ("Duty", "EcommercePlatformOperator", "legalBasis", "Rule-ECL-38-2", "partOf"):
        assert f'href="/term/{name}"' in body, name
    for heading in ("Classes", "Object properties", "Annotation properties", "Individuals"):
        assert heading in body
    assert "电子商务平台经营者" in body


def _listed(body: str, family: str) -> list[str]:
    return list(dict.fromkeys(re.findall(rf'href="(/{family}/[^"]+)"', body)))


def test_doctrine_index_links_only_doctrinal_positions(live_server: str) -> None:
    listed = _listed(_html(live_server, "/doctrine"), "doctrine")
    assert "/doctrine/supplementary" in listed
    for path in listed:
        response = requests.get(live_server + path, headers={"Accept": "text/turtle"}, timeout=30)
        graph = Graph().parse(data=response.content, format="turtle")
        assert (URIRef("https://w3id.org/ecpl" + path), RDF.type, ECPL.DoctrinalPosition) in graph


def test_case_index_lists_real_cases_and_no_invented_examples(live_server: str) -> None:
    # the examples under data/cases/examples/ are test data, not in the served dataset (issue 9)
    body = _html(live_server, "/case")
    assert 'href="/case/zhou-v-kuaike"' in body
    assert 'href="/case/pang-v-qunar-second-instance"' in body
    assert "/case/example-" not in body
