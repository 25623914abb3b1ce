"""Card values as short text, shared by the exporters and the form."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from .fields import FieldSpec, is_empty, is_placeholder
from .model import ModelCard


def usable(card: ModelCard, key: str) -> Any:
    """The value of ``key`` unless it is empty or placeholder text (exports never carry
    the Hugging Face template's placeholders)."""
    value = card.value(key)
    if is_empty(value) or is_placeholder(value):
        return None
    return value


def rows(card: ModelCard, key: str, *, sources: bool = False) -> list[dict[str, Any]]:
    """The usable rows of a rows field, without their ``source`` unless ``sources``."""
    value = usable(card, key)
    if not isinstance(value, list):
        return []
    return [{k: v for k, v in r.items() if sources or k != "source"} for r in value
            if isinstance(r, Mapping) and not is_empty(r) and not is_placeholder(r)]


def items(card: ModelCard, key: str) -> list[str]:
    """The usable items of a list field."""
    value = usable(card, key)
    if not isinstance(value, list):
        return []
    return [str(v) for v in value if not is_empty(v) and not is_placeholder(v)]


def text(value: Any) -> str:
    """One value as a line of text: a row as ``col: value`` pairs, a list joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {text(v)}" for k, v in value.items()
                         if k != "source" and not is_empty(v))
    if isinstance(value, (list, tuple)):
        return "; ".join(text(v) for v in value if not is_empty(v))
    return str(value)


def describe(spec: FieldSpec, value: Any) -> str:
    """A field's value for a one-line summary."""
    if spec.type == "rows" and isinstance(value, list):
        return f"{len(value)} row(s)"
    return text(value)


def iso_utc(when: _dt.datetime) -> str:
    """A time in UTC to the second, ``2026-01-01T09:00:00Z`` (naive times are taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return when.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
