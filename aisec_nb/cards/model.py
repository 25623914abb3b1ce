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

from pydantic import BaseModel, ConfigDict, Field

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
