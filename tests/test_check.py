"""``ecpl check``: each check fails on a small broken project and passes on a clean one.

The fixture projects are written into tmp_path: a minimal ontology (a few classes and
properties with zh/en labels), one law with an article and a paragraph, one duty citing it, and
one named query. Each test adds or edits one file to break exactly one thing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ecpl import config
from ecpl.checks import Problem, run_checks
from ecpl.checks.project import load
from ecpl.checks.reasoner import check_reasoner

HAS_JAVA = shutil.which("java") is not None
needs_java = pytest.mark.skipif(not HAS_JAVA, reason="HermiT needs Java (java not on PATH)")

PREFIXES = """\
@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""

ONTOLOGY = (
    PREFIXES
    + """
<https://w3id.org/ecpl/ontology> a owl:Ontology .
ecpl:LegalInstrument a owl:Class ; rdfs:label "法律文件"@zh, "legal instrument"@en .
ecpl:Law a owl:Class ; rdfs:subClassOf ecpl:LegalInstrument ; rdfs:label "法律"@zh, "law"@en .
ecpl:Article a owl:Class ; rdfs:label "条"@zh, "article"@en .
ecpl:Paragraph a owl:Class ; rdfs:label "款"@zh, "paragraph"@en .
ecpl:Duty a owl:Class ; rdfs:label "义务"@zh, "duty"@en .
ecpl:LiabilityRule a owl:Class ; rdfs:label "责任规则"@zh, "liability rule"@en .
ecpl:Actor a owl:Class ; rdfs:label "主体"@zh, "actor"@en .
ecpl:EcommercePlatformOperator a owl:Class ; rdfs:subClassOf ecpl:Actor ;
    rdfs:label "电子商务平台经营者"@zh, "e-commerce platform operator"@en ;
    ecpl:statutoryTerm "电子商务平台经营者"@zh ;
    ecpl:definedIn <https://w3id.org/ecpl/law/ecl/art/9/para/2> .
ecpl:partOf a owl:ObjectProperty ; rdfs:label "属于"@zh, "part of"@en .
ecpl:number a owl:DatatypeProperty ; rdfs:label "序号"@zh, "number"@en .
ecpl:legalBasis a owl:AnnotationProperty ; rdfs:label "法律依据"@zh, "legal basis"@en .
ecpl:definedIn a owl:AnnotationProperty ; rdfs:label "定义于"@zh, "defined in"@en .
ecpl:statutoryTerm a owl:AnnotationProperty ; rdfs:label "法定术语"@zh, "statutory term"@en .
ecpl:IdentityVerificationDuty a owl:NamedIndividual, ecpl:Duty ;
    rdfs:label "身份核验义务"@zh, "identity verification duty"@en ;
    ecpl:legalBasis <https://w3id.org/ecpl/law/ecl/art/27/para/1> .
"""
)

LAWS = (
    PREFIXES
    + """
<https://w3id.org/ecpl/law/ecl> a ecpl:Law ; rdfs:label "电子商务法"@zh, "ECL"@en .
<https://w3id.org/ecpl/law/ecl/art/9> a ecpl:Article ;
    rdfs:label "电子商务法第九条"@zh, "ECL Art. 9"@en ;
    ecpl:partOf <https://w3id.org/ecpl/law/ecl> ; ecpl:number 9 .
<https://w3id.org/ecpl/law/ecl/art/9/para/2> a ecpl:Paragraph ;
    rdfs:label "电子商务法第九条第二款"@zh, "ECL Art. 9(2)"@en ;
    ecpl:partOf <https://w3id.org/ecpl/law/ecl/art/9> ; ecpl:number 2 .
<https://w3id.org/ecpl/law/ecl/art/27> a ecpl:Article ;
    rdfs:label "电子商务法第二十七条"@zh, "ECL Art. 27"@en ;
    ecpl:partOf <https://w3id.org/ecpl/law/ecl> ; ecpl:number 27 .
<https://w3id.org/ecpl/law/ecl/art/27/para/1> a ecpl:Paragraph ;
    rdfs:label "电子商务法第二十七条第一款"@zh, "ECL Art. 27(1)"@en ;
    ecpl:partOf <https://w3id.org/ecpl/law/ecl/art/27> ; ecpl:number 1 .
"""
)

