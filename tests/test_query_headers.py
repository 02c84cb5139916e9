"""Named-query headers are held to their schema: a YAML slip is an error, never a silent key.

The broken fixtures are the mistakes YAML lets through: an unquoted comma inside a ``{…}`` value
(cq02's title became ``{"en": "Duties of a platform by phase", "with their legal basis": null}``),
a key left empty, a misspelt key, a number where text belongs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ecpl import queries
from ecpl.checks import run_checks

BODY = "SELECT ?duty WHERE { ?duty a <https://w3id.org/ecpl/ontology#Duty> }\n"


def header(*lines: str) -> str:
    return "#---\n" + "".join(f"# {line}\n" for line in lines) + "#---\n" + BODY


GOOD_TITLE = 'title: {en: "Duties by phase, with their legal basis", zh: 各阶段的义务}'
GOOD_DESCRIPTION = "description: {en: The duties., zh: 义务。}"


def test_quoted_comma_is_one_title() -> None:
    parsed = queries.parse("q", header(GOOD_TITLE, GOOD_DESCRIPTION))
    assert parsed.title == {"en": "Duties by phase, with their legal basis", "zh": "各阶段的义务"}


@pytest.mark.parametrize(
    ("lines", "named"),
    [
        (  # cq02's mistake: the comma splits the flow mapping, the tail becomes a null key
            (
                "title: {en: Duties by phase, with their legal basis, zh: 各阶段的义务}",
                GOOD_DESCRIPTION,
            ),
            "unknown key 'with their legal basis'",
        ),
        (
            (
                GOOD_TITLE,
                GOOD_DESCRIPTION,
                "params:",
                "  - name: duty",
                "    type: iri",
                "    label: {en: Article, paragraph or item, zh: 条、款或项}",
            ),
            "params[0].label has an unknown key 'paragraph or item'",
        ),
        ((GOOD_TITLE, "description:"), "header key 'description' has no value"),
        ((GOOD_TITLE, "description: {en: The duties., zh: }"), "description.zh must be non-empty"),
        ((GOOD_TITLE, GOOD_DESCRIPTION, "titel: x"), "unknown header key 'titel'"),
        (("title: {en: 2, zh: 二}", GOOD_DESCRIPTION), "title.en must be non-empty text"),
        (("title: {en: Duties}", GOOD_DESCRIPTION), "title lacks 'zh'"),
        ((GOOD_TITLE, GOOD_DESCRIPTION, "competency_question: two"), "competency_question"),
        (
            (GOOD_TITLE, GOOD_DESCRIPTION, "params:", "  - name: duty", "    default:"),
            "params[0].default has no value",
        ),
        ((GOOD_TITLE, GOOD_DESCRIPTION, "params:", "  - nmae: duty"), "unknown key 'nmae'"),
        (("title: {en: [unclosed", GOOD_DESCRIPTION), "not valid YAML"),
    ],
)
def test_header_mistakes_are_errors(lines: tuple[str, ...], named: str) -> None:
    with pytest.raises(ValueError, match=r"^q\.rq: ") as caught:
        queries.parse("q", header(*lines))
    assert named in str(caught.value)


def test_every_shipped_header_is_clean() -> None:
    for query in queries.load_all().values():
        assert set(query.title) == {"en", "zh"} and set(query.description) == {"en", "zh"}
        assert all(isinstance(v, str) and v for v in query.title.values())
        for param in query.params:
            assert set(param.label) <= {"en", "zh"}


def test_ecpl_check_reports_a_broken_header(tmp_path: Path) -> None:
    for folder in ("ontology", "shapes", "data/queries"):
        (tmp_path / folder).mkdir(parents=True)
    broken = header(
        "title: {en: Duties by phase, with their legal basis, zh: 义务}", GOOD_DESCRIPTION
    )
    (tmp_path / "data" / "queries" / "broken.rq").write_text(broken, encoding="utf-8")
    found = [p for p in run_checks(tmp_path, use_reasoner=False) if p.check == "syntax"]
    assert [p.subject for p in found] == ["data/queries/broken.rq"]
    assert "with their legal basis" in found[0].message
    done = subprocess.run(
        [sys.executable, "-m", "ecpl", "check", str(tmp_path), "--no-reasoner"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert "data/queries/broken.rq" in done.stdout and "with their legal basis" in done.stdout
