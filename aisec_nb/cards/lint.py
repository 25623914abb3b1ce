"""The card's lint rules: required fields missing, placeholder text, a review overdue, and a model
file whose hash in the card no longer matches the file. ``aisec-nb lint`` runs them on every
notebook that holds a card (:func:`aisec_nb.lint.evidence.card_rules`).

Example::

    >>> from .build import build_card
    >>> card = build_card(user={"name": "[More Information Needed]"})
    >>> sorted({h.code for h in card_hits(card, None)})
    ['AISEC-CARD-001', 'AISEC-CARD-002']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .build import review_due
from .fields import field_specs, is_placeholder
from .model import ModelCard

MISSING = "AISEC-CARD-001"
PLACEHOLDER = "AISEC-CARD-002"
OVERDUE = "AISEC-CARD-003"
STALE = "AISEC-CARD-004"


@dataclass(frozen=True)
class CardHit:
    """One finding of a card rule; ``field`` is the card field it is about."""

    code: str
    message: str
    field: str | None = None


def _typed(card: ModelCard | Mapping[str, Any]) -> ModelCard | None:
    if isinstance(card, ModelCard):
        return card
    try:
        return ModelCard.model_validate(card)
    except ValidationError:
        return None


def card_hits(card: ModelCard | Mapping[str, Any], base: Path | None, *,
              today: _dt.date | None = None) -> list[CardHit]:
    """The card rules' findings for ``card``; ``base`` is the notebook's folder, against which
    model files are re-hashed (``None``: not re-hashed)."""
    typed = _typed(card)
    if typed is None:
        return [CardHit(MISSING, "the model card cannot be read as a card of this aisec-nb "
                        "version; re-run the %aisec card cell")]
    hits: list[CardHit] = []
    if typed.missing:
        shown = ", ".join(typed.missing[:12]) + (" …" if len(typed.missing) > 12 else "")
        hits.append(CardHit(MISSING, f"the model card lacks {len(typed.missing)} required "
                            f"field(s): {shown}"))
    labels = field_specs()
    for key, value in typed.fields.items():
        if is_placeholder(value.value):
            label = labels[key].label if key in labels else key
            hits.append(CardHit(PLACEHOLDER, f"the model card's {label} ({key}) holds "
                                "placeholder text of the Hugging Face template", key))
    values = {k: v.value for k, v in typed.fields.items()}
    due = review_due(values)
    now = today or _dt.datetime.now(_dt.timezone.utc).date()
    if due is not None and due < now:
        hits.append(CardHit(OVERDUE, f"the model card's review was due on {due.isoformat()} "
                            f"(last reviewed {values.get('last_reviewed')}, every "
                            f"{values.get('review_frequency')})", "last_reviewed"))
    if base is not None:
        from ..lint.evidence import stale_message

        artifacts = values.get("artifacts")
        for row in artifacts if isinstance(artifacts, list) else []:
            if isinstance(row, Mapping):
                stale = stale_message(row, base)
                if stale is not None:
                    hits.append(CardHit(STALE, f"the model card's hash is stale: {stale}",
                                        "artifacts"))
    return hits
