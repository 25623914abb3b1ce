"""What a user sees, without a kernel: one footer on every report, codes and locations that never
break, the model report's bytes, figures that read in both themes, the status count, and errors
that name the argument as typed. (The same reports in a real browser: tests/browser.)"""

from __future__ import annotations

import argparse
import html as html_lib
import json
import pickle
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aisec_nb
from aisec_nb.drift import Monitor, compare_windows
from aisec_nb.errors import UsageError
from aisec_nb.jupyter import check_data, check_model, monitor, status
from aisec_nb.jupyter.html import (
    INK,
    THEME_STYLE,
    TRANSPARENT,
    check_result_html,
    findings_table,
    footer,
    location_html,
)
from aisec_nb.jupyter.monitor_figures import chunk_figure, figure_json, report_figures
from aisec_nb.jupyter.monitor_live import monitor_widget, record_monitor
from aisec_nb.record import Finding, Location
from aisec_nb.rules import make_finding
from tests.drift.data import sample

FOOTER = re.compile(
    r'<div class="aisec-footer"[^>]*>aisec-nb \S+ · took \d+(\.\d+)? (s|min \d\d s) · '
    r'<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</time></div>'
)
RAW_TIME = re.compile(r"\d\d:\d\d:\d\d\.\d+\+00:00|T\d\d:\d\d:\d\d")


def visible(html_text: str) -> str:
    """The text a reader sees (tags and attribute values dropped)."""
    no_style = re.sub(r"<style>.*?</style>", "", html_text, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", no_style))


@pytest.fixture(scope="module")
def drifted_in_part() -> tuple[Any, pd.DataFrame]:
    ref = aisec_nb.build_profile(sample(20_000, 1))
    live = pd.concat([sample(14_000, 2), sample(6_000, 3, drifted=True)], ignore_index=True)
    live["ts"] = pd.Timestamp("2026-03-01") + pd.to_timedelta(np.arange(len(live)) * 13, "s")
    return ref, live


def model_report(tmp_path: Path) -> str:
    from aisec_nb.scan import scan_path

    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps({"coef": [1.0, 2.0]}, protocol=4))
    result = scan_path(path)
    return check_result_html(result, check_model.report_html(result))


def every_report(tmp_path: Path, drifted_in_part: tuple[Any, pd.DataFrame],
                 monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    ref, live = drifted_in_part
    data = aisec_nb.check_dataframe(sample(2_000, 4))
    outputs = monitor.render_outputs(
        aisec_nb.compare_to_profile(ref, live.drop(columns="ts")), None, "m", duration_s=0.25
    )
    shown: list[str] = []
    monkeypatch.setattr("aisec_nb.jupyter.session.publish",
                        lambda fragment, *, html_text, plain_text: shown.append(html_text))
    mon = Monitor(ref)
    mon.update(sample(1_000, 5))
    record_monitor(mon, "stream")
    record = {"checks": {"data:x": {"kind": "data", "verdict": "warn"}},
              "monitors": {"m": {"verdict": "fail"}}}
    return {
        "model": model_report(tmp_path),
        "data": check_data.report_html(data),
        "monitor": outputs[0]["text/html"],
        "stream": shown[0],
        "status": status.status_html(record, "from the saved file"),
    }


def test_one_footer_on_every_report(tmp_path: Path, drifted_in_part: tuple[Any, pd.DataFrame],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    reports = every_report(tmp_path, drifted_in_part, monkeypatch)
    for name, text in reports.items():
        assert len(FOOTER.findall(text)) == 1, (name, text[-400:])
        assert text.count('class="aisec-footer"') == 1, name
        assert not RAW_TIME.search(visible(text)), (name, RAW_TIME.search(visible(text)))
        assert THEME_STYLE in text, name
    assert "took 0.250 s" in reports["monitor"]


def test_footer_reads_a_time_and_a_duration() -> None:
    text = footer("1.0", 125.2, "2026-03-04T06:39:33.029672+00:00")
    assert " ".join(visible(text).split()) == (
        "aisec-nb 1.0 · took 2 min 05 s · 2026-03-04 06:39:33 UTC")


def test_rule_codes_and_locations_never_break() -> None:
    findings = [
        make_finding("AISEC-DATA-S01", "personal data", location=Location(column="note")),
        Finding(code="AISEC-PKL-002", severity="critical", message="m",
                location=Location(member="archive/data.pkl", offset=0)),
    ]
    table = findings_table(findings)
    for code_text in ("AISEC-DATA-S01", "AISEC-PKL-002"):
        assert f'<code class="aisec-nowrap" style="white-space:nowrap">{code_text}</code>' in table
    where = location_html(findings[1].location)
    assert where.count("white-space:nowrap") == 2  # "archive/data.pkl" and "@ offset 0"
    assert '<span class="aisec-nowrap" style="white-space:nowrap">@ offset 0</span>' in where
    for f in findings:
        assert f.location is not None
        assert " ".join(visible(location_html(f.location)).split()) == f.location.describe()


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_the_model_report_never_reads_more_bytes_than_the_file_has(parsed: int,
                                                                   size: int) -> None:
    text = check_model.read_text(parsed, size, "pickle")
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text.split("(")[0])]
    assert max(numbers) <= size and f"{size:,}" in text
    assert text.startswith("all ") == (parsed >= size)


