"""The Record: typed, versioned models of everything aisec-nb persists in a notebook.

A notebook's ``metadata.aisec`` is a :class:`NotebookRecord`. Checks (model scans, data checks) are
:class:`CheckResult` objects keyed by their ``id``; a check looked at a :class:`Target` and produced
:class:`Finding` objects. All models are frozen and keep unknown fields (``extra="allow"``), so a
record written by a newer aisec-nb survives a round trip through an older one.

Example::

    >>> t = Target(kind="file", path="model.pkl", size=12, sha256="ab" * 32)
    >>> r = CheckResult(id="model:model.pkl", kind="model", target=t, verdict="pass",
    ...                 tool=ToolInfo(name="aisec-nb", version="0.1.0"),
    ...                 started_at=utc_now(), duration_s=0.01, recorded_at=utc_now())
    >>> r.verdict
    'pass'
"""

from __future__ import annotations

from .base import (
    SCHEMA_VERSION,
    SEVERITY_ORDER,
    VERDICT_ORDER,
    CheckResult,
    Finding,
    Location,
    Severity,
    Target,
    TargetKind,
    Timing,
    ToolInfo,
    Verdict,
    make_check,
    sort_findings,
    to_json,
    utc_now,
    worst_verdict,
)
from .checks import (
    KNOWN_CHECKS,
    AnyCheck,
    ColumnSchema,
    DataCheck,
    DataFinding,
    DataParameters,
    DataSummary,
    GuardCheck,
    GuardParameters,
    Histogram,
    LabelSummary,
    ModelCheck,
    ScannedFile,
    ScanParameters,
    ScanSummary,
    check_from_json,
)
from .notebook import (
    SCHEMA_FILE,
    MonitorSummary,
    NotebookRecord,
    record_json_schema,
    render_json_schema,
    shipped_json_schema,
)

__all__ = [
    "KNOWN_CHECKS", "SCHEMA_FILE", "SCHEMA_VERSION", "SEVERITY_ORDER", "VERDICT_ORDER",
    "AnyCheck", "CheckResult", "ColumnSchema", "DataCheck", "DataFinding", "DataParameters",
    "DataSummary", "Finding", "GuardCheck", "GuardParameters", "Histogram", "LabelSummary",
    "Location", "ModelCheck", "MonitorSummary", "NotebookRecord", "ScanParameters",
    "ScanSummary", "ScannedFile", "Severity", "Target", "TargetKind", "Timing", "ToolInfo",
    "Verdict", "check_from_json", "make_check", "record_json_schema", "render_json_schema",
    "shipped_json_schema", "sort_findings", "to_json", "utc_now", "worst_verdict",
]
