"""The rule catalogue of every check (scan, data, drift, lint) and the finding factory.

    >>> from aisec_nb.rules import rule
    >>> rule("AISEC-DATA-Q07").title
    'Duplicate rows'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes
from .catalogue import AREAS, Rule, by_code, find, guideline_subsections, load, rule, rules

if TYPE_CHECKING:
    from .findings import make_finding

# The factory makes Record findings (pydantic); served lazily so the catalogue stays cheap.
_LAZY = {"make_finding": "aisec_nb.rules.findings"}

__all__ = ["AREAS", "Rule", "by_code", "find", "guideline_subsections", "load",
           "make_finding", "rule", "rules"]

__getattr__ = lazy_attributes(__name__, _LAZY)
