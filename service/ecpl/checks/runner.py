"""All checks in one call, in the order a maintainer fixes things: syntax first."""

from __future__ import annotations

from pathlib import Path

from ecpl.checks import (
    bases,
    labels,
    legal,
    project,
    provisions,
    reasoner,
    shapes,
    syntax,
    terms,
)
from ecpl.checks.problem import Problem


def run_checks(root: Path, use_reasoner: bool = True, verbose: bool = False) -> list[Problem]:
    """Every problem found in the project folder ``root`` (holding ontology/, shapes/, data/)."""
    loaded, problems = project.load(root)
    problems += syntax.check_queries(root)
    everything = loaded.graph()
    problems += terms.check_declared_terms(loaded)
    problems += labels.check_labels(everything, loaded.graph("data"))
    problems += bases.check_legal_basis(loaded.graph("ontology", "data"))
    problems += provisions.check_provisions(loaded)
    problems += shapes.check_shapes(loaded.graph("shapes"))
    model = loaded.graph("ontology", "data")
    problems += legal.check_rule_derivations(model, loaded.graph("shapes"))
    problems += legal.check_holdings_in_force(loaded)
    problems += legal.check_readings_marked(model)
    problems += reasoner.datatype_map_problems(loaded.graph("ontology"))
    problems += reasoner.date_value_problems(loaded.graph("ontology", "data"))
    if use_reasoner:
        problems += reasoner.check_reasoner(loaded, verbose=verbose)
    return problems