QUERY = """\
#---
# title: {en: Duties, zh: 义务}
# description: {en: Every duty and its basis, zh: 各项义务及其依据}
#---
PREFIX ecpl: <https://w3id.org/ecpl/ontology#>
SELECT ?duty ?basis WHERE { ?duty a ecpl:Duty ; ecpl:legalBasis ?basis }
"""


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small clean project: ontology, one law, one named query, an empty shapes folder."""
    write(tmp_path, "ontology/core.ttl", ONTOLOGY)
    write(tmp_path, "data/laws/ecl.ttl", LAWS)
    write(tmp_path, "data/queries/duties.rq", QUERY)
    (tmp_path / "shapes").mkdir()
    return tmp_path


def problems_of(root: Path, check: str) -> list[Problem]:
    return [p for p in run_checks(root, use_reasoner=False) if p.check == check]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecpl", "check", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


# --- the clean fixture ---------------------------------------------------------------------


def test_clean_fixture_has_no_problems(project: Path) -> None:
    assert run_checks(project, use_reasoner=False) == []


@needs_java
def test_clean_fixture_is_consistent_under_hermit(project: Path) -> None:
    loaded, syntax_problems = load(project)
    assert syntax_problems == []
    assert check_reasoner(loaded) == []


# --- syntax ---------------------------------------------------------------------------------


def test_turtle_syntax_error_names_file_and_line(project: Path) -> None:
    write(project, "data/laws/broken.ttl", PREFIXES + '\necpl:X rdfs:label "open string ;\n')
    found = problems_of(project, "syntax")
    # PREFIXES has 6 lines, then a blank line: the unterminated literal is on line 8.
    assert [p.subject for p in found] == ["data/laws/broken.ttl:8"]
    assert "Turtle syntax error" in found[0].message


def test_invalid_iri_and_encoding_are_syntax_problems(project: Path) -> None:
    write(project, "data/laws/iri.ttl", PREFIXES + "\necpl:Duty rdfs:seeAlso <http://a b> .\n")
    (project / "data/laws/latin1.ttl").write_bytes("# caf\xe9\n".encode("latin-1"))
    found = problems_of(project, "syntax")
    assert [(p.subject, p.message) for p in found] == [
        ("data/laws/iri.ttl:8", "invalid IRI <http://a b>"),
        ("data/laws/latin1.ttl", "not UTF-8 text: invalid continuation byte"),
    ]


def test_other_checks_still_run_when_one_file_does_not_parse(project: Path) -> None:
    write(project, "data/laws/broken.ttl", "this is not turtle")
    write(project, "data/extra.ttl", PREFIXES + 'ecpl:Duty rdfs:comment "x"@en .\n')
    found = run_checks(project, use_reasoner=False)
    assert {p.check for p in found} == {"syntax"}
    write(project, "data/extra.ttl", PREFIXES + 'ecpl:Dutty rdfs:comment "x"@en .\n')
    assert "declared-terms" in {p.check for p in run_checks(project, use_reasoner=False)}


def test_named_query_that_does_not_parse(project: Path) -> None:
    write(project, "data/queries/bad.rq", QUERY.replace("WHERE {", "WHERE {{"))
    found = problems_of(project, "syntax")
    assert [p.subject for p in found] == ["data/queries/bad.rq"]
    assert "SPARQL does not parse" in found[0].message


def test_named_query_without_header(project: Path) -> None:
    write(project, "data/queries/bare.rq", "SELECT * WHERE { ?s ?p ?o }\n")
    found = problems_of(project, "syntax")
    assert [p.subject for p in found] == ["data/queries/bare.rq"]
    assert "header" in found[0].message


# --- labels ---------------------------------------------------------------------------------


def test_missing_zh_label(project: Path) -> None:
    write(
        project,
        "ontology/extra.ttl",
        PREFIXES + 'ecpl:Court a owl:Class ; rdfs:label "court"@en ; rdfs:label "tribunal" .\n',
    )
    found = problems_of(project, "labels")
    assert [(p.subject, p.message) for p in found] == [
        ("ecpl:Court", "no @zh label (rdfs:label or skos:prefLabel)")
    ]


def test_pref_label_counts_and_used_terms_need_labels_too(project: Path) -> None:
    write(
        project,
        "ontology/extra.ttl",
        PREFIXES
        + 'ecpl:Court a owl:Class ; skos:prefLabel "法院"@zh, "court"@en .\n'
        + "ecpl:Consumer a owl:Class .\n",
    )
    found = problems_of(project, "labels")
    assert [(p.subject, p.message) for p in found] == [
        ("ecpl:Consumer", "no @zh and @en label (rdfs:label or skos:prefLabel)")
    ]


def test_provisions_and_positions_in_data_need_labels(project: Path) -> None:
    write(
        project,
        "data/doctrine/p.ttl",
        PREFIXES
        + '<https://w3id.org/ecpl/doctrine/civil> a ecpl:Duty ; rdfs:label "民事责任说"@zh .\n',
    )
    write(
        project,
        "data/laws/extra.ttl",
        PREFIXES + "<https://w3id.org/ecpl/law/ecl/art/38> a ecpl:Article .\n",
    )
    found = problems_of(project, "labels")
    assert [(p.subject, p.message) for p in found] == [
        ("<https://w3id.org/ecpl/doctrine/civil>", "no @en label (rdfs:label or skos:prefLabel)"),
        (
            "<https://w3id.org/ecpl/law/ecl/art/38>",
            "no @zh and @en label (rdfs:label or skos:prefLabel)",
        ),
    ]


# --- legal basis -----------------------------------------------------------------------------


def test_duty_without_basis(project: Path) -> None:
    write(
        project,
        "ontology/duties.ttl",
        PREFIXES
        + 'ecpl:RescueAssistanceDuty a owl:NamedIndividual, ecpl:Duty ; rdfs:label "救助"@zh, '
        + '"rescue assistance"@en .\n',
    )
    found = problems_of(project, "legal-basis")
    assert [p.subject for p in found] == ["ecpl:RescueAssistanceDuty"]
    assert "duty without a legal basis" in found[0].message


def test_rule_term_and_position_without_basis(project: Path) -> None:
    write(
        project,
        "ontology/liability.ttl",
        PREFIXES
        + 'ecpl:DoctrinalPosition a owl:Class ; rdfs:label "学说"@zh, "position"@en .\n'
        + 'ecpl:Rule-ECL-38-1 a ecpl:LiabilityRule ; rdfs:label "规则"@zh, "rule"@en .\n'
        + 'ecpl:Consumer a owl:Class ; rdfs:label "消费者"@zh, "consumer"@en ;'
        + ' ecpl:statutoryTerm "消费者"@zh .\n',
    )
    write(
        project,
        "data/doctrine/p.ttl",
        PREFIXES + "<https://w3id.org/ecpl/doctrine/civil> a ecpl:DoctrinalPosition .\n",
    )
    found = problems_of(project, "legal-basis")
    assert sorted(p.subject for p in found) == [
        "<https://w3id.org/ecpl/doctrine/civil>",
        "ecpl:Consumer",
        "ecpl:Rule-ECL-38-1",
    ]


# --- provisions exist ----------------------------------------------------------------------


def test_basis_to_nonexistent_paragraph(project: Path) -> None:
    text = ONTOLOGY.replace("art/27/para/1>", "art/27/para/3>")
    write(project, "ontology/core.ttl", text)
    found = problems_of(project, "provisions")
    assert [p.subject for p in found] == ["<https://w3id.org/ecpl/law/ecl/art/27/para/3>"]
    assert "ecpl:IdentityVerificationDuty" in found[0].message


def test_legal_basis_must_be_a_provision_not_the_law(project: Path) -> None:
    write(project, "ontology/core.ttl", ONTOLOGY.replace("law/ecl/art/27/para/1>", "law/ecl>"))
    found = problems_of(project, "provisions")
    assert [p.subject for p in found] == ["<https://w3id.org/ecpl/law/ecl>"]
    assert "not an article, paragraph or item" in found[0].message


def test_law_iri_used_anywhere_must_be_declared(project: Path) -> None:
    write(
        project,
        "data/laws/extra.ttl",
        PREFIXES
        + "<https://w3id.org/ecpl/law/ecl/art/38/para/1> a ecpl:Paragraph ;"
        + " ecpl:partOf <https://w3id.org/ecpl/law/ecl/art/38> .\n",
    )
    found = problems_of(project, "provisions")
    assert [p.subject for p in found] == ["<https://w3id.org/ecpl/law/ecl/art/38>"]


# --- declared terms -------------------------------------------------------------------------


def test_undeclared_term_is_named_with_its_file(project: Path) -> None:
    write(
        project,
        "data/laws/typo.ttl",
        PREFIXES + "<https://w3id.org/ecpl/law/ecl/art/9> ecpl:numbr 9 .\n",
    )
    found = problems_of(project, "declared-terms")
    assert [p.subject for p in found] == ["ecpl:numbr"]
    assert "data/laws/typo.ttl" in found[0].message


def test_term_declared_only_in_data_is_undeclared(project: Path) -> None:
    write(
        project,
        "data/doctrine/p.ttl",
        PREFIXES + 'ecpl:Position a owl:Class ; rdfs:label "学说"@zh, "position"@en .\n',
    )
    found = problems_of(project, "declared-terms")
    assert [p.subject for p in found] == ["ecpl:Position"]


def test_rdf_property_or_skos_concept_is_not_an_owl_declaration(project: Path) -> None:
    write(
        project,
        "ontology/extra.ttl",
        PREFIXES
        + 'ecpl:claims a rdf:Property ; rdfs:label "主张"@zh, "claims"@en .\n'
        + 'ecpl:ExAnte a skos:Concept ; rdfs:label "事前"@zh, "ex ante"@en .\n'
        + 'ecpl:DutyPhase a owl:Class ; rdfs:label "阶段"@zh, "phase"@en .\n'
        + 'ecpl:InProcess a ecpl:DutyPhase ; rdfs:label "事中"@zh, "in process"@en .\n',
    )
    found = problems_of(project, "declared-terms")
    assert [p.subject for p in found] == ["ecpl:ExAnte", "ecpl:claims"]
    assert "ontology/extra.ttl" in found[0].message


SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix shapes: <https://w3id.org/ecpl/shapes#> .
shapes:Prefixes sh:declare [ sh:prefix "ecpl" ;
    sh:namespace "https://w3id.org/ecpl/ontology#"^^xsd:anyURI ] .
shapes:DutyShape a sh:NodeShape ;
    sh:targetClass ecpl:Duty ;
    sh:property [ sh:path ecpl:legalBasis ; sh:minCount 1 ] ;
    sh:sparql [ sh:prefixes shapes:Prefixes ;
        sh:select "SELECT $this WHERE { $this ecpl:legalBasis ?b . FILTER(!isIRI(?b)) }" ] .
"""