def test_the_model_report_says_what_was_read_and_how(tmp_path: Path) -> None:
    size = len(pickle.dumps({"coef": [1.0, 2.0]}, protocol=4))
    text = visible(model_report(tmp_path))
    assert f"read all {size} bytes, parsed as pickle and hashed" in " ".join(text.split())
    assert "bytes parsed" not in text


# --- figures ------------------------------------------------------------------------------------


def axes(fig: dict[str, Any]) -> list[dict[str, Any]]:
    layout = fig["layout"]
    return [v for k, v in layout.items() if re.fullmatch(r"[xy]axis\d*", k)]


def check_themed(fig: dict[str, Any]) -> None:
    """What makes a figure read in light and dark themes, and its axes read at all."""
    layout = fig["layout"]
    name = layout["title"]["text"]
    assert layout["paper_bgcolor"] == TRANSPARENT and layout["plot_bgcolor"] == TRANSPARENT, name
    assert layout["font"]["color"] == INK, name
    assert layout["height"] >= 200, name
    titled = [a for a in axes(fig) if (a.get("title") or {}).get("text")]
    assert titled, f"{name}: no axis title"
    for trace in fig["data"]:
        for key in ("x", "y"):
            values = trace.get(key) or []
            if values and isinstance(values[0], str):
                assert not any(re.search(r"\de[+-]\d", v) for v in values), (name, values[:5])


def test_data_check_figures_use_categories_readable_numbers_and_titled_axes() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"income": rng.lognormal(10.5, 0.5, 4_000), "y": rng.integers(0, 2, 4_000)})
    df.loc[::20, "income"] = np.nan
    df.loc[3, "income"] = 1e9
    figures = check_data.report_figures(aisec_nb.check_dataframe(df, label="y").summary)
    assert [f["layout"]["title"]["text"].split(":")[0] for f in figures] == [
        "Missing values per column", "income", "Label 'y'"]
    for fig in figures:
        check_themed(fig)
        assert fig["layout"]["xaxis"]["type"] == "category"
        assert fig["layout"]["yaxis"]["title"]["text"]
    label = figures[-1]
    assert sorted(label["data"][0]["x"]) == ["0", "1"]  # labels, not -0.5 … 1.5 ticks
    hist = figures[1]["data"][0]["x"]
    assert all(re.fullmatch(r"-?[\d.]+k?", x) for x in hist), hist  # 12.3k, never 1.23e+04
    assert len(set(hist)) == len(hist)
    missing = figures[0]["layout"]
    assert missing["yaxis"]["tickformat"] == ".1%" and missing["xaxis"]["range"][0] < -1


def test_slanted_labels_make_the_figure_taller() -> None:
    short = check_data._bar(["a", "b"], [1, 2], "t", "x", "y")
    long = check_data._bar([f"a rather long category name {i}" for i in range(30)],
                           list(range(30)), "t", "x", "y")
    assert long["layout"]["xaxis"]["tickangle"] == -40
    assert short["layout"]["xaxis"]["tickangle"] == 0
    assert long["layout"]["height"] > short["layout"]["height"] + 100


