"""Model cards that fill themselves from evidence (``%aisec card``, ``aisec-nb card``).

The card's fields are the merged field table of the model-card formats (``fields.toml``): the
Hugging Face card, Model Card Toolkit, Mitchell et al., Datasheets for Datasets, CycloneDX ML-BOM,
SPDX 3.0.1 AI and OpenSSF model signing, with the guideline's own fields ("Document your data,
models and prompts") required by default. Evidence fills what a check proves
(:func:`autofill`); :func:`build_card` assembles the card and says what is missing; the
exporters write a Hugging Face ``README.md``, a CycloneDX ML-BOM, SPDX 3.0.1 JSON-LD and HTML
(:func:`export_card`); :func:`card_hits` are the card's lint rules.

Example::

    >>> card = build_card(user={"name": "clf"})
    >>> card.complete, export_card(card, "hf").startswith("---\\n")
    (False, True)
"""

from __future__ import annotations

from .autofill import (
    SIGNATURE_KIND,
    AutoFill,
    autofill,
    environment_libraries,
    signature_check,
)
from .build import CardState, build_card, metrics_rows, review_due
from .export import FORMATS, export_card, suggested_name
from .fields import DATA_ROLES, GROUPS, FieldSpec, field_spec, field_specs
from .lint import CardHit, card_hits
from .model import CardValue, EvidenceRef, ModelCard, Override
from .policy import CardPolicy, card_policy_from_table

__all__ = [
    "DATA_ROLES", "FORMATS", "GROUPS", "SIGNATURE_KIND", "AutoFill", "CardHit", "CardPolicy",
    "CardState", "CardValue", "EvidenceRef", "FieldSpec", "ModelCard", "Override", "autofill",
    "build_card", "card_hits", "card_policy_from_table", "environment_libraries",
    "export_card", "field_spec", "field_specs", "metrics_rows", "review_due",
    "signature_check", "suggested_name",
]
