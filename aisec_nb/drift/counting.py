"""Rows into a layout: bucket codes per row, then the counts of a :class:`Profile`.

The per-row codes (:class:`Encoded`) are kept for the out-of-distribution scores and the time
windows; the counts are what a profile stores.

Example::

    >>> import pandas as pd
    >>> from aisec_nb.drift.layout import ColumnLayout
    >>> enc = encode_column(pd.Series([1.0, 5.0, None]), ColumnLayout("x", "numeric", (2.0,)))
    >>> enc.codes.tolist(), count_encoded(enc).counts
    ([0, 1, 2], (1, 1))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .layout import ColumnLayout, category_key, ordinal_values
from .profile import CHUNK, MAX_MULTIVARIATE, ColumnProfile, Multivariate, Profile, _top_unseen

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class Encoded:
    """One column's rows in a layout: a bucket code per row, and the values behind it.

    Codes: ``0..n_buckets-1`` for a bucket, then ``missing``, ``+inf``, ``-inf`` (ordinal) or
    ``missing`` (categorical; the last bucket is the unseen one).
    """

    layout: ColumnLayout
    codes: np.ndarray[Any, Any]
    values: np.ndarray[Any, Any] | None = None
    """float64 values (ordinal kinds)."""
    factor: np.ndarray[Any, Any] | None = None
    """per row, the index of its value in ``uniques`` (-1 missing; categorical kinds)."""
    uniques: np.ndarray[Any, Any] | None = None
    """the distinct values as category keys (digests for personal-looking ones)."""

    def text(self, pos: int) -> str:
        """The value of row ``pos`` as text (categorical kinds)."""
        assert self.factor is not None and self.uniques is not None
        return str(self.uniques[self.factor[pos]])

    @property
    def missing_code(self) -> int:
        return self.layout.n_buckets

    @property
    def unseen_code(self) -> int:
        return self.layout.n_buckets - 1


def _code_dtype(n_buckets: int) -> str:
    """The smallest integer type for a column's codes: a 1M-row column of int16 codes is 2 MB."""
    return "int16" if n_buckets + 3 < 2**15 else "int32"


def encode_column(series: pd.Series[Any], layout: ColumnLayout) -> Encoded:
    """Bucket codes for every row of ``series`` in ``layout``."""
    import numpy as np
    import pandas as pd

    nb = layout.n_buckets
    if layout.ordinal:
        try:
            values = ordinal_values(series, layout.kind)
        except (TypeError, ValueError) as exc:
            msg = f"column {layout.name!r}: cannot read it as {layout.kind} values ({exc})"
            raise UsageError(msg) from None
        codes = np.searchsorted(np.asarray(layout.edges, dtype="float64"), values, side="left")
        codes[np.isnan(values)] = nb
        codes[values == np.inf] = nb + 1
        codes[values == -np.inf] = nb + 2
        return Encoded(layout, codes.astype(_code_dtype(nb), copy=False), values=values)
    # Factorising first means only the distinct values are turned into text and looked up.
    factor, raw = pd.factorize(series)
    uniques = np.array([category_key(str(v)) for v in raw], dtype=object)
    lookup = pd.Index(layout.categories, dtype="object").get_indexer(pd.Index(uniques))
    lookup = np.append(np.where(lookup < 0, nb - 1, lookup), nb).astype(_code_dtype(nb))
    codes = lookup[factor]  # factor -1 (missing) picks the appended ``nb``
    return Encoded(layout, codes, factor=np.asarray(factor), uniques=uniques)


