"""%aisec monitor in a real kernel, and the Monitor's FigureWidget updating in place."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import plotly.graph_objects as go
import pytest

from aisec_nb.cli import main
from aisec_nb.drift import Monitor, build_profile
from aisec_nb.jupyter import monitor_widget
from aisec_nb.jupyter.monitor import MAX_OUTPUT_BYTES, PLOTLY_MIME
from aisec_nb.transport import MIME_TYPE
from tests.drift.data import sample
from tests.notebooks import execute, make_notebook, outputs_with, save

MAKE_DATA = """
import numpy as np, pandas as pd
rng = np.random.default_rng(0)
def frame(n, drifted):
    return pd.DataFrame({
        "latency": rng.gamma(4.0, 25.0, n) * (1.5 if drifted else 1.0),
        "plan": rng.choice(["free", "pro", "new"] if drifted else ["free", "pro"], n),
        "score": rng.uniform(0, 1, n),
    })
ref = frame(20000, False)
days = [frame(2000, d >= 1) for d in range(3)]
for d, f in enumerate(days):
    f["ts"] = pd.Timestamp("2026-03-01") + pd.Timedelta(days=d) + pd.to_timedelta(range(2000), "s")
live = pd.concat(days, ignore_index=True)
"""


def figures(nb: object) -> list[dict]:  # type: ignore[type-arg]
    return [out["data"][PLOTLY_MIME] for _, out in outputs_with(nb, PLOTLY_MIME)]


@pytest.mark.kernel
def test_monitor_magic_shows_figures_from_bins_and_records_the_summary(tmp_path: Path) -> None:
    nb = make_notebook(
        "%load_ext aisec_nb", MAKE_DATA, "%aisec monitor ref live --time-col ts --window 1D"
    )
    execute(nb, tmp_path)
    [(cell, output)] = outputs_with(nb, MIME_TYPE)
    assert cell == 2
    fragment = output["data"][MIME_TYPE]
    assert (fragment["kind"], fragment["id"]) == ("monitor", "monitor:ref:live")
    payload = fragment["payload"]
    assert payload["recorded_at"].endswith("+00:00")
    assert sorted(payload["drifted"]) == ["latency", "plan"]
    assert payload["verdict"] == "fail"
    assert [sorted(w["drifted"]) for w in payload["time"]["windows"]] == [
        [],
        ["latency", "plan"],
        ["latency", "plan"],
    ]
    assert payload["reference"]["profile"]["rows"] == 20000  # the record holds the profile
    assert payload["live"] == {"name": "live", "rows": 6000}

    score, dist, heat, ood = figures(nb)
    bars = score["data"][0]
    assert bars["y"][-2:] in (["plan", "latency"], ["latency", "plan"])  # largest on top
    assert bars["y"][0] == "score"
    assert dict(zip(bars["y"], bars["x"], strict=True)) == {
        c: v["score"] for c, v in payload["columns"].items()
    }
    assert score["data"][1]["name"] == "threshold" and set(score["data"][1]["x"]) == {0.1}
    assert {t["name"] for t in dist["data"]} == {"reference", "live"}
    plan_live = [t for t in dist["data"] if t["name"] == "live" and "(unseen)" in t["x"]]
    assert plan_live and plan_live[0]["y"][plan_live[0]["x"].index("(unseen)")] > 0.2
    assert heat["data"][0]["type"] == "heatmap"
    assert heat["data"][0]["y"] == ["latency", "plan", "score"]
    z = heat["data"][0]["z"]
    assert min(z[0][1:]) > 1 and min(z[1][1:]) > 1 and max(z[2]) < 1 and z[0][0] < 1
    assert len(ood["data"][0]["y"]) == 3 and ood["data"][0]["y"][2] > ood["data"][0]["y"][0]

    cell_outputs = nb.cells[2].outputs
    size = sum(len(json.dumps(o)) for o in cell_outputs)
    assert size <= MAX_OUTPUT_BYTES
    assert not any(
        "text/html" in o.get("data", {}) and PLOTLY_MIME in o.get("data", {}) for o in cell_outputs
    )  # no plotly.js or HTML copy of a figure

    path = save(nb, tmp_path / "monitor.ipynb")
    assert main(["sync", str(path)]) == 0
    record = nbformat.read(str(path), as_version=4).metadata["aisec"]
    assert record["monitors"]["monitor:ref:live"] == payload


@pytest.mark.kernel
def test_monitor_magic_reads_a_saved_profile_and_a_data_file(tmp_path: Path) -> None:
    nb = make_notebook(
        "%load_ext aisec_nb",
        MAKE_DATA,
        "import json, aisec_nb\n"
        "json.dump(aisec_nb.build_profile(ref).to_dict(), open('ref.json', 'w'))\n"
        "live.drop(columns='ts').to_csv('live.csv', index=False)\n"
        "del ref, live",
        "%aisec monitor ref.json live.csv --columns latency,score --method ks --threshold 0.2",
    )
    execute(nb, tmp_path)
    [(_, output)] = outputs_with(nb, MIME_TYPE)
    fragment = output["data"][MIME_TYPE]
    assert fragment["id"] == "monitor:ref.json:live.csv"
    payload = fragment["payload"]
    assert sorted(payload["columns"]) == ["latency", "score"]
    assert {c["method"] for c in payload["columns"].values()} == {"ks"}
    assert {c["threshold"] for c in payload["columns"].values()} == {0.2}
    assert payload["drifted"] == ["latency"] and "time" not in payload
    assert payload["chunks"]["by"] == "rows" and len(payload["chunks"]["chunks"]) == 10
    titles = [f["layout"]["title"]["text"] for f in figures(nb)]
    assert [t.split(" ")[:3] for t in titles] == [
        ["Drift", "score", "per"], ["Reference", "vs", "live,"], ["Drift", "per", "chunk:"],
        ["Out-of-distribution", "rows", "per"]]


@pytest.mark.kernel
def test_monitor_magic_errors_are_one_line(tmp_path: Path) -> None:
    nb = make_notebook(
        "%load_ext aisec_nb",
        "import pandas as pd\nlive = pd.DataFrame({'a': [1], 't': [pd.Timestamp('2026-01-01')]})",
        "%aisec monitor nope live",
        "%aisec monitor live live --window 1D",
        "%aisec monitor live live --time-col t --window 1X",
        "%aisec monitor live live --time-col a",
    )
    execute(nb, tmp_path, allow_errors=True)
    errors = [cell.outputs[0] for cell in nb.cells[2:]]
    assert all(e["output_type"] == "error" and len(e["traceback"]) == 1 for e in errors)
    assert errors[0]["evalue"] == (
        "%aisec monitor: 'nope' is neither a variable in this notebook nor a file (REF)")
    assert errors[1]["evalue"] == "%aisec monitor: --window needs --time-col"
    assert errors[2]["evalue"] == (
        "%aisec monitor: --window: '1X' is not a fixed window like '1D', '6h' or '15min'")
    assert errors[3]["evalue"].startswith(
        "%aisec monitor: --time-col: column 'a' is not a date/time column (it holds int64")


@pytest.mark.kernel
def test_streaming_monitor_in_a_kernel_shows_a_widget_and_records_its_summary(
    tmp_path: Path,
) -> None:
    nb = make_notebook(
        MAKE_DATA,
        "import aisec_nb\nfrom aisec_nb.jupyter import monitor_widget, record_monitor\n"
        "mon = aisec_nb.Monitor(ref)\nmonitor_widget(mon)",
        "for day, batch in live.groupby(live.ts.dt.date):\n"
        "    mon.update(batch.drop(columns='ts'), label=str(day))\n"
        "record_monitor(mon, 'inference-log')",
    )
    execute(nb, tmp_path)
    theme, widget = nb.cells[1].outputs  # the theme sheet, then the widget
    assert theme["data"]["text/html"].startswith("<style>")
    assert "application/vnd.jupyter.widget-view+json" in widget["data"]
    [(cell, output)] = outputs_with(nb, MIME_TYPE)
    fragment = output["data"][MIME_TYPE]
    assert (cell, fragment["kind"], fragment["id"]) == (2, "monitor", "inference-log")
    summary = fragment["payload"]
    assert summary["batches"] == 3 and summary["verdict"] == "fail"
    assert [p["label"] for p in summary["history"]] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert [sorted(p["drifted"]) for p in summary["history"]] == [
        [],
        ["latency", "plan"],
        ["latency", "plan"],
    ]
    assert summary["alerts"] and all(a["code"] == "AISEC-DRIFT-ALERT" for a in summary["alerts"])


def test_monitor_update_changes_the_figure_widget_traces() -> None:
    mon = Monitor(build_profile(sample(20_000, 1)))
    fig = monitor_widget(mon)
    assert isinstance(fig, go.FigureWidget)
    heat, ood, bars, limits = fig.data
    assert heat.x == () and ood.y == () and set(bars.y) == {0.0}
    assert set(limits.y) == {0.1} and list(limits.x) == list(bars.x)

    mon.update(sample(2000, 2))
    assert heat.x == ("batch 1",) and len(ood.y) == 1
    assert max(max(row) for row in heat.z) < 1

    mon.update(sample(2000, 3, drifted=True), label="spike")
    assert heat.x == ("batch 1", "spike")
    names = list(bars.x)
    drifted = {"latency_ms", "plan", "signup", "active"}
    assert {n for n, row in zip(heat.y, heat.z, strict=True) if row[1] >= 1} == drifted
    assert [c == "#cf222e" for c in bars.marker.color] == [n in drifted for n in names]
    assert ood.y[1] > ood.y[0]
    assert monitor_widget(mon).data[0].x == ("batch 1", "spike")  # a second one shows the history
