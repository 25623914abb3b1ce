"""Signs of data poisoning: conflicting labels, extreme outliers, label imbalance and shift, and
rare values that almost always come with one label (how a backdoor trigger looks in tabular data).

Example::

    >>> import pandas as pd
    >>> from aisec_nb.data.hashing import FrameDigests
    >>> from aisec_nb.data.labels import encode_labels
    >>> from aisec_nb.data.thresholds import default_thresholds
    >>> df = pd.DataFrame({"x": [1, 1, 2], "y": [0, 1, 0]})
    >>> [f.count for f in conflicting_labels(FrameDigests(df), "y", encode_labels(df["y"]))]
    [2]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..record import DataFinding
from .findings import finding, pct
from .hashing import FrameDigests
from .labels import Labels
from .quality import SHOWN_CHARS, SHOWN_VOCABULARY

SAMPLE = 200_000
"""Rows used to estimate a column's median and MAD (every k-th row: deterministic)."""
HIST_BINS = 30


def conflicting_labels(d: FrameDigests, label: str, labels: Labels) -> list[DataFinding]:
    """Rows whose features (all columns but the label) equal another row's, with another label."""
    import numpy as np
    import pandas as pd

    features = [n for n in d.names if n != label]
    keep = labels.codes >= 0
    if not features or keep.sum() < 2:
        return []
    rows = d.rows(features)[keep]
    pairs = pd.DataFrame({"f": rows, "y": labels.codes[keep]}).drop_duplicates()
    clashing = pairs["f"][pairs["f"].duplicated(keep=False)].unique()
    if len(clashing) == 0:
        return []
    involved = np.isin(rows, clashing)
    count = int(involved.sum())
    first = int(np.flatnonzero(keep)[int(involved.argmax())])
    return [
        finding(
            "AISEC-DATA-P01",
            f"{count:,} rows in {len(clashing):,} groups share identical features but carry "
            f"different labels in {label!r} (first at position {first})",
            column=label,
            row=first,
            count=count,
            share=count / d.length,
            groups=len(clashing),
        )
    ]


