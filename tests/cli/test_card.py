"""``aisec-nb card NOTEBOOK --format ... -o FILE``: the notebook's card in every format."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from aisec_nb.cards import build_card, export_card
from aisec_nb.cli import main
from aisec_nb.record import to_json
from aisec_nb.transport import make_fragment
from tests.cards.support import filled


def _notebook(tmp_path: Path, payload: dict[str, object] | None) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("%aisec card")
    if payload is not None:
        cell.outputs = [nbformat.v4.new_output("display_data", data={
            "text/plain": "card",
            "application/vnd.aisec.v1+json": make_fragment("model_card", "card", payload)})]
    nb.cells = [cell]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    return path


@pytest.mark.parametrize("fmt", ["hf", "cyclonedx", "spdx", "html"])
def test_every_format_is_written(tmp_path: Path, fmt: str,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    card, _ = filled(tmp_path)
    path = _notebook(tmp_path, to_json(card))
    out = tmp_path / f"card.{fmt}"
    assert main(["card", str(path), "--format", fmt, "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == export_card(card, fmt)
    assert main(["card", str(path), "--format", fmt]) == 0
    assert capsys.readouterr().out == export_card(card, fmt)


def test_spec_strict_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _notebook(tmp_path, to_json(build_card(user={"name": "m"})))
    assert main(["card", str(path), "--format", "cyclonedx", "--spec", "1.5"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["specVersion"] == "1.5"
    assert "lacks" in captured.err and "retention_time" in captured.err
    assert main(["card", str(path), "--strict"]) == 1
    assert main(["card", str(path), "--format", "spdx"]) == 2
    assert "download_location" in capsys.readouterr().err
    empty = _notebook(tmp_path, None)
    assert main(["card", str(empty)]) == 2
    assert "has no model card" in capsys.readouterr().err
