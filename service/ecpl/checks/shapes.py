"""The SHACL shapes are well-formed SHACL, and their SPARQL (constraints, SHACL-AF rules) parses.

pyshacl only compiles a shape's SPARQL when a focus node reaches it, so a broken rule would
surface in the middle of a user's validation; parsing it here finds it first. The shapes graph
itself is validated against the W3C's SHACL-for-SHACL shapes (``pyshacl.meta_validate``).
"""

from __future__ import annotations

from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from ecpl.checks.problem import Problem, show

QUERY_PROPERTIES = (SH.select, SH.construct, SH.ask)


def named_owner(graph: Graph, node: Node) -> str:
    """The nearest IRI above a (blank) node, to say where in the shapes a problem sits."""
    seen: set[Node] = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        parent = next(iter(graph.subjects(None, node)), None)
        if parent is None:
            return "a blank node in shapes/"
        node = parent
    return show(node)


def prefix_block(graph: Graph, node: Node) -> str:
    """``PREFIX`` lines for the ``sh:prefixes`` declarations a SPARQL-based node points to."""
    lines = []
    for holder in graph.objects(node, SH.prefixes):
        for declaration in graph.objects(holder, SH.declare):
            prefix = graph.value(declaration, SH.prefix)
            namespace = graph.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(lines) + "\n" if lines else ""


def check_sparql(shapes: Graph) -> list[Problem]:
    problems = []
    for prop in QUERY_PROPERTIES:
        for node, text in sorted(shapes.subject_objects(prop)):
            if not isinstance(text, Literal):
                continue
            try:
                prepareQuery(prefix_block(shapes, node) + str(text))
            # pyparsing's ParseException and rdflib's own errors: each is a problem to report
            except Exception as exc:  # noqa: BLE001
                message = " ".join(str(exc).split())[:300]
                problems.append(
                    Problem(
                        "shapes",
                        named_owner(shapes, node),
                        f"SPARQL in {show(prop)} does not parse: {message}",
                    )
                )
    return problems


def check_meta_shacl(shapes: Graph) -> list[Problem]:
    from pyshacl import entrypoints  # heavy: imported only when the check runs

    conforms, report, _ = entrypoints.meta_validate(shapes, inference=None)
    if conforms:
        return []
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        where = named_owner(shapes, focus) if focus is not None else "shapes/"
        on = f" on {show(path)}" if isinstance(path, URIRef) else ""
        problems.append(Problem("shapes", where, f"not valid SHACL{on}: {message}"))
    return sorted(problems)


def check_shapes(shapes: Graph) -> list[Problem]:
    """``shapes`` is the union of shapes/."""
    if len(shapes) == 0:
        return []
    return check_meta_shacl(shapes) + check_sparql(shapes)
