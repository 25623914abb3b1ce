"""When a column counts as drifted: an effect-size threshold, then a corrected p-value.

Settings come from ``defaults.toml`` (shipped), then the project's ``[tool.aisec-nb.drift]``
(read by the faces, see :mod:`aisec_nb.settings`), then the arguments of the call. Per column::

    [tool.aisec-nb.drift.columns.latency_ms]
    method = "wasserstein"
    threshold = 0.2

    [tool.aisec-nb.drift.columns.request_id]
    ignore = true

Example::

    >>> cfg = drift_config({"alpha": 0.05})
    >>> cfg.alpha, cfg.method_for("x", "numeric"), cfg.threshold_for("x", "psi")
    (0.05, 'psi', 0.1)
    >>> corrected([0.01, 0.04], "bonferroni")
    [0.02, 0.08]
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from ..errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

METHODS = ("psi", "ks", "js", "wasserstein", "chi2")
ORDINAL_ONLY = ("ks", "wasserstein")
CORRECTIONS = ("bonferroni", "holm", "none")


@dataclass(frozen=True)
class ColumnSettings:
    """Per-column overrides."""

    method: str | None = None
    threshold: float | None = None
    ignore: bool = False


@dataclass(frozen=True)
class DriftConfig:
    """Every drift setting; see ``aisec_nb/drift/defaults.toml`` for what each one means."""

    bins: int
    max_categories: int
    method: str
    categorical_method: str
    alpha: float
    correction: str
    missing_threshold: float
    unseen_threshold: float
    range_share: float
    ood_share: float
    ood_mahalanobis_p: float
    dataset_share: float
    max_windows: int
    chunks: int
    chunk_rows: int
    min_chunk_rows: int
    thresholds: Mapping[str, float]
    columns: Mapping[str, ColumnSettings] = field(default_factory=dict)

    def settings(self, column: str) -> ColumnSettings:
        return self.columns.get(column, ColumnSettings())

    def method_for(self, column: str, kind: str) -> str:
        """The statistic that decides drift for ``column`` of ``kind``."""
        chosen = self.settings(column).method
        if chosen is None:
            chosen = self.categorical_method if kind in ("categorical", "boolean") else self.method
            if chosen in ORDINAL_ONLY and kind in ("categorical", "boolean"):
                chosen = "psi"  # a project-wide ordinal method does not apply to categories
        elif chosen in ORDINAL_ONLY and kind in ("categorical", "boolean"):
            msg = f"drift method {chosen!r} needs ordered values; column {column!r} is {kind}"
            raise UsageError(msg)
        return chosen

    def threshold_for(self, column: str, method: str) -> float:
        own = self.settings(column).threshold
        return float(own) if own is not None else float(self.thresholds[method])

    def ignored(self, column: str) -> bool:
        return self.settings(column).ignore

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the record's ``parameters``."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["thresholds"] = dict(self.thresholds)
        out["columns"] = {
            k: {n: v for n, v in vars(s).items() if v not in (None, False)}
            for k, s in self.columns.items()
        }
        return out


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    text = resources.files("aisec_nb.drift").joinpath("defaults.toml").read_text("utf-8")
    return tomllib.loads(text)


def _check(where: str, key: str, value: Any, expected: Any) -> Any:
    kinds: tuple[type, ...] = (int, float) if isinstance(expected, float) else (type(expected),)
    if isinstance(value, bool) and not isinstance(expected, bool):
        kinds = ()
    if not isinstance(value, kinds):
        msg = f"{where}: {key} must be {type(expected).__name__}, not {value!r}"
        raise UsageError(msg)
    if isinstance(expected, float) and not (isinstance(value, (int, float)) and value >= 0):
        msg = f"{where}: {key} must be a non-negative number, not {value!r}"
        raise UsageError(msg)
    return value


def _apply(base: dict[str, Any], table: Mapping[str, Any], where: str) -> None:
    for key, value in table.items():
        if key == "columns":
            if not isinstance(value, Mapping):
                raise UsageError(f"{where}.columns must be a table of column tables")
            for col, spec in value.items():
                base["columns"][str(col)] = _column_settings(spec, f"{where}.columns.{col}")
        elif key == "thresholds":
            if not isinstance(value, Mapping):
                raise UsageError(f"{where}.thresholds must be a table")
            for method, th in value.items():
                if method not in METHODS:
                    raise UsageError(f"{where}.thresholds: unknown method {method!r}")
                base["thresholds"][method] = float(_check(where, method, th, 0.1))
        elif key in base and key != "columns":
            base[key] = _check(where, key, value, base[key])
        else:
            raise UsageError(f"{where}: unknown setting {key!r}")


def _column_settings(spec: Any, where: str) -> ColumnSettings:
    if not isinstance(spec, Mapping):
        raise UsageError(f"{where} must be a table")
    unknown = set(spec) - {"method", "threshold", "ignore"}
    if unknown:
        raise UsageError(f"{where}: unknown setting {sorted(unknown)[0]!r}")
    method = spec.get("method")
    if method is not None and method not in METHODS:
        raise UsageError(f"{where}: method must be one of {', '.join(METHODS)}, not {method!r}")
    threshold = spec.get("threshold")
    if threshold is not None:
        threshold = float(_check(where, "threshold", threshold, 0.1))
    return ColumnSettings(
        method, threshold, bool(_check(where, "ignore", spec.get("ignore", False), False))
    )


def drift_config(
    overrides: Mapping[str, Any] | None = None, *, project: Mapping[str, Any] | None = None
) -> DriftConfig:
    """The shipped defaults, then a project's ``[tool.aisec-nb.drift]`` table (``project``, as
    :func:`aisec_nb.settings.load_settings` reads it), then per-call ``overrides``.

    Reads no file: with no arguments it is the shipped defaults.
    """
    if not overrides and not project:
        return _default_config()
    return _build(overrides, project)


@lru_cache(maxsize=1)
def _default_config() -> DriftConfig:
    return _build(None, None)


def _build(overrides: Mapping[str, Any] | None, project: Mapping[str, Any] | None) -> DriftConfig:
    base = {k: v for k, v in _defaults().items() if k not in ("thresholds", "categories")}
    base["thresholds"] = dict(_defaults()["thresholds"])
    base["columns"] = {}
    if project:
        _apply(base, project, "[tool.aisec-nb.drift]")
    if overrides:
        _apply(base, overrides, "drift settings")
    for key in ("method", "categorical_method"):
        if base[key] not in METHODS:
            raise UsageError(f"drift {key} must be one of {', '.join(METHODS)}, not {base[key]!r}")
    if base["categorical_method"] in ORDINAL_ONLY:
        raise UsageError(f"categorical_method {base['categorical_method']!r} needs ordered values")
    _validate(base)
    base["thresholds"] = MappingProxyType(base["thresholds"])
    base["columns"] = MappingProxyType(base["columns"])
    return DriftConfig(**base)


def _validate(base: Mapping[str, Any]) -> None:
    if base["correction"] not in CORRECTIONS:
        raise UsageError(f"correction must be one of {', '.join(CORRECTIONS)}")
    if not 0 < base["alpha"] <= 1:
        raise UsageError(f"alpha must be in (0, 1], not {base['alpha']}")
    for key in ("chunks", "chunk_rows", "min_chunk_rows"):
        if base[key] < 0:
            raise UsageError(f"{key} must be 0 or more, not {base[key]}")


def with_overrides(cfg: DriftConfig, overrides: Mapping[str, Any]) -> DriftConfig:
    """``cfg`` with per-call settings applied on top."""
    if not overrides:
        return cfg
    base = {f.name: getattr(cfg, f.name) for f in fields(cfg)}
    base["thresholds"] = dict(cfg.thresholds)
    base["columns"] = dict(cfg.columns)
    _apply(base, overrides, "drift settings")
    _validate(base)
    base["thresholds"] = MappingProxyType(base["thresholds"])
    base["columns"] = MappingProxyType(base["columns"])
    return replace(cfg, **base)


def corrected(pvalues: Sequence[float], correction: str) -> list[float]:
    """p-values corrected for testing ``len(pvalues)`` hypotheses at once (capped at 1): the
    columns of one comparison, or every column in every chunk."""
    m = len(pvalues)
    if correction == "none" or m == 0:
        return [float(p) for p in pvalues]
    if correction == "bonferroni":
        return [min(1.0, float(p) * m) for p in pvalues]
    order = sorted(range(m), key=lambda i: pvalues[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):  # Holm step-down, kept monotone
        running = max(running, min(1.0, (m - rank) * float(pvalues[i])))
        out[i] = running
    return out