def _robust(values: Any) -> tuple[Any, bool, float, float] | None:
    """``(values on the scale used, log1p used?, median, scale)`` or ``None`` when degenerate."""
    import numpy as np

    step = max(1, len(values) // SAMPLE)
    sample = values[::step]
    lo, mid, hi = np.quantile(sample, [0.01, 0.5, 0.99])
    logged = bool(sample.min() >= 0 and mid - lo > 0 and (hi - mid) > 3 * (mid - lo))
    if logged:
        values, sample = np.log1p(values), np.log1p(sample)
    med = float(np.median(sample))
    dev = np.abs(sample - med)
    scale = 1.4826 * float(np.median(dev))
    if scale == 0:
        # Over half the values are the median: take the spread of the others, so a zero-inflated
        # count still has a scale; a column of one value and a few others has none.
        rest = dev[dev > 0]
        scale = 1.4826 * float(np.median(np.abs(rest - np.median(rest)))) if len(rest) else 0.0
    if scale == 0:
        return None
    return values, logged, med, scale


def extreme_outliers(
    d: FrameDigests, t: Mapping[str, float], skip: Sequence[str] = ()
) -> tuple[list[DataFinding], dict[str, dict[str, Any]]]:
    """Values far outside a column's robust spread, with a histogram of each flagged column.

    Robust z = |x − median| / (1.4826 · MAD), on ``log1p(x)`` for non-negative right-skewed
    columns so that a long natural tail is not called an outlier.
    """
    import numpy as np
    from pandas.api import types as pt

    out: list[DataFinding] = []
    hists: dict[str, dict[str, Any]] = {}
    for name in d.names:
        series = d.series(name)
        numeric = d.kinds[name] in ("integer", "float") and not pt.is_bool_dtype(series.dtype)
        if name in skip or not numeric:
            continue
        raw = series.to_numpy(dtype="float64", na_value=np.nan)
        finite = np.isfinite(raw)
        values = raw[finite]
        if len(values) < 20:
            continue
        robust = _robust(values)
        if robust is None:
            continue
        scaled, logged, med, scale = robust
        flagged = np.abs(scaled - med) > t["outlier_z"] * scale
        count = int(flagged.sum())
        if count == 0 or count / len(values) > t["outlier_max_share"]:
            continue
        lo, hi = med - t["outlier_z"] * scale, med + t["outlier_z"] * scale
        if logged:
            lo, hi = float(np.expm1(lo)), float(np.expm1(hi))
        worst = float((np.abs(scaled - med) / scale).max())
        first = int(np.flatnonzero(finite)[int(flagged.argmax())])
        out.append(
            finding(
                "AISEC-DATA-P02",
                f"column {name!r}: {count:,} values lie outside [{lo:.4g}, {hi:.4g}], more than "
                f"{t['outlier_z']:g} robust standard deviations from the median"
                f"{' on a log scale' if logged else ''} (largest: {worst:.3g}; first at "
                f"position {first})",
                column=name,
                row=first,
                count=count,
                share=count / d.length,
                threshold=t["outlier_z"],
                fence=[lo, hi],
            )
        )
        inside = values[~flagged]
        counts, edges = np.histogram(inside, bins=HIST_BINS)
        hists[name] = {
            "edges": [float(e) for e in edges],
            "counts": [int(c) for c in counts],
            "below": int((values < lo).sum()),
            "above": int((values > hi).sum()),
        }
    return out, hists


def label_imbalance(labels: Labels, label: str, t: Mapping[str, float]) -> list[DataFinding]:
    """Label classes rarer than ``label_min_share`` (categorical labels only)."""
    counts = labels.counts()
    total = int(counts.sum())
    if labels.edges is not None or labels.k < 2 or total == 0:
        return []
    rare = [
        (labels.classes[i], int(c))
        for i, c in enumerate(counts)
        if c / total < t["label_min_share"]
    ]
    if not rare:
        return []
    listing = ", ".join(f"{name!r}: {c:,} ({pct(c / total)})" for name, c in rare[:5])
    fewest = min(c for _, c in rare)
    return [
        finding(
            "AISEC-DATA-P03",
            f"label {label!r}: {len(rare)} class(es) below {pct(t['label_min_share'])} of rows: "
            f"{listing}",
            column=label,
            count=fewest,
            share=fewest / total,
            threshold=t["label_min_share"],
            classes=[name for name, _ in rare],
        )
    ]


def label_shift(
    labels: Labels, reference: Labels, label: str, t: Mapping[str, float]
) -> list[DataFinding]:
    """Label shares against a reference frame: total variation distance and unseen classes."""
    import numpy as np

    k = max(labels.k, reference.k)
    ours = np.bincount(labels.codes[labels.codes >= 0], minlength=k).astype("float64")
    theirs = np.bincount(reference.codes[reference.codes >= 0], minlength=k).astype("float64")
    if ours.sum() == 0 or theirs.sum() == 0:
        return []
    p, q = ours / ours.sum(), theirs / theirs.sum()
    tvd = float(0.5 * np.abs(p - q).sum())
    if tvd < t["label_shift_tvd"]:
        return []
    names = reference.classes if reference.k >= labels.k else labels.classes
    order = np.argsort(-np.abs(p - q))[:4]
    moves = ", ".join(f"{names[i]!r} {pct(q[i])} → {pct(p[i])}" for i in order)
    new = [names[i] for i in range(k) if p[i] > 0 and q[i] == 0]
    extra = f"; classes absent from the reference: {new[:5]}" if new else ""
    return [
        finding(
            "AISEC-DATA-P04",
            f"label {label!r} shares moved against the reference by {tvd:.3f} (total variation; "
            f"threshold {t['label_shift_tvd']:g}): {moves}{extra}",
            column=label,
            count=int(ours.sum()),
            share=tvd,
            threshold=t["label_shift_tvd"],
        )
    ]


def _shown(value: Any, hidden: bool) -> str:
    text = str(value)
    if hidden or len(text) > SHOWN_CHARS:
        return f"a value of {len(text)} characters"
    return repr(value) if isinstance(value, str) else text


def rare_value_triggers(
    d: FrameDigests,
    label: str,
    labels: Labels,
    t: Mapping[str, float],
    skip: Sequence[str] = (),
    hide: Sequence[str] = (),
) -> list[DataFinding]:
    """Rare values (``trigger_min_count`` … ``trigger_max_share`` of rows) whose rows almost all
    carry one label (``trigger_purity``) that is otherwise uncommon (``trigger_min_lift``)."""
    import numpy as np

    out: list[DataFinding] = []
    y = labels.codes
    k = labels.k
    base = labels.counts() / max(1, int((y >= 0).sum()))
    max_rows = t["trigger_max_share"] * d.length
    for name in d.names:
        if name == label or name in skip:
            continue
        codes, uniques = d.factorized(name)
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        candidate = (counts >= t["trigger_min_count"]) & (counts <= max_rows)
        if not candidate.any():
            continue
        rows = (codes >= 0) & (y >= 0)
        rows[rows] = candidate[codes[rows]]
        compact = np.cumsum(candidate) - 1
        cx = compact[codes[rows]]
        table = np.bincount(cx * k + y[rows], minlength=int(candidate.sum()) * k).reshape(-1, k)
        totals = table.sum(axis=1)
        best = table.argmax(axis=1)
        purity = table.max(axis=1) / np.maximum(totals, 1)
        lift = purity / np.maximum(base[best], 1e-12)
        hit = (
            (purity >= t["trigger_purity"])
            & (lift >= t["trigger_min_lift"])
            & (totals >= t["trigger_min_count"])
        )
        if not hit.any():
            continue
        value_ids = np.flatnonzero(candidate)[hit]
        rows_hit = int(totals[hit].sum())
        top = int(np.argmax(totals[hit]))
        vid = int(value_ids[top])
        cls = labels.classes[int(best[hit][top])]
        first = int(np.flatnonzero(codes == vid)[0])
        text_column = d.kinds[name] in ("string", "category[string]", "object")
        hidden = name in hide or (text_column and len(uniques) > SHOWN_VOCABULARY)
        shown = _shown(uniques[vid], hidden)
        out.append(
            finding(
                "AISEC-DATA-P05",
                f"column {name!r}: {len(value_ids)} rare value(s) covering {rows_hit:,} rows "
                f"predict the label almost perfectly; e.g. {shown} → {label} = {cls!r} in "
                f"{pct(float(purity[hit][top]))} of its {int(totals[hit][top]):,} rows (base rate "
                f"{pct(float(base[int(best[hit][top])]))}; first at position {first})",
                column=name,
                row=first,
                count=rows_hit,
                share=rows_hit / d.length,
                threshold=t["trigger_purity"],
                values=len(value_ids),
            )
        )
    return out
