"""The label column as integer classes, so every label check works on codes.

A categorical label keeps its values as classes, named by a canonical text so that the same class
stored as ``1``, ``1.0`` or ``"1"`` (a reference read with another dtype) is one class. A numeric
label with many distinct values is a regression target (see :func:`_numeric_many`): it is cut
into deciles, the checks speak of label *ranges*, and the rules made for classes (conflicting
labels, rare classes) do not apply to it.

Example::

    >>> import pandas as pd
    >>> lab = encode_labels(pd.Series(["spam", "ham", "spam", None]))
    >>> lab.codes.tolist(), lab.classes
    ([0, 1, 0, -1], ('spam', 'ham'))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MAX_NUMERIC_CLASSES = 20
FEW_CLASSES = 5
ROWS_PER_CLASS = 3
BINS = 10


@dataclass(frozen=True)
class Labels:
    """Label classes: ``codes`` per row (-1 when missing) and the class names."""

    codes: np.ndarray
    classes: tuple[str, ...]
    edges: tuple[float, ...] | None = None
    """Bin edges when a numeric label was cut into ranges."""

    @property
    def k(self) -> int:
        return len(self.classes)

    @property
    def regression(self) -> bool:
        """A many-valued numeric label (a regression target), cut into ranges."""
        return self.edges is not None

    def counts(self) -> np.ndarray:
        """Rows per class."""
        import numpy as np

        return np.bincount(self.codes[self.codes >= 0], minlength=self.k)


def _numeric_many(series: pd.Series) -> bool:
    """A regression target: a numeric label of more than :data:`MAX_NUMERIC_CLASSES` values, or
    of more than :data:`FEW_CLASSES` values that have fractions or that few rows share (each
    value held by fewer than :data:`ROWS_PER_CLASS` rows on average)."""
    import numpy as np
    from pandas.api import types as pt

    if not pt.is_numeric_dtype(series.dtype) or pt.is_bool_dtype(series.dtype):
        return False
    distinct = series.nunique()
    if distinct > MAX_NUMERIC_CLASSES:
        return True
    if distinct <= FEW_CLASSES:
        return False
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    present = values[np.isfinite(values)]
    fractions = bool((present != np.round(present)).any())
    return fractions or distinct * ROWS_PER_CLASS > len(present)


def class_name(value: object) -> str:
    """The canonical name of a label class: integral numbers without a fraction part.

    >>> class_name(1.0), class_name(1), class_name("1"), class_name(0.5), class_name(True)
    ('1', '1', '1', '0.5', 'True')
    """
    import numbers

    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if number.is_integer() and abs(number) < 2**63:
            return str(int(number))
        return repr(number)
    return str(value)


def _named(codes: np.ndarray, uniques: Any) -> Labels:
    """Codes of ``pd.factorize`` with classes that share a canonical name merged."""
    import numpy as np

    index: dict[str, int] = {}
    mapping = np.empty(len(uniques) + 1, dtype="int64")
    mapping[-1] = -1
    for i, value in enumerate(uniques):
        mapping[i] = index.setdefault(class_name(value), len(index))
    return Labels(mapping[np.asarray(codes)], tuple(index))


def encode_labels(series: pd.Series) -> Labels:
    """Classes of a label column (deciles for a many-valued numeric label)."""
    import numpy as np
    import pandas as pd

    if _numeric_many(series):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        present = values[~np.isnan(values)]
        edges = np.unique(np.quantile(present, np.linspace(0, 1, BINS + 1)))
        return _binned(values, tuple(float(e) for e in edges))
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return _named(codes, uniques)


def _binned(values: np.ndarray, edges: tuple[float, ...]) -> Labels:
    import numpy as np

    inner = np.asarray(edges[1:-1])
    codes = np.searchsorted(inner, values, side="right").astype("int64")
    codes[np.isnan(values)] = -1
    names = tuple(f"[{edges[i]:.4g}, {edges[i + 1]:.4g}]" for i in range(len(edges) - 1))
    return Labels(codes, names or ("all",), edges)


def encode_like(series: pd.Series, like: Labels) -> Labels:
    """Classes of another frame's label column in the classes of ``like`` (new classes appended)."""
    import numpy as np

    if like.edges is not None:
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        return _binned(values, like.edges)
    import pandas as pd

    index: dict[str, int] = {c: i for i, c in enumerate(like.classes)}
    classes = list(like.classes)
    own, uniques = pd.factorize(series, use_na_sentinel=True)
    mapping = np.empty(len(uniques) + 1, dtype="int64")
    mapping[-1] = -1  # code -1 (missing) indexes the last slot
    for i, value in enumerate(uniques):
        key = class_name(value)
        if key not in index:
            index[key] = len(classes)
            classes.append(key)
        mapping[i] = index[key]
    return Labels(mapping[np.asarray(own)], tuple(classes))
