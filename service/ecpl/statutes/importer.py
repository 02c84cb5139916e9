"""Attach the official zh text of every cited paragraph and item, from LawRefBook files.

The project's Turtle holds only structure (data/laws); the wording is public law but not the
project's to redistribute, so it is read from an upstream copy at run time and written to
``config.statute_text_file()`` (outside git), loaded into the graph ``iri.TEXT_GRAPH``.
Which file holds which law is fixed below: the numbering in data/laws follows exactly these
texts (the CSL of 2016, the CRPL of 2013), so a newer file must not silently replace them.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from rdflib import RDF, Graph, Literal, URIRef

from ecpl import config, iri, sources
from ecpl.errors import InputError
from ecpl.iri import ECPL
from ecpl.statutes import lawrefbook
from ecpl.statutes.numerals import to_chinese


@dataclass(frozen=True)
class LawFile:
    """One LawRefBook file: its path in the LawRefBook tree and the headings it must carry."""

    path: str
    titles: tuple[str, ...]


_CC = "中华人民共和国民法典"
LAW_FILES: dict[str, tuple[LawFile, ...]] = {
    "ecl": (LawFile("民法商法/电子商务法(2018-08-31).md", ("中华人民共和国电子商务法",)),),
    "crpl": (
        LawFile("民法商法/消费者权益保护法(2013-10-25).md", ("中华人民共和国消费者权益保护法",)),
    ),
    "csl": (LawFile("行政法/网络安全法(2016-11-07).md", ("中华人民共和国网络安全法",)),),
    "cc": (
        LawFile("民法典/总则.md", (_CC, "总则")),
        LawFile("民法典/人格权编.md", (_CC, "人格权编")),
        LawFile("民法典/侵权责任编.md", (_CC, "侵权责任编")),
    ),
    "rprdin": (
        LawFile("行政法规/信息网络传播权保护条例(2013-01-30).md", ("信息网络传播权保护条例",)),
    ),
    "pipl": (LawFile("行政法/个人信息保护法(2021-08-20).md", ("中华人民共和国个人信息保护法",)),),
    "spc-online": (
        LawFile(
            "司法解释/最高人民法院关于审理网络消费纠纷案件适用法律若干问题的规定（一）(2022-03-01).md",
            ("最高人民法院关于审理网络消费纠纷案件适用法律若干问题的规定（一）",),
        ),
    ),
    "spc-tort": (
        LawFile(
            "司法解释/最高人民法院关于适用《民法典》侵权责任编的解释（一）(2024-09-25).md",
            ("最高人民法院关于适用《中华人民共和国民法典》侵权责任编的解释（一）",),
        ),
    ),
}


@dataclass(frozen=True)
class Target:
    """A paragraph or item of data/laws that should get text."""

    iri: URIRef
    law: str
    article: int
    paragraph: int
    item: int | None = None

    def cite(self) -> str:
        ref = f"{self.law.upper()} Art. {self.article}({self.paragraph})"
        return ref + (f" item {self.item}" if self.item else "")


@dataclass
class ImportResult:
    graph: Graph
    counts: dict[str, tuple[int, int]]  # law -> (paragraphs, items) attached
    problems: list[str] = field(default_factory=list)
    files: dict[str, list[Path]] = field(default_factory=dict)


def _int(graph: Graph, node: URIRef, what: str) -> int:
    value = graph.value(node, ECPL.number)
    if not isinstance(value, Literal) or not isinstance(value.toPython(), int):
        raise InputError(f"{node}: {what} without an integer ecpl:number in data/laws")
    return int(value.toPython())


def targets(graph: Graph) -> list[Target]:
    """Every paragraph and item in ``graph`` with its law key and numbers, via ecpl:partOf."""
    laws = {iri.law(key): key for key in iri.LAW_KEYS}
    found: list[Target] = []
    paragraphs = [p for p in graph.subjects(RDF.type, ECPL.Paragraph) if isinstance(p, URIRef)]
    for para in sorted(paragraphs):
        article = graph.value(para, ECPL.partOf)
        law = graph.value(article, ECPL.partOf) if isinstance(article, URIRef) else None
        if not isinstance(article, URIRef) or not isinstance(law, URIRef) or law not in laws:
            raise InputError(f"{para}: paragraph not linked to an article of a known law")
        key, art_no, para_no = (
            laws[law],
            _int(graph, article, "article"),
            _int(graph, para, "paragraph"),
        )
        found.append(Target(para, key, art_no, para_no))
        items = [i for i in graph.subjects(ECPL.partOf, para) if isinstance(i, URIRef)]
        for item in sorted(items):
            if (item, RDF.type, ECPL.Item) in graph:
                found.append(Target(item, key, art_no, para_no, _int(graph, item, "item")))
    return found


def law_structure(root: Path | None = None) -> Graph:
    """The data/laws/*.ttl files as one graph (the structure text is attached to)."""
    graph = Graph()
    for source in sources.iter_sources(root, ("data",)):
        if source.path.parent.name == "laws":
            graph.parse(source.path, format="turtle")
    return graph


def locate(directory: Path) -> dict[str, list[Path | None]]:
    """Where each law's files are under ``directory``: at their LawRefBook path or, failing
    that, anywhere below with the same folder and file name (a nested or partial checkout)."""
    by_name: dict[tuple[str, str], Path] = {}
    for path in sorted(directory.rglob("*.md")):
        by_name.setdefault((path.parent.name, path.name), path)
    located: dict[str, list[Path | None]] = {}
    for key, files in LAW_FILES.items():
        located[key] = []
        for law_file in files:
            rel = PurePosixPath(law_file.path)
            direct = directory / rel
            found = direct if direct.is_file() else by_name.get((rel.parent.name, rel.name))
            located[key].append(found)
    return located


def _text_for(target: Target, articles: dict[int, lawrefbook.Article]) -> str | None:
    article = articles.get(target.article)
    if article is None or len(article.paragraphs) < target.paragraph:
        return None
    text = article.paragraphs[target.paragraph - 1]
    if target.item is None:
        return text
    lines = text.split("\n")
    if target.item >= len(lines) or not lines[target.item].startswith(
        f"（{to_chinese(target.item)}）"
    ):
        return None
    return lines[target.item]


def collect(
    directory: Path,
    wanted: Iterable[Target],
    on_file: Callable[[str], None] | None = None,
) -> ImportResult:
    """Read the LawRefBook files under ``directory`` and build the text graph for ``wanted``.

    Problems (a missing law file, a cited paragraph the file lacks) are listed, not raised;
    the caller decides whether a partial import is acceptable. Raises InputError only when no
    law file at all is recognised (the folder is not a LawRefBook tree). ``on_file`` is told the
    name of each law file as it is reached (for progress).
    """
    located = locate(directory)
    if not any(path for paths in located.values() for path in paths):
        raise InputError(
            f"no LawRefBook law files recognised under {directory} "
            f"(expected e.g. {LAW_FILES['ecl'][0].path})"
        )
    result = ImportResult(Graph(), {})
    result.graph.bind("ecpl", ECPL)
    articles: dict[str, dict[int, lawrefbook.Article]] = {}
    for key, paths in located.items():
        articles[key] = {}
        for law_file, path in zip(LAW_FILES[key], paths, strict=True):
            if on_file is not None:
                on_file(str(law_file.path))
            if path is None:
                result.problems.append(f"{key.upper()}: file {law_file.path} not found")
                continue
            document = lawrefbook.read(path)
            if tuple(document.titles[: len(law_file.titles)]) != law_file.titles:
                result.problems.append(
                    f"{key.upper()}: {path} is titled {' / '.join(document.titles)!r}, "
                    f"expected {' / '.join(law_file.titles)!r}"
                )
                continue
            result.files.setdefault(key, []).append(path)
            articles[key].update(document.articles)
    missing_laws = {key for key, paths in located.items() if None in paths}
    for target in wanted:
        if target.law in missing_laws:
            continue  # already reported once for the whole law
        text = _text_for(target, articles[target.law])
        if text is None:
            where = ", ".join(str(p) for p in result.files.get(target.law, [])) or "its file"
            result.problems.append(f"{target.cite()}: not found in {where}")
            continue
        result.graph.add((target.iri, ECPL.text, Literal(text, lang="zh")))
        paras, items = result.counts.get(target.law, (0, 0))
        result.counts[target.law] = (
            (paras + 1, items) if target.item is None else (paras, items + 1)
        )
    return result


def write_atomically(graph: Graph, output: Path, directory: Path) -> None:
    """Write Turtle to a temporary file next to ``output`` and rename it into place, so the
    store never loads a half-written file."""
    header = (
        "# Statute text attached by `ecpl import-text` (generated; do not commit).\n"
        f"# Source: LawRefBook Markdown under {directory}; written {dt.date.today()}.\n"
        f"# Loaded into the named graph <{iri.TEXT_GRAPH}>.\n\n"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(header + graph.serialize(format="turtle"))
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the text is public law
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def import_text(
    directory: Path,
    output: Path | None = None,
    allow_missing: bool = False,
    root: Path | None = None,
    on_file: Callable[[str], None] | None = None,
) -> tuple[ImportResult, Path]:
    """Import text for every paragraph and item in data/laws; write it unless something is
    missing and ``allow_missing`` is false (then InputError lists every problem)."""
    if not directory.is_dir():
        raise InputError(f"{directory} is not a folder")
    result = collect(directory, targets(law_structure(root)), on_file)
    if result.problems and not allow_missing:
        listing = "\n  ".join(result.problems)
        raise InputError(f"statute text incomplete, nothing written:\n  {listing}")
    destination = output or config.statute_text_file()
    try:
        write_atomically(result.graph, destination, directory)
    except OSError as exc:
        raise InputError(f"cannot write {destination}: {exc.strerror or exc}") from None
    return result, destination
