"""Verdicts fail closed: fail on a high or critical finding, error when anything was not checked,
warn below that, pass only for a complete scan with nothing above info."""

from __future__ import annotations

from aisec_nb.record import Finding
from aisec_nb.scan.verdict import NOT_CHECKED, verdict_of


def _f(code: str, severity: str) -> Finding:
    return Finding(code=code, severity=severity, message="m")  # type: ignore[arg-type]


def test_verdict_rules() -> None:
    assert verdict_of([], True) == "pass"
    assert verdict_of([_f("X", "info")], True) == "pass"
    assert verdict_of([_f("X", "info")], False) == "error"
    assert verdict_of([_f("X", "medium")], True) == "warn"
    assert verdict_of([_f("X", "high")], False) == "fail"
    assert verdict_of([_f("AISEC-SCAN-001", "high")], True) == "error"
    assert verdict_of([_f("AISEC-SCAN-001", "high"), _f("Y", "critical")], False) == "fail"


def test_every_not_checked_code_makes_an_error_whatever_its_grade() -> None:
    for code in NOT_CHECKED:
        assert verdict_of([_f(code, "critical")], True) == "error", code
