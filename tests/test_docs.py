"""The docs match the repository: relative links resolve, generated counts are current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, SKOS, Graph, URIRef

from ecpl.iri import ECPL

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
# A repository path named in code spans: `docs/operations.md`, `bench/load_test.py`
# (patterns with placeholders such as {law} or * are not paths and are skipped).
CODE_PATH = re.compile(
    r"`((?:docs|service|tests|bench|scripts|ontology|shapes|data)/[^`\s{}*…|<>]*)`"
)

# The unmapped-terms lists of docs/mappings.md, by heading and OWL type.
CATEGORIES = {
    "Classes": OWL.Class,
    "Object properties": OWL.ObjectProperty,
    "Datatype properties": OWL.DatatypeProperty,
    "Annotation properties": OWL.AnnotationProperty,
    "Named individuals": OWL.NamedIndividual,
}
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)


def relative_links(doc: Path) -> list[str]:
    """Link targets in ``doc`` that are paths in the repository (no scheme, no bare anchor)."""
    targets = [m.group(1) for m in LINK.finditer(doc.read_text(encoding="utf-8"))]
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:|^#", t)]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc: Path) -> None:
    missing = [
        t for t in relative_links(doc) if not (doc.parent / t.split("#")[0]).resolve().exists()
    ]
    assert missing == []


def code_paths(doc: Path) -> list[str]:
    return CODE_PATH.findall(doc.read_text(encoding="utf-8"))


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_repository_paths_named_in_the_docs_exist(doc: Path) -> None:
    """Files and folders the docs name in code spans are in the repository."""
    generated = ("service/ecpl/web/static/vendor",)  # fetched by `make setup`, not committed
    missing = [
        path
        for path in code_paths(doc)
        if not (ROOT / path.split("#")[0].split(":")[0]).exists() and not path.startswith(generated)
    ]
    assert missing == []


def unmapped(ontology: Graph, kind: URIRef) -> set[str]:
    """Local names of ecpl terms of ``kind`` with no SKOS mapping either way."""
    found = set()
    for term in ontology.subjects(RDF.type, kind):
        if not isinstance(term, URIRef) or not term.startswith(str(ECPL)):
            continue
        linked = any((term, p, None) in ontology or (None, p, term) in ontology for p in MAPPINGS)
        if not linked:
            found.add(term[len(str(ECPL)) :])
    return found


def test_mappings_doc_lists_the_unmapped_terms(root: Path) -> None:
    """docs/mappings.md's lists and counts equal what the ontology holds now."""
    ontology = Graph()
    for path in sorted((root / "ontology").glob("*.ttl")):
        ontology.parse(path)
    text = (root / "docs" / "mappings.md").read_text(encoding="utf-8")
    for heading, kind in CATEGORIES.items():
        match = re.search(rf"^- \*\*{heading}\*\* \((\d+)\): (.*)$", text, re.MULTILINE)
        assert match, heading
        listed = [name.strip().strip("`") for name in match.group(2).split(",")]
        assert int(match.group(1)) == len(listed), heading
        assert set(listed) == unmapped(ontology, kind), heading
