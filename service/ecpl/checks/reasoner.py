"""OWL 2 DL consistency under HermiT (via owlready2): no contradiction, no unsatisfiable class.

What the reasoner sees: ontology/ plus all of data/. The provisions in data/laws, the doctrinal
positions and the case graphs (examples included) are individuals of the ontology's classes,
so a wrong type or a disjointness clash there is a modelling error too; the negative example
cases are meant to miss a SHACL requirement, not to contradict an OWL axiom. shapes/ is SHACL,
not OWL, and is left out.

HermiT runs in Java; without ``java`` on PATH the check reports that instead of failing.
xsd:date values (in-force dates) are outside HermiT's datatype map and are ignored by it.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
import tempfile
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection

from ecpl.checks.problem import Problem, show
from ecpl.checks.project import Project

NO_JAVA = (
    "HermiT needs Java (java not found on PATH); install a Java runtime "
    "(e.g. apt-get install default-jre-headless) or run with --no-reasoner"
)


def reasoner_graph(project: Project) -> Graph:
    """The triples HermiT is given (see the module docstring for the choice)."""
    return project.graph("ontology", "data")


def _superclasses(graph: Graph, cls: URIRef) -> set[URIRef]:
    return {c for c in graph.transitive_objects(cls, RDFS.subClassOf) if isinstance(c, URIRef)}


def disjointness_clashes(graph: Graph) -> list[str]:
    """The commonest cause of an inconsistency, found without a reasoner, to point at the culprit.

    An individual whose asserted types have superclasses declared disjoint (owl:disjointWith or
    owl:AllDisjointClasses); HermiT finds every other cause but cannot say which axioms clash.
    """
    pairs: set[frozenset[URIRef]] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            pairs.add(frozenset((a, b)))
    for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        head = graph.value(group, OWL.members)
        if head is None:
            continue
        members = [m for m in Collection(graph, head) if isinstance(m, URIRef)]
        pairs.update(frozenset((a, b)) for a in members for b in members if a != b)
    found = []
    for individual in sorted({s for s in graph.subjects(RDF.type) if isinstance(s, URIRef)}):
        closure: set[URIRef] = set()
        for cls in graph.objects(individual, RDF.type):
            if isinstance(cls, URIRef):
                closure |= _superclasses(graph, cls)
        for pair in sorted(pairs, key=sorted):
            if pair <= closure:
                a, b = sorted(pair)
                found.append(
                    f"{show(individual)} is both {show(a)} and {show(b)}, declared disjoint"
                )
    return found


def check_reasoner(project: Project, verbose: bool = False) -> list[Problem]:
    """Run HermiT once over :func:`reasoner_graph`; report inconsistency and empty classes."""
    import owlready2  # heavy: imported only when the check runs

    if shutil.which(owlready2.JAVA_EXE) is None:
        return [Problem("reasoner", "java", NO_JAVA)]
    graph = reasoner_graph(project)
    with tempfile.TemporaryDirectory(prefix="ecpl-check-") as tmp:
        path = Path(tmp) / "closure.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        sink = io.StringIO()
        out = sys.stderr if verbose else sink
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                world.get_ontology(path.as_uri()).load(format="ntriples")
                owlready2.sync_reasoner_hermit(
                    world,
                    infer_property_values=False,
                    debug=2 if verbose else 0,
                    ignore_unsupported_datatypes=True,
                )
            unsatisfiable = sorted(
                URIRef(c.iri) for c in world.inconsistent_classes() if c.iri != str(OWL.Nothing)
            )
        except owlready2.OwlReadyInconsistentOntologyError:
            clashes = disjointness_clashes(graph)
            hint = "; ".join(clashes[:5]) if clashes else "open it in Protégé for an explanation"
            return [
                Problem(
                    "reasoner",
                    "ontology/ + data/",
                    f"the ontology is inconsistent under HermiT ({hint})",
                )
            ]
        except owlready2.OwlReadyOntologyParsingError as exc:
            detail = " ".join(str(exc).split())[:500]
            return [Problem("reasoner", "ontology/ + data/", f"owlready2 cannot load: {detail}")]
        except owlready2.OwlReadyJavaError as exc:
            detail = " ".join(str(exc).split())[:500]
            return [Problem("reasoner", "ontology/ + data/", f"HermiT failed: {detail}")]
        finally:
            world.close()
    return [
        Problem(
            "reasoner",
            show(iri),
            "unsatisfiable class (equivalent to owl:Nothing under HermiT)",
        )
        for iri in unsatisfiable
    ]
