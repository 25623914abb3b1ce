"""What a dataset is for; poisoning matters more where users feed the data."""

from __future__ import annotations

ROLES = ("training", "fine-tuning", "evaluation", "feedback")
RAISED_ROLES = frozenset({"fine-tuning", "feedback"})
"""Roles whose data comes from outside the team, so poisoning findings are raised one level."""
