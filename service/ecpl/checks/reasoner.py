"""OWL 2 DL consistency under HermiT (via owlready2): no contradiction, no unsatisfiable class.

What the reasoner sees: ontology/ plus all of data/. The provisions in data/laws, the doctrinal
positions and the case graphs (examples included) are individuals of the ontology's classes,
so a wrong type or a disjointness clash there is a modelling error too; the negative example
cases are meant to miss a SHACL requirement, not to contradict an OWL axiom. shapes/ is SHACL,
not OWL, and is left out.

HermiT runs in Java; without ``java`` on PATH the check reports that instead of failing.

Datatypes: the ontology itself must use only the OWL 2 datatype map, so that HermiT with its
defaults (Protégé, owlready2's ``sync_reasoner()``) accepts it — checked without Java by
:func:`datatype_map_problems`. Dates are xsd:date, which the map lacks: the ontology states them
as ``schema:rangeIncludes xsd:date`` (an annotation), :func:`date_value_problems` holds every
value in the data to it, and the reasoner run over the data ignores those literals.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
import tempfile
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ecpl.checks.problem import Problem, show
from ecpl.checks.project import Project

NO_JAVA = (
    "HermiT needs Java (java not found on PATH); install a Java runtime "
    "(e.g. apt-get install default-jre-headless) or run with --no-reasoner"
)


SCHEMA = Namespace("https://schema.org/")
# The OWL 2 datatype map (OWL 2 Structural Specification §4, https://www.w3.org/TR/owl2-syntax/
# #Datatype_Maps), plus rdfs:Literal. xsd:date, xsd:time, xsd:gYear … are not in it.
_XSD_IN_MAP = (
    "decimal",
    "integer",
    "nonNegativeInteger",
    "nonPositiveInteger",
    "positiveInteger",
    "negativeInteger",
    "long",
    "int",
    "short",
    "byte",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
    "double",
    "float",
    "string",
    "normalizedString",
    "token",
    "language",
    "Name",
    "NCName",
    "NMTOKEN",
    "boolean",
    "hexBinary",
    "base64Binary",
    "anyURI",
    "dateTime",
    "dateTimeStamp",
)
OWL2_DATATYPES = frozenset(
    {
        RDF.PlainLiteral,
        RDF.XMLLiteral,
        RDFS.Literal,
        OWL.real,
        OWL.rational,
        *(XSD[name] for name in _XSD_IN_MAP),
    }
)
# Where a datatype IRI stands in a logical axiom (RDF mapping of OWL 2, tables 4-16).
_DATATYPE_POSITIONS = (
    RDFS.range,
    OWL.onDatatype,
    OWL.someValuesFrom,
    OWL.allValuesFrom,
    OWL.onDataRange,
    OWL.datatypeComplementOf,
)


def datatype_map_problems(ontology: Graph) -> list[Problem]:
    """Datatypes outside the OWL 2 datatype map in the ontology's logical axioms.

    Looks at data ranges (ranges, restrictions, datatype definitions) and at the literals of
    data-property assertions; annotation values may carry any datatype.
    """
    annotation_properties = set(ontology.subjects(RDF.type, OWL.AnnotationProperty))
    found: set[tuple[str, str]] = set()
    for position in _DATATYPE_POSITIONS:
        for subject, datatype in ontology.subject_objects(position):
            if _is_foreign_datatype(datatype):
                where = f"{_qname(ontology, position)} {_qname(ontology, datatype)}"
                found.add((show(subject), where))
    for subject, predicate, value in ontology:
        if (
            isinstance(value, Literal)
            and value.datatype is not None
            and predicate not in annotation_properties
            and (predicate, RDF.type, OWL.DatatypeProperty) in ontology
            and _is_foreign_datatype(value.datatype)
        ):
            found.add((show(subject), f"{show(predicate)} {value.n3(ontology.namespace_manager)}"))
    return [
        Problem(
            "datatypes",
            subject,
            f"{where}: outside the OWL 2 datatype map, so not OWL 2 DL and refused by HermiT "
            "with its default settings (use a datatype of the map, or state it as an annotation)",
        )
        for subject, where in sorted(found)
    ]


def _qname(graph: Graph, node: Node) -> str:
    return graph.namespace_manager.normalizeUri(node) if isinstance(node, URIRef) else str(node)


def _is_foreign_datatype(node: object) -> bool:
    """An XML Schema datatype the OWL 2 map lacks (xsd:date, xsd:gYear, xsd:duration …)."""
    return isinstance(node, URIRef) and node.startswith(str(XSD)) and node not in OWL2_DATATYPES


def date_value_problems(graph: Graph) -> list[Problem]:
    """Every value of a property stated ``schema:rangeIncludes xsd:date`` is a valid xsd:date."""
    problems = []
    for prop in sorted(
        p for p in graph.subjects(SCHEMA.rangeIncludes, XSD.date) if isinstance(p, URIRef)
    ):
        for subject, value in sorted(graph.subject_objects(prop), key=str):
            ok = (
                isinstance(value, Literal)
                and value.datatype == XSD.date
                and value.ill_typed is not True
            )
            if not ok:
                problems.append(
                    Problem(
                        "datatypes",
                        show(subject),
                        f"{show(prop)} {value.n3()} is not a valid xsd:date (YYYY-MM-DD)",
                    )
                )
    return problems


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
