"""Synthetic tabular data for the data-check benchmark: a clean frame, and the same frame with every
problem kind that ``check_dataframe`` looks for injected at known rows.

``make_frames(n, seed)`` returns ``(clean, dirty, test, reference, truth)``: ``truth`` maps each
injected kind to what was injected (for recall) and ``test``/``reference`` are companions of
``dirty`` (5% of ``test`` rows are copied from ``dirty``; ``reference`` is a clean draw).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

_SENTENCE = (
    "the order arrived late and the box was damaged please refund thanks great service "
    "delivery item size colour return exchange account login password reset app crash slow "
    "support agent helpful price discount coupon invoice shipping address update"
)
WORDS = _SENTENCE.split(" ")
COUNTRIES = [f"C{i:02d}" for i in range(30)]

# The kinds injected into ``dirty``, by the finding kind that should report them.
INJECTED = (
    "missing_values",
    "mixed_null_markers",
    "constant_column",
    "near_constant_column",
    "mixed_types",
    "category_variants",
    "duplicate_rows",
    "infinite_values",
    "conflicting_labels",
    "extreme_outliers",
    "label_imbalance",
    "label_shift",
    "rare_value_predicts_label",
    "test_rows_in_training",
    "column_predicts_label",
    "pii:email",
    "pii:phone",
    "pii:card_number",
    "pii:iban",
    "pii:ip_address",
    "pii:us_ssn",
    "secret:aws_access_key",
    "secret:github_token",
    "secret:jwt",
    "secret:private_key",
)
RESEARCH_ELEVEN = (
    "duplicate_rows",
    "conflicting_labels",
    "missing_values",
    "extreme_outliers",
    "category_variants",
    "constant_column",
    "pii:email",
    "pii:phone",
    "pii:card_number",
    "secret:*",
    "test_rows_in_training",
)
"""The 11 kinds of the research comparison (deepchecks/ydata found 3 of them)."""


def _luhn_complete(prefix: str, rng: np.random.Generator, length: int = 16) -> str:
    body = prefix + "".join(str(d) for d in rng.integers(0, 10, length - len(prefix) - 1))
    for check in range(10):
        candidate = body + str(check)
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            d = int(ch)
            if i % 2 == 1:
                d = d * 2 - 9 if d > 4 else d * 2
            total += d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def _grouped(digits: str) -> str:
    return " ".join(digits[k : k + 4] for k in range(0, len(digits), 4))


def _iban(rng: np.random.Generator) -> str:
    bban = "WEST" + "".join(str(d) for d in rng.integers(0, 10, 14))
    moved = bban + "GB00"
    check = 98 - int("".join(str(int(c, 36)) for c in moved)) % 97
    return f"GB{check:02d}{bban}"


def _alnum(rng: np.random.Generator, n: int, upper: bool = False) -> str:
    alphabet = np.array(
        list(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            if upper
            else "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        )
    )
    return "".join(rng.choice(alphabet, n))


PII_MAKERS: dict[str, Any] = {
    "pii:email": lambda r, i: f"contact me at user{i}.name@mail{i % 97}.example.com",
    "pii:phone": lambda r, i: f"call me on (212) 555-{1000 + i % 9000:04d} after 5",
    "pii:card_number": lambda r, i: "card " + _grouped(_luhn_complete("4", r)),
    "pii:iban": lambda r, i: f"pay to {_iban(r)} please",
    "pii:ip_address": lambda r, i: f"login from 10.{i % 250}.{(i * 7) % 250}.{(i * 3) % 250}",
    "pii:us_ssn": lambda r, i: f"ssn {100 + i % 500:03d}-{10 + i % 80:02d}-{1000 + i % 8000:04d}",
    "secret:aws_access_key": lambda r, i: "key AKIA" + _alnum(r, 16, upper=True),
    "secret:github_token": lambda r, i: "token ghp_" + _alnum(r, 36),
    "secret:jwt": lambda r, i: (
        "auth eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI" + _alnum(r, 12) + "." + _alnum(r, 30)
    ),
    "secret:private_key": lambda r, i: "-----BEGIN RSA PRIVATE KEY----- MIIE" + _alnum(r, 40),
}


def _base(n: int, rng: np.random.Generator, label_rate_shift: float = 0.0) -> pd.DataFrame:
    age = rng.integers(18, 90, n)
    income = np.round(rng.lognormal(10.5, 0.6, n), 2)
    balance = rng.normal(2_000, 800, n)
    credit = np.clip(rng.normal(650, 80, n), 300, 850).round().astype("int64")
    tenure = rng.poisson(30, n)
    latency = rng.exponential(120, n)
    score_a = rng.uniform(0, 1, n)
    score_b = rng.normal(0, 1, n)
    logit = -1.2 + 0.8 * score_b + 1.5 * (score_a - 0.5) + (credit - 650) / 200 + label_rate_shift
    label = (rng.uniform(0, 1, n) < 1 / (1 + np.exp(-logit))).astype("int64")
    comments = [
        " ".join(WORDS[j] for j in rng.integers(0, len(WORDS), 6)) + f" order {100000 + i} "
        f"on 2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
        for i in range(n)
    ]
    return pd.DataFrame(
        {
            "customer_id": [f"CUST{i:08d}" for i in range(n)],
            "age": age,
            "income": income,
            "balance": balance,
            "credit_score": credit,
            "tenure_months": tenure,
            "num_products": rng.integers(1, 5, n),
            "latency_ms": latency,
            "score_a": score_a,
            "score_b": score_b,
            "country": pd.Series(rng.choice(COUNTRIES, n)),
            "plan": pd.Series(rng.choice(["basic", "pro", "enterprise"], n, p=[0.5, 0.3, 0.2])),
            "device": pd.Series(rng.choice(["ios", "android", "web", "desktop"], n)),
            "is_active": rng.uniform(0, 1, n) < 0.7,
            "signup_date": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 1500, n), unit="D"),
            "comment": comments,
            "label": label,
        }
    )


def make_frames(
    n: int = 1_000_000, seed: int = 7
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """``(clean, dirty, test, reference)`` frames and the injected truth."""
    rng = np.random.default_rng(seed)
    clean = _base(n, rng)
    reference = _base(max(1000, n // 5), np.random.default_rng(seed + 1))
    clean_test = _base(max(1000, n // 10), np.random.default_rng(seed + 2))
    clean_test["customer_id"] = [f"TEST{i:08d}" for i in range(len(clean_test))]

    d = clean.copy()
    truth: dict[str, Any] = {}
    k = max(20, n // 1000)  # 0.1% of rows per injected kind

    def rows(count: int) -> np.ndarray:
        return rng.choice(n, count, replace=False)

    # quality
    idx = rows(n // 16)
    d.loc[idx, "income"] = np.nan
    truth["missing_values"] = {"column": "income", "rows": len(idx)}
    d["channel"] = pd.Series(rng.choice(["web", "store", "phone"], n), dtype=object)
    d.loc[rows(k), "channel"] = ""
    d.loc[rows(k), "channel"] = "NA"
    truth["mixed_null_markers"] = {"column": "channel"}
    clean["channel"] = pd.Series(rng.choice(["web", "store", "phone"], n), dtype=object)
    d["source_system"] = "crm"
    clean["source_system_batch"] = rng.integers(1, 4, n)
    truth["constant_column"] = {"column": "source_system"}
    d["is_test_account"] = False
    d.loc[rows(n // 2000), "is_test_account"] = True
    truth["near_constant_column"] = {"column": "is_test_account"}
    mixed = pd.Series(d["num_products"].to_numpy(), dtype=object)
    mixed.iloc[rows(k)] = "unknown"
    d["num_products"] = mixed
    truth["mixed_types"] = {"column": "num_products"}
    idx = rows(3 * k)
    d.loc[idx, "plan"] = rng.choice(["Pro", "pro ", "PRO"], len(idx))
    truth["category_variants"] = {"column": "plan", "rows": len(idx)}
    d.loc[rows(k // 2), "score_b"] = np.inf
    truth["infinite_values"] = {"column": "score_b"}
    idx = rows(k // 2)
    d.loc[idx, "balance"] = rng.choice([-1, 1], len(idx)) * rng.uniform(5e6, 1e7, len(idx))
    truth["extreme_outliers"] = {"column": "balance", "rows": len(idx)}

    # poisoning and leakage
    idx = rows(3 * k)
    d.loc[idx, "device"] = "kiosk-x7"
    d.loc[idx, "label"] = 1
    truth["rare_value_predicts_label"] = {"column": "device", "rows": len(idx)}
    flip = rows(n // 8)
    d.loc[flip, "label"] = 1
    truth["label_shift"] = {"rows": len(flip)}
    d["chargeback_flag"] = d["label"].to_numpy().copy()
    noise = rows(n // 100)
    d.loc[noise, "chargeback_flag"] = 1 - d.loc[noise, "chargeback_flag"]
    truth["column_predicts_label"] = {"column": "chargeback_flag"}
    clean["chargeback_flag"] = (rng.uniform(0, 1, n) < 0.1).astype("int64")
    rare = rows(n // 400)
    d.loc[rare, "label"] = 2
    d.loc[rare, "chargeback_flag"] = 2
    truth["label_imbalance"] = {"rows": len(rare)}

    # personal data and secrets in the free-text column
    free = rows(len(PII_MAKERS) * k)
    for j, (kind, make) in enumerate(PII_MAKERS.items()):
        part = free[j * k : (j + 1) * k]
        texts = [make(rng, int(i)) for i in part]
        d.loc[part, "comment"] = texts
        truth[kind] = {"column": "comment", "rows": len(part), "texts": texts}

    # duplicates: exact copies, and copies with the label flipped (after everything else)
    src = rows(6 * k)
    copies = d.iloc[src].copy()
    flipped = d.iloc[rows(k)].copy()
    flipped["label"] = np.where(flipped["label"] == 1, 0, 1)
    d = pd.concat([d, copies, flipped], ignore_index=True)
    truth["duplicate_rows"] = {"rows": len(copies)}
    truth["conflicting_labels"] = {"rows": 2 * len(flipped)}

    test = pd.concat(
        [
            clean_test.assign(
                **{
                    c: d[c].iloc[: len(clean_test)].to_numpy()
                    for c in d.columns
                    if c not in clean_test.columns
                }
            ),
            d.iloc[rows(len(clean_test) // 20)],
        ],
        ignore_index=True,
    )[d.columns]
    truth["test_rows_in_training"] = {"rows": len(clean_test) // 20}
    return clean, d, test, reference, truth
