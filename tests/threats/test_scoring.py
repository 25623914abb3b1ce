"""The OWASP Risk Rating, cell by cell, and the factor means."""

from __future__ import annotations

from typing import Any

import pytest

from aisec_nb.errors import UsageError
from aisec_nb.threats import scoring
from aisec_nb.threats.scoring import (
    BUSINESS_IMPACT,
    LIKELIHOOD_FACTORS,
    TECHNICAL_IMPACT,
    inherent,
    level,
    owasp_severity,
    residual,
    severity,
)

# The methodology's matrix, rows impact HIGH to LOW, columns likelihood LOW to HIGH.
OWASP = {
    "high": {"low": "medium", "medium": "high", "high": "critical"},
    "medium": {"low": "low", "medium": "medium", "high": "high"},
    "low": {"low": "note", "medium": "low", "high": "medium"},
}
RECORD = {"note": "info", "low": "low", "medium": "medium", "high": "high",
          "critical": "critical"}


@pytest.mark.parametrize("impact", ["high", "medium", "low"])
@pytest.mark.parametrize("likelihood", ["low", "medium", "high"])
def test_the_severity_matrix_cell_by_cell(likelihood: str, impact: str) -> None:
    expected = OWASP[impact][likelihood]
    assert owasp_severity(likelihood, impact) == expected
    assert severity(likelihood, impact) == RECORD[expected]


def test_the_matrix_is_complete_and_monotone() -> None:
    assert len(scoring.MATRIX) == 9
    order = ["info", "low", "medium", "high", "critical"]
    for lik in scoring.LEVELS:
        ranks = [order.index(severity(lik, imp)) for imp in scoring.LEVELS]
        assert ranks == sorted(ranks)
    for imp in scoring.LEVELS:
        ranks = [order.index(severity(lik, imp)) for lik in scoring.LEVELS]
        assert ranks == sorted(ranks)


@pytest.mark.parametrize(("score", "expected"), [
    (0, "low"), (2.999, "low"), (3, "medium"), (5.999, "medium"), (6, "high"), (9, "high")])
def test_levels_of_a_factor_mean(score: float, expected: str) -> None:
    assert level(score) == expected


def _factors(names: tuple[str, ...], values: list[int]) -> dict[str, int]:
    return dict(zip(names, values, strict=True))


def test_the_methodologys_worked_example() -> None:
    # OWASP Risk Rating Methodology, "Example": likelihood 4.375 (MEDIUM), technical impact 7.25
    # (HIGH), business impact 2.25 (LOW).
    likelihood = _factors(LIKELIHOOD_FACTORS, [5, 2, 7, 1, 3, 6, 9, 2])
    technical = _factors(TECHNICAL_IMPACT, [9, 7, 5, 8])
    business = _factors(BUSINESS_IMPACT, [1, 2, 1, 5])
    assert scoring.likelihood_score(likelihood) == 4.375
    assert scoring.impact_score(technical) == (7.25, "technical")
    assert scoring.impact_score({**technical, **business}) == (2.25, "business")
    both = inherent(default_likelihood="low", default_source="default", default_impact="low",
                    factors={**likelihood, **technical, **business})
    assert (both.likelihood, both.impact, both.impact_basis, both.severity) == (
        "medium", "low", "business", "low")
    tech = inherent(default_likelihood="low", default_source="default", default_impact="low",
                    factors={**likelihood, **technical})
    assert (tech.impact, tech.severity, tech.likelihood_source, tech.impact_source) == (
        "high", "high", "factors", "factors")


def test_incomplete_factors_fall_back_to_the_given_levels_then_the_default() -> None:
    partial = {"skill_level": 9, "motive": 9}
    given = inherent(default_likelihood="low", default_source="atlas", default_impact="low",
                     likelihood="high", factors=partial)
    assert (given.likelihood, given.likelihood_source) == ("high", "given")
    default = inherent(default_likelihood="low", default_source="atlas", default_impact="low",
                       factors=partial)
    assert (default.likelihood, default.likelihood_source, default.impact_source) == (
        "low", "atlas", "default")


@pytest.mark.parametrize(("factors", "message"), [
    ({"skill": 3}, "unknown factor 'skill'"),
    ({**_factors(LIKELIHOOD_FACTORS, [1] * 8), "motive": 10}, "factor motive must be a number"),
    ({**_factors(LIKELIHOOD_FACTORS, [1] * 8), "size": "high"}, "factor size must be a number"),
    ({**_factors(TECHNICAL_IMPACT, [1] * 4), "loss_of_integrity": True},
     "factor loss_of_integrity must be a number"),
])
def test_bad_factors_are_refused(factors: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        inherent(default_likelihood="low", default_source="default", default_impact="low",
                 factors=factors)


def test_levels_are_checked() -> None:
    with pytest.raises(UsageError, match="likelihood: 'extreme' is not one of low, medium, "
                                         "high"):
        severity("extreme", "low")
    assert severity(" HIGH ", "Low") == "medium"


def test_atlas_maturity_is_the_default_likelihood() -> None:
    assert scoring.maturity_level(["realized"]) == "high"
    assert scoring.maturity_level(["demonstrated"]) == "medium"
    assert scoring.maturity_level(["feasible"]) == "low"
    assert scoring.maturity_level(["feasible", "realized", "demonstrated"]) == "high"
    assert scoring.maturity_level([None, "unknown"]) is None


def test_residual_lowers_likelihood_only_never_below_low() -> None:
    start = inherent(default_likelihood="high", default_source="atlas", default_impact="high")
    assert start.severity == "critical"
    assert [residual(start, n).likelihood for n in range(4)] == ["high", "medium", "low", "low"]
    assert [residual(start, n).severity for n in range(4)] == [
        "critical", "high", "medium", "medium"]
    assert residual(start, 2).impact == "high"


def test_an_impact_floor_raises_and_says_why() -> None:
    floored = inherent(default_likelihood="low", default_source="default",
                       default_impact="medium", impact_floor="high", floor_reason="critical")
    assert (floored.impact, floored.notes) == ("high", ("critical",))
    kept = inherent(default_likelihood="low", default_source="default", default_impact="high",
                    impact_floor="high", floor_reason="critical")
    assert kept.notes == ()
