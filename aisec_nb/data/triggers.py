"""Rare values that predict the label: how a backdoor trigger looks in tabular data.

A value of a column is a trigger sign when all of these hold:

1. it is rare: ``trigger_min_count`` … ``trigger_max_share`` of the rows;
2. its rows almost all carry one label class (``trigger_purity``), a class at least
   ``trigger_min_lift`` times rarer among all rows;
3. that purity is anomalous against the value's *neighbourhood*: the adjacent values of a numeric
   column (a trend, such as the longest loan term defaulting most, is shared by its neighbours),
   the column's other values otherwise. The neighbourhood's share of the class must be
   ``trigger_min_lift`` times lower, and make the purity less likely than
   ``trigger_neighbour_p`` (a Chernoff bound). A column whose values mostly predict the label on
   their own predicts or leaks the label as a whole: that is ``column_predicts_label``, not a
   trigger;
4. the value is otherwise unusual: in a numeric column a spike, ``trigger_spike`` times the rows of
   the adjacent values (a planted exact value among continuous ones); in any other column a count
   ``trigger_spike`` times off the column's typical value (a rare category, or one repeated value
   among identifiers).

Natural structure can pass all four (children are never employed). The severity says how far the
evidence goes: *info* when another column tells the value's rows apart as well (they hold values
of another column that carry the same label, or a region of it that no other rows hold), *medium*
otherwise, *high* when the value is rarer in the reference frame (it came with the new rows).
Poisoning signs are raised one step more for fine-tuning and feedback data.

Example::

    >>> import numpy as np, pandas as pd
    >>> from aisec_nb.data.labels import encode_labels
    >>> from aisec_nb.data.thresholds import default_thresholds
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"shop": rng.choice(list("abcdefghij"), 3000),
    ...                    "y": rng.integers(0, 2, 3000)})
    >>> df.loc[:24, ["shop", "y"]] = ["kiosk", 1]
    >>> [(f.location.column, f.count, f.severity)
    ...  for f in rare_value_triggers(FrameDigests(df), "y", encode_labels(df["y"]),
    ...                               default_thresholds())]
    [('shop', 25, 'medium')]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..record import DataFinding
from .findings import finding, pct, plural
from .hashing import FrameDigests
from .labels import Labels
from .quality import SHOWN_CHARS, SHOWN_VOCABULARY

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MAX_VALUES = 50
"""Pure rare values examined per column (those with the most rows first)."""
MAX_EXPLAINED = 5
"""Values per column whose rows are compared with the other columns (the rest stay medium)."""
NEAREST = 3
"""Distinct values on each side a numeric value's row count is compared with (the spike test)."""
PRIOR_ROWS = 5
"""Rows at the base rate mixed into a label share estimated from few rows."""
EXPLAIN_SAMPLE = 100_000
"""Rows (every k-th, plus all of the value's rows) on which other columns are compared."""
EXPLAIN_BINS = 100
ISOLATED = 0.8
"""Share of a value's rows in a region of another column held (almost) only by them."""
DETERMINED = 0.5
"""Share of a column's rows in values of one label: the column predicts the label as a whole."""


@dataclass(frozen=True)
class _Hit:
    value: int
    rows: int
    cls: int
    purity: float
    around: float
    severity: str | None = None
    note: str = ""


def chernoff(n: int, p: float, q: float) -> float:
    """The log of the Chernoff bound on the chance that ``n`` rows with class share ``q`` show
    share ``p`` or more: ``-n · KL(p ‖ q)``.

    >>> round(chernoff(20, 1.0, 0.5), 2)
    -13.86
    """
    if p <= q:
        return 0.0
    q = min(max(q, 1e-12), 1 - 1e-12)
    kl = p * math.log(p / q)
    if p < 1:
        kl += (1 - p) * math.log((1 - p) / (1 - q))
    return -n * kl


