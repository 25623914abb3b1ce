"""``check_dataframe``: every data check over one DataFrame, as one :class:`DataCheck`.

Example::

    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 2.0], "note": ["ok", "ok", "mail a@b.org"]})
    >>> r = check_dataframe(df, name="df")
    >>> r.id, r.verdict, sorted(f.kind for f in r.findings)
    ('data:df', 'warn', ['personal_data'])
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..record import SEVERITY_ORDER, DataCheck, DataFinding, Timing, Verdict, make_check
from . import leakage, poisoning, quality, triggers
from .findings import finding, pct, plural, raise_severity
from .hashing import FrameDigests, file_sha256
from .labels import Labels, encode_labels, encode_like
from .people import find_people
from .pii import scan_distinct
from .roles import RAISED_ROLES, ROLES
from .thresholds import resolve_thresholds

if TYPE_CHECKING:
    import pandas as pd

"""What the data is for; poisoning signs weigh more in fine-tuning and feedback data."""
MAX_SCHEMA_COLUMNS = 200
PEOPLE_CODES = {
    "personal_names": ("AISEC-DATA-S03", "personal names"),
    "street_addresses": ("AISEC-DATA-S04", "street addresses"),
}
MAX_PER_CODE = 50
"""Findings kept per rule; the rest are counted in ``summary["findings_omitted"]`` so a frame of
thousands of columns still gives a record and report of bounded size."""


def _require_frame(value: Any, what: str) -> pd.DataFrame:
    import pandas as pd

    if not isinstance(value, pd.DataFrame):
        raise UsageError(f"{what} must be a pandas DataFrame, found {type(value).__name__}")
    names = [str(c) for c in value.columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UsageError(f"{what} has repeated column names {repeated[:5]}; rename them first")
    return value


def _label_of(frame: pd.DataFrame, label: str, what: str) -> pd.Series:
    names = [str(c) for c in frame.columns]
    if label not in names:
        raise UsageError(
            f"label column {label!r} is not in {what}; its columns are {names[:10]}"
            + (" …" if len(names) > 10 else "")
        )
    series: pd.Series = frame.iloc[:, names.index(label)]
    return series


def _pii(d: FrameDigests, t: Mapping[str, float]) -> tuple[list[DataFinding], dict[str, Any]]:
    import numpy as np

    out: list[DataFinding] = []
    per_column: dict[str, Any] = {}
    truncated: list[str] = []
    for name in d.names:
        if d.kinds[name] not in ("string", "category[string]", "object"):
            continue
        codes, uniques = d.factorized(name)
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        hits, cut = scan_distinct(uniques, counts, t)
        if cut:
            truncated.append(name)
        for kind, h in hits.items():
            code = "AISEC-DATA-S02" if h.category == "secret" else "AISEC-DATA-S01"
            what = "credential" if h.category == "secret" else "personal data"
            out.append(
                finding(
                    code,
                    f"column {name!r}: {plural(h.cells, 'value')} ({pct(h.cells / d.length)}) "
                    f"{'holds' if h.cells == 1 else 'hold'} {what} of kind {kind}",
                    column=name,
                    count=h.cells,
                    share=h.cells / d.length,
                    threshold=t["pii_min_count"],
                    evidence="redacted: " + ", ".join(h.samples),
                    severity=h.severity,
                    pii_kind=kind,
                )
            )
            per_column.setdefault(name, {})[kind] = h.cells
        for person in find_people(name, uniques, counts):
            code, what = PEOPLE_CODES[person.kind]
            out.append(
                finding(
                    code,
                    f"likely {what}: column {name!r}, {person.signal} "
                    f"({plural(person.rows, 'row')} in all)",
                    column=name,
                    count=person.rows,
                    share=person.rows / max(d.length, 1),
                    pii_kind=person.kind,
                )
            )
            per_column.setdefault(name, {})[person.kind] = person.rows
    return out, {"pii": per_column, **({"pii_truncated": truncated} if truncated else {})}


def _schema(d: FrameDigests, frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for position, name in enumerate(d.names[:MAX_SCHEMA_COLUMNS]):
        codes, uniques = d.factorized(name)
        rows.append(
            {
                "name": name,
                "dtype": str(frame.dtypes.iloc[position]),
                "kind": d.kinds[name],
                "missing": int((codes < 0).sum()),
                "distinct": len(uniques),
            }
        )
    return rows


def _bounded(findings: list[DataFinding]) -> tuple[list[DataFinding], dict[str, int]]:
    """At most :data:`MAX_PER_CODE` findings per rule, the most severe kept, in their order."""
    by_code: dict[str, list[int]] = {}
    for i, f in enumerate(findings):
        by_code.setdefault(f.code, []).append(i)
    keep: set[int] = set()
    for indexes in by_code.values():
        ranked = sorted(indexes, key=lambda i: -SEVERITY_ORDER[findings[i].severity])
        keep.update(ranked[:MAX_PER_CODE])
    kept = [f for i, f in enumerate(findings) if i in keep]
    omitted = {c: len(ix) - MAX_PER_CODE for c, ix in by_code.items() if len(ix) > MAX_PER_CODE}
    return kept, omitted


def _verdict(findings: list[DataFinding]) -> Verdict:
    severities = {f.severity for f in findings}
    if severities & {"high", "critical"}:
        return "fail"
    return "warn" if severities & {"low", "medium"} else "pass"


def check_dataframe(
    df: pd.DataFrame,
    *,
    label: str | None = None,
    test: pd.DataFrame | None = None,
    reference: pd.DataFrame | None = None,
    source: str | Path | None = None,
    role: str | None = None,
    policy: Mapping[str, Any] | None = None,
    name: str = "dataframe",
    thresholds: Mapping[str, float] | None = None,
) -> DataCheck:
    """Check a DataFrame: integrity, quality, poisoning signs, leakage, personal data, secrets.

    ``label`` names the target column; ``test`` is a held-out frame checked for rows shared with
    ``df``; ``reference`` an earlier frame whose label shares ``df`` is compared with; ``source``
    the file the frame was read from (its sha256 is recorded so evidence goes stale when the file
    changes); ``role`` one of :data:`ROLES`; ``thresholds`` the project's thresholds as a face
    resolved them (:attr:`aisec_nb.settings.Settings.data`; default: the shipped ones) and
    ``policy`` per-call overrides of some of them.
    The result's id is ``data:<name>``.
    """
    timing = Timing.start()
    frame = _require_frame(df, f"data {name!r}")
    if role is not None and role not in ROLES:
        raise UsageError(f"role {role!r} is not one of {', '.join(ROLES)}")
    t = resolve_thresholds(policy, base=thresholds)
    y = _label_of(frame, label, f"data {name!r}") if label is not None else None
    test_frame = _require_frame(test, "the test frame") if test is not None else None
    ref_frame = _require_frame(reference, "the reference frame") if reference is not None else None
    ref_y = (
        _label_of(ref_frame, label, "the reference frame")
        if (ref_frame is not None and label is not None)
        else None
    )

    d = FrameDigests(frame)
    findings, pii_summary = _pii(d, t)
    hidden = list(pii_summary["pii"])
    findings += quality.missing_values(d, t)
    findings += quality.constant_columns(d, t, skip=[label] if label else [])
    findings += quality.mixed_types(d, t)
    findings += quality.category_variants(d, t, hide=hidden)
    findings += quality.duplicate_rows(d, t)
    findings += quality.infinite_values(d, t)
    outliers, histograms = poisoning.extreme_outliers(d, t, skip=[label] if label else [])
    findings += outliers
    labels: Labels | None = None
    if y is not None and label is not None:
        labels = encode_labels(y)
        # A column whose presence alone gives the label away is reported as that, not again as
        # a column that predicts the label; neither is then looked at for trigger values.
        leaks = leakage.missingness_leakage(d, label, labels, t)
        leaks += leakage.single_column_leakage(
            d, label, labels, t,
            skip=[f.location.column for f in leaks if f.location and f.location.column],
        )
        findings += leaks
        leaky = [f.location.column for f in leaks if f.location and f.location.column]
        findings += poisoning.conflicting_labels(d, label, labels)
        findings += poisoning.label_imbalance(labels, label, t)
        findings += triggers.rare_value_triggers(
            d, label, labels, t, skip=leaky, hide=hidden, reference=ref_frame
        )
        if ref_y is not None:
            findings += poisoning.label_shift(labels, encode_like(ref_y, labels), label, t)
    if test_frame is not None:
        findings += leakage.test_rows_in_training(d, FrameDigests(test_frame), label, t)
    if role in RAISED_ROLES:
        findings = [
            f.model_copy(update={"severity": raise_severity(f.severity)})
            if f.code.startswith("AISEC-DATA-P")
            else f
            for f in findings
        ]

    findings, omitted = _bounded(findings)
    target: dict[str, Any] = {
        "kind": "dataframe",
        "name": name,
        "shape": tuple(int(n) for n in frame.shape),
        "content_hash": d.content_hash(),
    }
    if source is not None:
        sha256, size = file_sha256(source)
        target.update(path=str(source), sha256=sha256, size=size)
    summary: dict[str, Any] = {
        "rows": d.length,
        "columns": len(d.names),
        "content_hash_unordered": d.content_hash(ordered=False),
        "schema": _schema(d, frame),
        "kinds_found": sorted({f.kind or f.code for f in findings}),
        "histograms": dict(list(histograms.items())[:6]),
        **pii_summary,
        **({"findings_omitted": omitted} if omitted else {}),
    }
    if labels is not None:
        summary["label"] = {
            "column": label,
            "classes": list(labels.classes[:50]),
            "counts": [int(c) for c in labels.counts()[:50]],
            "binned": labels.edges is not None,
        }
    if test_frame is not None:
        summary["test_shape"] = list(test_frame.shape)
    if ref_frame is not None:
        summary["reference_shape"] = list(ref_frame.shape)
    parameters: dict[str, Any] = {
        "label": label,
        "role": role,
        "with_test": test_frame is not None,
        "with_reference": ref_frame is not None,
        "thresholds": t,
    }
    return make_check(
        DataCheck,
        id=f"data:{name}",
        target=target,
        verdict=_verdict(findings),
        findings=findings,
        timing=timing,
        parameters=parameters,
        summary=summary,
    )
