"""The threat model as the Record keeps it (``metadata.aisec.threat_model``).

Frozen, keeping unknown fields (``extra="allow"``) like every Record model, and lenient: every
field but ``recorded_at`` is optional, so a threat model written by hand or by a newer aisec-nb
still reads. What ``%aisec threats`` writes:

* ``bank``: which bank (name, version, digest, the layers over the built-in one) and
  ``atlas_version``;
* ``profile``: the system profile, one boolean per flag, and ``hidden``: the questions it hides,
  each with why;
* ``answers``: per question id, the answer (``yes``, ``partial``, ``no``, ``n/a``), its reason,
  when it was given and the evidence judged for it;
* ``risks``: the register: per risk its inherent and residual rating, how each answered control
  changed it, owner, response, controls, review date, status and any rating given by hand;
* ``coverage`` (answered / applicable per subsection) and ``summary``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from pydantic import Field, model_validator

from ..record.base import ToolInfo, _Model
from .vocab import AnswerValue


class Answer(_Model):
    """One answer; a bare string (``"no"``) reads as an answer without a reason."""

    value: AnswerValue | None = None
    reason: str = ""
    answered_at: _dt.datetime | None = None
    evidence: dict[str, Any] | None = Field(
        default=None, description="status (fresh, stale, failed, none, manual), kinds, checks, "
                                  "why: the evidence judged when the answer was recorded.")

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, value: Any) -> Any:
        return {"value": value} if isinstance(value, str) else value


class Rating(_Model):
    """A likelihood × impact rating (OWASP Risk Rating) and its severity."""

    likelihood: str | None = None
    impact: str | None = None
    severity: str | None = None
    owasp: str | None = None
    likelihood_source: str | None = None
    impact_source: str | None = None
    likelihood_score: float | None = None
    impact_score: float | None = None
    impact_basis: str | None = None
    notes: tuple[str, ...] = ()


class Reduction(_Model):
    """How one answered control changed a risk's residual likelihood."""

    question: str
    answer: str | None = None
    levels: int = 0
    evidence: str | None = None
    note: str = ""


class RiskOverride(_Model):
    """A rating given by hand: coarse levels and/or OWASP's 16 factors, with the reason."""

    likelihood: str | None = None
    impact: str | None = None
    factors: dict[str, float] = Field(default_factory=dict)
    reason: str = ""


class Risk(_Model):
    """One entry of the risk register."""

    id: str | None = None
    title: str | None = None
    description: str = ""
    category: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    custom: bool = False
    owner: str = ""
    response: str | None = Field(default=None,
                                 description="mitigate, transfer, avoid or accept.")
    controls: tuple[str, ...] = ()
    review_date: str | None = Field(default=None, description="ISO date of the next review.")
    status: str | None = None
    notes: str = ""
    override: RiskOverride | None = None
    inherent: Rating | None = None
    residual: Rating | None = None
    reductions: tuple[Reduction, ...] = ()


class Coverage(_Model):
    """Answered and applicable questions of one guideline subsection."""

    stage: str
    section: str | None = None
    subsection: str
    applicable: int = 0
    answered: int = 0


class Hidden(_Model):
    id: str
    why: str


class BankInfo(_Model):
    name: str | None = None
    version: str | None = None
    digest: str | None = None
    layers: tuple[str, ...] = ()
    questions: int | None = None


class ThreatModel(_Model):
    """``metadata.aisec.threat_model``."""

    recorded_at: _dt.datetime = Field(description="The merge rule keeps the newest.")
    format: str | None = None
    tool: ToolInfo | None = None
    bank: BankInfo | None = None
    atlas_version: str | None = None
    profile: dict[str, bool] = Field(default_factory=dict)
    answers: dict[str, Answer] = Field(default_factory=dict)
    risks: tuple[Risk, ...] = ()
    coverage: tuple[Coverage, ...] = ()
    hidden: tuple[Hidden, ...] = ()
    summary: dict[str, Any] = Field(default_factory=dict)
