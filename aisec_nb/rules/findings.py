"""The one way a finding is made: its severity comes from the rule catalogue.

Example::

    >>> f = make_finding("AISEC-DRIFT-002", "missing share changed", location=Location(column="a"))
    >>> f.severity, f.location.column
    ('low', 'a')
    >>> make_finding("AISEC-DRIFT-001", "numeric column drifted", severity="high").severity
    'high'
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

from ..record import Finding, Location, Severity
from .catalogue import rule

FindingT = TypeVar("FindingT", bound=Finding)


@overload
def make_finding(
    code: str,
    message: str,
    *,
    severity: Severity | None = None,
    location: Location | None = None,
    evidence: str | None = None,
    model: type[FindingT],
    **extra: Any,
) -> FindingT: ...


@overload
def make_finding(
    code: str,
    message: str,
    *,
    severity: Severity | None = None,
    location: Location | None = None,
    evidence: str | None = None,
    **extra: Any,
) -> Finding: ...


def make_finding(
    code: str,
    message: str,
    *,
    severity: Severity | None = None,
    location: Location | None = None,
    evidence: str | None = None,
    model: type[Finding] = Finding,
    **extra: Any,
) -> Finding:
    """A finding of the catalogued rule ``code``, as ``model`` (a typed kind of finding such as
    :class:`~aisec_nb.record.DataFinding`).

    ``severity`` overrides the rule's default where a check grades one case differently (a
    poisoning sign in fine-tuning data, a link that points outside an archive); ``extra`` are
    the Record fields a check adds (e.g. a data finding's ``count``).
    """
    known = rule(code)
    return model(code=known.code, severity=severity or known.severity, message=message,
                   location=location, evidence=evidence, **extra)
