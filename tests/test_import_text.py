"""`ecpl import-text`: the imported text equals provisions.yaml, and bad input fails cleanly."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import RDF, Graph, Literal

from ecpl import iri
from ecpl.iri import ECPL
from ecpl.statutes import importer
from ecpl.statutes.cli import import_text

ECL_FILE = importer.LAW_FILES["ecl"][0].path


@pytest.fixture(scope="module")
def lawrefbook_dir(shared: Path) -> Path:
    return shared / "statutes" / "lawrefbook"


@pytest.fixture(scope="module")
def imported(lawrefbook_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Graph:
    output = tmp_path_factory.mktemp("text") / "statute-text.ttl"
    result = CliRunner().invoke(import_text, [str(lawrefbook_dir), "--output", str(output)])
    assert result.exit_code == 0, result.output
    return Graph().parse(output, format="turtle")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(import_text, list(args))


def test_every_provision_text_is_exact(imported: Graph, provisions: list[dict]) -> None:
    for entry in provisions:
        key = entry["law_short"].lower()
        paragraph = iri.paragraph(key, entry["article"], entry["paragraph"])
        assert list(imported.objects(paragraph, ECPL.text)) == [
            Literal(entry["text_zh"], lang="zh")
        ], paragraph


def test_items_get_their_own_line(imported: Graph, provisions: list[dict]) -> None:
    for entry in provisions:
        key = entry["law_short"].lower()
        for k, line in enumerate(entry["text_zh"].split("\n")[1:], start=1):
            item = iri.item(key, entry["article"], entry["paragraph"], k)
            assert imported.value(item, ECPL.text) == Literal(line, lang="zh")


def test_judicial_interpretation_paragraphs_attached(imported: Graph) -> None:
    for number in (3, 13, 14, 15, 16, 18):
        text = imported.value(iri.paragraph("spc-online", number, 1), ECPL.text)
        assert isinstance(text, Literal) and text.language == "zh" and len(text) > 20
    tort = imported.value(iri.paragraph("spc-tort", 24, 1), ECPL.text)
    assert isinstance(tort, Literal) and "第一千一百九十八条第二款" in str(tort)
    # SPC-ONLINE Art. 15: the livestream platform's food-licence review
    assert "网络直播营销平台经营者" in str(
        imported.value(iri.paragraph("spc-online", 15, 1), ECPL.text)
    )


def test_counts_per_law(lawrefbook_dir: Path, tmp_path: Path, provisions: list[dict]) -> None:
    result = invoke(str(lawrefbook_dir), "-o", str(tmp_path / "t.ttl"))
    assert result.exit_code == 0
    # every ECL paragraph the project models gets its text (some, e.g. Art. 59, 61, 62, 84 and
    # 81(2), 37(2), 39(2), 43(2), 44, are in the full LawRefBook text but not in provisions.yaml)
    modeled = Graph()
    for path in (Path(__file__).resolve().parents[1] / "data" / "laws").glob("*.ttl"):
        modeled.parse(path)
    ecl = str(iri.law("ecl")) + "/"
    ecl_paragraphs = len(
        {p for p in modeled.subjects(RDF.type, ECPL.Paragraph) if str(p).startswith(ecl)}
    )
    assert ecl_paragraphs >= sum(1 for e in provisions if e["law_short"] == "ECL")
    assert f"ECL           {ecl_paragraphs} paragraphs" in result.output
    # SPC-ONLINE 3, 13-16, 18 and (issue 10) 4(1), 4(2), 1
    assert "SPC-ONLINE     9 paragraphs" in result.output
    assert "SPC-TORT       1 paragraphs" in result.output


def test_output_written_atomically(lawrefbook_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "nested" / "text.ttl"
    assert invoke(str(lawrefbook_dir), "--output", str(output)).exit_code == 0
    assert output.is_file()
    assert [p.name for p in output.parent.iterdir()] == ["text.ttl"]  # no temp file left
    assert str(iri.TEXT_GRAPH) in output.read_text(encoding="utf-8")


def test_default_output_is_the_configured_file(
    lawrefbook_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECPL_TEXT_FILE", str(tmp_path / "configured.ttl"))
    assert invoke(str(lawrefbook_dir)).exit_code == 0
    assert (tmp_path / "configured.ttl").is_file()


def only_ecl(lawrefbook_dir: Path, tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    (tree / ECL_FILE).parent.mkdir(parents=True)
    shutil.copy(lawrefbook_dir / ECL_FILE, tree / ECL_FILE)
    return tree


def test_missing_law_fails_and_writes_nothing(lawrefbook_dir: Path, tmp_path: Path) -> None:
    tree, output = only_ecl(lawrefbook_dir, tmp_path), tmp_path / "out.ttl"
    result = invoke(str(tree), "-o", str(output))
    assert result.exit_code == 2
    assert "CSL: file 行政法/网络安全法(2016-11-07).md not found" in result.output
    assert "nothing written" in result.output
    assert not output.exists()


def test_allow_missing_writes_what_was_found(lawrefbook_dir: Path, tmp_path: Path) -> None:
    tree, output = only_ecl(lawrefbook_dir, tmp_path), tmp_path / "out.ttl"
    result = invoke(str(tree), "-o", str(output), "--allow-missing")
    assert result.exit_code == 0
    assert "Warning: PIPL: file" in result.output
    graph = Graph().parse(output, format="turtle")
    assert graph.value(iri.paragraph("ecl", 38, 2), ECPL.text) is not None
    assert graph.value(iri.paragraph("csl", 21, 1), ECPL.text) is None


def test_files_found_anywhere_below(lawrefbook_dir: Path, tmp_path: Path) -> None:
    nested = tmp_path / "Laws-master"
    shutil.copytree(lawrefbook_dir, nested / "Laws")
    assert invoke(str(tmp_path), "-o", str(tmp_path / "t.ttl")).exit_code == 0


def test_cited_paragraph_not_found(lawrefbook_dir: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(lawrefbook_dir, tree)
    ecl = tree / ECL_FILE
    lines = ecl.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("第三十八条"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("第三十九条"))
    ecl.write_text("\n".join(lines[: start + 1] + lines[end:]), encoding="utf-8")
    result = invoke(str(tree), "-o", str(tmp_path / "t.ttl"))
    assert result.exit_code == 2
    assert "ECL Art. 38(2): not found in" in result.output
    assert "ECL Art. 38(1)" not in result.output


def test_wrong_title_is_named(lawrefbook_dir: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(lawrefbook_dir, tree)
    pipl = tree / importer.LAW_FILES["pipl"][0].path
    pipl.write_text(
        pipl.read_text(encoding="utf-8").replace("# 中华人民共和国个人信息保护法", "# 别的法"),
        encoding="utf-8",
    )
    result = invoke(str(tree), "-o", str(tmp_path / "t.ttl"))
    assert result.exit_code == 2
    assert "PIPL:" in result.output and "别的法" in result.output


def test_garbage_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("just some notes\n", encoding="utf-8")
    (tmp_path / "data.bin").write_bytes(b"\x00\xff")
    result = invoke(str(tmp_path), "-o", str(tmp_path / "t.ttl"))
    assert result.exit_code == 2
    assert "no LawRefBook law files recognised" in result.output


def test_garbage_file_at_a_law_path(lawrefbook_dir: Path, tmp_path: Path) -> None:
    tree = only_ecl(lawrefbook_dir, tmp_path)
    (tree / ECL_FILE).write_bytes(b"\xff\xfe not utf-8")
    result = invoke(str(tree), "-o", str(tmp_path / "t.ttl"), "--allow-missing")
    assert result.exit_code == 2
    assert "cannot read" in result.output and "电子商务法(2018-08-31).md" in result.output


def test_no_traceback_from_the_real_command(tmp_path: Path) -> None:
    for args in ([str(tmp_path)], [str(tmp_path / "absent")]):
        completed = subprocess.run(
            [sys.executable, "-m", "ecpl", "import-text", *args, "-o", str(tmp_path / "t.ttl")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert completed.returncode == 2
        assert "Traceback" not in completed.stderr
        assert "Error" in completed.stderr


def test_help_documents_the_all_or_nothing_rule() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--allow-missing" in text and "nothing is written (exit 2)" in text
