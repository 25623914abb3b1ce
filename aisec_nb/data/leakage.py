"""Leakage: test rows that are also training rows, single columns that give the label away, and
columns whose missingness does.

Example::

    >>> import pandas as pd
    >>> from aisec_nb.data.hashing import FrameDigests
    >>> from aisec_nb.data.thresholds import default_thresholds
    >>> train = pd.DataFrame({"x": [1, 2, 3], "y": [0, 1, 0]})
    >>> test = pd.DataFrame({"x": [3, 4], "y": [1, 0]})
    >>> [f.count for f in test_rows_in_training(FrameDigests(train), FrameDigests(test), "y",
    ...                                         default_thresholds())]
    [1]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import UsageError
from ..record import DataFinding
from .findings import finding, pct, plural
from .hashing import FrameDigests
from .labels import Labels

SPLIT_SEED = 20240601
NUMERIC_BINS = 100
"""Quantile bins of a many-valued numeric column in the single-column predictor."""


def test_rows_in_training(
    train: FrameDigests, test: FrameDigests, label: str | None, t: Mapping[str, float]
) -> list[DataFinding]:
    """Test rows whose feature values (shared columns, label excluded) equal a training row's."""
    import numpy as np

    common = [n for n in test.names if n in set(train.names) and n != label]
    if not common:
        raise UsageError(
            "the test frame shares no feature column with the training frame "
            f"(training: {train.names[:8]}, test: {test.names[:8]})"
        )
    if test.length == 0:
        return []
    inside = np.isin(test.rows(common), train.rows(common))
    count = int(inside.sum())
    share = count / test.length
    if count == 0 or share <= t["test_overlap_share"]:
        return []
    first = int(inside.argmax())
    return [
        finding(
            "AISEC-DATA-L01",
            f"{count:,} of {plural(test.length, 'test row')} ({pct(share)}) also "
            f"{'occurs' if count == 1 else 'occur'} in the training frame, compared on "
            f"{plural(len(common), 'shared column')} without the label (first test row at "
            f"position {first})",
            row=first,
            count=count,
            share=share,
            threshold=t["test_overlap_share"],
            columns=len(common),
        )
    ]


def _column_codes(d: FrameDigests, name: str) -> Any:
    """Integer codes of a column for prediction: values, or quantile bins of many-valued numbers."""
    import numpy as np
    from pandas.api import types as pt

    codes, uniques = d.factorized(name)
    series = d.series(name)
    numeric = d.kinds[name] in ("integer", "float") and not pt.is_bool_dtype(series.dtype)
    if not numeric or len(uniques) <= NUMERIC_BINS:
        return np.asarray(codes)
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    present = values[np.isfinite(values)]
    if len(present) == 0:
        return np.asarray(codes)
    step = max(1, len(present) // 200_000)
    edges = np.unique(np.quantile(present[::step], np.linspace(0, 1, NUMERIC_BINS + 1))[1:-1])
    binned = np.searchsorted(edges, values, side="right").astype("int64")
    binned[np.isnan(values)] = -1
    return binned


def predictive_score(x: Any, y: Any, k: int) -> float:
    """How well ``x`` alone predicts ``y`` on held-out rows, from 0 (no better than the majority
    class) to 1 (perfect).

    A fixed pseudo-random half of the rows (seeded: the same rows every run, and no periodic
    pattern in the data lines up with it) learns each value's majority class, the other half is
    predicted (values unseen in the learning half get the overall majority), and the score is
    ``(accuracy - baseline) / (1 - baseline)``. A per-row identifier scores 0: its values never
    repeat across halves.

    >>> import numpy as np
    >>> round(predictive_score(np.array([0, 0, 1, 1] * 5), np.array([0, 0, 1, 1] * 5), 2), 2)
    1.0
    """
    import numpy as np

    keep = y >= 0
    x = np.where(x < 0, x.max(initial=0) + 1, x)[keep]  # missing is a value of its own
    y = y[keep]
    if len(y) < 20:
        return 0.0
    learn = np.random.default_rng(SPLIT_SEED).random(len(y)) < 0.5
    check = ~learn
    width = int(x.max()) + 1
    table = np.bincount(x[learn] * k + y[learn], minlength=width * k).reshape(width, k)
    majority = int(np.bincount(y[learn], minlength=k).argmax())
    seen = table.sum(axis=1) > 0
    predicted = np.where(seen, table.argmax(axis=1), majority)[x[check]]
    accuracy = float((predicted == y[check]).mean())
    baseline = float((y[check] == majority).mean())
    if baseline >= 1.0:
        return 0.0
    return max(0.0, (accuracy - baseline) / (1.0 - baseline))


def single_column_leakage(
    d: FrameDigests,
    label: str,
    labels: Labels,
    t: Mapping[str, float],
    skip: Sequence[str] = (),
) -> list[DataFinding]:
    """Columns that alone predict the label on held-out rows (identifier or feature leakage)."""
    out: list[DataFinding] = []
    if labels.k < 2:
        return out
    for name in d.names:
        if name == label or name in skip:
            continue
        score = predictive_score(_column_codes(d, name), labels.codes, labels.k)
        if score >= t["leak_score"]:
            out.append(
                finding(
                    "AISEC-DATA-L02",
                    f"column {name!r} alone predicts {label!r} on held-out rows with score "
                    f"{score:.3f} (threshold {t['leak_score']:g}; 0 = majority guess, 1 = perfect)",
                    column=name,
                    count=d.length,
                    share=score,
                    threshold=t["leak_score"],
                )
            )
    return out


def missingness_leakage(
    d: FrameDigests,
    label: str,
    labels: Labels,
    t: Mapping[str, float],
    skip: Sequence[str] = (),
) -> list[DataFinding]:
    """Columns present (or missing) only for one label class: whether a value was recorded gives
    the label away (a refund amount that exists only for refunded orders).

    The rows where the column is present, or those where it is missing, must number at least
    ``trigger_min_count`` and hold one class at ``missing_leak_purity`` or more, a class that is
    otherwise rarer (``trigger_min_lift`` times its base rate at most).
    """
    import numpy as np

    from .quality import missing_mask

    out: list[DataFinding] = []
    y = labels.codes
    known = y >= 0
    n_known = int(known.sum())
    if labels.k < 2 or n_known == 0:
        return out
    base = labels.counts() / n_known
    for name in d.names:
        if name == label or name in skip:
            continue
        missing = missing_mask(d, name)[known]
        n_missing = int(missing.sum())
        if n_missing == 0 or n_missing == n_known:
            continue
        for group, what in ((~missing, "present"), (missing, "missing")):
            rows = int(group.sum())
            if rows < t["trigger_min_count"]:
                continue
            tally = np.bincount(y[known][group], minlength=labels.k)
            cls = int(tally.argmax())
            purity = float(tally[cls]) / rows
            if purity < t["missing_leak_purity"] or purity < t["trigger_min_lift"] * base[cls]:
                continue
            name_of = labels.classes[cls]
            outcome = f"{label} in {name_of}" if labels.regression else f"{label} = {name_of!r}"
            out.append(
                finding(
                    "AISEC-DATA-L03",
                    f"column {name!r} is {what} in {plural(rows, 'row')}, and {pct(purity)} of "
                    f"them have {outcome} (base rate {pct(float(base[cls]))}): whether the "
                    "column has a value gives the label away",
                    column=name,
                    count=rows,
                    share=purity,
                    threshold=t["missing_leak_purity"],
                    classes=[name_of],
                )
            )
            break
    return out
