"""Which card fields a project requires: ``[tool.aisec-nb.card]``.

By default the fields the field table marks ``R`` are required, and a ``C`` field is required
when its condition holds (a fine-tuned model needs its base model, an LLM system its prompts).
The guideline's own fields are among them. A project can relax fields or require more::

    [tool.aisec-nb.card]
    optional = ["security_contact"]      # no longer required
    required = ["download_location"]     # required as well

Example::

    >>> p = card_policy_from_table({"optional": ["retention_time"]})
    >>> "retention_time" in p.required_fields({}), "name" in p.required_fields({})
    (False, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from .fields import field_specs

KEYS = ("optional", "required")


@dataclass(frozen=True)
class CardPolicy:
    """The project's changes to the required fields."""

    optional: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()

    def required_fields(self, conditions: Mapping[str, bool]) -> tuple[str, ...]:
        """The required fields, in the card's order, when ``conditions`` (see
        :data:`~aisec_nb.cards.fields.CONDITIONS`) hold as given."""
        out = []
        for key, spec in field_specs().items():
            needed = spec.need == "R" or (spec.need == "C" and bool(conditions.get(
                spec.when or "")))
            if (needed and key not in self.optional) or key in self.required:
                out.append(key)
        return tuple(out)


DEFAULT_POLICY = CardPolicy()


def card_policy_from_table(table: Any, where: str = "[tool.aisec-nb.card]") -> CardPolicy:
    """:class:`CardPolicy` from a ``[tool.aisec-nb.card]`` table; raises :class:`UsageError`
    naming the key for an unknown key or field."""
    if table is None:
        return DEFAULT_POLICY
    if not isinstance(table, Mapping):
        raise UsageError(f"{where} must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r}; known: {', '.join(KEYS)}")
    sets = {}
    for key in KEYS:
        values = table.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise UsageError(f"{where}: {key} must be a list of field names")
        wrong = sorted(set(values) - set(field_specs()))
        if wrong:
            raise UsageError(f"{where}: {key}: unknown card field {wrong[0]!r}; the fields are "
                             f"{', '.join(field_specs())}")
        sets[key] = frozenset(values)
    both = sorted(sets["optional"] & sets["required"])
    if both:
        raise UsageError(f"{where}: {both[0]!r} is both optional and required")
    return CardPolicy(optional=sets["optional"], required=sets["required"])
