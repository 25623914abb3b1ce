"""The kernel's view of the notebook's record: pushed by the front end over the comm, or read
from the saved file when no extension answers (the browser tests run the comm for real)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aisec_nb.jupyter import frontend
from aisec_nb.scan import scan_path
from aisec_nb.transport import check_fragment, empty_record
from tests.evidence import notebook_showing, write
from tests.notebooks import execute, make_notebook


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    frontend.close_comm()
    yield
    frontend.close_comm()


def _saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, object]]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.pkl").write_bytes(b"\x80\x04K\x01.")
    result = scan_path("m.pkl")
    path = write(notebook_showing(result), tmp_path / "nb.ipynb")
    return path, check_fragment(result)["payload"]


def test_the_record_the_front_end_sent_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, payload = _saved(tmp_path, monkeypatch)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    record = {**empty_record(), "checks": {"model:other.pkl": {**payload, "id": "model:other.pkl"}}}
    frontend._on_msg({"content": {"data": {"type": "record", "record": record,
                                           "path": "nb.ipynb", "error": None}}})
    view = frontend.notebook_record()
    assert (view.source, view.path) == ("front end", "nb.ipynb")
    assert list(view.record["checks"]) == ["model:other.pkl"]
    assert "open notebook" in view.note


def test_without_the_extension_the_saved_file_is_read_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = _saved(tmp_path, monkeypatch)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    view = frontend.notebook_record()
    assert view.source == "saved file" and view.path == str(path)
    assert list(view.record["checks"]) == ["model:m.pkl"]
    assert f"from the saved file {path}" in view.note and "not yet saved" in view.note


def test_vs_code_names_the_file_in_the_namespace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = _saved(tmp_path, monkeypatch)

    shell = type("Shell", (), {"user_ns": {"__vsc_ipynb_file__": str(path)}})()
    assert frontend.notebook_record(shell).source == "saved file"


def test_a_malformed_front_end_record_is_reported_not_raised() -> None:
    frontend._on_msg({"content": {"data": {"type": "record", "record": "enabled"}}})
    view = frontend.notebook_record()
    assert view.source == "front end" and view.record == empty_record()
    assert view.error is not None and "metadata.aisec is a str" in view.error


def test_no_front_end_and_no_file() -> None:
    view = frontend.notebook_record()
    assert view.source == "none" and "only this kernel's results" in view.note


@pytest.mark.kernel
def test_status_in_a_kernel_without_a_front_end_says_where_it_looked(tmp_path: Path) -> None:
    (tmp_path / "m.pkl").write_bytes(b"\x80\x04K\x01.")
    nb = make_notebook("%load_ext aisec_nb", "%aisec check model m.pkl", "%aisec status")
    execute(nb, tmp_path)
    text = nb.cells[2].outputs[0]["data"]["text/plain"]
    assert "aisec: 1 check and 0 monitors recorded" in text and "model:m.pkl" in text
    assert "no front end extension answered" in text
