"""Content hashes of DataFrames and their rows, and the sha256 of a source file.

Definition (format ``df1``), the same in every process, run and platform, and on pandas 2.2 and 3.x:

1. Each column gets a *logical kind* from its dtype: ``bool``, ``integer``, ``float`` (numpy,
   nullable or pyarrow dtypes alike), ``string`` (``str``/``string`` dtypes, and ``object``
   columns whose non-missing values are all ``str``), ``datetime`` (tz-aware values converted to
   UTC first, the zone name appended, e.g. ``datetime[Europe/Paris]``), ``timedelta``,
   ``category[<kind of its categories>]`` and ``object`` (anything else).
2. Each cell gets a 64-bit digest: pandas' ``hash_array`` (SipHash-2-4, its fixed public key) over a
   canonical value: numbers as float64 with ``-0.0`` folded into ``0.0`` (so cells ``1`` and
   ``1.0`` hash alike and rows compare across an int/float column; integers beyond 2**53 keep
   their int64 bits; the column kind in the header still tells the frames apart), strings as
   UTF-8 text, datetimes as int64 nanoseconds since the epoch, categories as their category
   value, other objects as ``"<type name>:<str(value)>"`` of each distinct value (values that
   Python holds equal, such as ``1`` and ``True`` in one ``object`` column, count as one). Every
   missing value (``None``, ``NaN``, ``NaT``, ``pd.NA``) has the one digest :data:`NULL_DIGEST`.
3. A row digest is the sum modulo 2**64 of one *term* per column, ``mix64(cell digest XOR
   column_key(name))`` (see :func:`term`): it binds each value to its column name, does not
   depend on column order, and lets the row digests of a subset of columns be derived from the
   whole by subtraction.
4. ``content_hash(df)`` is ``"df1:" + sha256(header + row digests in row order)`` where the header
   is canonical JSON of the format tag, the row count and ``[name, kind]`` per column in column
   order; ``content_hash(df, ordered=False)`` lists the columns in name order and sorts the row
   digests, so it ignores the order of rows and of columns. The index is never part of the
   hash.

The hash tells accidental and ordinary changes apart with certainty close to 1 (64-bit rows, 256-bit
total); it is not a cryptographic commitment against someone crafting SipHash collisions with the
public key. For that, pass ``source=`` to record the sha256 of the file's bytes.

Example::

    >>> import pandas as pd
    >>> a = pd.DataFrame({"x": [1, 2], "y": ["a", "b"]})
    >>> content_hash(a) == content_hash(a.iloc[::-1])
    False
    >>> content_hash(a, ordered=False) == content_hash(a.iloc[::-1], ordered=False)
    True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UnreadableInputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

FORMAT = "df1"
HASH_KEY = "0123456789123456"
"""pandas' default SipHash key, spelled out so a pandas default change cannot move our hashes."""
NULL_DIGEST = 0x9E3779B97F4A7C15
"""The digest of every missing cell (the 64-bit golden ratio: an arbitrary fixed constant)."""
_CHUNK = 1 << 20
CHUNK_VALUES = 1 << 16
"""Distinct text values turned into Python objects at a time."""
NUMERIC_KINDS = frozenset({"bool", "integer", "float"})


def logical_kind(series: pd.Series) -> str:
    """The logical kind of a column (see the module docstring)."""
    import pandas as pd
    from pandas.api import types as pt

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return f"category[{logical_kind(pd.Series(dtype.categories))}]"
    if pt.is_bool_dtype(dtype):
        return "bool"
    if pt.is_integer_dtype(dtype):
        return "integer"
    if pt.is_numeric_dtype(dtype):
        return "float"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return f"datetime[{dtype.tz}]"
    if pt.is_datetime64_any_dtype(dtype):
        tz = getattr(dtype, "tz", None)  # pyarrow timestamp types carry their zone here
        return f"datetime[{tz}]" if tz is not None else "datetime"
    if pt.is_timedelta64_dtype(dtype):
        return "timedelta"
    if pt.is_string_dtype(dtype) and not pt.is_object_dtype(dtype):
        return "string"
    if pt.is_object_dtype(dtype):
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        return "string" if inferred in ("string", "empty") else "object"
    return "object"


def _hash(values: np.ndarray) -> np.ndarray:
    import pandas as pd

    out: np.ndarray = pd.util.hash_array(values, hash_key=HASH_KEY, categorize=True)
    return out


