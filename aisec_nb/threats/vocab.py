"""The threat model's words: answers, responses, statuses (no pydantic: the form imports it).

    >>> STATUS_OF_RESPONSE["transfer"]
    'transferred'
"""

from __future__ import annotations

from typing import Literal

AnswerValue = Literal["yes", "partial", "no", "n/a"]
ANSWERS: tuple[AnswerValue, ...] = ("yes", "partial", "no", "n/a")
NEEDS_REASON = frozenset({"partial", "n/a"})
RESPONSES = ("mitigate", "transfer", "avoid", "accept")
STATUS_OF_RESPONSE = {"mitigate": "mitigated", "transfer": "transferred", "avoid": "avoided",
                      "accept": "accepted"}
"""A risk with an owner and a response has the response's status; without both it is open."""
FORMAT = "aisec-nb.threats/1"
"""``format`` of a threat model written by ``%aisec threats`` (the lint rules judge those)."""
