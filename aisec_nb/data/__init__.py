"""Dataset checks on DataFrames: integrity, quality, poisoning signs, leakage, personal data and
secrets. Pure functions over pandas; no Jupyter imports.

Example::

    >>> import pandas as pd
    >>> from aisec_nb.data import check_dataframe
    >>> check_dataframe(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), name="df").verdict
    'pass'
"""

from __future__ import annotations

from .._lazy import lazy_attributes
from .roles import ROLES

# Served lazily so that faces can import ROLES (for --help) without pandas or pydantic.
_LAZY = {
    "check_dataframe": "aisec_nb.data.check",
    "content_hash": "aisec_nb.data.hashing",
    "file_sha256": "aisec_nb.data.hashing",
}

__all__ = ["ROLES", "check_dataframe", "content_hash", "file_sha256"]


__getattr__ = lazy_attributes(__name__, _LAZY)