def test_valid_shapes_with_sparql_pass(project: Path) -> None:
    write(project, "shapes/duties.ttl", PREFIXES + SHAPES)
    assert run_checks(project, use_reasoner=False) == []


def test_shape_sparql_that_does_not_parse(project: Path) -> None:
    write(project, "shapes/duties.ttl", PREFIXES + SHAPES.replace("?b . FILTER", "?b . FILTR"))
    found = problems_of(project, "shapes")
    assert [p.subject for p in found] == ["shapes:DutyShape"]
    assert found[0].message.startswith("SPARQL in sh:select does not parse")


def test_shape_sparql_with_undeclared_prefix(project: Path) -> None:
    text = SHAPES.replace("sh:prefixes shapes:Prefixes ;", "")
    write(project, "shapes/duties.ttl", PREFIXES + text)
    assert [p.subject for p in problems_of(project, "shapes")] == ["shapes:DutyShape"]


def test_shapes_that_are_not_valid_shacl(project: Path) -> None:
    write(
        project,
        "shapes/duties.ttl",
        PREFIXES + SHAPES.replace("sh:minCount 1", 'sh:minCount "one"'),
    )
    found = problems_of(project, "shapes")
    assert [p.subject for p in found] == ["shapes:DutyShape"]
    assert "not valid SHACL on sh:minCount" in found[0].message


