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
PROVISION_CLASSES = (
    ECPL.LegalInstrument,
    ECPL.Article,
    ECPL.Paragraph,
    ECPL.Item,
    ECPL.ProvisionVersion,
)


def cited(graph: Graph) -> dict[URIRef, set[URIRef]]:
    """Each cited resource with the subjects citing it."""
    citations: dict[URIRef, set[URIRef]] = {}
    for subject, predicate, obj in graph:
        if not isinstance(obj, URIRef):
            continue
        if predicate in CITING_PROPERTIES or obj.startswith(str(LAW)):
            citations.setdefault(obj, set()).add(subject)  # type: ignore[arg-type]
    return citations


def check_provisions(project: Project) -> list[Problem]:
    """Citations anywhere in ontology/, shapes/, data/ must point at provisions typed in data/."""
    everything = project.graph()
    data = project.graph("data")
    schema = project.graph("ontology") + data  # subclass axioms + the declarations
    declared = {p for p in instances(schema, PROVISION_CLASSES) if (p, None, None) in data}
    problems = []
    for target, citing in sorted(cited(everything).items()):
        if target in declared:
            continue
        by = ", ".join(sorted(show(s) for s in citing)[:3]) + (" …" if len(citing) > 3 else "")
        problems.append(
            Problem(
                "provisions",
                show(target),
                "cited but not declared in data/ as an ecpl:Article, Paragraph, Item, "
                f"LegalInstrument or ProvisionVersion (cited by {by})",
            )
        )
    return problems
