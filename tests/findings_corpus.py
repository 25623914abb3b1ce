"""The findings of the scanner, the data checks and the drift monitor on the test corpus, as plain
JSON, so a refactoring can prove it changed no code, severity, message or location.

``python -m tests.findings_corpus`` rewrites ``tests/fixtures/findings_snapshot.json``; do that only
when a change of findings is intended, and say so in the commit.
"""

from __future__ import annotations

import json
import pickle
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).parent / "fixtures" / "findings_snapshot.json"
PLACEHOLDER = "<CORPUS>"
# torch writes unseeded weights into one corpus file, so its CRCs differ from run to run.
_CRC = re.compile(r"CRC-32 is [0-9a-f]{8} but the directory says [0-9a-f]{8}")


def _findings(findings: Any, root: str) -> list[list[Any]]:
    out = []
    for f in findings:
        where = f.location.describe() if f.location is not None else ""
        message = _CRC.sub("CRC-32 is <crc> but the directory says <crc>", f.message)
        out.append([f.code, f.severity, message.replace(root, PLACEHOLDER),
                     where.replace(root, PLACEHOLDER),
                     (f.evidence or "").replace(root, PLACEHOLDER)])
    return out


def _scan(path: Path, root: str) -> dict[str, Any]:
    from aisec_nb import scan_path
    from aisec_nb.record import to_json

    result = scan_path(path)
    summary = to_json(result)["summary"]
    files = summary.get("files", [])
    return {
        "verdict": result.verdict,
        "format": summary.get("format"),
        "files": sorted([str(e["name"]), str(e["verdict"]), str(e["format"])] for e in files),
        "findings": _findings(result.findings, root),
    }


def scan_snapshot(folder: Path) -> dict[str, Any]:
    """Every hostile and benign file of the scanner's corpus, scanned."""
    from tests.scan import corpus_formats, corpus_pickle

    root = str(folder)
    out: dict[str, Any] = {}
    pickles = folder / "pickles"
    pickles.mkdir()
    for case in corpus_pickle.hostile_pickles(folder / "MARKER"):
        variants = {"raw": case.data, **corpus_pickle.compressed_variants(case.data)}
        for kind, data in variants.items():
            path = pickles / f"{case.name}.{kind}.pkl"
            path.write_bytes(data)
            out[f"pickle/{case.name}/{kind}"] = _scan(path, root)
    for name, obj in corpus_pickle.benign_objects().items():
        path = pickles / f"benign-{name}.pkl"
        path.write_bytes(pickle.dumps(obj, protocol=4))
        out[f"pickle-benign/{name}"] = _scan(path, root)
    good = corpus_formats.benign(folder / "benign")
    for name, path in good.items():
        out[f"formats-benign/{name}"] = _scan(path, root)
    for name, (path, _verdicts, _codes) in corpus_formats.hostile(
            folder / "hostile", good["torch-zip"]).items():
        out[f"formats-hostile/{name}"] = _scan(path, root)
    return out


def _frames() -> dict[str, tuple[Any, dict[str, Any]]]:
    import numpy as np
    import pandas as pd
    from sklearn import datasets

    from tests.drift.data import sample

    def frame(bunch: Any) -> pd.DataFrame:
        df = pd.DataFrame(bunch.data, columns=list(map(str, bunch.feature_names)))
        df["target"] = bunch.target
        return df

    rng = np.random.default_rng(7)
    dirty = sample(3000, 3)
    dirty.loc[::50, "balance"] = np.nan
    dirty = pd.concat([dirty, dirty.iloc[:40]], ignore_index=True)
    dirty["label"] = (dirty["score"] > 0.5).astype(int)
    dirty.loc[:25, "label"] = 1 - dirty.loc[:25, "label"]
    dirty["key"] = [f"AKIA{rng.integers(10**15, 10**16)}XYZW" for _ in range(len(dirty))]
    dirty["card"] = "4111 1111 1111 1111"
    return {
        "iris": (frame(datasets.load_iris()), {"label": "target"}),
        "breast_cancer": (frame(datasets.load_breast_cancer()), {"label": "target"}),
        "wine": (frame(datasets.load_wine()), {"label": "target"}),
        "diabetes": (frame(datasets.load_diabetes()), {"label": "target"}),
        "digits": (frame(datasets.load_digits()), {"label": "target"}),
        "drift-sample": (sample(4000, 1), {}),
        "dirty": (dirty, {"label": "label"}),
    }


def data_snapshot() -> dict[str, Any]:
    """The DataFrame checks on real datasets that ship in scikit-learn and on generated frames."""
    from aisec_nb import check_dataframe

    out: dict[str, Any] = {}
    for name, (df, kwargs) in _frames().items():
        result = check_dataframe(df, **kwargs)
        out[name] = {"verdict": result.verdict, "findings": _findings(result.findings, "\0")}
    return out


def drift_snapshot() -> dict[str, Any]:
    """The monitor on a clean and a drifted live sample, whole, by time window and streamed."""
    from aisec_nb import build_profile, compare_to_profile
    from aisec_nb.drift import Monitor, compare_windows
    from tests.drift.data import sample

    reference = sample(6000, 1)
    profile = build_profile(reference)
    out: dict[str, Any] = {}
    for name, live in {"clean": sample(6000, 2), "drifted": sample(6000, 2, drifted=True)}.items():
        report = compare_to_profile(profile, live)
        out[name] = {"verdict": report.verdict, "drifted": list(report.drifted),
                     "findings": _findings(report.findings, "\0")}
        windowed = compare_windows(profile, live, "signup", "90D")
        out[f"{name}/windows"] = {
            "verdict": windowed.report.verdict,
            "windows": [[w.to_dict().get("label"), w.to_dict().get("verdict"),
                         w.to_dict().get("drifted")] for w in windowed.windows],
        }
    monitor = Monitor(reference)
    alerts = []
    for i in range(4):
        batch = sample(800, 10 + i, drifted=i >= 2)
        alerts.extend(monitor.update(batch))
    out["monitor"] = {"findings": _findings(alerts, "\0")}
    return out


def snapshot() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp).resolve()
        return {"scan": scan_snapshot(folder), "data": data_snapshot(),
                "drift": drift_snapshot()}


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    SNAPSHOT.write_text(json.dumps(snapshot(), indent=1, sort_keys=True) + "\n", "utf-8")
    print(f"wrote {SNAPSHOT}", file=sys.stderr)
