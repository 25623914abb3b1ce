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

import datetime as _dt
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter

SCHEMA_VERSION = 1
"""Bumped when a persisted field changes meaning; readers refuse records from a newer major."""

Severity = Literal["info", "low", "medium", "high", "critical"]
Verdict = Literal["pass", "warn", "fail", "error"]
TargetKind = Literal["file", "directory", "dataframe", "notebook", "stream"]

SEVERITY_ORDER: dict[str, int] = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
VERDICT_ORDER: dict[str, int] = {"pass": 0, "warn": 1, "fail": 2, "error": 3}


def utc_now() -> _dt.datetime:
    """The current time in UTC, the only clock the record uses."""
    return _dt.datetime.now(_dt.timezone.utc)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


class Location(_Model):
    """Where inside the target a finding is: any subset of the fields below.

    ``member`` is an archive member or a file inside a folder, ``offset`` a byte or opcode offset,
    ``path`` a path inside a document (``config.layers[3].module``), ``column`` a DataFrame column.
    """

    member: str | None = None
    offset: int | None = None
    path: str | None = None
    column: str | None = None
    row: int | None = None

    def describe(self) -> str:
        """A short human form, e.g. ``data.pkl @ offset 120``."""
        parts = []
        if self.member is not None:
            parts.append(self.member)
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.path is not None:
            parts.append(self.path)
        if self.offset is not None:
            parts.append(f"@ offset {self.offset}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        return " ".join(parts)


class Finding(_Model):
    """One thing a check found: a rule code, how bad it is, and where.

    ``evidence`` is already redacted: it never holds a secret or a personal value in clear.
    """

    code: str = Field(description="Stable rule code, e.g. 'AISEC-PKL-001'.")
    severity: Severity
    message: str
    location: Location | None = None
    evidence: str | None = Field(default=None, description="Redacted evidence, never raw values.")


class Target(_Model):
    """What a check looked at, bound to its content so evidence can go stale."""

    kind: TargetKind
    path: str | None = Field(default=None, description="As given, relative to the notebook.")
    name: str | None = Field(default=None, description="A variable or display name.")
    size: int | None = None
    sha256: str | None = None
    shape: tuple[int, ...] | None = None
    content_hash: str | None = None


class ToolInfo(_Model):
    """The tool and version that produced a result."""

    name: str
    version: str


class CheckResult(_Model):
    """The outcome of one check: a verdict and the findings behind it.

    The kinds this version knows are typed: :class:`ModelCheck` (``kind="model"``),
    :class:`GuardCheck` (``"guard"``) and :class:`DataCheck` (``"data"``); a result of any other
    kind (from a newer aisec-nb) is read as a plain ``CheckResult`` and kept as it is.
    """

    id: str = Field(description="Stable id; a newer result with the same id replaces an older one.")
    kind: str = Field(description="'model', 'guard', 'data', ...")
    target: Target
    verdict: Verdict
    findings: tuple[Finding, ...] = ()
    tool: ToolInfo
    started_at: _dt.datetime
    duration_s: float = Field(ge=0)
    recorded_at: _dt.datetime = Field(
        description="When the result was recorded; the merge rule keeps the newest per id."
    )
    parameters: Any = Field(default_factory=dict)
    summary: Any = Field(default_factory=dict)


# --- model scans -----------------------------------------------------------------------------


class ScannedFile(_Model):
    """One file of a scanned folder."""

    name: str = Field(description="Path inside the folder, '/'-separated.")
    format: str
    verdict: Verdict
    size: int | None = None
    sha256: str | None = None


class ScanSummary(_Model):
    """What a model scan looked at: the format found and, for a folder, every file."""

    format: str | None = Field(default=None,
                               description="The format the content was identified as.")
    complete: bool | None = Field(default=None,
                                  description="False when any part could not be checked.")
    details: dict[str, Any] = Field(default_factory=dict,
                                    description="Format-specific facts (globals, members, ...).")
    bytes_parsed: int | None = None
    files: tuple[ScannedFile, ...] | None = None
    verdicts: dict[str, int] | None = Field(default=None,
                                            description="Files per verdict, for a folder.")
    root_digest: str | None = None
    digest_method: str | None = None
    signatures: tuple[dict[str, Any], ...] | None = None
    expected_sha256: str | None = None


class ScanParameters(_Model):
    """The policy and limits a model scan ran under."""

    policy: dict[str, Any] = Field(default_factory=dict)
    limits: dict[str, Any] | None = None


class ModelCheck(CheckResult):
    """A model file or folder scanned (``%aisec check model``, ``aisec-nb scan``)."""

    kind: Literal["model"] = "model"
    summary: ScanSummary = Field(default_factory=ScanSummary)
    parameters: ScanParameters = Field(default_factory=ScanParameters)


class GuardParameters(ScanParameters):
    """A guarded load: the policy, and the reason when a user allowed a file by hand."""

    reason: str | None = None


class GuardCheck(CheckResult):
    """A load the guard scanned first, refused, or let through by a recorded override."""

    kind: Literal["guard"] = "guard"
    summary: ScanSummary = Field(default_factory=ScanSummary)
    parameters: GuardParameters = Field(default_factory=GuardParameters)


# --- data checks -----------------------------------------------------------------------------


class DataFinding(Finding):
    """A finding of the DataFrame checks, with numbers to read instead of prose."""

    kind: str | None = Field(default=None, description="The rule's stable name.")
    count: int | None = None
    share: float | None = None
    threshold: float | None = None
    guideline: str | None = Field(default=None, description="The guideline subsection served.")
    pii_kind: str | None = Field(default=None, description="Kind of personal data or secret.")
    fence: tuple[float, float] | None = Field(default=None,
                                              description="Outlier fence: lower and upper bound.")
    columns: int | None = Field(default=None, description="Columns involved (leakage).")
    groups: int | None = Field(default=None, description="Groups of rows or values involved.")
    values: int | None = Field(default=None, description="Distinct values involved.")
    classes: tuple[str | int | float | bool, ...] | None = Field(
        default=None, description="Label classes involved.")
    markers: tuple[str, ...] | None = Field(default=None,
                                            description="Spellings of 'missing' found.")
    types: tuple[str, ...] | None = Field(default=None, description="Value types found mixed.")


class ColumnSchema(_Model):
    """One column of a checked DataFrame, as counts (no values)."""

    name: str
    dtype: str
    kind: str
    missing: int
    distinct: int


class Histogram(_Model):
    """A numeric column's distribution inside its outlier fence, and how many fell outside."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]
    below: int = 0
    above: int = 0


class LabelSummary(_Model):
    """The label column's classes (or bins) and their counts."""

    column: str
    classes: tuple[Any, ...] = ()
    counts: tuple[int, ...] = ()
    binned: bool = False


class DataSummary(_Model):
    """The shape of a checked DataFrame: rows, schema, personal data counts (never values)."""

    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)

    rows: int | None = None
    columns: int | None = None
    content_hash_unordered: str | None = None
    schema_: tuple[ColumnSchema, ...] = Field(default=(), alias="schema")
    kinds_found: tuple[str, ...] = ()
    histograms: dict[str, Histogram] = Field(default_factory=dict)
    pii: dict[str, dict[str, int]] = Field(default_factory=dict,
                                description="Column -> kind -> counts; no values.")
    pii_truncated: tuple[str, ...] | None = None
    findings_omitted: dict[str, int] | None = None
    label: LabelSummary | None = None
    test_shape: tuple[int, ...] | None = None
    reference_shape: tuple[int, ...] | None = None


