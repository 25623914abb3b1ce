"""Model cards that fill themselves from evidence (``%aisec card``, ``aisec-nb card``).

The card's fields are the merged field table of the model-card formats (``fields.toml``): the
Hugging Face card, Model Card Toolkit, Mitchell et al., Datasheets for Datasets, CycloneDX ML-BOM,
SPDX 3.0.1 AI and OpenSSF model signing, with the guideline's own fields ("Document your data,
models and prompts") required by default. Evidence fills what a check proves
(:func:`autofill`); :func:`build_card` assembles the card and says what is missing; the
exporters write a Hugging Face ``README.md``, a CycloneDX ML-BOM, SPDX 3.0.1 JSON-LD and HTML
(:func:`export_card`); :func:`card_hits` are the card's lint rules.

Example::

    >>> from aisec_nb.cards import build_card, export_card
    >>> card = build_card(user={"name": "clf"})
    >>> card.complete, export_card(card, "hf").startswith("---\\n")
    (False, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from .build import CardState, build_card, metrics_rows, review_due
    from .evidence import (
        SIGNATURE_KIND,
        AutoFill,
        autofill,
        environment_libraries,
        signature_check,
    )
    from .export import FORMATS, export_card, suggested_name
    from .fields import DATA_ROLES, GROUPS, FieldSpec, field_spec, field_specs
    from .lint import CardHit, card_hits
    from .model import CardValue, EvidenceRef, ModelCard, Override
    from .policy import CardPolicy, card_policy_from_table

# Served lazily: the Record types the model card slot with .model, which must not pull in the
# rest of this package (it imports the Record).
_LAZY = {
    **dict.fromkeys(("SIGNATURE_KIND", "AutoFill", "autofill", "environment_libraries",
                     "signature_check"), "aisec_nb.cards.evidence"),
    **dict.fromkeys(("CardState", "build_card", "metrics_rows", "review_due"),
                    "aisec_nb.cards.build"),
    **dict.fromkeys(("FORMATS", "export_card", "suggested_name"), "aisec_nb.cards.export"),
    **dict.fromkeys(("DATA_ROLES", "GROUPS", "FieldSpec", "field_spec", "field_specs"),
                    "aisec_nb.cards.fields"),
    **dict.fromkeys(("CardHit", "card_hits"), "aisec_nb.cards.lint"),
    **dict.fromkeys(("CardValue", "EvidenceRef", "ModelCard", "Override"),
                    "aisec_nb.cards.model"),
    **dict.fromkeys(("CardPolicy", "card_policy_from_table"), "aisec_nb.cards.policy"),
}

__all__ = [
    "DATA_ROLES", "FORMATS", "GROUPS", "SIGNATURE_KIND", "AutoFill", "CardHit", "CardPolicy",
    "CardState", "CardValue", "EvidenceRef", "FieldSpec", "ModelCard", "Override", "autofill",
    "build_card", "card_hits", "card_policy_from_table", "environment_libraries",
    "export_card", "field_spec", "field_specs", "metrics_rows", "review_due",
    "signature_check", "suggested_name",
]

__getattr__ = lazy_attributes(__name__, _LAZY)
