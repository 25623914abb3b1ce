"""The model card as the Record keeps it in ``metadata.aisec.model_card``.

Every field value knows where it came from (``source``): ``"user"`` for what a person typed or
passed in code, ``"check:<id>"`` for a value a recorded check proves (hashes, scan verdicts, row
counts, PII counts), ``"threat_model"`` for the threat model's risks and ``"environment"`` for
library versions read from the kernel. An evidence value a user replaced is kept in
``overrides`` with what it replaced, so the card says which facts were overruled by hand.

Like the rest of the Record, the models are frozen and keep unknown fields, and
``recorded_at`` is the merge key.

Example::

    >>> card = ModelCard(recorded_at="2026-01-01T00:00:00Z",
    ...                  fields={"name": CardValue(value="clf")})
    >>> card.value("name"), card.source("name"), card.value("version")
    ('clf', 'user', None)
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Not imported from the Record: the Record types its model_card slot with ModelCard, so this
# module stands alone (the values are the Record's, kept equal by a test).
Verdict = Literal["pass", "warn", "fail", "error"]

CARD_VERSION = 1
USER = "user"
THREAT_MODEL = "threat_model"
ENVIRONMENT = "environment"


def check_source(check_id: str) -> str:
    """The source of a value a recorded check proves.

    >>> check_source("model:m.pkl")
    'check:model:m.pkl'
    """
    return f"check:{check_id}"


def source_check(source: str | None) -> str | None:
    """The check id of a ``check:<id>`` source, else ``None``."""
    return source[6:] if isinstance(source, str) and source.startswith("check:") else None


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


class CardValue(_Model):
    """One field's value and its source. In a list of rows each row may carry its own
    ``source`` (evidence rows next to rows a user added)."""

    value: Any = None
    source: str = Field(default=USER, description="'user', 'check:<id>', 'threat_model' or "
                        "'environment'.")


class Override(_Model):
    """An evidence value a user replaced: what it was and where it came from."""

    at: _dt.datetime
    source: str
    replaced: Any = None


class ToolInfo(_Model):
    """The tool and version that made the card (the Record's ``ToolInfo``)."""

    name: str
    version: str


class EvidenceRef(_Model):
    """A recorded result the card's values come from, as it was when the card was made."""

    kind: str
    verdict: Verdict | None = None
    path: str | None = None
    name: str | None = None
    sha256: str | None = None
    content_hash: str | None = None
    recorded_at: _dt.datetime | None = None


class ModelCard(_Model):
    """A model card: the fields of ``cards/fields.toml`` with their sources, and what the card
    still lacks under the project's policy."""

    card_version: int = CARD_VERSION
    recorded_at: _dt.datetime = Field(description="The merge rule keeps the newest card.")
    name: str | None = Field(default=None, description="The model's name (fields.name).")
    fields: dict[str, CardValue] = Field(default_factory=dict)
    overrides: dict[str, Override] = Field(default_factory=dict)
    required: tuple[str, ...] = Field(default=(), description="The fields required under the "
                                      "policy the card was made with.")
    missing: tuple[str, ...] = Field(default=(), description="Required fields without a usable "
                                     "value (and rows lacking a needed column, as 'field[n].col').")
    problems: dict[str, str] = Field(default_factory=dict,
                                     description="Field -> why its value is not usable.")
    complete: bool = False
    verdict: Verdict | None = Field(default=None, description="The worst verdict of the checks "
                                    "the card relies on.")
    evidence: dict[str, EvidenceRef] = Field(default_factory=dict,
                                             description="Check id -> the check relied on.")
    review_due: _dt.date | None = Field(default=None, description="last_reviewed + "
                                        "review_frequency, when both are usable.")
    tool: ToolInfo | None = None

    @field_validator("fields", mode="after")
    @classmethod
    def _card_order(cls, value: dict[str, CardValue]) -> dict[str, CardValue]:
        return canonical_fields(value)

    @field_validator("overrides", "evidence", "problems", mode="after")
    @classmethod
    def _sorted(cls, value: dict[str, Any]) -> dict[str, Any]:
        return dict(sorted(value.items()))

    def value(self, key: str) -> Any:
        """The value of field ``key`` (``None`` when the card has none)."""
        found = self.fields.get(key)
        return found.value if found is not None else None

    def source(self, key: str) -> str | None:
        found = self.fields.get(key)
        return found.source if found is not None else None

    def user_values(self) -> dict[str, Any]:
        """The values a user gave (overrides included): what re-running the cell restores."""
        return {k: v.value for k, v in self.fields.items() if v.source == USER}


def _ordered(value: Any, columns: tuple[str, ...]) -> Any:
    if isinstance(value, dict):
        head = [c for c in columns if c in value]
        rest = sorted(k for k in value if k not in columns and k != "source")
        out = {k: value[k] for k in (*head, *rest)}
        if "source" in value:
            out["source"] = value["source"]
        return out
    if isinstance(value, list):
        return [_ordered(v, columns) for v in value]
    return value


def canonical_fields(fields: dict[str, CardValue]) -> dict[str, CardValue]:
    """Fields in the card's order, the columns of each row in the field's order (then other
    keys sorted, ``source`` last): a card read back from a notebook file, which stores JSON
    with sorted keys, is the same card and exports to the same bytes."""
    from .fields import field_specs

    specs = field_specs()
    keys = [k for k in specs if k in fields] + sorted(k for k in fields if k not in specs)
    out = {}
    for key in keys:
        item = fields[key]
        columns = specs[key].columns if key in specs else ()
        ordered = _ordered(item.value, columns) if columns else item.value
        out[key] = item if ordered == item.value and list(_keys(ordered)) == list(
            _keys(item.value)) else item.model_copy(update={"value": ordered})
    return out


def _keys(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value)
    if isinstance(value, list):
        return [tuple(v) if isinstance(v, dict) else None for v in value]
    return []
