"""Risk scoring: the OWASP Risk Rating Methodology, seeded with ATLAS maturity.

Risk = likelihood × impact. Each is LOW, MEDIUM or HIGH, given directly (the coarse mode) or as
the mean of OWASP's factors scored 0-9 (the fine mode: 8 likelihood factors; 4 technical and 4
business impact factors, business preferred when all four are given). A mean below 3 is LOW,
below 6 MEDIUM, else HIGH. The severity matrix gives the overall severity, mapped to the Record's
severities (Note is ``info``):

=================  ======  ======  ========
impact \\ likelihood LOW     MEDIUM  HIGH
=================  ======  ======  ========
HIGH               medium  high    critical
MEDIUM             low     medium  high
LOW                info    low     medium
=================  ======  ======  ========

Without an input, a risk's likelihood is that of its most mature ATLAS technique (realized →
HIGH, demonstrated → MEDIUM, feasible → LOW), and its impact the bank's default.

    >>> severity("high", "high"), severity("low", "low"), severity("medium", "high")
    ('critical', 'info', 'high')
    >>> level(2.99), level(3.0), level(6.0)
    ('low', 'medium', 'high')
    >>> lower("high", 1), lower("low", 2)
    ('medium', 'low')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["low", "medium", "high"]
LEVELS: tuple[Level, ...] = ("low", "medium", "high")
OwaspSeverity = Literal["note", "low", "medium", "high", "critical"]
RecordSeverity = Literal["info", "low", "medium", "high", "critical"]

MATRIX: dict[tuple[Level, Level], OwaspSeverity] = {
    ("low", "low"): "note", ("medium", "low"): "low", ("high", "low"): "medium",
    ("low", "medium"): "low", ("medium", "medium"): "medium", ("high", "medium"): "high",
    ("low", "high"): "medium", ("medium", "high"): "high", ("high", "high"): "critical",
}
"""OWASP's severity matrix, keyed ``(likelihood, impact)``."""

TO_RECORD: dict[OwaspSeverity, RecordSeverity] = {
    "note": "info", "low": "low", "medium": "medium", "high": "high", "critical": "critical"}
"""OWASP's overall severities as the Record's finding severities."""

LIKELIHOOD_FACTORS = ("skill_level", "motive", "opportunity", "size", "ease_of_discovery",
                      "ease_of_exploit", "awareness", "intrusion_detection")
"""Threat agent (skill, motive, opportunity, size) and vulnerability (ease of discovery, ease of
exploit, awareness, intrusion detection) factors, each 0-9."""
TECHNICAL_IMPACT = ("loss_of_confidentiality", "loss_of_integrity", "loss_of_availability",
                    "loss_of_accountability")
BUSINESS_IMPACT = ("financial_damage", "reputation_damage", "non_compliance",
                   "privacy_violation")
FACTORS = (*LIKELIHOOD_FACTORS, *TECHNICAL_IMPACT, *BUSINESS_IMPACT)

MATURITY_LIKELIHOOD: dict[str, Level] = {"realized": "high", "demonstrated": "medium",
                                         "feasible": "low"}
"""An ATLAS technique's maturity as a default likelihood."""


def level(score: float) -> Level:
    """The level of a factor mean (0-9)."""
    if score < 3:
        return "low"
    return "medium" if score < 6 else "high"


def severity(likelihood: str, impact: str) -> RecordSeverity:
    """The matrix cell of ``(likelihood, impact)``, as a Record severity."""
    return TO_RECORD[MATRIX[(check_level(likelihood, "likelihood"),
                             check_level(impact, "impact"))]]


def owasp_severity(likelihood: str, impact: str) -> OwaspSeverity:
    """The matrix cell in OWASP's words (``note`` ... ``critical``)."""
    return MATRIX[(check_level(likelihood, "likelihood"), check_level(impact, "impact"))]


def check_level(value: Any, what: str) -> Level:
    text = str(value).strip().lower() if value is not None else ""
    if text not in LEVELS:
        from ..errors import UsageError

        raise UsageError(f"{what}: {value!r} is not one of low, medium, high")
    return text


def lower(value: Level, steps: int) -> Level:
    """``value`` lowered by ``steps`` levels, never below LOW."""
    return LEVELS[max(0, LEVELS.index(value) - max(0, steps))]


def raise_to(value: Level, floor: Level) -> Level:
    """``value``, at least ``floor``."""
    return value if LEVELS.index(value) >= LEVELS.index(floor) else floor


