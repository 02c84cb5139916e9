"""IRI minting: the one place that knows how ecpl IRIs are spelled.

Laws and provisions follow ELI's pattern (stable; docs/ARCHITECTURE.md, "IRIs"):
``…/law/{law}/art/{n}/para/{m}``;
an amended numbering is a version resource ``…/law/{law}/art/{n}/version/{date}``.
Every source file is loaded into its own named graph ``…/graph/{folder}/{path}``.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from rdflib import Namespace, URIRef

BASE = "https://w3id.org/ecpl/"

ECPL = Namespace(BASE + "ontology#")
SHAPES = Namespace(BASE + "shapes#")
LAW = Namespace(BASE + "law/")
CASE = Namespace(BASE + "case/")
DOCTRINE = Namespace(BASE + "doctrine/")
SOURCE = Namespace(BASE + "source/")
GRAPH = Namespace(BASE + "graph/")

ONTOLOGY_IRI = URIRef(BASE + "ontology")
INFERRED_GRAPH = URIRef(BASE + "graph/inferred")
TEXT_GRAPH = URIRef(BASE + "graph/text")
META_GRAPH = URIRef(BASE + "graph/meta")  # bookkeeping of a remote store (source fingerprint)
CASE_GRAPH_PREFIX = BASE + "graph/case/"  # stored case graphs; findings in …/findings

# The instruments the project covers, by the lower-case key used in IRIs (names: ecpl.laws).
LAW_KEYS = ("ecl", "crpl", "csl", "cc", "rprdin", "pipl", "spc-online", "spc-tort")
SHORT_TO_KEY = {key.upper(): key for key in LAW_KEYS}

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _check_law(law: str) -> str:
    key = law.lower()
    if key not in LAW_KEYS:
        raise ValueError(f"unknown law {law!r}; expected one of {', '.join(LAW_KEYS)}")
    return key


def law(key: str) -> URIRef:
    """The law (ELI work level), e.g. ``law("ecl")``."""
    return LAW[_check_law(key)]


def article(key: str, number: int) -> URIRef:
    """An article by the number it has in the law's original text."""
    return URIRef(f"{law(key)}/art/{int(number)}")


def paragraph(key: str, number: int, para: int) -> URIRef:
    """A paragraph (款) of an article."""
    return URIRef(f"{article(key, number)}/para/{int(para)}")


def item(key: str, number: int, para: int, item_no: int) -> URIRef:
    """A numbered item (项) inside a paragraph."""
    return URIRef(f"{paragraph(key, number, para)}/item/{int(item_no)}")


def version(key: str, number: int, in_force: str) -> URIRef:
    """An article's version under an amendment's numbering, keyed by its in-force date."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", in_force):
        raise ValueError(f"in-force date must be YYYY-MM-DD, got {in_force!r}")
    return URIRef(f"{article(key, number)}/version/{in_force}")


def slug(text: str) -> str:
    """A lower-case, hyphenated slug; raises when nothing usable is left."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not cleaned or not _SLUG.match(cleaned):
        raise ValueError(f"cannot make a slug from {text!r}")
    return cleaned


def case(name: str) -> URIRef:
    return CASE[slug(name)]


def doctrine(name: str) -> URIRef:
    return DOCTRINE[slug(name)]


def source_graph(folder: str, relative: str | Path) -> URIRef:
    """Named graph of one source file: ``graph/{folder}/{path without suffix}``."""
    path = PurePosixPath(Path(relative).as_posix())
    stem = str(path.with_suffix(""))
    return GRAPH[f"{folder}/{stem}"]


def case_graph(case_iri: str) -> URIRef:
    """Named graph holding a stored case graph (Graph Store Protocol)."""
    return URIRef(CASE_GRAPH_PREFIX + slug(case_iri.rsplit("/", 1)[-1]))


def findings_graph(graph_iri: str) -> URIRef:
    """The graph paired with a stored case graph, holding its validation findings."""
    return URIRef(str(graph_iri) + "/findings")


def is_ecpl(iri: str) -> bool:
    return iri.startswith(BASE)


def local_path(iri: str) -> str:
    """Path of an ecpl IRI on the service (``https://w3id.org/ecpl/law/ecl`` -> ``/law/ecl``)."""
    if not is_ecpl(iri):
        raise ValueError(f"not an ecpl IRI: {iri}")
    return "/" + iri[len(BASE) :]


def from_local_path(path: str) -> URIRef:
    """The ecpl IRI a service path stands for (``/law/ecl`` -> ``https://w3id.org/ecpl/law/ecl``);
    the inverse of :func:`local_path`. Callers check that the path names a known family."""
    return URIRef(BASE + path.lstrip("/"))


# VoID (linkeddata/void.py): the dataset is described where the service runs (VoID §6.2's
# well-known location), so its IRI and those of its subsets hang off the service's root.
VOID_DATASET_PATH = "/.well-known/void#dataset"


def void_dataset(service_root: str) -> URIRef:
    """The VoID dataset of the service at ``service_root`` (``http://localhost:8000``)."""
    return URIRef(service_root.rstrip("/") + VOID_DATASET_PATH)


def void_subset(dataset: str, graph: str) -> URIRef:
    """The VoID subset of ``dataset`` for one named graph (``…#dataset-graph-law-ecl``)."""
    return URIRef(f"{dataset}-graph-{graph[len(BASE) :].replace('/', '-')}")


def void_linkset(dataset: str, vocabulary: str, predicate: str) -> URIRef:
    """The VoID linkset of ``dataset`` into a vocabulary (by its title) through ``predicate``."""
    name = vocabulary.lower().replace(" ", "-").replace("(", "").replace(")", "")
    return URIRef(f"{dataset}-links-{name}-{predicate.rsplit('#', 1)[-1]}")


SHAPES_DOCUMENT = URIRef(BASE + "shapes")  # the shapes as one documented resource (/shapes)
ONTOLOGY_GRAPHS = BASE + "graph/ontology/"  # prefix of the named graphs of ontology/*.ttl
SHAPES_GRAPHS = BASE + "graph/shapes/"  # prefix of the named graphs of shapes/*.ttl
