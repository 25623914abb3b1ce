"""Dataset checks on DataFrames: integrity, quality, poisoning signs, leakage, personal data and
secrets. Pure functions over pandas; no Jupyter imports.

Example::

    >>> import pandas as pd
    >>> from aisec_nb.data import check_dataframe
    >>> check_dataframe(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), name="df", project={}).verdict
    'pass'
"""

from __future__ import annotations

from .check import ROLES, check_dataframe
from .hashing import content_hash, file_sha256

__all__ = ["ROLES", "check_dataframe", "content_hash", "file_sha256"]
