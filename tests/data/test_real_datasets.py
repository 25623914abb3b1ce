"""The data checks on real datasets that ship inside scikit-learn and statsmodels: every finding is
listed, with a judgement, in ``real_datasets.toml``, and the checks must find exactly that list.

So a new false alarm fails here, and so does a true finding lost or graded differently. On top:
no false alarm above ``low``, and a frame whose verdict is ``fail`` fails for a true problem.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from aisec_nb.data import check_dataframe
from aisec_nb.record import SEVERITY_ORDER

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

sklearn_datasets = pytest.importorskip("sklearn.datasets")
pytest.importorskip("statsmodels.datasets")

EXPECTED = Path(__file__).with_name("real_datasets.toml")
Recipe = Callable[[], tuple[pd.DataFrame, dict[str, Any]]]


def _sklearn(loader: str, **kwargs: Any) -> pd.DataFrame:
    bunch = getattr(sklearn_datasets, loader)(**kwargs)
    df = pd.DataFrame(bunch.data, columns=[str(c) for c in bunch.feature_names])
    if bunch.target.ndim == 1:
        df["target"] = bunch.target
    else:
        for i, name in enumerate(bunch.target_names):
            df[str(name)] = bunch.target[:, i]
    return df


def _statsmodels(name: str) -> pd.DataFrame:
    frame: pd.DataFrame = importlib.import_module(f"statsmodels.datasets.{name}").load_pandas().data
    return frame


def _sk(loader: str, label: str | None = "target", **kwargs: Any) -> Recipe:
    return lambda: (_sklearn(loader, **kwargs), {"label": label})


def _sm(name: str, label: str | None) -> Recipe:
    return lambda: (_statsmodels(name), {"label": label})


def _halves(build: Callable[[], pd.DataFrame], label: str, **roles: str) -> Recipe:
    """Every other row, with the other rows as ``roles`` (``test=``, ``reference=``)."""

    def make() -> tuple[pd.DataFrame, dict[str, Any]]:
        df = build()
        step = 1 + len(roles)
        parts = {role: df.iloc[i + 1 :: step] for i, role in enumerate(roles)}
        if roles.get("reference") == "float":
            parts["reference"] = parts["reference"].astype({label: "float64"})
        return df.iloc[::step].reset_index(drop=True), {"label": label, **parts}

    return make


def _had_affair() -> pd.DataFrame:
    fair = _statsmodels("fair")
    return fair.assign(had_affair=(fair["affairs"] > 0).astype("int64")).drop(columns="affairs")


RECIPES: dict[str, Recipe] = {
    "iris": _sk("load_iris"),
    "wine": _sk("load_wine"),
    "breast_cancer": _sk("load_breast_cancer"),
    "diabetes": _sk("load_diabetes"),
    "diabetes_raw": _sk("load_diabetes", scaled=False),
    "digits": _sk("load_digits"),
    "linnerud": _sk("load_linnerud", label="Weight"),
    **{
        name: _sm(name, label)
        for name, label in {
            "anes96": "vote", "cancer": "cancer", "ccard": "AVGEXP", "china_smoking": None,
            "co2": None, "committee": "BILLS104", "copper": "WORLDCONSUMPTION",
            "cpunish": "EXECUTIONS", "danish_data": None, "elec_equip": None, "elnino": None,
            "engel": "foodexp", "fair": "affairs", "fertility": None, "grunfeld": "invest",
            "heart": "survival", "interest_inflation": None, "longley": "TOTEMP",
            "macrodata": None, "modechoice": "choice", "nile": "volume", "randhie": "mdvis",
            "scotland": "YES", "spector": "GRADE", "stackloss": "STACKLOSS", "star98": "NABOVE",
            "statecrime": "murder", "strikes": "duration", "sunspots": "SUNACTIVITY",
        }.items()
    },
    "anes96/PID": _sm("anes96", "PID"),
    "fair/rate_marriage": _sm("fair", "rate_marriage"),
    "fair/had_affair": lambda: (_had_affair(), {"label": "had_affair"}),
    "iris/reference-float": _halves(lambda: _sklearn("load_iris"), "target", reference="float"),
    "iris/test": _halves(lambda: _sklearn("load_iris"), "target", test="rest"),
    "breast_cancer/test": _halves(
        lambda: _sklearn("load_breast_cancer"), "target", test="rest", reference="rest"
    ),
    "diabetes_raw/reference": _halves(
        lambda: _sklearn("load_diabetes", scaled=False), "target", reference="rest"
    ),
    "randhie/feedback": lambda: (_statsmodels("randhie"), {"label": "mdvis", "role": "feedback"}),
    "digits/fine-tuning": lambda: (
        _sklearn("load_digits"), {"label": "target", "role": "fine-tuning"}
    ),
}


@cache
def expected() -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads(EXPECTED.read_text("utf-8"))
    return data


def _listed(name: str) -> list[tuple[str, str, str, str]]:
    """``(code, column, severity, judgement)`` of every finding listed for ``name``, sorted."""
    return sorted(
        (f["code"], column, f["severity"], f["judgement"])
        for f in expected()[name].get("finding", [])
        for column in f["columns"]
    )


def test_every_recipe_is_listed_and_every_listing_has_a_recipe() -> None:
    assert sorted(expected()) == sorted(RECIPES)


def test_every_judgement_says_true_or_false_alarm_and_why() -> None:
    for name, entry in expected().items():
        for f in entry.get("finding", []):
            assert f["judgement"] in {"true", "false alarm"}, name
            assert f["why"] and len(f["why"]) <= 120, name


def test_no_false_alarm_above_low_and_no_fail_for_a_false_alarm() -> None:
    for name, entry in expected().items():
        listed = _listed(name)
        false = [f for f in listed if f[3] == "false alarm"]
        assert all(SEVERITY_ORDER[f[2]] <= SEVERITY_ORDER["low"] for f in false), name
        if entry["verdict"] == "fail":
            assert any(
                f[3] == "true" and SEVERITY_ORDER[f[2]] >= SEVERITY_ORDER["high"] for f in listed
            ), name


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_the_checks_find_exactly_what_is_listed(name: str) -> None:
    df, kwargs = RECIPES[name]()
    result = check_dataframe(df, name=name, **kwargs)
    found = sorted(
        (f.code, (f.location.column if f.location else None) or "", f.severity)
        for f in result.findings
    )
    assert found == [f[:3] for f in _listed(name)], [f.message for f in result.findings]
    assert result.verdict == expected()[name]["verdict"]