def test_monitor_figures_read_in_both_themes_and_show_the_chunks(
    drifted_in_part: tuple[Any, pd.DataFrame],
) -> None:
    ref, live = drifted_in_part
    reports = {
        "rows": (aisec_nb.compare_to_profile(ref, live.drop(columns="ts")), None),
        "time": (aisec_nb.compare_to_profile(ref, live, time_col="ts"), None),
    }
    windowed = compare_windows(ref, live, "ts", "12h")
    reports["windows"] = (windowed.report, windowed)
    for name, (report, win) in reports.items():
        figures = [figure_json(f) for f in report_figures(report, win)]
        titles = [f["layout"]["title"]["text"] for f in figures]
        assert [t.split(",")[0].split(":")[0] for t in titles] == [
            "Drift score per column", "Reference vs live",
            "Drift per window" if name == "windows" else "Drift per chunk",
            "Out-of-distribution rows per " + ("window" if name == "windows" else "chunk"),
        ], name
        for fig in figures:
            check_themed(fig)
            assert fig["layout"]["showlegend"] is False or fig["layout"]["legend"]["x"] > 1
        dist = figures[1]
        assert all(a.get("type") == "category" for a in axes(dist) if "tickangle" in a)
    heat = figure_json(chunk_figure(reports["rows"][0]))  # type: ignore[arg-type]
    z = dict(zip(heat["data"][0]["y"], heat["data"][0]["z"], strict=True))
    assert min(z["latency_ms"][7:]) > 1 > max(z["latency_ms"][:7])  # score / threshold
    marks = heat["data"][1]
    assert sorted(set(marks["y"])) == ["active", "latency_ms", "plan", "signup"]
    assert set(marks["x"]) == {"8", "9", "10"}  # a mark where both gates passed
    assert heat["layout"]["xaxis"]["title"]["text"] == "chunk (consecutive rows)"
    score = figure_json(report_figures(reports["rows"][0])[0])
    colours = dict(zip(score["data"][0]["y"], score["data"][0]["marker"]["color"], strict=True))
    assert colours["latency_ms"] == "#d4a72c" and colours["plan"] == "#cf222e"  # part / whole


def test_the_live_monitor_figure_reads_in_both_themes() -> None:
    mon = Monitor(sample(5_000, 1))
    fig = json.loads(monitor_widget(mon).to_json())
    assert fig["layout"]["paper_bgcolor"] == TRANSPARENT
    assert fig["layout"]["font"]["color"] == INK
    assert all(a.get("title", {}).get("text") for k, a in fig["layout"].items()
               if re.fullmatch(r"yaxis\d*", k))


# --- status and errors --------------------------------------------------------------------------


def test_status_counts_the_rows_it_lists_and_gives_monitors_a_verdict() -> None:
    record = {
        "checks": {f"model:{i}.pkl": {"kind": "model", "verdict": "pass"} for i in range(4)},
        "monitors": {"drift": {"verdict": "fail", "kind": "batch"}},
    }
    text = status.status_text(record)
    lines = text.splitlines()
    assert lines[0] == "aisec: 4 checks and 1 monitor recorded"
    assert len(lines) - 1 == 5
    assert lines[-1].split() == ["fail", "monitor", "drift"]
    html_text = status.status_html(record)
    assert html_text.count("<tr>") == 1 + 5 and ">FAIL<" in html_text
    assert "<td></td>" not in html_text


def test_errors_name_the_argument_as_typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError) as err:
        check_data.lookup_frame({}, "x", "DF")
    assert str(err.value) == "%aisec check data: no variable 'x' in the notebook (DF)"
    with pytest.raises(UsageError) as err:
        check_data.lookup_frame({"t": [1]}, "t", "--test")
    assert str(err.value) == "%aisec check data: 't' is a list, not a pandas DataFrame (--test)"
    monkeypatch.chdir(tmp_path)
    stamped = pd.DataFrame({"a": [1.0], "t": [pd.Timestamp("2026-01-01")]})
    shell = argparse.Namespace(
        user_ns={"ref": pd.DataFrame({"a": [1.0]}), "stamped": stamped, "bad": [1, 2]})
    with pytest.raises(UsageError) as err:
        monitor.resolve("nope", shell, "LIVE")
    assert str(err.value) == (
        "%aisec monitor: 'nope' is neither a variable in this notebook nor a file (LIVE)")
    parser = argparse.ArgumentParser()
    monitor.add_arguments(parser)
    cases = {
        "ref bad": "%aisec monitor: 'bad' is a list, not a DataFrame or a file (LIVE)",
        "bad ref": "%aisec monitor: 'bad' is a list, not a DataFrame, a profile or a data file "
                   "(REF)",
        "ref ref --time-col when": "%aisec monitor: 'ref' has no column 'when' (--time-col); it "
                                   "has: a",
        "ref ref --chunks -1": "%aisec monitor: --chunks must be 0 or more, not -1",
        "ref stamped --time-col t --window 1X": "%aisec monitor: --window: '1X' is not a fixed "
                                                "window",
        "ref ref --time-col a": "%aisec monitor: --time-col: column 'a' is not a date/time column",
    }
    for line, message in cases.items():
        with pytest.raises(UsageError) as err:
            monitor.run(parser.parse_args(line.split()), shell)
        assert str(err.value).startswith(message), (line, str(err.value))
