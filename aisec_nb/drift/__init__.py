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

from .compare import ColumnDrift, DriftReport, compare_profiles, compare_to_profile
from .decide import DriftConfig, drift_config
from .monitor import Monitor
from .ood import OODResult
from .profile import Profile, build_profile, merge_profiles
from .windows import WindowedReport, compare_windows

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
