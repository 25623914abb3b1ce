"""What a folder's target is: hidden folders (``.ipynb_checkpoints``, ``.cache``) and notebooks
are left out, neither scanned nor in the root digest, and the report says so; the linter re-hashes
the same files, so the notebook's own next save does not make the evidence stale; files in no
model format are summed up in one finding."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

from aisec_nb.cli.scan import render_text
from aisec_nb.jupyter.check_model import report_html
from aisec_nb.lint.evidence import stale_message
from aisec_nb.scan import directory_digest, scan_path
from aisec_nb.scan.hashing import root_digest
from tests.scan.helpers import assert_scanned
from tests.scan.test_signing import write_model_sig


def _project(folder: Path) -> Path:
    folder.mkdir()
    (folder / "model.pkl").write_bytes(pickle.dumps({"coef": [1.0, 2.0]}, protocol=4))
    (folder / "config.json").write_text('{"a": 1}')
    images = folder / "images"
    images.mkdir()
    for i in range(36):
        (images / f"sample_{i:02d}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([i]) * 64)
    (folder / "paper.pdf").write_bytes(b"%PDF-1.7\n" + bytes(100))
    (folder / "train.ipynb").write_text(json.dumps({"cells": [], "nbformat": 4}))
    checkpoints = folder / ".ipynb_checkpoints"
    checkpoints.mkdir()
    (checkpoints / "train-checkpoint.ipynb").write_text("{}")
    (checkpoints / "model-checkpoint.pkl").write_bytes(b"\x80\x04cos\nsystem\n.")
    cache = folder / "sub" / ".cache" / "huggingface"
    cache.mkdir(parents=True)
    (cache / "download.lock").write_text("")
    (folder / "sub" / "notes.ipynb").write_text("{}")
    return folder


def test_the_target_leaves_out_checkpoints_hidden_folders_and_notebooks(tmp_path: Path) -> None:
    folder = _project(tmp_path / "project")
    result = assert_scanned(scan_path(folder))
    names = {e.name for e in result.summary.files}
    assert "model.pkl" in names and "images/sample_00.png" in names
    assert not any(".ipynb" in n or ".cache" in n for n in names)
    assert result.summary.excluded == (".ipynb_checkpoints/", "sub/.cache/", "sub/notes.ipynb",
                                       "train.ipynb")
    # The hostile pickle in the checkpoints folder is not part of the target.
    assert result.verdict == "pass", [(f.code, f.message) for f in result.findings]
    digests = {e.name: e.sha256 for e in result.summary.files}
    assert result.target.sha256 == root_digest(digests.items()) == directory_digest(folder)


def test_non_model_files_are_one_finding(tmp_path: Path) -> None:
    folder = _project(tmp_path / "project")
    result = scan_path(folder)
    (only,) = [f for f in result.findings if f.code == "AISEC-SCAN-006"]
    assert only.message.startswith("37 file(s) in no model format (image 36, pdf 1): hashed "
                                   "only (images/sample_00.png, ")
    assert only.location is None
    assert result.summary.non_model_files == {"image": 36, "pdf": 1}
    assert len(result.summary.files) == 39  # still every file listed, with its digest
    text = render_text([result])
    assert text.count("\n") < 12, text
    assert "left out: .ipynb_checkpoints/, sub/.cache/, sub/notes.ipynb, train.ipynb" in text
    html = report_html(result)
    assert "left out" in html and "36 image, 1 pdf file(s), hashed only" in html


def test_saving_the_notebook_does_not_make_the_evidence_stale(tmp_path: Path) -> None:
    folder = _project(tmp_path / "project")
    result = scan_path(folder)
    target = {"kind": "directory", "path": "project", "sha256": result.target.sha256}
    (folder / "train.ipynb").write_text(json.dumps({"cells": [{"source": "x"}]}))
    (folder / ".ipynb_checkpoints" / "train-checkpoint.ipynb").write_text('{"a": 2}')
    assert stale_message(target, tmp_path) is None
    (folder / "model.pkl").write_bytes(pickle.dumps({"coef": [9.0]}, protocol=4))
    assert stale_message(target, tmp_path) is not None


def test_a_signature_that_covers_a_notebook_still_matches(tmp_path: Path) -> None:
    folder = tmp_path / "signed"
    folder.mkdir()
    (folder / "model.pkl").write_bytes(pickle.dumps([1], protocol=4))
    (folder / "demo.ipynb").write_text("{}")
    digests = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
               for name in ("model.pkl", "demo.ipynb")}
    write_model_sig(folder, digests)
    result = assert_scanned(scan_path(folder))
    assert {f.code for f in result.findings} <= {"AISEC-SIG-004"}, [
        (f.code, f.message) for f in result.findings]
    (folder / "demo.ipynb").write_text('{"changed": true}')
    codes = {f.code for f in scan_path(folder).findings}
    assert "AISEC-SIG-001" in codes  # a signed file that changed is still caught
