"""Quality checks: missing values and null markers, constant columns, mixed types, category
spelling variants, duplicate rows and infinite values.

Each check reads the shared :class:`~aisec_nb.data.hashing.FrameDigests` (distinct values and row
digests are computed once per frame) and returns findings.

Example::

    >>> import pandas as pd
    >>> from aisec_nb.data.hashing import FrameDigests
    >>> from aisec_nb.data.thresholds import default_thresholds
    >>> d = FrameDigests(pd.DataFrame({"a": [1, 1, 2], "b": ["x", "x", "y"]}))
    >>> [f.count for f in duplicate_rows(d, default_thresholds())]
    [1]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..record import DataFinding
from .findings import finding, pct
from .hashing import FrameDigests

NULL_MARKERS = frozenset(
    {"", "na", "n/a", "nan", "null", "none", "nil", "-", "?", "missing", "#n/a", "undefined"}
)
"""Strings (after strip and lower-casing) that people and exports use to mean 'missing'."""
MAX_SHOWN = 5
SHOWN_VOCABULARY = 100
"""Distinct values a column may have for its values to be quoted in findings."""
SHOWN_CHARS = 30
_FOLD = re.compile(r"[\s_\-.]+")


def _counts(codes: Any, size: int) -> Any:
    import numpy as np

    return np.bincount(codes[codes >= 0], minlength=size)


def _is_text(kind: str) -> bool:
    return kind in ("string", "category[string]")


def _marker_values(uniques: Any) -> list[tuple[int, str]]:
    """``(index, value)`` of the distinct values that are null markers (see :data:`NULL_MARKERS`).

    Vectorised (a length filter, then strip/lower/isin), so a free-text column with a million
    distinct values costs no Python loop.
    """
    import numpy as np
    import pandas as pd

    index = pd.Index(uniques)
    lengths = index.str.len().to_numpy(dtype="float64", na_value=np.inf)
    short = np.flatnonzero(lengths <= 16)
    if len(short) == 0:
        return []
    candidates = index[short]
    folded = candidates.str.strip().str.lower()
    hit = np.asarray(folded.isin(list(NULL_MARKERS)), dtype=bool)
    return [(int(i), str(v)) for i, v in zip(short[hit], candidates[hit], strict=True)]


def missing_values(d: FrameDigests, t: Mapping[str, float]) -> list[DataFinding]:
    """Columns with a share of missing values (real or spelled as a marker) at the threshold."""
    out: list[DataFinding] = []
    n = d.length
    if n == 0:
        return out
    for name in d.names:
        codes, uniques = d.factorized(name)
        real = int((codes < 0).sum())
        markers: dict[str, int] = {}
        if _is_text(d.kinds[name]):
            counts = _counts(codes, len(uniques))
            for i, v in _marker_values(uniques):
                markers[repr(v)] = int(counts[i])
        disguised = sum(markers.values())
        total = real + disguised
        if markers and (real > 0 or len(markers) > 1):
            spelled = ", ".join(f"{k} ×{v}" for k, v in sorted(markers.items())[:MAX_SHOWN])
            kinds = len(markers) + (1 if real else 0)
            out.append(
                finding(
                    "AISEC-DATA-Q02",
                    f"column {name!r} spells 'missing' {kinds} ways: "
                    + (f"real missing ×{real}, " if real else "")
                    + spelled,
                    column=name,
                    count=disguised,
                    share=disguised / n,
                    markers=sorted(markers),
                )
            )
        share = total / n
        if total == n:
            continue  # an entirely missing column is reported as constant
        if total and share >= t["missing_share"]:
            detail = f" ({disguised} of them spelled as text)" if disguised else ""
            out.append(
                finding(
                    "AISEC-DATA-Q01",
                    f"column {name!r} is missing {total:,} of {n:,} values ({pct(share)}, "
                    f"threshold {pct(t['missing_share'])}){detail}",
                    column=name,
                    count=total,
                    share=share,
                    threshold=t["missing_share"],
                )
            )
    return out


def constant_columns(
    d: FrameDigests, t: Mapping[str, float], skip: Sequence[str] = ()
) -> list[DataFinding]:
    """Columns with at most one distinct value, and near-constant columns (not ``skip``)."""
    out: list[DataFinding] = []
    for name in d.names:
        codes, uniques = d.factorized(name)
        present = int((codes >= 0).sum())
        if len(uniques) <= 1:
            if d.length <= 1:
                continue
            what = "is entirely missing" if present == 0 else "has a single value"
            out.append(
                finding(
                    "AISEC-DATA-Q03",
                    f"column {name!r} {what} in all {d.length:,} rows",
                    column=name,
                    count=d.length,
                    share=1.0,
                )
            )
            continue
        if name in skip or present == 0:
            continue
        top = int(_counts(codes, len(uniques)).max())
        share = top / present
        if share >= t["near_constant_share"]:
            out.append(
                finding(
                    "AISEC-DATA-Q04",
                    f"column {name!r}: one value covers {pct(share)} of {present:,} present values "
                    f"(threshold {pct(t['near_constant_share'])})",
                    column=name,
                    count=present - top,
                    share=share,
                    threshold=t["near_constant_share"],
                )
            )
    return out


def mixed_types(d: FrameDigests, t: Mapping[str, float]) -> list[DataFinding]:
    """Object columns holding several Python types, and numeric text with non-numbers in it."""
    import numpy as np
    import pandas as pd

    out: list[DataFinding] = []
    for name in d.names:
        kind = d.kinds[name]
        if kind not in ("object", "string"):
            continue
        codes, uniques = d.factorized(name)
        counts = _counts(codes, len(uniques))
        present = int(counts.sum())
        if present == 0:
            continue
        if kind == "object":
            by_type: dict[str, int] = {}
            for value, c in zip(np.asarray(uniques, dtype=object), counts, strict=True):
                tname = type(value).__name__
                by_type[tname] = by_type.get(tname, 0) + int(c)
            minority = present - max(by_type.values())
            if len(by_type) > 1 and minority / present > t["mixed_type_min_share"]:
                listing = ", ".join(f"{k} ×{v:,}" for k, v in sorted(by_type.items()))
                out.append(
                    finding(
                        "AISEC-DATA-Q05",
                        f"column {name!r} mixes {len(by_type)} types: {listing}",
                        column=name,
                        count=minority,
                        share=minority / present,
                        threshold=t["mixed_type_min_share"],
                        types=sorted(by_type),
                    )
                )
            continue
        sample = pd.Series(np.asarray(uniques[:1000], dtype=object), dtype=object)
        if pd.to_numeric(sample, errors="coerce").notna().mean() < 0.5:
            continue  # mostly words: free text, not numbers stored as text
        values = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
        numeric = pd.to_numeric(values, errors="coerce").notna().to_numpy()
        folded = values.str.strip().str.lower().isin(NULL_MARKERS).to_numpy()
        bad = int(counts[~numeric & ~folded].sum())
        good = int(counts[numeric].sum())
        if bad and good / present >= 0.9 and bad / present > t["mixed_type_min_share"]:
            out.append(
                finding(
                    "AISEC-DATA-Q05",
                    f"column {name!r} holds numbers as text, but {bad:,} values "
                    f"({pct(bad / present)}) are not numbers",
                    column=name,
                    count=bad,
                    share=bad / present,
                    threshold=t["mixed_type_min_share"],
                    types=["number", "text"],
                )
            )
    return out


def fold(value: str) -> str:
    """The spelling-insensitive form of a category: case, spaces, ``_``, ``-`` and ``.`` folded.

    >>> fold(" Yes "), fold("in_progress") == fold("In-Progress")
    ('yes', True)
    """
    return _FOLD.sub(" ", value.casefold()).strip()


def category_variants(
    d: FrameDigests, t: Mapping[str, float], hide: Sequence[str] = ()
) -> list[DataFinding]:
    """Categorical text columns where one category is spelled several ways.

    Spellings are shown only for columns of at most :data:`SHOWN_VOCABULARY` distinct values of
    at most :data:`SHOWN_CHARS` characters, and never for columns in ``hide`` (where personal
    data was found).
    """
    out: list[DataFinding] = []
    for name in d.names:
        if not _is_text(d.kinds[name]):
            continue
        codes, uniques = d.factorized(name)
        if len(uniques) > t["max_category_values"] or len(uniques) < 2:
            continue
        counts = _counts(codes, len(uniques))
        groups: dict[str, list[tuple[str, int]]] = {}
        for value, c in zip(uniques, counts, strict=True):
            text = str(value)
            if text.strip().lower() in NULL_MARKERS:
                continue
            groups.setdefault(fold(text), []).append((text, int(c)))
        split = {k: sorted(v, key=lambda p: -p[1]) for k, v in groups.items() if len(v) > 1}
        if not split:
            continue
        rows = sum(c for spellings in split.values() for _, c in spellings[1:])
        shown = []
        # Values are shown only for small vocabularies of short words: a column of names with
        # spelling variants must not put the names into the record.
        showable = name not in hide and len(uniques) <= SHOWN_VOCABULARY
        for spellings in list(split.values())[:MAX_SHOWN]:
            if not showable or any(len(s) > SHOWN_CHARS for s, _ in spellings):
                shown.append(f"{len(spellings)} spellings")
            else:
                shown.append(" / ".join(repr(s) for s, _ in spellings[:4]))
        out.append(
            finding(
                "AISEC-DATA-Q06",
                f"column {name!r}: {len(split)} categor{'y is' if len(split) == 1 else 'ies are'} "
                f"spelled several ways ({'; '.join(shown)}); {rows:,} rows use a minority spelling",
                column=name,
                count=rows,
                share=rows / d.length,
                groups=len(split),
            )
        )
    return out


def duplicate_rows(d: FrameDigests, t: Mapping[str, float]) -> list[DataFinding]:
    """Exact duplicate rows (all columns equal; the first of each group is not counted)."""
    import pandas as pd

    if d.length < 2:
        return []
    dup = pd.Series(d.rows(d.names)).duplicated()
    count = int(dup.sum())
    share = count / d.length
    if count == 0 or share <= t["duplicate_share"]:
        return []
    first = int(dup.to_numpy().argmax())
    return [
        finding(
            "AISEC-DATA-Q07",
            f"{count:,} rows ({pct(share)}) repeat an earlier row exactly "
            f"(first at position {first})",
            row=first,
            count=count,
            share=share,
            threshold=t["duplicate_share"],
        )
    ]


def infinite_values(d: FrameDigests, t: Mapping[str, float]) -> list[DataFinding]:
    """Numeric columns holding +inf or -inf."""
    import numpy as np
    from pandas.api import types as pt

    out: list[DataFinding] = []
    for name in d.names:
        series = d.series(name)
        if d.kinds[name] != "float" or not pt.is_float_dtype(series.dtype):
            continue
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        count = int(np.isinf(values).sum())
        if count:
            out.append(
                finding(
                    "AISEC-DATA-Q08",
                    f"column {name!r} holds {count:,} infinite values",
                    column=name,
                    count=count,
                    share=count / d.length,
                )
            )
    return out