class DataParameters(_Model):
    """How a DataFrame check was asked for."""

    label: str | None = None
    role: str | None = None
    with_test: bool = False
    with_reference: bool = False
    thresholds: dict[str, float] = Field(default_factory=dict)


class DataCheck(CheckResult):
    """A DataFrame checked (``%aisec check data``, ``aisec-nb check-data``)."""

    kind: Literal["data"] = "data"
    findings: tuple[DataFinding, ...] = ()
    summary: DataSummary = Field(default_factory=DataSummary)
    parameters: DataParameters = Field(default_factory=DataParameters)


KNOWN_CHECKS: dict[str, type[CheckResult]] = {
    "model": ModelCheck, "guard": GuardCheck, "data": DataCheck,
}


def _check_tag(value: Any) -> str:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return kind if kind in KNOWN_CHECKS else "other"


AnyCheck = Annotated[
    Annotated[ModelCheck, Tag("model")]
    | Annotated[GuardCheck, Tag("guard")]
    | Annotated[DataCheck, Tag("data")]
    | Annotated[CheckResult, Tag("other")],
    Discriminator(_check_tag),
]
"""A check result typed by its ``kind``; unknown kinds stay plain :class:`CheckResult`."""

_ANY_CHECK: TypeAdapter[CheckResult] = TypeAdapter(AnyCheck)


