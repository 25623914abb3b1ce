"""One entry for every export format of a card."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from ..errors import UsageError
from .model import ModelCard

FORMATS = ("hf", "cyclonedx", "spdx", "html")
SUFFIXES = MappingProxyType({"hf": "README.md", "cyclonedx": "cdx.json", "spdx": "spdx.json",
                             "html": "card.html"})


def export_card(card: ModelCard | dict[str, Any], fmt: str, *, spec: str | None = None) -> str:
    """``card`` as text in format ``fmt`` (one of :data:`FORMATS`); ``spec`` is the CycloneDX
    spec version (1.5, 1.6 or 1.7)."""
    typed = card if isinstance(card, ModelCard) else ModelCard.model_validate(card)
    writers: dict[str, Callable[[ModelCard], str]]
    if fmt == "cyclonedx":
        from .cyclonedx import DEFAULT_SPEC, export_cyclonedx

        return export_cyclonedx(typed, spec or DEFAULT_SPEC)
    from .hf import export_hf
    from .html import export_html
    from .spdx import export_spdx

    writers = {"hf": export_hf, "spdx": export_spdx, "html": export_html}
    if fmt not in writers:
        raise UsageError(f"unknown card format {fmt!r}; one of {', '.join(FORMATS)}")
    return writers[fmt](typed)


def suggested_name(card: ModelCard, fmt: str) -> str:
    """A file name for an export: ``<model>.README.md``, ``<model>.cdx.json``, ...

    >>> suggested_name(ModelCard(recorded_at="2026-01-01T00:00:00Z", name="my clf"), "hf")
    'my-clf.README.md'
    """
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", card.name or "model").strip("-.") or "model"
    return f"{stem}.{SUFFIXES[fmt]}"
