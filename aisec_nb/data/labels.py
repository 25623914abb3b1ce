"""The label column as integer classes, so every label check works on codes.

A categorical label keeps its values as classes. A numeric label with more than
:data:`MAX_NUMERIC_CLASSES` distinct values (a regression target) is cut into deciles, and the
checks then speak of label *ranges*.

Example::

    >>> import pandas as pd
    >>> lab = encode_labels(pd.Series(["spam", "ham", "spam", None]))
    >>> lab.codes.tolist(), lab.classes
    ([0, 1, 0, -1], ('spam', 'ham'))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MAX_NUMERIC_CLASSES = 20
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

    def counts(self) -> np.ndarray:
        """Rows per class."""
        import numpy as np

        return np.bincount(self.codes[self.codes >= 0], minlength=self.k)


def _numeric_many(series: pd.Series) -> bool:
    from pandas.api import types as pt

    return (
        pt.is_numeric_dtype(series.dtype)
        and not pt.is_bool_dtype(series.dtype)
        and series.nunique() > MAX_NUMERIC_CLASSES
    )


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
    return Labels(np.asarray(codes, dtype="int64"), tuple(str(u) for u in uniques))


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
        key = str(value)
        if key not in index:
            index[key] = len(classes)
            classes.append(key)
        mapping[i] = index[key]
    return Labels(mapping[np.asarray(own)], tuple(classes))
