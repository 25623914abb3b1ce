"""The reference profile: per-column bin counts, small enough to live in the notebook record.

A :class:`Profile` holds, per column, its :class:`~aisec_nb.drift.layout.ColumnLayout` and
integer counts (rows, missing, infinities, bins or categories) plus the finite range, and for the
ordinal columns the integer sums of their bin indices and of their products, from which the
multivariate out-of-distribution score is derived. Every number is an integer or a min/max, so
profiles of partitions binned with the same layout merge *exactly* (:func:`merge_profiles`).

Example::

    >>> import pandas as pd
    >>> ref = build_profile(pd.DataFrame({"x": [1.0, 2.0, 3.0, None]}), bins=2)
    >>> ref.column("x").missing, ref.column("x").counts
    (1, (2, 1))
    >>> Profile.from_dict(ref.to_dict()) == ref
    True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .decide import DriftConfig, drift_config
from .layout import ColumnLayout, Kind, layout_of

if TYPE_CHECKING:
    pass

FORMAT = "aisec-nb/drift-profile"
FORMAT_VERSION = 1
UNSEEN_TRACKED = 100
"""Distinct unseen categories counted per column; beyond it only the total is exact."""
MAX_MULTIVARIATE = 50
"""Ordinal columns that enter the multivariate score (the first ones, in column order)."""
MAX_BINS = 1000
CHUNK = 65_536
"""Rows turned into a float block at once for the cross products (bounds the memory)."""


@dataclass(frozen=True)
class ColumnProfile:
    """Counts of one column in one layout. ``counts`` has ``layout.n_buckets`` entries."""

    layout: ColumnLayout
    rows: int
    missing: int
    pos_inf: int = 0
    neg_inf: int = 0
    counts: tuple[int, ...] = ()
    min: float | None = None
    max: float | None = None
    unseen: tuple[tuple[str, int], ...] = ()
    """Most frequent values outside the reference categories, ``(value, count)``."""
    unseen_overflow: bool = False

    @property
    def name(self) -> str:
        return self.layout.name

    @property
    def kind(self) -> Kind:
        return self.layout.kind

    @property
    def observed(self) -> int:
        """Values in the distribution: not missing, not infinite."""
        return sum(self.counts)


@dataclass(frozen=True)
class Multivariate:
    """Integer moments of the bin indices of ordinal columns over rows where all are finite."""

    columns: tuple[str, ...] = ()
    n: int = 0
    sums: tuple[int, ...] = ()
    cross: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True)
class Profile:
    """A dataset's profile: one :class:`ColumnProfile` per column, in column order."""

    columns: tuple[ColumnProfile, ...]
    rows: int
    bins: int
    max_categories: int
    multivariate: Multivariate = field(default_factory=Multivariate)

    def column(self, name: str) -> ColumnProfile:
        """The profile of column ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        msg = f"the reference profile has no column {name!r}"
        raise UsageError(msg)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def layouts(self) -> tuple[ColumnLayout, ...]:
        return tuple(c.layout for c in self.columns)

    def select(self, names: Sequence[str]) -> Profile:
        """The profile of some columns only (the multivariate part restricted to them)."""
        cols = tuple(self.column(n) for n in names)
        mv = self.multivariate
        keep = [i for i, c in enumerate(mv.columns) if c in set(names)]
        sub = (
            Multivariate(
                columns=tuple(mv.columns[i] for i in keep),
                n=mv.n,
                sums=tuple(mv.sums[i] for i in keep),
                cross=tuple(tuple(mv.cross[i][j] for j in keep) for i in keep),
            )
            if keep
            else Multivariate()
        )
        return replace(self, columns=cols, multivariate=sub)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (floats round-trip exactly through :mod:`json`)."""
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "rows": self.rows,
            "bins": self.bins,
            "max_categories": self.max_categories,
            "columns": [_column_to_dict(c) for c in self.columns],
            "multivariate": {
                "columns": list(self.multivariate.columns),
                "n": self.multivariate.n,
                "sums": list(self.multivariate.sums),
                "cross": [list(r) for r in self.multivariate.cross],
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Profile:
        """Read :meth:`to_dict` output back; a malformed profile raises :class:`UsageError`."""
        try:
            if data.get("format") != FORMAT or data.get("version") != FORMAT_VERSION:
                raise _malformed(f"not an {FORMAT} version {FORMAT_VERSION} object")
            mv = data.get("multivariate") or {}
            return cls(
                columns=tuple(_column_from_dict(c) for c in data["columns"]),
                rows=int(data["rows"]),
                bins=int(data["bins"]),
                max_categories=int(data["max_categories"]),
                multivariate=Multivariate(
                    columns=tuple(str(c) for c in mv.get("columns", ())),
                    n=int(mv.get("n", 0)),
                    sums=tuple(int(v) for v in mv.get("sums", ())),
                    cross=tuple(tuple(int(v) for v in r) for r in mv.get("cross", ())),
                ),
            )
        except UsageError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _malformed(exc) from None

    def digest(self) -> str:
        """sha256 of the canonical JSON form: the profile's identity in the record."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _column_to_dict(c: ColumnProfile) -> dict[str, Any]:
    return {
        "name": c.name,
        "kind": c.kind,
        "edges": list(c.layout.edges),
        "categories": list(c.layout.categories),
        "rows": c.rows,
        "missing": c.missing,
        "pos_inf": c.pos_inf,
        "neg_inf": c.neg_inf,
        "counts": list(c.counts),
        "min": c.min,
        "max": c.max,
        "unseen": [list(u) for u in c.unseen],
        "unseen_overflow": c.unseen_overflow,
    }


def _malformed(problem: object) -> UsageError:
    return UsageError(f"reference profile is malformed: {problem}")


def _column_from_dict(d: Mapping[str, Any]) -> ColumnProfile:
    kind = d["kind"]
    if kind not in ("numeric", "datetime", "boolean", "categorical", "text"):
        raise _malformed(f"column {d.get('name')!r} has unknown kind {kind!r}")
    layout = ColumnLayout(
        name=str(d["name"]),
        kind=kind,
        edges=tuple(float(v) for v in d["edges"]),
        categories=tuple(str(v) for v in d["categories"]),
    )
    counts = tuple(int(v) for v in d["counts"])
    if len(counts) != layout.n_buckets:
        msg = f"column {layout.name!r} has {len(counts)} counts for {layout.n_buckets} buckets"
        raise _malformed(msg)
    return ColumnProfile(
        layout=layout,
        rows=int(d["rows"]),
        missing=int(d["missing"]),
        pos_inf=int(d.get("pos_inf", 0)),
        neg_inf=int(d.get("neg_inf", 0)),
        counts=counts,
        min=None if d.get("min") is None else float(d["min"]),
        max=None if d.get("max") is None else float(d["max"]),
        unseen=tuple((str(k), int(v)) for k, v in d.get("unseen", ())),
        unseen_overflow=bool(d.get("unseen_overflow", False)),
    )


def _top_unseen(table: Mapping[str, int]) -> tuple[tuple[tuple[str, int], ...], bool]:
    order = sorted(table, key=lambda k: (-table[k], k))
    return tuple((k, table[k]) for k in order[:UNSEEN_TRACKED]), len(order) > UNSEEN_TRACKED


def check_parameters(bins: int, max_categories: int) -> None:
    """Refuse bin and category limits outside what the profile can hold exactly."""
    if not 2 <= bins <= MAX_BINS:
        msg = f"bins must be between 2 and {MAX_BINS}, not {bins}"
        raise UsageError(msg)
    if not 1 <= max_categories <= 100_000:
        msg = f"max_categories must be between 1 and 100000, not {max_categories}"
        raise UsageError(msg)


def build_profile(
    df: Any,
    *,
    bins: int | None = None,
    max_categories: int | None = None,
    columns: Sequence[str] | None = None,
    config: DriftConfig | None = None,
) -> Profile:
    """Profile a reference DataFrame once; keep the result, not the rows.

    ``bins`` and ``max_categories`` default to ``config``'s (the project's drift settings as a
    face resolved them; without one, the shipped defaults).
    """
    from .counting import count_frame, frame_columns, series_of  # counting builds on this module

    cfg = config or drift_config()
    bins = int(cfg.bins if bins is None else bins)
    max_categories = int(cfg.max_categories if max_categories is None else max_categories)
    check_parameters(bins, max_categories)
    names = frame_columns(df, columns, "reference data")
    layouts = [layout_of(series_of(df, n), bins=bins, max_categories=max_categories) for n in names]
    counted, _ = count_frame(df, layouts, "reference data")
    return replace(counted, bins=bins, max_categories=max_categories)


def merge_profiles(profiles: Iterable[Profile]) -> Profile:
    """The profile of the union of the rows of profiles counted in one layout."""
    items = list(profiles)
    if not items:
        msg = "merge_profiles needs at least one profile"
        raise UsageError(msg)
    first = items[0]
    for other in items[1:]:
        if other.layouts != first.layouts:
            msg = "profiles were counted in different layouts and cannot be merged"
            raise UsageError(msg)
    columns = tuple(
        _merge_columns([p.columns[i] for p in items]) for i in range(len(first.columns))
    )
    mv = first.multivariate
    for p in items[1:]:
        mv = _merge_mv(mv, p.multivariate)
    return Profile(columns, sum(p.rows for p in items), first.bins, first.max_categories, mv)


def _merge_columns(cols: list[ColumnProfile]) -> ColumnProfile:
    mins = [c.min for c in cols if c.min is not None]
    maxs = [c.max for c in cols if c.max is not None]
    unseen: dict[str, int] = {}
    for c in cols:
        for k, v in c.unseen:
            unseen[k] = unseen.get(k, 0) + v
    top, overflow = _top_unseen(unseen)
    return ColumnProfile(
        layout=cols[0].layout,
        rows=sum(c.rows for c in cols),
        missing=sum(c.missing for c in cols),
        pos_inf=sum(c.pos_inf for c in cols),
        neg_inf=sum(c.neg_inf for c in cols),
        counts=tuple(sum(vs) for vs in zip(*(c.counts for c in cols), strict=False)),
        min=min(mins) if mins else None,
        max=max(maxs) if maxs else None,
        unseen=top,
        unseen_overflow=overflow or any(c.unseen_overflow for c in cols),
    )


def _merge_mv(a: Multivariate, b: Multivariate) -> Multivariate:
    if a.n == 0 and not a.sums:
        return b
    if b.n == 0 and not b.sums:
        return a
    return Multivariate(
        columns=a.columns,
        n=a.n + b.n,
        sums=tuple(x + y for x, y in zip(a.sums, b.sums, strict=True)),
        cross=tuple(
            tuple(x + y for x, y in zip(ra, rb, strict=True))
            for ra, rb in zip(a.cross, b.cross, strict=True)
        ),
    )
