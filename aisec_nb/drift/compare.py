"""Live data against a reference profile: per-column statistics, signals, findings, verdict.

Example::

    >>> import pandas as pd
    >>> ref = build_profile(pd.DataFrame({"x": range(1000)}))
    >>> report = compare_to_profile(ref, pd.DataFrame({"x": range(500, 1500)}))
    >>> report.drifted, report.verdict
    (('x',), 'fail')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..record import Finding, Location, Severity, Verdict
from ..rules.findings import make_finding
from . import stats
from .counting import count_frame
from .decide import DriftConfig, corrected, drift_config, with_overrides
from .ood import OODResult, redact_category, score_rows
from .profile import ColumnProfile, Profile, build_profile

if TYPE_CHECKING:
    from .chunks import ChunkedDrift

CODES = {
    "drift": "AISEC-DRIFT-001",
    "missing": "AISEC-DRIFT-002",
    "unseen": "AISEC-DRIFT-003",
    "range": "AISEC-DRIFT-004",
    "infinite": "AISEC-DRIFT-005",
    "ood": "AISEC-DRIFT-006",
    "dataset": "AISEC-DRIFT-007",
    "partial": "AISEC-DRIFT-009",
}


@dataclass(frozen=True)
class ColumnDrift:
    """The decision for one column and the numbers behind it."""

    name: str
    kind: str
    method: str
    threshold: float
    effect: float
    p_value: float
    p_adjusted: float
    drift: bool
    scores: dict[str, float]
    """Every statistic that applies: psi, ks, js, wasserstein (normalised), chi2 (Cramér's V)."""
    missing_ref: float
    missing_live: float
    missing_p: float
    missing_signal: bool = False
    unseen_share: float = 0.0
    unseen_top: tuple[tuple[str, int], ...] = ()
    new_infinite: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "method": self.method,
            "threshold": self.threshold,
            "score": _r(self.effect),
            "p_value": _r(self.p_value),
            "p_adjusted": _r(self.p_adjusted),
            "drift": self.drift,
            "scores": {k: _r(v) for k, v in self.scores.items()},
            "missing_ref": _r(self.missing_ref),
            "missing_live": _r(self.missing_live),
            "missing_signal": self.missing_signal,
            "unseen_share": _r(self.unseen_share),
            "unseen": [[redact_category(k), v] for k, v in self.unseen_top[:5]],
            "new_infinite": self.new_infinite,
        }


def _r(x: float) -> float:
    return float(f"{x:.6g}")


@dataclass(frozen=True)
class DriftReport:
    """The outcome of comparing live data with a reference profile."""

    columns: tuple[ColumnDrift, ...]
    reference: Profile
    live: Profile
    config: DriftConfig
    ood: OODResult | None = None
    findings: tuple[Finding, ...] = ()
    verdict: Verdict = "pass"
    skipped: tuple[str, ...] = field(default=())
    chunks: ChunkedDrift | None = None
    """The live period compared chunk by chunk (``None`` when it was not cut)."""

    @property
    def drifted(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.drift)

    @property
    def drift_share(self) -> float:
        return len(self.drifted) / len(self.columns) if self.columns else 0.0

    def column(self, name: str) -> ColumnDrift:
        for c in self.columns:
            if c.name == name:
                return c
        raise UsageError(f"the drift report has no column {name!r}")

    def to_payload(self) -> dict[str, Any]:
        """The JSON summary recorded in the notebook (no rows, no text values)."""
        return {
            "verdict": self.verdict,
            "rows": {"reference": self.reference.rows, "live": self.live.rows},
            "drifted": list(self.drifted),
            "drift_share": _r(self.drift_share),
            "columns": {c.name: c.to_dict() for c in self.columns},
            "skipped": list(self.skipped),
            "ood": self.ood.to_dict() if self.ood is not None else None,
            "chunks": self.chunks.to_dict() if self.chunks is not None else None,
            "findings": [f.model_dump(mode="json", exclude_none=True) for f in self.findings],
        }


def _wasserstein(r: ColumnProfile, live: ColumnProfile) -> float:
    """Wasserstein-1 over the reference's standard deviation, on the reference bin positions."""
    # Positions from the reference range only: live outliers are the range signal's job,
    # and letting them stretch the outer bins would inflate the distance on clean data.
    pos = stats.bin_positions(r.layout.edges, r.min, r.max)
    spread = stats.weighted_std(pos, r.counts)
    dist = stats.wasserstein(pos, r.counts, live.counts)
    return dist / spread if spread > 0 else (0.0 if dist == 0 else 1.0)


def _column_scores(r: ColumnProfile, live: ColumnProfile) -> tuple[dict[str, float], float, float]:
    """All statistics for one column, the KS p-value and the χ² p-value."""
    scores = {"psi": stats.psi(r.counts, live.counts), "js": stats.js(r.counts, live.counts)}
    _, chi_p, cramers_v = stats.chi2(r.counts, live.counts)
    scores["chi2"] = cramers_v
    ks_p = chi_p
    if r.layout.ordinal:
        scores["ks"], ks_p = stats.ks(r.counts, live.counts)
        scores["wasserstein"] = _wasserstein(r, live)
    return scores, ks_p, chi_p