def count_encoded(enc: Encoded, rows: np.ndarray[Any, Any] | None = None) -> ColumnProfile:
    """The :class:`ColumnProfile` of the encoded rows (all, or the positions in ``rows``)."""
    import numpy as np

    layout = enc.layout
    nb = layout.n_buckets
    codes = enc.codes if rows is None else enc.codes[rows]
    tally = np.bincount(codes, minlength=nb + 3)
    counts = tuple(int(v) for v in tally[:nb])
    if layout.ordinal:
        assert enc.values is not None
        values = enc.values if rows is None else enc.values[rows]
        finite = values[codes < nb]
        lo = float(finite.min()) if finite.size else None
        hi = float(finite.max()) if finite.size else None
        return ColumnProfile(
            layout,
            len(codes),
            int(tally[nb]),
            int(tally[nb + 1]),
            int(tally[nb + 2]),
            counts,
            lo,
            hi,
        )
    unseen: tuple[tuple[str, int], ...] = ()
    overflow = False
    if counts[-1]:
        assert enc.factor is not None and enc.uniques is not None
        factor = enc.factor if rows is None else enc.factor[rows]
        per_value = np.bincount(factor[codes == nb - 1], minlength=len(enc.uniques))
        table: dict[str, int] = {}
        for i in np.flatnonzero(per_value):
            key = str(enc.uniques[i])
            table[key] = table.get(key, 0) + int(per_value[i])
        unseen, overflow = _top_unseen(table)
    return ColumnProfile(
        layout, len(codes), int(tally[nb]), 0, 0, counts, unseen=unseen, unseen_overflow=overflow
    )


def multivariate_of(
    encoded: Sequence[Encoded], rows: np.ndarray[Any, Any] | None = None
) -> Multivariate:
    """Integer sums and cross products of the bin indices of numeric and datetime columns."""
    import numpy as np

    picked = [e for e in encoded if e.layout.kind in ("numeric", "datetime")][:MAX_MULTIVARIATE]
    if not picked:
        return Multivariate()
    k = len(picked)
    n_rows = len(picked[0].codes) if rows is None else len(rows)
    n, sums, cross = 0, np.zeros(k, np.int64), np.zeros((k, k), np.int64)
    for start in range(0, n_rows, CHUNK):
        stop = min(start + CHUNK, n_rows)
        block = np.empty((stop - start, k), dtype="float64", order="F")  # filled by column
        ok = np.ones(stop - start, dtype=bool)
        for j, e in enumerate(picked):
            col = e.codes[start:stop] if rows is None else e.codes[rows[start:stop]]
            block[:, j] = col
            ok &= col < e.layout.n_buckets
        block[~ok] = 0.0  # an incomplete row then adds nothing to the sums
        n += int(ok.sum())
        # Bin indices are < MAX_BINS, so every partial sum of products is an integer < 2**53
        # and the float matrix product is exact whatever order BLAS adds in.
        sums += np.rint(block.sum(axis=0)).astype(np.int64)
        cross += np.rint(block.T @ block).astype(np.int64)
    return Multivariate(
        columns=tuple(e.layout.name for e in picked),
        n=n,
        sums=tuple(int(v) for v in sums),
        cross=tuple(tuple(int(v) for v in r) for r in cross),
    )


def frame_columns(df: Any, columns: Sequence[str] | None, what: str) -> list[str]:
    """The columns of ``df`` to profile, checked: a clear error for a wrong name or type."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        msg = f"{what} must be a pandas DataFrame, not {type(df).__name__}"
        raise UsageError(msg)
    names = [str(c) for c in df.columns]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        msg = f"{what} has duplicate column names: {', '.join(dup)}"
        raise UsageError(msg)
    if columns is None:
        return names
    missing = [c for c in columns if c not in names]
    if missing:
        msg = f"{what} has no column {missing[0]!r} (it has: {', '.join(names[:20])})"
        raise UsageError(msg)
    return list(columns)


def series_of(df: pd.DataFrame, name: str) -> pd.Series[Any]:
    for col in df.columns:
        if str(col) == name:
            s = df[col]
            return s.rename(name)
    msg = f"no column {name!r}"
    raise UsageError(msg)


def count_frame(
    df: pd.DataFrame,
    layouts: Sequence[ColumnLayout],
    what: str = "live data",
    *,
    multivariate: bool = True,
) -> tuple[Profile, list[Encoded]]:
    """Count ``df`` into fixed layouts; also returns the per-row encoding (for OOD scores).

    ``multivariate=False`` skips the cross products, which only a reference needs.
    """
    frame_columns(df, [lay.name for lay in layouts], what)
    encoded = [encode_column(series_of(df, lay.name), lay) for lay in layouts]
    columns = tuple(count_encoded(e) for e in encoded)
    mv = multivariate_of(encoded) if multivariate else Multivariate()
    return Profile(columns, len(df), 0, 0, mv), encoded