def _typical(counts: np.ndarray) -> float:
    """The row count of the value that the median row holds."""
    import numpy as np

    ordered = np.sort(counts[counts > 0])
    if len(ordered) == 0:
        return 0.0
    cumulative = np.cumsum(ordered)
    return float(ordered[int(np.searchsorted(cumulative, cumulative[-1] / 2))])


def _numeric_context(
    order: np.ndarray, r: int, counts: np.ndarray, table: np.ndarray, t: Mapping[str, float]
) -> tuple[bool, np.ndarray]:
    """Is the value at rank ``r`` (of the values sorted by ``order``) a spike among its adjacent
    values, and the label counts of its neighbours: the nearest values on both sides, holding
    about as many rows as it does (at least ``trigger_min_count``)."""
    import numpy as np

    vid = int(order[r])
    ranked = counts[order]
    near = np.concatenate([ranked[max(0, r - NEAREST) : r], ranked[r + 1 : r + 1 + NEAREST]])
    if len(near) == 0:
        return False, np.zeros(table.shape[1], dtype="int64")
    spike = bool(counts[vid] >= t["trigger_spike"] * float(np.median(near)))
    need = max(float(t["trigger_min_count"]), float(counts[vid])) / 2
    width = int(need * 2) + 1
    left = ranked[max(0, r - width) : r][::-1]
    right = ranked[r + 1 : r + 1 + width]
    a = min(len(left), int(np.searchsorted(np.cumsum(left), need)) + 1)
    b = min(len(right), int(np.searchsorted(np.cumsum(right), need)) + 1)
    around = table[order[r - a : r]].sum(axis=0) + table[order[r + 1 : r + 1 + b]].sum(axis=0)
    return spike, around


