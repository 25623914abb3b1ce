"""The kinds of check this version knows, typed: model scans, guarded loads, data checks.

A stored result is validated into its kind by :func:`check_from_json`; a kind this version does
not know stays a plain :class:`~aisec_nb.record.base.CheckResult`, kept as it is.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Field, Tag, TypeAdapter

from .base import CheckResult, Finding, Verdict, _Model

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
    excluded: tuple[str, ...] | None = Field(
        default=None, description="What a folder scan left out of its target, neither scanned "
        "nor in the root digest: hidden folders ('.ipynb_checkpoints/') and notebooks.")
    non_model_files: dict[str, int] | None = Field(
        default=None, description="Files of a folder in no model format (pictures, PDFs), by "
        "format: hashed only, summed up in one finding.")
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
