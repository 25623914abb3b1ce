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
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from ..record import DataFinding
from .findings import finding, pct, plural
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


_MARKERS: weakref.WeakKeyDictionary[FrameDigests, dict[str, list[tuple[int, str]]]] = (
    weakref.WeakKeyDictionary()
)


def marker_values(d: FrameDigests, name: str) -> list[tuple[int, str]]:
    """:func:`_marker_values` of a column of ``d``, found once per frame."""
    known = _MARKERS.setdefault(d, {})
    if name not in known:
        known[name] = _marker_values(d.factorized(name)[1]) if _is_text(d.kinds[name]) else []
    return known[name]


def missing_mask(d: FrameDigests, name: str) -> Any:
    """Rows where column ``name`` is missing: real missing values and null markers as text."""
    import numpy as np

    codes, _ = d.factorized(name)
    missing = codes < 0
    markers = [i for i, _ in marker_values(d, name)]
    if markers:
        missing = missing | np.isin(codes, markers)
    return missing


def missing_values(d: FrameDigests, t: Mapping[str, float]) -> list[DataFinding]:
    """Every column with missing values (real or spelled as a marker): medium at ``missing_share``
    or above, info below it; and columns that spell 'missing' several ways."""
    out: list[DataFinding] = []
    n = d.length
    if n == 0:
        return out
    for name in d.names:
        codes, uniques = d.factorized(name)
        real = int((codes < 0).sum())
        markers: dict[str, int] = {}
        found = marker_values(d, name)
        if found:
            counts = _counts(codes, len(uniques))
            for i, v in found:
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
        if total == n or total == 0:
            continue  # an entirely missing column is reported as constant
        detail = f" ({disguised:,} of them spelled as text)" if disguised else ""
        below = share < t["missing_share"]
        out.append(
            finding(
                "AISEC-DATA-Q01",
                f"column {name!r} is missing {total:,} of {plural(n, 'value')} ({pct(share)}, "
                f"{'below ' if below else ''}threshold {pct(t['missing_share'])}){detail}",
                column=name,
                count=total,
                share=share,
                threshold=t["missing_share"],
                severity="info" if below else None,
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
            if present == 0:
                what = f"is entirely missing in all {d.length:,} rows"
            elif present == d.length:
                what = f"has a single value in all {d.length:,} rows"
            else:
                gone = d.length - present
                what = (
                    f"has a single value in its {plural(present, 'present row')}; the other "
                    f"{plural(gone, 'row')} {'is' if gone == 1 else 'are'} missing"
                )
            out.append(
                finding(
                    "AISEC-DATA-Q03",
                    f"column {name!r} {what}",
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


CHANCE_FACTOR = 2.0
"""Duplicate rows no more than this many times what chance gives are reported as info."""


def chance_duplicates(d: FrameDigests, enough: float = 0.0) -> float:
    """How many rows would repeat an earlier one by chance alone, were the columns independent:
    ``n - P·(1 - exp(-n/P))`` with ``P = 1 / Π_columns Σ_values share²`` (the number of equally
    likely rows that gives the same chance of two rows being equal). Columns of few values (a
    one-column series, coarse survey answers) repeat rows by chance; a per-row id makes it 0.

    Columns are taken from the most distinct values down; once the figure is below ``enough`` it
    can only fall, and is returned as it stands.

    >>> import pandas as pd
    >>> round(chance_duplicates(FrameDigests(pd.DataFrame({"a": [0, 1] * 50}))))
    98
    """
    import math

    n = d.length
    log_collide = 0.0
    expected = float(n)
    for name in sorted(d.names, key=lambda c: -len(d.factorized(c)[1])):
        codes, uniques = d.factorized(name)
        counts = _counts(codes, len(uniques)).astype("float64")
        missing = float(n - counts.sum())
        collide = (float((counts**2).sum()) + missing**2) / (n * n)
        log_collide += math.log(max(collide, 1e-300))
        expected = _expected(n, log_collide)
        if expected < enough:
            break
    return expected


def _expected(n: int, log_collide: float) -> float:
    import math

    if log_collide < -200:
        return 0.0
    equally_likely = math.exp(-log_collide)
    ratio = n / equally_likely
    if ratio < 1e-6:
        return n * ratio / 2
    return n - equally_likely * -math.expm1(-ratio)


def duplicate_rows(d: FrameDigests, t: Mapping[str, float]) -> list[DataFinding]:
    """Exact duplicate rows (all columns equal; the first of each group is not counted); info when
    chance alone gives about as many (:func:`chance_duplicates`)."""
    import pandas as pd

    if d.length < 2:
        return []
    dup = pd.Series(d.rows(d.names)).duplicated()
    count = int(dup.sum())
    share = count / d.length
    if count == 0 or share <= t["duplicate_share"]:
        return []
    first = int(dup.to_numpy().argmax())
    expected = chance_duplicates(d, enough=count / CHANCE_FACTOR)
    chance = count <= CHANCE_FACTOR * expected
    detail = (
        f"; about as many as chance gives ({expected:,.0f} expected), since "
        + ("its one column takes" if len(d.names) == 1 else f"its {len(d.names)} columns take")
        + " few distinct values"
        if chance
        else ""
    )
    return [
        finding(
            "AISEC-DATA-Q07",
            f"{plural(count, 'row')} ({pct(share)}) {'repeats' if count == 1 else 'repeat'} an "
            f"earlier row exactly (first at position {first}){detail}",
            row=first,
            count=count,
            share=share,
            threshold=t["duplicate_share"],
            severity="info" if chance else None,
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
                    f"column {name!r} holds {plural(count, 'infinite value')}",
                    column=name,
                    count=count,
                    share=count / d.length,
                )
            )
    return out
