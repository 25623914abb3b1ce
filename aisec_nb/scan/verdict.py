"""The verdict a scan's findings earn, failing closed.

``fail`` when a high or critical finding says the model can run code or lies about its
structure; ``error`` when anything could not be checked; ``warn`` for lesser findings; ``pass``
only for a fully parsed file with nothing above ``info``.

Example::

    >>> from aisec_nb.rules import make_finding
    >>> verdict_of([make_finding("AISEC-SCAN-004", "empty file")], complete=True)
    'pass'
    >>> verdict_of([make_finding("AISEC-SCAN-001", "unrecognised format")], complete=False)
    'error'
"""

from __future__ import annotations

from collections.abc import Sequence

from ..record import SEVERITY_ORDER, Finding, Verdict

NOT_CHECKED = frozenset({
    "AISEC-SCAN-001", "AISEC-SCAN-002", "AISEC-SCAN-003", "AISEC-SCAN-005", "AISEC-SCAN-007",
    "AISEC-7Z-001", "AISEC-7Z-002", "AISEC-ZIP-007", "AISEC-H5-001", "AISEC-KER-004",
    "AISEC-PT-002", "AISEC-DIR-002", "AISEC-TPL-002",
})
"""Codes that mean part of the file was not checked: they make a scan an ``error``, not a
``fail``, unless something else fails it."""


def verdict_of(findings: Sequence[Finding], complete: bool) -> Verdict:
    """The verdict for a set of findings from a scan that did or did not finish."""
    if any(SEVERITY_ORDER[f.severity] >= 3 and f.code not in NOT_CHECKED for f in findings):
        return "fail"
    if not complete or any(f.code in NOT_CHECKED for f in findings):
        return "error"
    if any(SEVERITY_ORDER[f.severity] >= 1 for f in findings):
        return "warn"
    return "pass"