def decision_stats(r: ColumnProfile, live: ColumnProfile, method: str) -> tuple[float, float]:
    """The effect of ``method`` and the p-value that gate one column's decision, computed
    alone (a chunk needs these two, not every score); equal to what :func:`compare_profiles`
    decides on."""
    if r.observed == 0 or live.observed == 0:
        return 0.0, 1.0
    if method == "chi2" or not r.layout.ordinal:
        _, p, cramers_v = stats.chi2(r.counts, live.counts)
        if method == "chi2":
            return cramers_v, p
    else:
        d, p = stats.ks(r.counts, live.counts)
        if method == "ks":
            return d, p
    if method == "psi":
        return stats.psi(r.counts, live.counts), p
    if method == "js":
        return stats.js(r.counts, live.counts), p
    return _wasserstein(r, live), p


def compare_profiles(
    reference: Profile,
    live: Profile,
    config: DriftConfig | None = None,
    columns: Sequence[str] | None = None,
) -> DriftReport:
    """Decide drift per column from two profiles counted in the same layouts."""
    cfg = config or drift_config()
    wanted = set(columns) if columns is not None else None
    picked: list[tuple[ColumnProfile, ColumnProfile]] = []
    skipped: list[str] = []
    for r in reference.columns:
        if (wanted is not None and r.name not in wanted) or cfg.ignored(r.name):
            continue
        lv = live.column(r.name)
        if lv.layout != r.layout:
            raise UsageError(f"column {r.name!r} was counted in another layout than the reference")
        if r.observed == 0 or lv.observed == 0:
            skipped.append(r.name)  # nothing to compare: all missing on one side
        picked.append((r, lv))
    rows: list[dict[str, Any]] = []
    for r, lv in picked:
        method = cfg.method_for(r.name, r.kind)
        scores, ks_p, chi_p = _column_scores(r, lv)
        empty = r.observed == 0 or lv.observed == 0
        rows.append(
            {
                "r": r,
                "l": lv,
                "method": method,
                "scores": scores,
                "effect": 0.0 if empty else scores[method],
                "p": 1.0
                if empty
                else (chi_p if method == "chi2" or not r.layout.ordinal else ks_p),
                "missing_p": stats.two_proportions(r.missing, r.rows, lv.missing, lv.rows),
            }
        )
    p_adj = corrected([row["p"] for row in rows], cfg.correction)
    miss_adj = corrected([row["missing_p"] for row in rows], cfg.correction)
    out: list[ColumnDrift] = []
    for row, pa, ma in zip(rows, p_adj, miss_adj, strict=False):
        r, lv = row["r"], row["l"]
        threshold = cfg.threshold_for(r.name, row["method"])
        m_ref = r.missing / r.rows if r.rows else 0.0
        m_live = lv.missing / lv.rows if lv.rows else 0.0
        unseen = (
            lv.counts[-1] / lv.observed
            if not r.layout.ordinal and lv.observed and r.counts[-1] == 0
            else 0.0
        )
        new_inf = (lv.pos_inf if r.pos_inf == 0 else 0) + (lv.neg_inf if r.neg_inf == 0 else 0)
        out.append(
            ColumnDrift(
                name=r.name,
                kind=r.kind,
                method=row["method"],
                threshold=threshold,
                effect=row["effect"],
                p_value=row["p"],
                p_adjusted=pa,
                drift=row["effect"] >= threshold and pa < cfg.alpha,
                scores=row["scores"],
                missing_ref=m_ref,
                missing_live=m_live,
                missing_p=row["missing_p"],
                missing_signal=abs(m_live - m_ref) >= cfg.missing_threshold and ma < cfg.alpha,
                unseen_share=unseen,
                unseen_top=lv.unseen,
                new_infinite=new_inf,
            )
        )
    return DriftReport(tuple(out), reference, live, cfg, skipped=tuple(skipped))


