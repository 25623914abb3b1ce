"""Out-of-distribution rows: a score per live row against the reference profile.

A row is out of distribution when any of these holds:

* an ordinal value lies outside the reference ``[min, max]``;
* a categorical value is a category the reference never had;
* a value is missing or infinite in a column where the reference never was;
* its multivariate score is extreme: the Mahalanobis distance of the row's bin indices
  (numeric and datetime columns) from the reference's, compared with the χ² tail at
  ``ood_mahalanobis_p``. Bin indices are ranks, so one huge value cannot dominate, and a row
  that breaks the reference's correlations stands out even when each value is in range.

The score is the number of reasons plus the multivariate distance over its limit. The worst rows
are described with the reason, never with text values; unseen categories are shortened.

Example::

    >>> import pandas as pd
    >>> from aisec_nb.drift.profile import build_profile
    >>> from aisec_nb.drift.counting import count_frame
    >>> ref = build_profile(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), bins=2)
    >>> _, enc = count_frame(pd.DataFrame({"x": [2.0, 9.0]}), ref.layouts)
    >>> score_rows(ref, enc, ["0", "1"]).ood_rows
    1
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .counting import Encoded
from .profile import Profile

WORST = 5
CHUNK = 65_536
"""Rows scored at once, so the multivariate step never holds more than a chunk of floats."""


@dataclass(frozen=True)
class OODExample:
    """One of the worst rows: its index label, score, and why (redacted)."""

    row: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class OODResult:
    """OOD rows of a live sample: counts per reason and the worst examples."""

    rows: int
    ood_rows: int
    reasons: dict[str, int]
    out_of_range: dict[str, int]
    """Live values outside the reference range, per ordinal column."""
    worst: tuple[OODExample, ...] = ()
    mahalanobis_limit: float | None = None
    mask: np.ndarray[Any, Any] | None = field(default=None, compare=False, repr=False)
    """Which rows are OOD (kept in memory for time windows, not recorded)."""

    @property
    def share(self) -> float:
        return self.ood_rows / self.rows if self.rows else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "ood_rows": self.ood_rows,
            "share": self.share,
            "reasons": dict(self.reasons),
            "out_of_range": dict(self.out_of_range),
            "mahalanobis_limit": self.mahalanobis_limit,
            "worst": [
                {"row": w.row, "score": round(w.score, 4), "reasons": list(w.reasons)}
                for w in self.worst
            ],
        }


def _mahalanobis_model(
    ref: Profile, p: float
) -> tuple[list[int], np.ndarray[Any, Any], np.ndarray[Any, Any], float]:
    from scipy import special

    mv = ref.multivariate
    if mv.n < 2 or not mv.columns:
        return [], np.zeros(0), np.zeros((0, 0)), float("inf")
    idx = [ref.names.index(c) for c in mv.columns]
    mean = np.asarray(mv.sums, "float64") / mv.n
    cov = np.asarray(mv.cross, "float64") / mv.n - np.outer(mean, mean)
    inv = np.linalg.pinv(cov, hermitian=True)
    return idx, mean, inv, float(special.chdtri(len(idx), p))


def _fmt(value: float, kind: str) -> str:
    if kind == "datetime":
        when = _dt.datetime.fromtimestamp(value, tz=_dt.timezone.utc)
        return when.strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{value:.6g}"


def redact_category(value: str) -> str:
    """A category value shortened for display: at most 12 characters, then an ellipsis."""
    return repr(value if len(value) <= 12 else value[:12] + "…")


def _reasons(
    ref: Profile, enc: Sequence[Encoded], pos: int, d2: float, limit: float
) -> tuple[str, ...]:
    out: list[str] = []
    for col, e in zip(ref.columns, enc, strict=False):
        code = int(e.codes[pos])
        nb = e.layout.n_buckets
        if code == e.missing_code and col.missing == 0:
            out.append(f"{col.name}: missing (never missing in the reference)")
        elif e.layout.ordinal and code > nb:
            out.append(f"{col.name}: infinite (never infinite in the reference)")
        elif e.layout.ordinal and code < nb and col.min is not None and col.max is not None:
            assert e.values is not None
            v = float(e.values[pos])
            if v < col.min or v > col.max:
                if e.layout.kind == "text":
                    out.append(
                        f"{col.name}: text length {v:.0f} outside the reference "
                        f"{col.min:.0f}–{col.max:.0f}"
                    )
                else:
                    side = "below the reference min" if v < col.min else "above the reference max"
                    bound = col.min if v < col.min else col.max
                    out.append(
                        f"{col.name}={_fmt(v, e.layout.kind)} {side} {_fmt(bound, e.layout.kind)}"
                    )
        elif not e.layout.ordinal and code == e.unseen_code and col.counts[-1] == 0:
            out.append(f"{col.name}: unseen category {redact_category(e.text(pos))}")
    if d2 > limit:
        out.append(f"multivariate score {d2:.1f} above {limit:.1f}")
    return tuple(out)


def score_rows(
    ref: Profile, enc: Sequence[Encoded], labels: Sequence[Any], mahalanobis_p: float = 1e-6
) -> OODResult:
    """Score every live row (``enc`` is the live data encoded in ``ref``'s layouts)."""
    n = len(labels)
    count = np.zeros(n, dtype=np.int64)
    reasons = {
        "out_of_range": 0,
        "unseen_category": 0,
        "new_missing": 0,
        "new_infinite": 0,
        "multivariate": 0,
    }
    ranges: dict[str, int] = {}
    for col, e in zip(ref.columns, enc, strict=False):
        nb = e.layout.n_buckets
        if col.missing == 0:
            hit = e.codes == e.missing_code
            reasons["new_missing"] += int(hit.sum())
            count += hit
        if e.layout.ordinal:
            assert e.values is not None
            inf = (e.codes == nb + 1) if col.pos_inf == 0 else np.zeros(n, bool)
            if col.neg_inf == 0:
                inf |= e.codes == nb + 2
            reasons["new_infinite"] += int(inf.sum())
            count += inf
            if col.min is not None and col.max is not None:
                with np.errstate(invalid="ignore"):
                    out = (e.values < col.min) | (e.values > col.max)
                ranges[col.name] = int(out.sum())
                reasons["out_of_range"] += ranges[col.name]
                count += out
        elif col.counts[-1] == 0:
            hit = e.codes == e.unseen_code
            reasons["unseen_category"] += int(hit.sum())
            count += hit
    idx, mean, inv, limit = _mahalanobis_model(ref, mahalanobis_p)
    d2 = np.zeros(n)
    if idx:
        limits = np.array([enc[i].layout.n_buckets for i in idx])
        for start in range(0, n, CHUNK):
            block = np.column_stack([enc[i].codes[start : start + CHUNK] for i in idx])
            dev = np.where(block < limits, block - mean, 0.0)  # missing: no deviation
            d2[start : start + CHUNK] = ((dev @ inv) * dev).sum(axis=1)
        far = d2 > limit
        reasons["multivariate"] = int(far.sum())
    score = count + np.where(d2 > limit, d2 / limit if idx else 0.0, 0.0)
    mask = score > 0
    worst: list[OODExample] = []
    if mask.any():
        top = np.argsort(-score, kind="stable")[:WORST]
        for pos in top:
            if score[pos] <= 0:
                break
            why = _reasons(ref, enc, int(pos), float(d2[pos]), limit)
            worst.append(OODExample(str(labels[pos]), float(score[pos]), why))
    return OODResult(
        rows=n,
        ood_rows=int(mask.sum()),
        reasons=reasons,
        out_of_range=ranges,
        worst=tuple(worst),
        mahalanobis_limit=limit if idx else None,
        mask=mask,
    )
