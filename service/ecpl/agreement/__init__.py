"""Model vs court: how often the derived findings agree with what the courts held.

``compare_case`` validates a case graph with the court's holding removed and compares the
breaches and findings the model derives with the holding; ``compare_files`` does it for a corpus;
``markdown`` renders the table of docs/agreement.md. The rules and duties compared are read from
the graph (their ``ecpl:legalBasis`` and ``ecpl:breachOf``), never from a list in the code.
"""

from ecpl.agreement.compare import (
    AGREE,
    LESS,
    MORE,
    NOT_COMPARABLE,
    CaseAgreement,
    Item,
    Reference,
    compare_case,
    compare_files,
    load_reference,
    totals,
)
from ecpl.agreement.markdown import markdown

__all__ = [
    "AGREE",
    "LESS",
    "MORE",
    "NOT_COMPARABLE",
    "CaseAgreement",
    "Item",
    "Reference",
    "compare_case",
    "compare_files",
    "load_reference",
    "markdown",
    "totals",
]