def _findings(report: DriftReport) -> tuple[Finding, ...]:
    cfg = report.config
    found: list[Finding] = []
    for c in report.columns:
        where = Location(column=c.name)
        if c.drift:
            sev: Severity = "high" if c.effect >= 2 * c.threshold else "medium"
            found.append(
                make_finding(
                    CODES["drift"],
                    f"{c.kind} column drifted: {c.method} {c.effect:.3g} ≥ {c.threshold:g} "
                    f"(corrected p {c.p_adjusted:.2g} < {cfg.alpha:g})",
                    severity=sev,
                    location=where,
                )
            )
        partial = _partial_finding(report, c)
        if partial is not None:
            found.append(partial)
        if c.missing_signal:
            found.append(
                make_finding(
                    CODES["missing"],
                    f"missing share changed from {c.missing_ref:.1%} to {c.missing_live:.1%}",
                    location=where,
                )
            )
        if c.unseen_share >= cfg.unseen_threshold:
            names = ", ".join(redact_category(k) for k, _ in c.unseen_top[:5])
            found.append(
                make_finding(
                    CODES["unseen"],
                    f"{c.unseen_share:.1%} of live values are categories the reference never had",
                    location=where,
                    evidence=names or None,
                )
            )
        if c.new_infinite:
            found.append(
                make_finding(
                    CODES["infinite"],
                    f"{c.new_infinite} infinite values; the reference had none",
                    location=where,
                )
            )
    ood = report.ood
    if ood is not None:
        for name, n in ood.out_of_range.items():
            observed = report.live.column(name).observed
            if observed and n / observed >= cfg.range_share:
                col = report.reference.column(name)
                found.append(
                    make_finding(
                        CODES["range"],
                        f"{n / observed:.2%} of live values ({n}) lie outside the "
                        f"reference range (observed {col.min:.6g} to {col.max:.6g})",
                        location=Location(column=name),
                    )
                )
        if ood.share >= cfg.ood_share:
            first = ood.worst[0] if ood.worst else None
            found.append(
                make_finding(
                    CODES["ood"],
                    f"{ood.share:.1%} of live rows ({ood.ood_rows}) are out of distribution",
                    location=Location(row=None),
                    evidence=f"row {first.row}: {'; '.join(first.reasons)}" if first else None,
                )
            )
    if report.columns and report.drift_share >= cfg.dataset_share:
        found.append(
            make_finding(
                CODES["dataset"],
                f"{len(report.drifted)} of {len(report.columns)} columns drifted "
                f"({report.drift_share:.0%} ≥ {cfg.dataset_share:.0%})",
            )
        )
    return tuple(found)


def _partial_finding(report: DriftReport, c: ColumnDrift) -> Finding | None:
    """A column that drifted in some chunks while the whole period does not show it."""
    chunked = report.chunks
    if chunked is None or c.drift:
        return None
    part = chunked.column(c.name)
    if part is None or not part.count:
        return None
    noun = chunked.noun
    first = chunked.chunks[part.first - 1]
    worst = part.worst
    sev: Severity = "high" if worst >= 2 * part.threshold else "medium"
    everywhere = part.count == len(chunked.chunks)
    return make_finding(
        CODES["partial"],
        f"{c.kind} column {part.describe(noun)} ({first.span}): {part.method} up to "
        f"{worst:.3g} ≥ {part.threshold:g} (corrected p < {report.config.alpha:g} over "
        f"{chunked.tests} tests); whole period {c.method} {c.effect:.3g}"
        + (
            f"; every {noun} differs while the whole period does not: are the rows sorted by "
            "this column rather than by time?"
            if everywhere and chunked.by == "rows"
            else ""
        ),
        severity=sev,
        location=Location(column=c.name),
    )


def finish(report: DriftReport, ood: OODResult | None) -> DriftReport:
    """Attach OOD results, findings and the dataset verdict."""
    from dataclasses import replace

    staged = replace(report, ood=ood)
    findings = _findings(staged)
    verdict: Verdict = "pass"
    if any(f.severity in ("high", "critical") for f in findings):
        verdict = "fail"
    elif findings:
        verdict = "warn"
    return replace(staged, findings=findings, verdict=verdict)


def resolve_reference(reference: Any) -> Profile:
    """A :class:`Profile` from a profile, its dict form, or a reference DataFrame."""
    if isinstance(reference, Profile):
        return reference
    if isinstance(reference, Mapping):
        return Profile.from_dict(reference)
    return build_profile(reference)


def compare_to_profile(
    reference: Any,
    live: Any,
    *,
    columns: Sequence[str] | None = None,
    time_col: str | None = None,
    config: DriftConfig | None = None,
    **settings: Any,
) -> DriftReport:
    """Compare a live DataFrame with a reference profile (or a reference DataFrame): the whole
    period, then consecutive chunks of it (``chunks`` setting; in ``time_col`` order when one is
    given, else in row order), see :mod:`aisec_nb.drift.chunks`.

    ``settings`` override ``[tool.aisec-nb.drift]`` for this call, e.g. ``alpha=0.05`` or
    ``chunks=0`` (the whole period only).
    """
    from dataclasses import replace

    from .chunks import chunk_live, frame_timestamps

    ref = resolve_reference(reference)
    timestamps = frame_timestamps(live, time_col) if time_col is not None else None
    if time_col is not None:  # the time column itself always "drifts": time moves on
        columns = [c for c in (columns or ref.names) if c != time_col]
    if columns is not None:
        ref = ref.select(columns)
    cfg = with_overrides(config or drift_config(), settings)
    live_profile, encoded = count_frame(live, ref.layouts, "live data", multivariate=False)
    report = compare_profiles(ref, live_profile, cfg, columns)
    ood = score_rows(ref, encoded, live.index, cfg.ood_mahalanobis_p)
    chunked = chunk_live(report, encoded, ood, timestamps)
    return finish(replace(report, chunks=chunked), ood)
