"""OWL 2 DL consistency under HermiT (via owlready2): no contradiction, no unsatisfiable class.

What the reasoner sees: every file in ontology/ plus data/ (the provisions of data/laws, the
doctrinal positions and the case graphs are individuals of the ontology's classes, so a wrong
type or a disjointness clash there is an ontology problem too), except the deliberately broken
example case graphs under data/cases/examples/, which SHACL validation is meant to reject.
shapes/ is SHACL, not OWL, and is left out.

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

from rdflib import OWL, Graph, URIRef

from ecpl.checks.problem import Problem, show
from ecpl.checks.project import REASONER_EXCLUDED, Project

NO_JAVA = (
    "HermiT needs Java (java not found on PATH); install a Java runtime "
    "(e.g. apt-get install default-jre-headless) or run with --no-reasoner"
)


def reasoner_graph(project: Project) -> Graph:
    """The triples HermiT is given (see the module docstring for the choice)."""
    return project.graph("ontology", "data", exclude=REASONER_EXCLUDED)


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
            return [
                Problem(
                    "reasoner",
                    "ontology/ + data/",
                    "the ontology is inconsistent under HermiT (an individual meets "
                    "contradictory axioms, e.g. typed with two disjoint classes); "
                    "run with --verbose or open it in Protégé to get an explanation",
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