def _mean(factors: Mapping[str, Any], names: Iterable[str], what: str) -> float | None:
    from ..errors import UsageError

    values = []
    for name in names:
        if name not in factors or factors[name] is None:
            return None
        value = factors[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 9:
            raise UsageError(f"{what}: factor {name} must be a number from 0 to 9, "
                             f"found {value!r}")
        values.append(float(value))
    return sum(values) / len(values)


def check_factors(factors: Mapping[str, Any]) -> None:
    """Refuse unknown factor names (each known one is checked where it is used)."""
    unknown = sorted(set(factors) - set(FACTORS))
    if unknown:
        from ..errors import UsageError

        raise UsageError(f"factors: unknown factor {unknown[0]!r}; known: {', '.join(FACTORS)}")


def likelihood_score(factors: Mapping[str, Any]) -> float | None:
    """The mean of the 8 likelihood factors, or ``None`` unless all 8 are given."""
    check_factors(factors)
    return _mean(factors, LIKELIHOOD_FACTORS, "likelihood")


def impact_score(factors: Mapping[str, Any]) -> tuple[float, str] | None:
    """``(mean, "business" | "technical")``: the business factors when all four are given (as
    OWASP prefers), else the technical ones; ``None`` when neither set is complete."""
    check_factors(factors)
    business = _mean(factors, BUSINESS_IMPACT, "impact")
    if business is not None:
        return business, "business"
    technical = _mean(factors, TECHNICAL_IMPACT, "impact")
    return (technical, "technical") if technical is not None else None


def maturity_level(maturities: Iterable[str | None]) -> Level | None:
    """The likelihood of the most mature technique among ``maturities`` (``None``: none known).

    >>> maturity_level(["feasible", "demonstrated", None])
    'medium'
    """
    found = [MATURITY_LIKELIHOOD[m] for m in maturities if m in MATURITY_LIKELIHOOD]
    return max(found, key=LEVELS.index) if found else None


@dataclass(frozen=True)
class Rating:
    """A likelihood, an impact and their severity, with where each came from."""

    likelihood: Level
    impact: Level
    likelihood_source: str
    """``"factors"``, ``"given"``, ``"atlas"`` (maturity of the risk's techniques) or
    ``"default"`` (the bank's)."""
    impact_source: str
    likelihood_score: float | None = None
    impact_score: float | None = None
    impact_basis: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def severity(self) -> RecordSeverity:
        return severity(self.likelihood, self.impact)

    @property
    def owasp(self) -> OwaspSeverity:
        return owasp_severity(self.likelihood, self.impact)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "likelihood": self.likelihood, "impact": self.impact, "severity": self.severity,
            "owasp": self.owasp, "likelihood_source": self.likelihood_source,
            "impact_source": self.impact_source,
        }
        if self.likelihood_score is not None:
            out["likelihood_score"] = round(self.likelihood_score, 3)
        if self.impact_score is not None:
            out["impact_score"] = round(self.impact_score, 3)
            out["impact_basis"] = self.impact_basis
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def inherent(*, default_likelihood: Level, default_source: str, default_impact: Level,
             likelihood: str | None = None, impact: str | None = None,
             factors: Mapping[str, Any] | None = None, impact_floor: Level | None = None,
             floor_reason: str = "") -> Rating:
    """The inherent rating of a risk (before its controls).

    Per side, the 16-factor mean wins when complete, else a level given directly, else the
    default (ATLAS maturity or the bank's). ``impact_floor`` raises the impact (a critical
    system: confidentiality and integrity risks are at least HIGH), with ``floor_reason``.

    >>> r = inherent(default_likelihood="high", default_source="atlas", default_impact="medium")
    >>> (r.likelihood, r.impact, r.severity)
    ('high', 'medium', 'high')
    >>> inherent(default_likelihood="high", default_source="atlas", default_impact="low",
    ...          likelihood="low").severity
    'info'
    """
    factors = factors or {}
    l_score = likelihood_score(factors)
    i_found = impact_score(factors)
    notes: list[str] = []
    if l_score is not None:
        lik, l_source = level(l_score), "factors"
    elif likelihood is not None:
        lik, l_source = check_level(likelihood, "likelihood"), "given"
    else:
        lik, l_source = default_likelihood, default_source
    if i_found is not None:
        imp, i_source = level(i_found[0]), "factors"
    elif impact is not None:
        imp, i_source = check_level(impact, "impact"), "given"
    else:
        imp, i_source = default_impact, "default"
    if impact_floor is not None and raise_to(imp, impact_floor) != imp:
        imp = raise_to(imp, impact_floor)
        notes.append(floor_reason or f"impact raised to {impact_floor}")
    return Rating(lik, imp, l_source, i_source, l_score,
                  i_found[0] if i_found else None, i_found[1] if i_found else None,
                  tuple(notes))


def residual(start: Rating, reductions: int, notes: Iterable[str] = ()) -> Rating:
    """The residual rating: ``start``'s likelihood lowered by ``reductions`` levels (each
    control answered yes and not contradicted by its evidence), the impact unchanged.

    >>> base = inherent(default_likelihood="high", default_source="atlas", default_impact="high")
    >>> residual(base, 1).severity, residual(base, 5).severity
    ('high', 'medium')
    """
    return Rating(lower(start.likelihood, reductions), start.impact, "controls",
                  start.impact_source, None, None, None, tuple(notes))
