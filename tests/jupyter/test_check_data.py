"""%aisec check data in a real kernel: the report, its figures, its size, errors, and the record."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
import pytest

from aisec_nb.cli import main
from aisec_nb.transport import MIME_TYPE
from tests.notebooks import execute, make_notebook, outputs_with, save

PLOTLY = "application/vnd.plotly.v1+json"
SECRET = "AKIAQWERTYUIOPASDFGH"
EMAIL = "zelda.quist@example.org"

MAKE_FRAMES = f"""
import numpy as np, pandas as pd
rng = np.random.default_rng(0)
n = 50_000
x = rng.normal(size=n)
df = pd.DataFrame({{f"f{{i}}": rng.normal(size=n) for i in range(60)}})
df["x"] = x
df["city"] = rng.choice(["Leeds", "York", "Hull"], n)
df["note"] = [f"order {{i}}" for i in range(n)]
df["y"] = (x + rng.normal(size=n) > 0).astype(int)
df.loc[:99, "f0"] = np.nan
df.loc[5, "x"] = 1e9
df.loc[7, "note"] = "key {SECRET} leaked"
df.loc[8, "note"] = "mail {EMAIL}"
test_df = df.iloc[:10].copy()
ref = df.assign(y=0)
df.to_csv("people.csv", index=False)
not_a_frame = [1, 2, 3]
"""


@pytest.mark.kernel
def test_check_data_report_record_and_size(tmp_path: Path) -> None:
    nb = make_notebook(
        "%load_ext aisec_nb",
        MAKE_FRAMES,
        "%aisec check data df --label y --test test_df --reference ref --source people.csv "
        "--role fine-tuning",
        "%aisec check data missing_df",
        "%aisec check data not_a_frame",
        "%aisec check data df --label nope",
        "%aisec check data df --set outlier_z",
        "%aisec status",
    )
    execute(nb, tmp_path, allow_errors=True)

    report = nb.cells[2].outputs
    assert [sorted(o["data"]) for o in report] == [
        sorted([MIME_TYPE, "text/html", "text/plain"]),
        ["text/html", "text/plain"],  # the theme sheet the figures' text colour follows
        *[[PLOTLY, "text/plain"]] * (len(report) - 2),
    ]
    assert report[1]["data"]["text/html"].startswith("<style>")
    fragment = report[0]["data"][MIME_TYPE]
    assert (fragment["kind"], fragment["id"]) == ("check", "data:df")
    payload = fragment["payload"]
    assert payload["verdict"] == "fail"
    kinds = {f["kind"] for f in payload["findings"]}
    assert kinds == {
        "missing_values",  # f0's 0.2% missing: under the threshold, reported as info
        "extreme_outliers",
        "personal_data",
        "secret",
        "test_rows_in_training",
        "label_shift",
    }
    assert payload["parameters"]["role"] == "fine-tuning"
    data = (tmp_path / "people.csv").read_bytes()
    target = payload["target"]
    assert target["kind"] == "dataframe" and target["name"] == "df"
    assert target["path"] == "people.csv"
    assert target["sha256"] == hashlib.sha256(data).hexdigest()
    assert target["shape"] == [50_000, 64]
    assert target["content_hash"].startswith("df1:")

    figures = [o["data"][PLOTLY] for o in report[2:]]
    titles = [f["layout"]["title"]["text"] for f in figures]
    assert titles[0].startswith("Missing values per column")
    assert any(t.startswith("x: distribution without its 1 outlier (") for t in titles)
    assert titles[-1] == "Label 'y': rows per class"

    size = len(json.dumps(report))
    assert size <= 200_000, size
    html = report[0]["data"]["text/html"]
    assert "<script" not in html
    everything = json.dumps([cell.get("outputs", []) for cell in nb.cells])
    assert SECRET[4:] not in everything and EMAIL not in everything and "zelda" not in everything

    errors = [nb.cells[i].outputs[0] for i in range(3, 7)]
    assert all(e["output_type"] == "error" and e["ename"] == "UsageError" for e in errors)
    assert all(len(e["traceback"]) == 1 for e in errors)
    assert errors[0]["evalue"] == (
        "%aisec check data: no variable 'missing_df' in the notebook (DF)")
    assert errors[1]["evalue"] == (
        "%aisec check data: 'not_a_frame' is a list, not a pandas DataFrame (DF)")
    assert errors[2]["evalue"].startswith("label column 'nope' is not in data 'df'")
    assert "expected KEY=NUMBER" in errors[3]["evalue"]
    assert "data:df" in nb.cells[7].outputs[0]["data"]["text/plain"]

    path = save(nb, tmp_path / "analysis.ipynb")
    assert main(["sync", str(path)]) == 0
    record = nbformat.read(str(path), as_version=4).metadata["aisec"]
    assert record["checks"]["data:df"] == payload
    assert [i for i, _ in outputs_with(nb, MIME_TYPE)] == [2]
