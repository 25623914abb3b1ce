"""Thresholds of the data checks: shipped defaults, then the project's ``[tool.aisec-nb.data]``
(as a face read it), then per call.

The defaults live in ``thresholds.toml`` next to this module (loaded once). Every key is a number;
an unknown key or a value of the wrong type is a :class:`~aisec_nb.errors.UsageError` naming the
key and where it came from.

Example::

    >>> t = resolve_thresholds({"outlier_z": 8})
    >>> t["outlier_z"], t["missing_share"]
    (8.0, 0.05)
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from ..errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_SHARES = frozenset(
    {
        "missing_share",
        "near_constant_share",
        "duplicate_share",
        "mixed_type_min_share",
        "outlier_max_share",
        "label_min_share",
        "label_shift_tvd",
        "trigger_max_share",
        "trigger_purity",
        "test_overlap_share",
        "leak_score",
        "missing_leak_purity",
        "card_luhn_share",
        "trigger_neighbour_p",
        "label_shift_p",
    }
)
"""Keys whose values must lie in [0, 1]."""


@lru_cache(maxsize=1)
def default_thresholds() -> dict[str, float]:
    """The shipped defaults (a fresh copy is returned by :func:`resolve_thresholds`)."""
    text = resources.files("aisec_nb.data").joinpath("thresholds.toml").read_text("utf-8")
    return {k: float(v) for k, v in tomllib.loads(text).items()}


def _merge(base: dict[str, float], extra: Mapping[str, Any], origin: str) -> None:
    for key, value in extra.items():
        if key not in base:
            known = ", ".join(sorted(base))
            raise UsageError(f"{origin}: unknown data threshold {key!r}; known: {known}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UsageError(f"{origin}: {key} must be a number, found {value!r}")
        number = float(value)
        if number != number or number < 0 or (key in _SHARES and number > 1):
            bound = "between 0 and 1" if key in _SHARES else "0 or more"
            raise UsageError(f"{origin}: {key} must be {bound}, found {value!r}")
        base[key] = number


def resolve_thresholds(
    policy: Mapping[str, Any] | None = None,
    *,
    project: Mapping[str, Any] | None = None,
    base: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """``base`` (default: the shipped defaults), overridden by a project's
    ``[tool.aisec-nb.data]`` table (``project``) and then by per-call ``policy``.

    Reads no file: the faces read ``pyproject.toml`` (:mod:`aisec_nb.settings`).
    """
    merged = dict(base) if base is not None else dict(default_thresholds())
    _merge(merged, project or {}, "[tool.aisec-nb.data]")
    _merge(merged, policy or {}, "policy")
    return merged


def parse_overrides(pairs: list[str]) -> dict[str, float]:
    """``KEY=NUMBER`` pairs as thresholds: ``["outlier_z=8"]`` -> ``{"outlier_z": 8.0}``.

    A malformed pair is a :class:`~aisec_nb.errors.UsageError`; names are checked on merge.

    >>> parse_overrides(["outlier_z=8"])
    {'outlier_z': 8.0}
    """
    out: dict[str, float] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        try:
            number = float(value) if sep else None
        except ValueError:
            number = None
        if number is None:
            raise UsageError(f"threshold {pair!r}: expected KEY=NUMBER, e.g. outlier_z=8")
        out[key.strip()] = number
    return out
