"""The repository holds no statute sentence: the text reaches the graph only through the importer.

Every clause of 14 or more characters in the statute texts of ../shared (provisions.yaml and the
LawRefBook Markdown) is looked for in every committed file. A shorter run (a law's name, a term
of art such as 安全保障义务, an amount such as 一万元以上十万元以下) is vocabulary, not a sentence.
Skipped where ../shared is absent or the checkout is not a git repository.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

# Clause boundaries in the official texts; the same split applies to both sides.
BOUNDARY = re.compile(r"[，。；：？！\s]+")
MIN_CLAUSE = 14
KEY = 8  # clauses are found through their first KEY characters
# Not sentences: law titles (cited by name everywhere), the amount of a fine (the tests anchor
# each figure of ontology/penalties.ttl in its paragraph with it), and the statutes' fixed name
# for the persons a fine on a unit also reaches.
VOCABULARY = re.compile(
    r"《|中华人民共和国\w*法$|若干问题的规定|^(可以)?(并)?处\w+元以上\w+元以下(的)?罚款$"
    r"|^对直接负责的主管人员和其他直接责任人员$"
)


def statute_clauses(shared: Path) -> set[str]:
    texts = [(shared / "statutes" / "provisions.yaml").read_text(encoding="utf-8")]
    books = (shared / "statutes" / "lawrefbook").rglob("*.md")
    texts += [_body(book.read_text(encoding="utf-8")) for book in books]
    return {c for text in texts for c in BOUNDARY.split(text) if _sentence(c)}


def _body(markdown: str) -> str:
    """The articles of a LawRefBook file: no title, adoption note or chapter heading."""
    articles = markdown.split("<!-- INFO END -->", 1)[-1]
    return "\n".join(line for line in articles.splitlines() if not line.startswith("#"))


def _sentence(clause: str) -> bool:
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in clause)
    return len(clause) >= MIN_CLAUSE and cjk >= MIN_CLAUSE // 2 and not VOCABULARY.search(clause)


def committed_files(root: Path) -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the committed files cannot be listed")
    return [root / name for name in out.split("\0") if name]


def quoted(text: str, by_key: dict[str, list[str]]) -> list[str]:
    """The statute clauses that occur in ``text`` (a clause may sit inside a longer run)."""
    found = []
    for segment in BOUNDARY.split(text):
        for i in range(len(segment) - MIN_CLAUSE + 1):
            for clause in by_key.get(segment[i : i + KEY], ()):
                if segment.startswith(clause, i):
                    found.append(clause)
    return found


def test_the_finder_finds_a_clause_inside_a_longer_run() -> None:
    by_key = {"甲乙丙丁戊己庚辛": ["甲乙丙丁戊己庚辛壬癸子丑寅卯"]}
    found = quoted("注：前文甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳。", by_key)
    assert found == ["甲乙丙丁戊己庚辛壬癸子丑寅卯"]
    assert quoted("甲乙丙丁戊己庚辛壬癸子丑寅，卯", by_key) == []


def test_no_committed_file_quotes_a_statute_clause(shared: Path, root: Path) -> None:
    by_key: dict[str, list[str]] = defaultdict(list)
    for clause in statute_clauses(shared):
        by_key[clause[:KEY]].append(clause)
    assert len(by_key) > 500, "the statute texts were not read"
    hits = []
    for path in committed_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        hits += [f"{path.relative_to(root)}: {c}" for c in sorted(set(quoted(text, by_key)))]
    summarise = "statute text committed (summarise it in the project's words):\n"
    assert not hits, summarise + "\n".join(hits)