def _numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np
    from pandas.api import types as pt

    mask = series.isna().to_numpy(dtype=bool, copy=True)
    if pt.is_integer_dtype(series.dtype):
        ints = series.to_numpy(
            dtype="int64" if pt.is_signed_integer_dtype(series.dtype) else "uint64", na_value=0
        )
        if ints.size == 0 or int(np.abs(ints.astype("float64")).max()) < 2**53:
            return ints.astype("float64") + 0.0, mask
        return ints.view("int64") if ints.dtype.kind == "u" else ints, mask
    floats = series.to_numpy(dtype="float64", na_value=np.nan)
    mask |= np.isnan(floats)
    floats = np.where(mask, 0.0, floats) + 0.0  # + 0.0 turns -0.0 into 0.0
    return floats, mask


def _instants(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np
    import pandas as pd

    mask = series.isna().to_numpy(dtype=bool, copy=True)
    s = series
    if isinstance(s.dtype, pd.ArrowDtype):
        as_numpy: Any = s.dtype.numpy_dtype  # type: ignore[attr-defined]
        s = s.astype(as_numpy if as_numpy.kind in "mM" else np.dtype("datetime64[ns]"))
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    kind = "m" if s.dtype.kind == "m" else "M"
    target: Any = np.dtype(f"{'timedelta64' if kind == 'm' else 'datetime64'}[ns]")
    with contextlib.suppress(OverflowError, ValueError):  # outside the ns range: own unit
        s = s.astype(target)
    ints = s.to_numpy().view("int64").copy()
    ints[mask] = 0
    return ints, mask


def _tagged(value: object) -> str:
    """The canonical text of a value in an ``object`` column: its type name and ``str``."""
    return f"{type(value).__name__}:{value}"


def factorize(series: pd.Series) -> tuple[np.ndarray, Any]:
    """``(codes, uniques)`` of a column; missing values get code -1 (pandas' sentinel)."""
    import pandas as pd

    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(uniques) < 2**31 - 1:
        codes = codes.astype("int32", copy=False)  # half the memory of pandas' intp codes
    return codes, uniques


def column_digests(
    series: pd.Series, kind: str | None = None, factorized: tuple[np.ndarray, Any] | None = None
) -> np.ndarray:
    """The 64-bit digest of every cell of ``series`` (``uint64``, one per row)."""
    import numpy as np
    import pandas as pd

    kind = kind or logical_kind(series)
    if kind.startswith("category["):
        cats = pd.Series(series.cat.categories)
        cat_digests = column_digests(cats)
        codes = series.cat.codes.to_numpy()
        out = (
            cat_digests[np.where(codes < 0, 0, codes)] if len(cats) else np.zeros(len(codes), "u8")
        )
        return np.where(codes < 0, np.uint64(NULL_DIGEST), out).astype("uint64")
    if kind in NUMERIC_KINDS:
        values, mask = _numbers(series)
    elif kind.startswith(("datetime", "timedelta")):
        values, mask = _instants(series)
    else:  # strings, and other objects by type-tagged text: hash each distinct value once
        codes, uniques = factorized if factorized is not None else factorize(series)
        parts = []
        for start in range(0, len(uniques), CHUNK_VALUES):
            # In chunks: a million distinct strings never exist as Python objects at once.
            distinct = np.asarray(uniques[start : start + CHUNK_VALUES], dtype=object)
            if kind != "string":
                distinct = np.array([_tagged(v) for v in distinct], dtype=object)
            parts.append(_hash(distinct))
        unique_digests = np.concatenate(parts) if parts else np.zeros(0, dtype="uint64")
        if len(unique_digests) == 0:
            return np.full(len(codes), NULL_DIGEST, dtype="uint64")
        out = unique_digests[np.where(codes < 0, 0, codes)]
        return np.where(codes < 0, np.uint64(NULL_DIGEST), out).astype("uint64")
    digests = _hash(values)
    return np.where(mask, np.uint64(NULL_DIGEST), digests).astype("uint64")


def column_key(name: str) -> int:
    """The 64-bit key of a column name: the first 8 bytes of its UTF-8 sha256, little-endian."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def term(digests: np.ndarray, name: str) -> np.ndarray:
    """A column's share of the row digests: ``mix64(d ^ column_key(name))``.

    ``mix64`` is the SplitMix64 finaliser (xor-shift 30, × 0xBF58476D1CE4E5B9, xor-shift 27,
    × 0x94D049BB133111EB, xor-shift 31), all modulo 2**64.
    """
    import numpy as np

    z = digests ^ np.uint64(column_key(name))
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    out: np.ndarray = z ^ (z >> np.uint64(31))
    return out


class FrameDigests:
    """Row digests of one frame over any set of its columns, and its content hash.

    Column digests are not kept (a million rows × 20 columns would hold 160 MB): the row digests
    over all columns are summed once and kept, and other column sets are derived from them by
    subtracting (or adding) the few columns that differ. Distinct values per column
    (:meth:`factorized`) are kept, since most checks read them.

    >>> import pandas as pd
    >>> d = FrameDigests(pd.DataFrame({"a": [1, 1], "b": [2, 2]}))
    >>> int(d.rows(["a", "b"])[0]) == int(d.rows(["b", "a"])[1])
    True
    """

    def __init__(self, df: pd.DataFrame) -> None:
        self.length = len(df)
        self.names = [str(c) for c in df.columns]
        self.kinds: dict[str, str] = {}
        self._series: dict[str, Any] = {}
        for position, name in enumerate(self.names):
            series = df.iloc[:, position]
            self._series[name] = series
            self.kinds[name] = logical_kind(series)
        self._all: np.ndarray | None = None
        self._factorized: dict[str, tuple[np.ndarray, Any]] = {}

    def series(self, name: str) -> pd.Series:
        """The column called ``name`` (the first one, should names repeat)."""
        series: pd.Series = self._series[name]
        return series

    def factorized(self, name: str) -> tuple[np.ndarray, Any]:
        """``(codes, uniques)`` of column ``name``, computed once (see :func:`factorize`)."""
        if name not in self._factorized:
            self._factorized[name] = factorize(self._series[name])
        return self._factorized[name]

    def column(self, name: str) -> np.ndarray:
        """The cell digests of column ``name`` (computed afresh: they are not kept)."""
        kind = self.kinds[name]
        shared = self.factorized(name) if kind in ("string", "object") else None
        return column_digests(self._series[name], kind, shared)

    def _sum(self, names: Sequence[str]) -> np.ndarray:
        import numpy as np

        acc = np.zeros(self.length, dtype="uint64")
        with np.errstate(over="ignore"):
            for name in names:
                acc += term(self.column(name), name)
        return acc

    def rows(self, names: Sequence[str]) -> np.ndarray:
        """Row digests over the columns ``names``: the sum of their terms (in any order)."""
        import numpy as np

        wanted = set(names)
        others = [n for n in self.names if n not in wanted]
        if len(others) >= len(wanted):
            return self._sum([n for n in self.names if n in wanted])
        if self._all is None:
            self._all = self._sum(self.names)
        if not others:
            return self._all
        with np.errstate(over="ignore"):
            out: np.ndarray = self._all - self._sum(others)
        return out

    def content_hash(self, *, ordered: bool = True) -> str:
        """The ``df1`` content hash (see the module docstring)."""
        import numpy as np

        names = list(self.names) if ordered else sorted(self.names)
        header: Mapping[str, Any] = {
            "format": FORMAT,
            "rows": self.length,
            "columns": [[n, self.kinds[n]] for n in names],
        }
        h = hashlib.sha256(json.dumps(header, sort_keys=True, separators=(",", ":")).encode())
        rows = self.rows(self.names)
        if not ordered:
            rows = np.sort(rows)
        h.update(rows.astype("<u8").tobytes())
        return f"{FORMAT}:{h.hexdigest()}"


def content_hash(df: pd.DataFrame, *, ordered: bool = True) -> str:
    """The ``df1`` content hash of ``df``; ``ordered=False`` ignores row and column order."""
    return FrameDigests(df).content_hash(ordered=ordered)


def file_sha256(path: str | Path) -> tuple[str, int]:
    """``(sha256 hex, size in bytes)`` of a file, read in 1 MiB chunks.

    Raises :class:`~aisec_nb.errors.UnreadableInputError` naming the file when it cannot be read.
    """
    digest = hashlib.sha256()
    size = 0
    try:
        with Path(path).open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        raise UnreadableInputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise UnreadableInputError(str(path), "is a folder, not a data file") from None
    except OSError as exc:
        raise UnreadableInputError(str(path), f"cannot be read: {exc.strerror}") from None
    return digest.hexdigest(), size
