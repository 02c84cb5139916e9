"""Case-graph validation: duty shapes, liability findings, ``ecpl validate``.

``validate(graph)`` checks a case graph against shapes/structure.ttl and shapes/duties.ttl and
derives findings with the SHACL-AF rules of shapes/rules.ttl; see docs/case-graphs.md.
"""

from ecpl.validation.engine import validate
from ecpl.validation.report import Finding, Report, Result

__all__ = ["Finding", "Report", "Result", "validate"]
