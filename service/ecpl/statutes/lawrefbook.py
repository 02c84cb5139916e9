"""The LawRefBook Markdown layout (github.com/LawRefBook/Laws), parsed into articles.

A file is: ``# title`` (the Civil Code adds ``# {编}``), header lines with the adoption and
amendment history, ``<!-- INFO END -->``, then the body: ``##``/``###`` headings for chapters
and sections, ``第X条 …`` opening each article, one paragraph (款) per line with blank lines in
between. Items （一）（二）… sit on lines of their own but belong to the paragraph before them;
they are joined to it with "\\n", as in provisions.yaml. Text before the first article (a
judicial interpretation's document number and preamble) is not part of any article.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ecpl.errors import InputError
from ecpl.statutes.numerals import to_int

INFO_END = "<!-- INFO END -->"
_ARTICLE = re.compile(r"^第([〇零一二两三四五六七八九十百千]+)条(?:[\s\u3000]+(.*))?$")
_ITEM = re.compile(r"^（[〇零一二三四五六七八九十百]+）")
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日[\s\u3000]*(.*)$")
# provisions.yaml's normalisation: ASCII ':' ';' '(' ')' become the full-width forms of the
# official texts (LawRefBook has a few ASCII ones).
_FULL_WIDTH = str.maketrans({":": "：", ";": "；", "(": "（", ")": "）"})


def normalise(text: str) -> str:
    """Full-width punctuation and no stray outer whitespace, as in provisions.yaml."""
    return text.translate(_FULL_WIDTH).strip()


@dataclass
class Article:
    number: int
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Document:
    """One LawRefBook file: its headings, dated header lines and articles by number."""

    titles: list[str]
    header: list[tuple[dt.date, str]]
    articles: dict[int, Article]

    @property
    def title(self) -> str:
        return self.titles[0] if self.titles else ""


def parse(text: str, name: str = "<text>") -> Document:
    """Parse one file's text; InputError naming ``name`` if it is not in this layout."""
    head, marker, body = text.partition(INFO_END)
    if not marker:
        raise InputError(f"{name}: not a LawRefBook file (no '{INFO_END}' line)")
    titles = [line[2:].strip() for line in head.splitlines() if line.startswith("# ")]
    if not titles:
        raise InputError(f"{name}: not a LawRefBook file (no '# title' line before the header)")
    header: list[tuple[dt.date, str]] = []
    for line in head.splitlines():
        match = _DATE.match(line.strip())
        if match:
            year, month, day, what = match.groups()
            header.append((dt.date(int(year), int(month), int(day)), what.strip()))
    articles: dict[int, Article] = {}
    current: Article | None = None
    for raw in body.splitlines():
        line = normalise(raw)
        if not line or line.startswith("#") or line.startswith("<!--"):
            continue
        heading = _ARTICLE.match(line)
        if heading:
            number = to_int(heading.group(1))
            if number in articles:
                raise InputError(f"{name}: article {number} appears twice")
            current = articles[number] = Article(number)
            if heading.group(2):
                current.paragraphs.append(heading.group(2).strip())
        elif current is None:
            continue  # preamble before the first article
        elif _ITEM.match(line) and current.paragraphs:
            current.paragraphs[-1] += "\n" + line
        else:
            current.paragraphs.append(line)
    return Document(titles, header, articles)


def read(path: Path) -> Document:
    """Parse a file; unreadable files are an InputError naming the path."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    return parse(text, str(path))
