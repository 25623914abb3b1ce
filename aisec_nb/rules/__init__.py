"""The rule catalogue of every check (scan, data, drift, lint) and the finding factory.

    >>> from aisec_nb.rules import rule
    >>> rule("AISEC-DATA-Q07").title
    'Duplicate rows'
"""

from __future__ import annotations

from .catalogue import AREAS, Rule, catalogue, guideline_subsections, rule, rules
from .findings import make_finding

__all__ = ["AREAS", "Rule", "catalogue", "guideline_subsections", "make_finding", "rule", "rules"]
