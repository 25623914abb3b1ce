"""The Record models and the JSON Schema shipped with the package."""

from __future__ import annotations

import datetime as dt

from aisec_nb.record import (
    CheckResult,
    Finding,
    Location,
    NotebookRecord,
    Target,
    ToolInfo,
    record_json_schema,
    render_json_schema,
    shipped_json_schema,
    to_json,
    worst_verdict,
)

AT = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _result(**extra: object) -> CheckResult:
    return CheckResult(
        id="model:m.pkl",
        kind="model",
        target=Target(kind="file", path="m.pkl", size=3, sha256="a" * 64),
        verdict="fail",
        findings=(
            Finding(
                code="AISEC-PKL-001",
                severity="critical",
                message="os.system is called",
                location=Location(member="data.pkl", offset=12),
            ),
        ),
        tool=ToolInfo(name="aisec-nb", version="0.1.0"),
        started_at=AT,
        duration_s=0.25,
        recorded_at=AT,
        **extra,
    )


def test_shipped_schema_file_is_up_to_date() -> None:
    # Regenerate with: python -m aisec_nb.record
    assert shipped_json_schema() == record_json_schema()
    assert render_json_schema().endswith("}\n")


def test_check_result_json_round_trip_is_exact() -> None:
    data = to_json(_result())
    assert data == {
        "id": "model:m.pkl",
        "kind": "model",
        "target": {"kind": "file", "path": "m.pkl", "size": 3, "sha256": "a" * 64},
        "verdict": "fail",
        "findings": [
            {
                "code": "AISEC-PKL-001",
                "severity": "critical",
                "message": "os.system is called",
                "location": {"member": "data.pkl", "offset": 12},
            }
        ],
        "tool": {"name": "aisec-nb", "version": "0.1.0"},
        "started_at": "2026-01-01T00:00:00Z",
        "duration_s": 0.25,
        "recorded_at": "2026-01-01T00:00:00Z",
        "parameters": {},
        "summary": {},
    }
    assert to_json(CheckResult.model_validate(data)) == data


def test_unknown_fields_survive_a_round_trip() -> None:
    data = to_json(_result(future={"x": [1]}))
    assert data["future"] == {"x": [1]}
    assert to_json(CheckResult.model_validate(data))["future"] == {"x": [1]}


def test_notebook_record_defaults_have_empty_slots() -> None:
    assert to_json(NotebookRecord()) == {"schema_version": 1, "checks": {}, "monitors": {}}


def test_worst_verdict_orders_pass_warn_fail_error() -> None:
    assert worst_verdict([]) == "pass"
    assert worst_verdict(["warn", "pass"]) == "warn"
    assert worst_verdict(["fail", "error", "warn"]) == "error"


def test_location_describe_reads_like_a_sentence() -> None:
    assert Location(member="data.pkl", offset=7).describe() == "data.pkl @ offset 7"
    assert Location(column="email").describe() == "column 'email'"