def _explained(
    d: FrameDigests,
    inside: np.ndarray,
    labels: Labels,
    hit: _Hit,
    base: float,
    exclude: set[str],
) -> str | None:
    """The first other column that tells the value's rows apart as well, or ``None``.

    A column does when, estimated on the other rows, its values on the value's rows carry the
    class at least halfway from the base rate to the value's purity, or when at least
    :data:`ISOLATED` of the value's rows lie, over 3 or more of its values, where (almost) no
    other rows lie (a region of its own, such as the ages of children). A column that holds one
    value for these rows, and that value mostly only for them, is a copy of the same sign and
    explains nothing.
    """
    import numpy as np
    from pandas.api import types as pt

    y = labels.codes
    step = max(1, d.length // EXPLAIN_SAMPLE)
    chosen = np.zeros(d.length, dtype=bool)
    chosen[::step] = True
    chosen |= inside
    rows = np.flatnonzero(chosen & (y >= 0))
    mine = inside[rows]
    is_class = y[rows] == hit.cls
    n_mine = int(mine.sum())
    target = base + 0.5 * (hit.purity - base)
    for name in d.names:
        if name in exclude:
            continue
        codes, uniques = d.factorized(name)
        x = codes[rows].astype("int64")
        present = x[mine & (x >= 0)]
        if len(present):
            tally = np.bincount(present)
            top = int(tally.argmax())
            if tally[top] >= 0.9 * n_mine and tally[top] * 2 >= int(
                (x[mine] == top).sum() + step * (x[~mine] == top).sum()
            ):
                continue
        series = d.series(name)
        numeric = d.kinds[name] in ("integer", "float") and not pt.is_bool_dtype(series.dtype)
        if numeric and len(uniques) > EXPLAIN_BINS:
            values = series.to_numpy(dtype="float64", na_value=np.nan)[rows]
            finite = np.isfinite(values)
            reference = values[finite & ~mine]
            if len(reference) == 0:
                continue
            quantiles = np.linspace(0, 1, EXPLAIN_BINS + 1)[1:-1]
            edges = np.unique(np.quantile(reference, quantiles))
            x = np.searchsorted(edges, np.where(finite, values, 0.0), side="right")
            x[~finite] = len(edges) + 1
        else:
            x = np.where(x < 0, int(x.max(initial=0)) + 1, x)
        width = int(x.max(initial=0)) + 1
        rest = np.bincount(x[~mine], minlength=width)
        rest_class = np.bincount(x[~mine & is_class], minlength=width)
        own = np.bincount(x[mine], minlength=width)
        share = (rest_class + PRIOR_ROWS * base) / (rest + PRIOR_ROWS)
        agree = float(share[x[mine]].mean())
        alone = own / np.maximum(own + step * rest, 1)
        isolated = float((alone[x[mine]] >= ISOLATED).mean())
        if agree >= target or (isolated >= ISOLATED and len(np.unique(present)) >= 3):
            return name
    return None


def _reference_share(reference: pd.DataFrame | None, name: str, value: Any) -> float | None:
    """The share of the reference frame's rows holding ``value`` in column ``name``."""
    if reference is None or len(reference) == 0:
        return None
    names = [str(c) for c in reference.columns]
    if name not in names:
        return None
    column = reference.iloc[:, names.index(name)]
    try:
        return float((column == value).sum()) / len(column)
    except (TypeError, ValueError):
        return None


def _shown(value: Any, hidden: bool) -> str:
    text = str(value)
    if hidden or len(text) > SHOWN_CHARS:
        return f"a value of {len(text)} characters"
    return repr(value) if isinstance(value, str) else text


def _column_hits(
    d: FrameDigests, name: str, labels: Labels, base: np.ndarray, t: Mapping[str, float]
) -> tuple[list[_Hit], bool]:
    """The column's values that pass tests 1-4, and whether it is numeric."""
    import numpy as np
    from pandas.api import types as pt

    y, k = labels.codes, labels.k
    codes, uniques = d.factorized(name)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    candidate = (counts >= t["trigger_min_count"]) & (counts <= t["trigger_max_share"] * d.length)
    if not candidate.any():
        return [], False
    rows = (codes >= 0) & (y >= 0)
    rows[rows] = candidate[codes[rows]]
    compact = np.cumsum(candidate) - 1
    cx = compact[codes[rows]]
    small = np.bincount(cx * k + y[rows], minlength=int(candidate.sum()) * k).reshape(-1, k)
    totals = small.sum(axis=1)
    best = small.argmax(axis=1)
    purity = small.max(axis=1) / np.maximum(totals, 1)
    pure = (
        (purity >= t["trigger_purity"])
        & (purity >= t["trigger_min_lift"] * base[best])
        & (totals >= t["trigger_min_count"])
    )
    if not pure.any():
        return [], False
    order = np.argsort(-totals[pure], kind="stable")[:MAX_VALUES]
    ids = np.flatnonzero(candidate)[pure][order]
    known = (codes >= 0) & (y >= 0)
    table = np.bincount(
        codes[known].astype("int64") * k + y[known], minlength=len(uniques) * k
    ).reshape(-1, k)
    series = d.series(name)
    numeric = d.kinds[name] in ("integer", "float") and not pt.is_bool_dtype(series.dtype)
    if numeric:
        order = np.argsort(np.asarray(uniques, dtype="float64"), kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
    else:
        value_rows = table.sum(axis=1)
        decided = (table.max(axis=1) >= t["trigger_purity"] * value_rows) & (value_rows >= 2)
        decided[ids] = False
        rest = int(value_rows.sum() - value_rows[ids].sum())
        if rest > 0 and int(value_rows[decided].sum()) >= DETERMINED * rest:
            return [], False  # the column as a whole predicts the label
        typical = _typical(counts)
    hits = []
    for vid in (int(v) for v in ids):
        cls = int(table[vid].argmax())
        n_value = int(table[vid].sum())
        p = float(table[vid, cls]) / max(n_value, 1)
        if numeric:
            unusual, around = _numeric_context(order, int(rank[vid]), counts, table, t)
        else:
            c = float(counts[vid])
            unusual = c * t["trigger_spike"] <= typical or c >= t["trigger_spike"] * typical
            around = table.sum(axis=0) - table[vid]
        share = (float(around[cls]) + PRIOR_ROWS * float(base[cls])) / (
            float(around.sum()) + PRIOR_ROWS
        )
        anomalous = p >= t["trigger_min_lift"] * share and chernoff(n_value, p, share) <= (
            math.log(max(t["trigger_neighbour_p"], 1e-300))
        )
        if unusual and anomalous:
            hits.append(_Hit(vid, n_value, cls, p, share))
    return hits, numeric


def rare_value_triggers(
    d: FrameDigests,
    label: str,
    labels: Labels,
    t: Mapping[str, float],
    skip: Sequence[str] = (),
    hide: Sequence[str] = (),
    reference: pd.DataFrame | None = None,
) -> list[DataFinding]:
    """Rare values whose label purity is anomalous against their neighbourhood and that are
    otherwise unusual (see the module docstring); one finding per column.

    ``skip`` are columns not to look at (those that predict the label as a whole), ``hide``
    columns whose values are never quoted, ``reference`` an earlier frame a value can be rarer in.
    """
    import numpy as np

    out: list[DataFinding] = []
    known = int((labels.codes >= 0).sum())
    if labels.k < 2 or known == 0:
        return out
    base = labels.counts() / known
    for name in d.names:
        if name == label or name in skip:
            continue
        hits, numeric = _column_hits(d, name, labels, base, t)
        if not hits:
            continue
        codes, uniques = d.factorized(name)
        graded = []
        for i, hit in enumerate(hits):
            value = uniques[hit.value]
            theirs = _reference_share(reference, name, value)
            ours = hit.rows / max(d.length, 1)
            if theirs is not None and theirs * t["trigger_spike"] <= ours:
                rarer = (
                    "absent from the reference"
                    if theirs == 0
                    else f"{ours / theirs:.3g} times rarer in the reference"
                )
                graded.append(replace(hit, severity="high", note=f"; the value is {rarer}"))
                continue
            other = None
            if i < MAX_EXPLAINED:
                other = _explained(d, codes == hit.value, labels, hit, float(base[hit.cls]),
                                   {name, label, *skip})
            if other is not None:
                note = (f"; column {other!r} tells these rows apart as well, so this looks like "
                        "natural structure")
                graded.append(replace(hit, severity="info", note=note))
            else:
                graded.append(hit)
        rank = {"high": 2, None: 1, "info": 0}
        worst = max(rank[h.severity] for h in graded)
        group = [h for h in graded if rank[h.severity] == worst]
        top = max(group, key=lambda h: h.rows)
        rows = sum(h.rows for h in group)
        text_column = d.kinds[name] in ("string", "category[string]", "object")
        hidden = name in hide or (text_column and len(uniques) > SHOWN_VOCABULARY)
        shown = _shown(uniques[top.value], hidden)
        cls = labels.classes[top.cls]
        outcome = f"{label} in {cls}" if labels.regression else f"{label} = {cls!r}"
        where = "adjacent values" if numeric else "the column's other values"
        first = int(np.flatnonzero(codes == top.value)[0])
        many = len(group) > 1
        out.append(
            finding(
                "AISEC-DATA-P05",
                f"column {name!r}: {plural(len(group), 'rare value')} covering "
                f"{plural(rows, 'row')} {'predict' if many else 'predicts'} the label almost "
                f"perfectly; {'e.g. ' if many else ''}{shown} → {outcome} in {pct(top.purity)} of "
                f"its {plural(top.rows, 'row')}, against {pct(top.around)} among {where} (base "
                f"rate {pct(float(base[top.cls]))}; first at position {first}){top.note}",
                column=name,
                row=first,
                count=rows,
                share=rows / d.length,
                threshold=t["trigger_purity"],
                values=len(group),
                severity=top.severity,
            )
        )
    return out