def check_from_json(data: Any) -> CheckResult:
    """A stored check result validated into its typed model (raises pydantic's error)."""
    return _ANY_CHECK.validate_python(data)


# --- monitors ----------------------------------------------------------------------------------


class MonitorSummary(_Model):
    """A drift monitor's latest state (``monitors[id]``): a one-off comparison (``kind="batch"``)
    or a streaming monitor (``"stream"``)."""

    recorded_at: _dt.datetime = Field(description="The merge rule keeps the newest per id.")
    verdict: Verdict | None = None
    kind: str | None = Field(default=None, description="'batch' or 'stream'.")
    id: str | None = None
    tool: ToolInfo | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    reference: dict[str, Any] = Field(default_factory=dict,
                                      description="Rows and digest of the reference profile.")
    drifted: tuple[str, ...] | None = None
    drift_share: float | None = None
    rows: Any = None
    columns: Any = None
    findings: tuple[Finding, ...] | None = None
    alerts: tuple[Finding, ...] | None = None
    batches: int | None = None


class NotebookRecord(_Model):
    """Everything aisec-nb keeps in ``metadata.aisec``.

    ``threat_model`` and ``model_card`` are filled by their own features; they are plain JSON
    objects here so that each feature owns its own model.
    """

    schema_version: int = SCHEMA_VERSION
    checks: dict[str, AnyCheck] = Field(default_factory=dict)
    threat_model: dict[str, Any] | None = None
    model_card: dict[str, Any] | None = None
    monitors: dict[str, MonitorSummary] = Field(default_factory=dict)


CheckT = TypeVar("CheckT", bound=CheckResult)


@dataclass(frozen=True)
class Timing:
    """When a check started, by the record's clock and by a monotonic one for its duration."""

    started_at: _dt.datetime
    clock: float

    @classmethod
    def start(cls) -> Timing:
        return cls(utc_now(), time.perf_counter())

    def elapsed(self) -> float:
        """Seconds since :meth:`start`, rounded to the microsecond."""
        return round(time.perf_counter() - self.clock, 6)


def make_check(
    model: type[CheckT],
    *,
    id: str,
    target: Target | Mapping[str, Any],
    verdict: Verdict,
    findings: Iterable[Finding],
    timing: Timing,
    parameters: Any,
    summary: Any,
    kind: str | None = None,
) -> CheckT:
    """The one way a check result is made: this tool's name and version, the duration since
    ``timing`` started, and ``recorded_at`` now (the merge key).

    >>> t = Timing.start()
    >>> r = make_check(CheckResult, kind="custom", id="x", target={"kind": "file"},
    ...                verdict="pass", findings=(), timing=t, parameters={}, summary={})
    >>> r.tool.name, r.recorded_at >= r.started_at
    ('aisec-nb', True)
    """
    from ._version import __version__

    typed_kind = model.model_fields["kind"].default
    return model(id=id, kind=kind if kind is not None else typed_kind, target=target,
                 verdict=verdict, findings=tuple(findings),
                 tool=ToolInfo(name="aisec-nb", version=__version__),
                 started_at=timing.started_at, duration_s=timing.elapsed(),
                 recorded_at=utc_now(), parameters=parameters, summary=summary)


def worst_verdict(verdicts: list[str]) -> Verdict:
    """The most severe verdict of several (``pass`` for none)."""
    best: Verdict = "pass"
    for v in verdicts:
        if VERDICT_ORDER[v] > VERDICT_ORDER[best]:
            best = v  # type: ignore[assignment]
    return best


def to_json(model: BaseModel) -> dict[str, Any]:
    """A model as plain JSON data, the form stored in notebooks (no ``None`` noise)."""
    data: dict[str, Any] = model.model_dump(mode="json", exclude_none=True, by_alias=True)
    return data


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`NotebookRecord`, as shipped in ``aisec_nb/schema``."""
    schema = NotebookRecord.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://aisec-nb.dev/schema/record.v{SCHEMA_VERSION}.json"
    return schema


SCHEMA_FILE = "record.schema.json"


def shipped_json_schema() -> dict[str, Any]:
    """The schema file shipped in the package (kept equal to :func:`record_json_schema`)."""
    text = resources.files("aisec_nb.schema").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def render_json_schema() -> str:
    """The schema file's exact text."""
    return json.dumps(record_json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # pragma: no cover - maintenance entry: python -m aisec_nb.record
    import pathlib

    out = pathlib.Path(__file__).with_name("schema") / SCHEMA_FILE
    out.write_text(render_json_schema(), encoding="utf-8")
    print(f"wrote {out}")
