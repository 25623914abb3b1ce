"""What every parser and fuzz test of the scanner shares: a scan context with the router, and
the one assertion that can catch a crash.

The scanner never raises on hostile bytes: a parser's exception becomes a finding. So a test that
only checks the type of the result cannot fail when a parser crashes. An internal error surfaces
in one of two ways:

* AISEC-SCAN-007 ("internal parser error (...)", "parser stopped: RecursionError"): the file
  scanner caught a parser's exception, or a parser met nested content without a router;
* AISEC-PKL-020 "malformed pickle: internal error <Type> while parsing": the pickle VM caught an
  exception that is not one of its own parse errors.

:func:`assert_scanned` fails on both, and on a scan that stopped without saying why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from aisec_nb.record import CheckResult, Finding
from aisec_nb.scan.context import ScanContext
from aisec_nb.scan.dispatch import scan_stream
from aisec_nb.scan.limits import DEFAULT_LIMITS, FormatScan, Limits
from aisec_nb.scan.policy import load_policy
from aisec_nb.scan.source import MemorySource

POLICY = load_policy()
INTERNAL = re.compile(r"\binternal (parser )?error\b|^parser stopped: ")

Scanned = TypeVar("Scanned", FormatScan, CheckResult)


def context(limits: Limits = DEFAULT_LIMITS, *, folder: Path | None = None) -> ScanContext:
    """A scan context as a real scan has one: the default policy and the router."""
    return ScanContext(POLICY, limits, folder=folder, rescan=scan_stream)


def source(data: bytes) -> MemorySource:
    """``data`` as a byte source with the protocol's methods and nothing more."""
    return MemorySource(data)


def internal_errors(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that report a crash of the scanner rather than a property of the file."""
    return [f for f in findings if f.code == "AISEC-SCAN-007" or INTERNAL.search(f.message)]


def assert_scanned(result: Scanned) -> Scanned:
    """``result`` was scanned completely or reported findings, and never hit an internal error.

    Works on a parser's :class:`FormatScan` and on a :class:`CheckResult` of ``scan_path``;
    returns ``result`` so a test can go on checking it.
    """
    assert isinstance(result, (FormatScan, CheckResult)), type(result)
    complete = result.complete if isinstance(result, FormatScan) else result.summary.complete
    crashes = internal_errors(result.findings)
    assert crashes == [], [(f.code, f.message) for f in crashes]
    assert complete or result.findings, "the scan stopped early without a finding saying why"
    return result
