"""Input drift and out-of-distribution inputs ("Monitor your system's inputs").

Profile the training data once, keep the profile (a few KB), compare live data with it::

    >>> import numpy as np, pandas as pd
    >>> import aisec_nb
    >>> rng = np.random.default_rng(0)
    >>> ref = aisec_nb.build_profile(pd.DataFrame({"x": rng.normal(size=5000)}))
    >>> aisec_nb.compare_to_profile(ref, pd.DataFrame({"x": rng.normal(size=5000)})).verdict
    'pass'

The live rows are compared as a whole and in consecutive chunks (:mod:`.chunks`), so drift
confined to part of the period is not diluted away.

No Jupyter, IPython or plotly imports here; the faces live in :mod:`aisec_nb.jupyter`.
"""

from __future__ import annotations

from .._lazy import lazy_attributes

# Served lazily: the faces read drift settings (``drift_config``) on every command, and that
# must not import numpy, pandas and the statistics.
_LAZY = {
    "ColumnDrift": "aisec_nb.drift.compare",
    "DriftReport": "aisec_nb.drift.compare",
    "compare_profiles": "aisec_nb.drift.compare",
    "compare_to_profile": "aisec_nb.drift.compare",
    "DriftConfig": "aisec_nb.drift.decide",
    "drift_config": "aisec_nb.drift.decide",
    "Monitor": "aisec_nb.drift.monitor",
    "OODResult": "aisec_nb.drift.ood",
    "Profile": "aisec_nb.drift.profile",
    "build_profile": "aisec_nb.drift.profile",
    "merge_profiles": "aisec_nb.drift.profile",
    "WindowedReport": "aisec_nb.drift.windows",
    "compare_windows": "aisec_nb.drift.windows",
}

__all__ = [
    "ColumnDrift",
    "DriftConfig",
    "DriftReport",
    "Monitor",
    "OODResult",
    "Profile",
    "WindowedReport",
    "build_profile",
    "compare_profiles",
    "compare_to_profile",
    "compare_windows",
    "drift_config",
    "merge_profiles",
]

__getattr__ = lazy_attributes(__name__, _LAZY)