# --- the reasoner ---------------------------------------------------------------------------


@needs_java
def test_individual_in_two_disjoint_classes_is_inconsistent(project: Path) -> None:
    write(
        project,
        "ontology/clash.ttl",
        PREFIXES
        + "ecpl:Duty owl:disjointWith ecpl:LiabilityRule .\n"
        + "ecpl:IdentityVerificationDuty a ecpl:LiabilityRule .\n",
    )
    loaded, _ = load(project)
    found = check_reasoner(loaded)
    assert len(found) == 1
    assert "inconsistent under HermiT" in found[0].message
    assert (
        "ecpl:IdentityVerificationDuty is both ecpl:Duty and ecpl:LiabilityRule" in found[0].message
    )


@needs_java
def test_data_individuals_take_part_in_reasoning(project: Path) -> None:
    write(
        project,
        "ontology/clash.ttl",
        PREFIXES + "[] a owl:AllDisjointClasses ; owl:members (ecpl:Article ecpl:Paragraph) .\n",
    )
    write(
        project,
        "data/laws/clash.ttl",
        PREFIXES + "<https://w3id.org/ecpl/law/ecl/art/9> a ecpl:Paragraph .\n",
    )
    loaded, _ = load(project)
    found = check_reasoner(loaded)
    assert [p.check for p in found] == ["reasoner"]
    assert "<https://w3id.org/ecpl/law/ecl/art/9> is both" in found[0].message


