"""What ``metadata.aisec`` holds: checks, monitors and the feature slots, and its JSON Schema."""

from __future__ import annotations

import datetime as _dt
import json
from importlib import resources
from typing import Any

from pydantic import Field

from ..cards.model import ModelCard
from .base import SCHEMA_VERSION, Finding, ToolInfo, Verdict, _Model
from .checks import AnyCheck

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

    ``threat_model`` and ``model_card`` are filled by their own features; each feature owns its
    model (the model card's is :class:`aisec_nb.cards.model.ModelCard`, which keeps unknown
    fields like every Record model; a card it cannot read stays plain JSON, as a check of an
    unknown kind stays a plain ``CheckResult``).
    """

    schema_version: int = SCHEMA_VERSION
    checks: dict[str, AnyCheck] = Field(default_factory=dict)
    threat_model: dict[str, Any] | None = None
    model_card: ModelCard | dict[str, Any] | None = Field(
        default=None, union_mode="left_to_right",
        description="The model card; one this version cannot read stays plain JSON.")
    monitors: dict[str, MonitorSummary] = Field(default_factory=dict)


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
