"""What every parser gets and gives back: the scan context (policy, limits, depth, where the
model lives, and the router that scans nested content), the one parser signature, and the small
helpers parsers share to build findings and outcomes.

Every parser has the shape :data:`Parser`: ``(source, context, member) -> FormatScan``. A
container hands each member back to the router through :meth:`ScanContext.scan`, so no parser
imports the router, and the depth limit covers every kind of nesting. Findings take their
severity from the rule catalogue (:mod:`aisec_nb.rules`) unless a case grades otherwise.

Example::

    >>> f = finding("AISEC-ZIP-003", "duplicate member", member="a/data.pkl")
    >>> f.severity, f.location.member
    ('high', 'a/data.pkl')
    >>> finding("AISEC-DIR-001", "symbolic link to 'x'", severity="medium").severity
    'medium'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..record import Finding, Location, Severity
from ..rules.findings import make_finding
from .limits import DEFAULT_LIMITS, FormatScan, Limits
from .policy import Policy
from .source import ByteSource

Parser = Callable[[ByteSource, "ScanContext", "str | None"], FormatScan]
"""The one parser signature: ``(source, context, member) -> FormatScan``.

The parser reads ``source`` from its position; ``member`` names it inside its container (None for
a file on disk) and goes into every finding's location."""


@dataclass(frozen=True)
class ScanContext:
    """The fixed inputs of one scan, passed down through containers."""

    policy: Policy
    limits: Limits = DEFAULT_LIMITS
    depth: int = 0
    folder: Path | None = None
    """The folder the scanned file lives in (ONNX external data is resolved against it)."""
    file: Path | None = None
    """The file on disk being scanned, when there is one (links are checked on disk)."""
    rescan: Parser | None = None
    """How nested content is scanned by its format: the router's ``scan_stream``, which sets
    itself here when a scan enters it. Archives and the pickle VM call it through
    :meth:`scan`."""

    def deeper(self) -> ScanContext:
        """The context for a member of a container."""
        return replace(self, depth=self.depth + 1)

    def for_payload(self) -> ScanContext:
        """The context for bytes found inside a payload, one level deeper: they are in memory,
        so no folder or file on disk sits next to them."""
        return replace(self, depth=self.depth + 1, folder=None, file=None)

    def scan(self, source: ByteSource, member: str | None) -> FormatScan:
        """``source`` scanned by its content with this context, through the router."""
        if self.rescan is None:
            # A context built without the router (a parser called on its own): fail closed.
            return FormatScan("unknown", (finding("AISEC-SCAN-007", "internal parser error "
                                                  "(nested content cannot be scanned: no "
                                                  "router)", member=member),), complete=False)
        return self.rescan(source, self, member)


def finding(
    code: str,
    message: str,
    *,
    severity: Severity | None = None,
    member: str | None = None,
    offset: int | None = None,
    path: str | None = None,
    evidence: str | None = None,
) -> Finding:
    """A finding of the catalogued rule ``code``, located by whichever parts are given.

    Its severity is the rule's default unless ``severity`` grades this case otherwise.
    """
    location = None
    if member is not None or offset is not None or path is not None:
        location = Location(member=member, offset=offset, path=path)
    return make_finding(code, message, severity=severity, location=location, evidence=evidence)


def broken(fmt: str, code: str, message: str, *, member: str | None = None,
           offset: int | None = None, details: dict[str, Any] | None = None) -> FormatScan:
    """An outcome for a file that could not be parsed: never clean."""
    return FormatScan(
        format=fmt,
        findings=(finding(code, message, member=member, offset=offset),),
        complete=False,
        details=details or {},
    )


def with_member(scan: FormatScan, member: str) -> FormatScan:
    """``scan`` with ``member`` prefixed to each finding's location (for nested containers)."""
    out = []
    for f in scan.findings:
        loc = f.location or Location()
        inner = loc.member
        joined = member if inner is None or inner == member else f"{member}/{inner}"
        out.append(f.model_copy(update={"location": loc.model_copy(update={"member": joined})}))
    return replace(scan, findings=tuple(out))


def truncate(text: str, limit: int = 200) -> str:
    """``text`` cut to ``limit`` characters for evidence (control characters escaped)."""
    clean = text.encode("unicode_escape", "backslashreplace").decode("ascii")
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"