@needs_java
def test_unsatisfiable_class(project: Path) -> None:
    write(
        project,
        "ontology/empty.ttl",
        PREFIXES
        + "ecpl:Duty owl:disjointWith ecpl:LiabilityRule .\n"
        + "ecpl:Impossible a owl:Class ; rdfs:subClassOf ecpl:Duty, ecpl:LiabilityRule ;"
        + ' rdfs:label "不可能"@zh, "impossible"@en .\n',
    )
    loaded, _ = load(project)
    found = check_reasoner(loaded)
    assert [(p.subject, p.check) for p in found] == [("ecpl:Impossible", "reasoner")]
    assert "unsatisfiable" in found[0].message


def test_missing_java_is_a_problem_not_a_crash(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(project / "no-such-bin"))
    loaded, _ = load(project)
    found = check_reasoner(loaded)
    assert [p.check for p in found] == ["reasoner"]
    assert found[0].message.startswith("HermiT needs Java (java not found on PATH)")


# --- the command line -----------------------------------------------------------------------


def test_cli_clean_project_exits_0(project: Path) -> None:
    result = run_cli(str(project), "--no-reasoner")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "clean" in result.stdout


def test_cli_lists_each_problem_and_exits_1(project: Path) -> None:
    write(project, "data/laws/broken.ttl", PREFIXES + "ecpl:X ecpl:y .\n")
    write(
        project, "ontology/extra.ttl", PREFIXES + 'ecpl:Court a owl:Class ; rdfs:label "c"@en .\n'
    )
    result = run_cli(str(project), "--no-reasoner")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "[syntax] data/laws/broken.ttl:7: Turtle syntax error" in lines[0]
    assert any(line.startswith("[labels] ecpl:Court: no @zh label") for line in lines)
    assert "Traceback" not in result.stdout + result.stderr


