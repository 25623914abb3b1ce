"""Reference/live samples with known drift, for the drift tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

DRIFTED = ["latency_ms", "plan", "signup", "active"]
STEADY = ["balance", "score", "country", "note"]


def sample(n: int, seed: int, *, drifted: bool = False) -> pd.DataFrame:
    """``n`` rows; ``drifted`` shifts the columns in :data:`DRIFTED` and nothing else."""
    r = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "balance": r.normal(5000, 2000, n),
            "score": r.uniform(0, 1, n),
            "latency_ms": r.gamma(4.0, 25.0, n),
            "country": r.choice(["de", "fr", "uk", "es", "it"], n, p=[0.3, 0.3, 0.2, 0.1, 0.1]),
            "plan": r.choice(["free", "pro", "team"], n, p=[0.6, 0.3, 0.1]),
            "active": r.random(n) < 0.7,
            "signup": pd.Timestamp("2025-01-01") + pd.to_timedelta(r.integers(0, 365 * 24, n), "h"),
            "note": [f"ticket {i} mentions alice@example.com" for i in r.integers(0, 10**9, n)],
        }
    )
    if drifted:
        df["latency_ms"] *= 1.5
        df["plan"] = r.choice(["free", "pro", "team", "enterprise"], n, p=[0.4, 0.3, 0.1, 0.2])
        df["signup"] += pd.Timedelta(days=200)
        df["active"] = r.random(n) < 0.4
    return df
