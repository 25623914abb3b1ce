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
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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
    """The outcome of one check: a verdict and the findings behind it."""

    id: str = Field(description="Stable id; a newer result with the same id replaces an older one.")
    kind: str = Field(description="'model', 'data', ...")
    target: Target
    verdict: Verdict
    findings: tuple[Finding, ...] = ()
    tool: ToolInfo
    started_at: _dt.datetime
    duration_s: float = Field(ge=0)
    recorded_at: _dt.datetime = Field(
        description="When the result was recorded; the merge rule keeps the newest per id."
    )
    parameters: dict[str, Any] = Field(default_factory=dict)
    summary: dict[str, Any] = Field(default_factory=dict)


class NotebookRecord(_Model):
    """Everything aisec-nb keeps in ``metadata.aisec``.

    ``threat_model``, ``model_card`` and ``monitors`` are filled by their own features; they are
    plain JSON objects here so that each feature owns its own model.
    """

    schema_version: int = SCHEMA_VERSION
    checks: dict[str, CheckResult] = Field(default_factory=dict)
    threat_model: dict[str, Any] | None = None
    model_card: dict[str, Any] | None = None
    monitors: dict[str, dict[str, Any]] = Field(default_factory=dict)


def worst_verdict(verdicts: list[str]) -> Verdict:
    """The most severe verdict of several (``pass`` for none)."""
    best: Verdict = "pass"
    for v in verdicts:
        if VERDICT_ORDER[v] > VERDICT_ORDER[best]:
            best = v  # type: ignore[assignment]
    return best


def to_json(model: BaseModel) -> dict[str, Any]:
    """A model as plain JSON data, the form stored in notebooks (no ``None`` noise)."""
    data: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
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
