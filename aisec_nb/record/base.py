"""The Record's building blocks: findings, targets, check results, and the one way a check
result is made (:func:`make_check`).
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from .._version import __version__

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


CheckT = TypeVar("CheckT", bound=CheckResult)
FindingT = TypeVar("FindingT", bound=Finding)


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
    """The one way a check result is made: findings worst first (:func:`sort_findings`), this
    tool's name and version, the duration since ``timing`` started, and ``recorded_at`` now (the
    merge key).

    >>> t = Timing.start()
    >>> r = make_check(CheckResult, kind="custom", id="x", target={"kind": "file"},
    ...                verdict="pass", findings=(), timing=t, parameters={}, summary={})
    >>> r.tool.name, r.recorded_at >= r.started_at
    ('aisec-nb', True)
    """
    typed_kind = model.model_fields["kind"].default
    return model(id=id, kind=kind if kind is not None else typed_kind, target=target,
                 verdict=verdict, findings=sort_findings(findings),
                 tool=ToolInfo(name="aisec-nb", version=__version__),
                 started_at=timing.started_at, duration_s=timing.elapsed(),
                 recorded_at=utc_now(), parameters=parameters, summary=summary)


def sort_findings(findings: Iterable[FindingT]) -> tuple[FindingT, ...]:
    """Worst first, then by code; findings of one code keep the order they were found in.

    >>> [f.code for f in sort_findings([Finding(code="B", severity="low", message=""),
    ...                                 Finding(code="A", severity="high", message=""),
    ...                                 Finding(code="A", severity="low", message="")])]
    ['A', 'A', 'B']
    """
    return tuple(sorted(findings, key=lambda f: (-SEVERITY_ORDER[f.severity], f.code)))


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
