"""Named queries cq06 and cq07 over stored case graphs and their findings graphs.

Run on pyoxigraph, the serving engine (rdflib's SPARQL engine is far too slow for these joins)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
from rdflib import Dataset, Graph, URIRef

from ecpl import iri, queries, sources
from ecpl.sparql.substitute import substitute
from ecpl.validation import validate

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
E = str(iri.ECPL)


def store_case(dataset: Dataset, path: Path) -> URIRef:
    """Store a case as the service does: the case graph and its paired findings graph."""
    graph = Graph().parse(path)
    case = next(graph.subjects(iri.ECPL.holding | iri.ECPL.party, None))
    case_graph = iri.case_graph(str(case))
    for triple in graph:
        dataset.graph(case_graph).add(triple)
    for triple in validate(graph).graph():
        dataset.graph(iri.findings_graph(case_graph)).add(triple)
    return URIRef(str(case))


def run(dataset: Dataset, name: str, **params: str) -> list[dict[str, str]]:
    query = queries.get(name)
    bindings = query.bindings(params)
    store = pyoxigraph.Store()
    store.load(dataset.serialize(format="nquads").encode(), pyoxigraph.RdfFormat.N_QUADS)
    # as every store does: the parameters substituted (ecpl.sparql.substitute)
    text = substitute(query.text, bindings)
    solutions = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]


def dataset_with(*names: str) -> Dataset:
    dataset = Dataset(default_union=True)
    for triple in sources.load_graph(("ontology",)):
        dataset.graph(URIRef("urn:x-test:ontology")).add(triple)
    for name in names:
        path = CASES / f"{name}.ttl"
        store_case(dataset, path if path.exists() else CASES / "real" / f"{name}.ttl")
    return dataset


def test_cq06_zhou_one_contingent_supplementary_finding() -> None:
    dataset = dataset_with("zhou-v-kuaike")
    rows = run(dataset, "cq06-case-breaches-and-liability", lang="en")
    assert {r["kind"] for r in rows} == {"finding"}  # no duty shown breached
    assert {r["rule"] for r in rows} == {E + "Rule-CC-1198-2"}
    assert {r["status"] for r in rows} == {E + "Contingent"}
    assert {r["form"] for r in rows} == {E + "CorrespondingSupplementaryLiability"}


def test_cq06_liability_per_position_for_ecl_38_2() -> None:
    dataset = dataset_with()
    case = store_case(dataset, CASES / "examples" / "rule-ecl-38-2-positive.ttl")
    rows = run(dataset, "cq06-case-breaches-and-liability", case=str(case), lang="zh")
    duties = {r["duty"] for r in rows if r["kind"] == "breached duty"}
    assert E + "QualificationReviewDuty" in duties
    positions = {r["position"].rsplit("/", 1)[1] for r in rows if r.get("position")}
    assert {"joint-and-several", "supplementary", "non-genuine-joint-and-several"} <= positions
    joint = {r["form"] for r in rows if r.get("position", "").endswith("/joint-and-several")}
    assert joint == {E + "JointAndSeveralLiability"}


def test_cq07_presumed_fault_cases() -> None:
    dataset = dataset_with(
        "zhou-v-kuaike", "liu-v-overseas-shopping-platform", "pang-v-qunar-second-instance"
    )
    rows = run(dataset, "cq07-presumed-fault-cases")
    court = {
        (r["case"].rsplit("/", 1)[1], r.get("provision")) for r in rows if r["source"] == "court"
    }
    assert court == {
        ("zhou-v-kuaike", None),  # the seed does not name the provision
        ("liu-v-overseas-shopping-platform", "https://w3id.org/ecpl/law/pipl/art/69/para/1"),
    }
    derived = {r["case"].rsplit("/", 1)[1] for r in rows if r["source"] == "derived"}
    assert derived == {"liu-v-overseas-shopping-platform"}


def test_cq06_breached_duty_without_findings_pang_second_instance() -> None:
    """The appeal court found both platforms at fault for the leak (pre-CSL, so no civil rule
    fires): cq06 lists the security duty as breached, nothing about a remedy (silent record).
    Issue 10: the only finding is the contingent CRPL 56(1) item 9 penalty (a consumer's data
    leaked from a 经营者; in force 2014-03-15, before CSL 64 and PIPL 66 could displace it)."""
    dataset = dataset_with("pang-v-qunar-second-instance", "zhou-v-kuaike")
    case = "https://w3id.org/ecpl/case/pang-v-qunar-second-instance"
    all_rows = run(dataset, "cq06-case-breaches-and-liability", case=case, lang="en")
    assert {r["kind"] for r in all_rows} == {"breached duty", "finding"}
    assert {r["rule"] for r in all_rows if r["kind"] == "finding"} == {E + "Rule-CRPL-56"}
    assert {r["status"] for r in all_rows if r["kind"] == "finding"} == {E + "Contingent"}
    rows = [r for r in all_rows if r["kind"] == "breached duty"]
    assert {r["duty"] for r in rows} == {E + "PersonalInformationProtectionDuty"}
    # the dispute was filed in 2015: of the duty's bases only CRPL 29(2) (2013 text, in force
    # 2014-03-15) was in force; CSL 42 (2017-06-01) and CC 1038 (2021-01-01) are not cited
    bases = {r.get("legalBasis") for r in rows}
    assert bases == {"https://w3id.org/ecpl/law/crpl/art/29/para/2"}
    assert {r["case"] for r in rows} == {case}


def test_cq06_reads_only_the_asked_case() -> None:
    dataset = dataset_with("zhou-v-kuaike", "liu-v-overseas-shopping-platform")
    rows = run(dataset, "cq06-case-breaches-and-liability", case=E.replace("ontology#", "case/x"))
    assert rows == []


def test_report_graph_names_the_validated_case() -> None:
    graph = Graph().parse(CASES / "zhou-v-kuaike.ttl")
    report = validate(graph).graph()
    assert set(report.objects(None, iri.ECPL.validatedCase)) == {
        URIRef("https://w3id.org/ecpl/case/zhou-v-kuaike")
    }
