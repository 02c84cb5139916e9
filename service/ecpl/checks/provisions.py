"""Every cited provision is a resource declared in data/ (data/laws/*.ttl).

A citation is the object of ``ecpl:legalBasis``, ``ecpl:definedIn``, ``ecpl:usedIn``,
``ecpl:recourseBasis`` or ``ecpl:aboutProvision``, or any ``…/law/…`` IRI used as an object.
Whether the provision exists in the statute itself is checked by tests/test_citations.py
against the reference texts.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from ecpl.checks.problem import Problem, show
from ecpl.checks.project import Project, instances
from ecpl.iri import ECPL, LAW

CITING_PROPERTIES = (
    ECPL.legalBasis,
    ECPL.definedIn,
    ECPL.usedIn,
    ECPL.recourseBasis,
    ECPL.aboutProvision,
)
PROVISION_LEVELS = (ECPL.Article, ECPL.Paragraph, ECPL.Item)
PROVISION_CLASSES = (
    ECPL.LegalInstrument,
    ECPL.Article,
    ECPL.Paragraph,
    ECPL.Item,
    ECPL.ProvisionVersion,
)


def cited(graph: Graph, only_citing: bool = False) -> dict[URIRef, set[URIRef]]:
    """Each cited resource with the subjects citing it (by a citing property only, if asked)."""
    citations: dict[URIRef, set[URIRef]] = {}
    for subject, predicate, obj in graph:
        if not isinstance(obj, URIRef):
            continue
        if predicate in CITING_PROPERTIES or (not only_citing and obj.startswith(str(LAW))):
            citations.setdefault(obj, set()).add(subject)  # type: ignore[arg-type]
    return citations


def _by(citing: set[URIRef]) -> str:
    names = sorted(show(s) for s in citing)
    return ", ".join(names[:3]) + (" …" if len(names) > 3 else "")


def check_provisions(project: Project) -> list[Problem]:
    """Citations anywhere in ontology/, shapes/, data/ must point at provisions typed in data/.

    The citing properties themselves must name a provision (article, paragraph or item), not a
    whole instrument or a numbering version: the design asks for paragraph-level bases.
    """
    everything = project.graph()
    data = project.graph("data")
    schema = project.graph("ontology") + data  # subclass axioms + the declarations
    declared = {p for p in instances(schema, PROVISION_CLASSES) if (p, None, None) in data}
    provisions = instances(schema, PROVISION_LEVELS)
    problems = []
    for target, citing in sorted(cited(everything).items()):
        if target not in declared:
            problems.append(
                Problem(
                    "provisions",
                    show(target),
                    "cited but not declared in data/ as an ecpl:Article, Paragraph, Item, "
                    f"LegalInstrument or ProvisionVersion (cited by {_by(citing)})",
                )
            )
    for target, citing in sorted(cited(everything, only_citing=True).items()):
        if target in declared and target not in provisions:
            problems.append(
                Problem(
                    "provisions",
                    show(target),
                    "cited as a legal basis but is not an article, paragraph or item "
                    f"(cited by {_by(citing)})",
                )
            )
    return problems
