"""aisec-nb sync: atomic writes, untouched when unchanged, errors named, others still synced."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from aisec_nb.cli import main
from aisec_nb.scan import scan_path
from aisec_nb.transport import check_fragment
from tests.evidence import notebook_showing, write


def _notebook(tmp_path: Path, name: str = "nb.ipynb") -> Path:
    (tmp_path / "m.bin").write_bytes(b"\x80\x04K\x01.")
    return write(notebook_showing(scan_path(tmp_path / "m.bin")), tmp_path / name)


def test_sync_writes_metadata_in_jupyter_formatting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _notebook(tmp_path)
    assert main(["sync", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: updated\n"
    nb = nbformat.read(str(path), as_version=4)
    [check] = nb.metadata["aisec"]["checks"].values()
    assert check == check_fragment(scan_path(tmp_path / "m.bin")).get("payload") | {
        "started_at": check["started_at"],
        "recorded_at": check["recorded_at"],
        "duration_s": check["duration_s"],
    }
    assert path.read_text() == nbformat.writes(nb) + "\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_unchanged_notebook_is_not_rewritten(tmp_path: Path) -> None:
    path = _notebook(tmp_path)
    main(["sync", str(path)])
    before, stat = path.read_bytes(), path.stat()
    assert main(["sync", "-q", str(path)]) == 0
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stat.st_mtime_ns


def test_notebook_without_evidence_is_untouched(tmp_path: Path) -> None:
    path = write(nbformat.v4.new_notebook(), tmp_path / "plain.ipynb")
    before = path.stat().st_mtime_ns
    assert main(["sync", str(path)]) == 0
    assert path.stat().st_mtime_ns == before
    assert "aisec" not in nbformat.read(str(path), as_version=4).metadata


def test_bad_notebooks_exit_2_and_the_others_are_synced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _notebook(tmp_path, "good.ipynb")
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [], "nbformat": 4')
    foreign = _notebook(tmp_path, "foreign.ipynb")
    nb = nbformat.read(str(foreign), as_version=4)
    nb.metadata["aisec"] = "something else"
    nbformat.write(nb, str(foreign))
    foreign_bytes = foreign.read_bytes()

    assert main(["sync", str(broken), str(foreign), str(good)]) == 2
    err = capsys.readouterr().err
    assert f"{broken}: not valid JSON" in err
    assert f"{foreign}: metadata.aisec is a str, not an aisec-nb record object" in err
    assert "Traceback" not in err
    assert broken.read_text() == '{"cells": [], "nbformat": 4'
    assert foreign.read_bytes() == foreign_bytes
    assert "aisec" in nbformat.read(str(good), as_version=4).metadata