@needs_java
def test_cli_keeps_hermit_quiet_unless_verbose(project: Path) -> None:
    quiet = run_cli(str(project))
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert "HermiT" not in quiet.stdout + quiet.stderr
    loud = run_cli(str(project), "--verbose")
    assert loud.returncode == 0
    assert "Running HermiT" in loud.stderr


def test_cli_without_java_names_the_problem(project: Path) -> None:
    env = {**os.environ, "PATH": str(project / "no-such-bin")}
    result = subprocess.run(
        [sys.executable, "-m", "ecpl", "check", str(project)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 1
    assert "[reasoner] java: HermiT needs Java (java not found on PATH)" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", ["missing", "file", "empty"])
def test_cli_bad_dir_exits_2(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "x"
    if kind == "file":
        target.write_text("", encoding="utf-8")
    elif kind == "empty":
        target.mkdir()
    result = run_cli(str(target))
    assert result.returncode == 2
    assert str(target) in result.stderr
    assert "Traceback" not in result.stderr


# --- the shipped project --------------------------------------------------------------------


def test_shipped_project_passes_without_reasoner() -> None:
    found = run_checks(config.project_root(), use_reasoner=False)
    assert found == [], "\n".join(map(str, found))


@needs_java
@pytest.mark.xdist_group("hermit")
def test_shipped_project_passes_ecpl_check(shipped_problems: list[Problem]) -> None:
    """The command CI runs: every check over the shipped project; HermiT's run is shared."""
    assert shipped_problems == [], "\n".join(map(str, shipped_problems))
    result = run_cli("--no-reasoner")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == (
        f"ecpl check: {config.project_root()} is clean (reasoner skipped)"
    )


# --- legal soundness (issue 9) ---------------------------------------------------------------

RULE = """
ecpl:notDerivableBecause a owl:AnnotationProperty ; rdfs:label "不推导理由"@zh, "not derivable"@en .
ecpl:Rule-ECL-38-1 a owl:NamedIndividual, ecpl:LiabilityRule ;
    rdfs:label "第三十八条第一款"@zh, "ECL 38(1)"@en ;
    ecpl:legalBasis <https://w3id.org/ecpl/law/ecl/art/27/para/1> .
"""
DERIVATION = """@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix shapes: <https://w3id.org/ecpl/shapes#> .
shapes:R a sh:SPARQLRule ; sh:construct \"\"\"
    PREFIX ecpl: <https://w3id.org/ecpl/ontology#>
    CONSTRUCT { ?f ecpl:appliesRule ?rule }
    WHERE { BIND (ecpl:Rule-ECL-38-1 AS ?rule) BIND (?rule AS ?f) }\"\"\" .
"""


def test_rule_without_derivation_or_reason(project: Path) -> None:
    write(project, "ontology/core.ttl", ONTOLOGY + RULE)
    (problem,) = problems_of(project, "derivation")
    assert problem.subject == "ecpl:Rule-ECL-38-1"


def test_rule_with_derivation_rule_passes(project: Path) -> None:
    write(project, "ontology/core.ttl", ONTOLOGY + RULE)
    write(project, "shapes/rules.ttl", DERIVATION)
    assert problems_of(project, "derivation") == []


def test_rule_marked_not_derivable_needs_zh_and_en(project: Path) -> None:
    only_en = RULE.replace(
        "ecpl:legalBasis",
        'ecpl:notDerivableBecause "a court must find it"@en ;\n    ecpl:legalBasis',
    )
    write(project, "ontology/core.ttl", ONTOLOGY + only_en)
    assert len(problems_of(project, "derivation")) == 1
    both = only_en.replace('"@en ;', '"@en, "须由法院认定"@zh ;')
    write(project, "ontology/core.ttl", ONTOLOGY + both)
    assert problems_of(project, "derivation") == []


CASE = """
ecpl:Case a owl:Class ; rdfs:label "案件"@zh, "case"@en .
ecpl:holding a owl:ObjectProperty ; rdfs:label "裁判"@zh, "holding"@en .
ecpl:dutyFoundBreached a owl:ObjectProperty ; rdfs:label "认定违反"@zh, "duty found breached"@en .
ecpl:decisionDate a owl:DatatypeProperty ; rdfs:label "裁判日期"@zh, "decision date"@en .
ecpl:inForceFrom a owl:DatatypeProperty ; rdfs:label "施行日期"@zh, "in force from"@en .
"""


def _case(decided: str) -> str:
    return (
        PREFIXES
        + f"""
<https://w3id.org/ecpl/case/c> a ecpl:Case ; rdfs:label "案"@zh, "case"@en ;
    ecpl:decisionDate "{decided}"^^xsd:date ;
    ecpl:holding <https://w3id.org/ecpl/case/c/h> .
<https://w3id.org/ecpl/case/c/h> rdfs:label "裁判"@zh, "holding"@en ;
    ecpl:dutyFoundBreached ecpl:IdentityVerificationDuty .
"""
    )


def test_holding_on_a_duty_not_in_force(project: Path) -> None:
    # ECL 27 (the duty's only basis) is in force from 2019-01-01 (ECL Art. 89)
    write(project, "ontology/core.ttl", ONTOLOGY + CASE)
    laws = LAWS + '<https://w3id.org/ecpl/law/ecl> ecpl:inForceFrom "2019-01-01"^^xsd:date .\n'
    write(project, "data/laws/ecl.ttl", laws)
    write(project, "data/cases/c.ttl", _case("2018-06-01"))
    (problem,) = problems_of(project, "in-force")
    assert "IdentityVerificationDuty" in problem.message and "2018-06-01" in problem.message
    write(project, "data/cases/c.ttl", _case("2020-06-01"))  # decided after: facts may be later
    assert problems_of(project, "in-force") == []


READING = """
ecpl:LiabilityForm a owl:Class ; rdfs:label "责任形态"@zh, "liability form"@en .
ecpl:ScholarlyWork a owl:Class ; rdfs:label "学术著作"@zh, "scholarly work"@en .
ecpl:heldBy a owl:AnnotationProperty ; rdfs:label "持有者"@zh, "held by"@en .
<https://w3id.org/ecpl/source/paper> a owl:NamedIndividual, ecpl:ScholarlyWork ;
    rdfs:label "论文"@zh, "paper"@en .
ecpl:NonGenuine a owl:NamedIndividual, ecpl:LiabilityForm ;
    rdfs:label "不真正连带责任"@zh, "non-genuine joint and several liability"@en ;
    <http://purl.org/dc/terms/source> <https://w3id.org/ecpl/source/paper> ;
    ecpl:legalBasis <https://w3id.org/ecpl/law/ecl/art/27/para/1> .
"""


def test_reading_presented_as_statute(project: Path) -> None:
    write(project, "ontology/core.ttl", ONTOLOGY + READING)
    (problem,) = problems_of(project, "reading")
    assert problem.subject == "ecpl:NonGenuine"
    marked = READING.replace(
        "ecpl:legalBasis", 'ecpl:heldBy "some scholars"@en ;\n    ecpl:legalBasis'
    )
    write(project, "ontology/core.ttl", ONTOLOGY + marked)
    assert problems_of(project, "reading") == []
