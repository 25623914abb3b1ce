"""The merge rule, specified by the JSON vectors in tests/fixtures/merge/, plus its properties."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.errors import RecordError
from aisec_nb.transport import (
    MIME_TYPE,
    Entry,
    build_bundle,
    make_fragment,
    merge_entries,
    read_record,
)

VECTORS = sorted((Path(__file__).parent / "fixtures" / "merge").glob("*.json"))


def test_there_are_vectors_for_results_and_errors() -> None:
    names = [p.stem for p in VECTORS]
    assert sum(n.startswith("e") for n in names) >= 5
    assert sum(not n.startswith("e") for n in names) >= 12


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_merge_vector(path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    if "error" in vector:
        with pytest.raises(RecordError) as info:
            read_record(vector["notebook"], "vec.ipynb")
        assert vector["error"] in str(info.value)
        assert str(info.value).startswith("vec.ipynb: ")
    else:
        assert read_record(vector["notebook"], "vec.ipynb").record == vector["expected"]


def test_read_record_remembers_the_cell_that_shows_the_winner() -> None:
    vector = json.loads(
        (Path(__file__).parent / "fixtures/merge/05_cell_order_does_not_matter.json").read_text()
    )
    evidence = read_record(vector["notebook"])
    assert evidence.cell_of_check("model:a") == 0
    assert evidence.cell_of_check("model:zzz") is None


def test_bundle_carries_fragment_text_and_html() -> None:
    fragment = make_fragment("monitor", "m", {"recorded_at": "2026-01-01T00:00:00Z"})
    data, metadata = build_bundle(fragment, html_text="<b>x</b>", plain_text="x")
    assert data == {"text/plain": "x", "text/html": "<b>x</b>", MIME_TYPE: fragment}
    assert metadata == {}


def test_make_fragment_refuses_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown fragment kind 'hologram'"):
        make_fragment("hologram", "x", {})


# --- properties: the result does not depend on the order sources are read in -----------------

times = st.datetimes(
    min_value=__import__("datetime").datetime(2020, 1, 1),
    max_value=__import__("datetime").datetime(2030, 1, 1),
).map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))
entries = st.lists(
    st.builds(
        lambda slot, key, at, value, cell: Entry(
            slot, key, {"recorded_at": at, "value": value}, cell
        ),
        st.sampled_from(["monitors"]),
        st.sampled_from(["a", "b", "c"]),
        times,
        st.integers(0, 3),
        st.one_of(st.none(), st.integers(0, 5)),
    ),
    max_size=12,
)


@given(entries, st.randoms(use_true_random=False))
def test_merge_ignores_order(items: list[Entry], rnd: Any) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert merge_entries(items).record == merge_entries(shuffled).record


@given(entries)
def test_merge_is_idempotent_and_keeps_the_newest(items: list[Entry]) -> None:
    once = merge_entries(items).record
    again = merge_entries(
        [Entry("monitors", k, v) for k, v in once["monitors"].items()] + items
    ).record
    assert again == once
    for key, payload in once["monitors"].items():
        newest = max(e.payload["recorded_at"] for e in items if e.id == key)
        assert payload["recorded_at"] == newest


@given(entries, entries)
def test_merge_of_merges_equals_merge_of_all(left: list[Entry], right: list[Entry]) -> None:
    merged_left = merge_entries(left).record["monitors"]
    merged_right = merge_entries(right).record["monitors"]
    combined = [Entry("monitors", k, v) for k, v in {**merged_left}.items()] + [
        Entry("monitors", k, v) for k, v in merged_right.items()
    ]
    assert merge_entries(combined).record == merge_entries(left + right).record


# --- reading never changes what it reads -------------------------------------------------------


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_read_record_does_not_mutate_the_notebook(path: Path) -> None:
    notebook = json.loads(path.read_text("utf-8"))["notebook"]
    before = copy.deepcopy(notebook)
    try:
        evidence = read_record(notebook, "vec.ipynb")
    except RecordError:
        assert notebook == before
        return
    assert notebook == before
    # Nor does changing the merged record reach back into the notebook it came from.
    for slot in ("checks", "monitors"):
        for payload in evidence.record[slot].values():
            payload["recorded_at"] = "changed"
            payload.setdefault("tool", {})["name"] = "changed"
    assert notebook == before


@given(entries)
def test_merge_does_not_mutate_its_entries(items: list[Entry]) -> None:
    before = copy.deepcopy([e.payload for e in items])
    merged = merge_entries(items).record
    assert [e.payload for e in items] == before
    for payload in merged["monitors"].values():
        payload["value"] = "changed"
    assert [e.payload for e in items] == before


def test_the_merged_record_reads_back_typed(tmp_path: Path) -> None:
    import pickle

    import pandas as pd

    from aisec_nb import check_dataframe, scan_path
    from aisec_nb.record import DataCheck, ModelCheck, ScannedFile, to_json
    from tests.evidence import notebook_showing

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "w.pkl").write_bytes(pickle.dumps({"w": [1.0]}, protocol=4))
    model = scan_path(tmp_path / "m")
    data = check_dataframe(pd.DataFrame({"x": [1, 2, 2]}), name="df")
    evidence = read_record(notebook_showing(model, data))
    typed = evidence.typed
    assert evidence.typed is typed  # validated once, however many rules read it
    scanned, checked = typed.checks[model.id], typed.checks[data.id]
    assert isinstance(scanned, ModelCheck) and isinstance(checked, DataCheck)
    assert scanned.summary.files == (ScannedFile(name="w.pkl", format="pickle", verdict="pass",
                                                 size=(tmp_path / "m" / "w.pkl").stat().st_size,
                                                 sha256=scanned.summary.files[0].sha256),)
    assert checked.summary.rows == 3 and checked.parameters.thresholds == data.parameters.thresholds
    assert to_json(scanned) == to_json(model) and to_json(checked) == to_json(data)
