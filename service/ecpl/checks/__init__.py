"""``ecpl check``: consistency and completeness checks over ontology/, shapes/ and data/.

Each check is a plain function from the loaded project to a list of :class:`Problem`, so the
CLI, the tests and CI share one definition of "clean". :func:`run_checks` runs them all.
"""

from __future__ import annotations

from ecpl.checks.problem import Problem
from ecpl.checks.runner import run_checks

__all__ = ["Problem", "run_checks"]
