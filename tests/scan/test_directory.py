"""Folder scans: every file gets a verdict, links and special files are reported."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from aisec_nb.record import CheckResult
from aisec_nb.scan import scan_path as _scan_path
from aisec_nb.scan.limits import Limits
from tests.scan.corpus_formats import evil_pickle, hf_snapshot, savedmodel_dir
from tests.scan.helpers import assert_scanned


def scan_path(path: str | Path, **options: Any) -> CheckResult:
    """The scan of ``path``, checked to have finished or said why, without an internal error."""
    return assert_scanned(_scan_path(path, **options))


def test_hf_snapshot_passes_with_each_file_listed(tmp_path: Path) -> None:
    folder = hf_snapshot(tmp_path / "snap")
    result = scan_path(folder)
    assert result.verdict == "pass"
    assert result.target.kind == "directory"
    files = {e.name: (e.format, e.verdict) for e in result.summary.files}
    assert files["model.safetensors"] == ("safetensors", "pass")
    assert files["README.md"] == ("text", "pass")
    assert files["config.json"] == ("json", "pass")
    assert ".gitattributes" not in files


def test_savedmodel_folder_accepts_its_variables(tmp_path: Path) -> None:
    result = scan_path(savedmodel_dir(tmp_path / "sm"))
    formats = {e.name: e.format for e in result.summary.files}
    assert formats["saved_model.pb"] == "tf-savedmodel"
    assert formats["variables/variables.index"] == "tf-variables"
    assert formats["keras_metadata.pb"] == "keras-metadata"
    assert result.verdict == "pass"


def test_one_bad_file_does_not_hide_the_others(tmp_path: Path) -> None:
    (tmp_path / "ok.pkl").write_bytes(pickle.dumps([1, 2], protocol=4))
    (tmp_path / "evil.bin").write_bytes(evil_pickle(tmp_path))
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link.pkl").symlink_to("/etc/passwd")
    (tmp_path / "remote_code.py").write_text("import os\n")
    result = scan_path(tmp_path)
    verdicts = {e.name: e.verdict for e in result.summary.files}
    assert verdicts == {"ok.pkl": "pass", "evil.bin": "fail", "pipe": "error",
                        "remote_code.py": "warn"}
    assert result.verdict == "fail"
    codes = {(f.code, f.location.member) for f in result.findings if f.location}
    assert ("AISEC-DIR-001", "link.pkl") in codes
    assert ("AISEC-SCAN-005", "pipe") in codes
    assert ("AISEC-DIR-003", "remote_code.py") in codes
    assert result.summary.verdicts == {"pass": 1, "fail": 1, "error": 1, "warn": 1}


def test_file_count_is_bounded(tmp_path: Path) -> None:
    for i in range(12):
        (tmp_path / f"f{i}.json").write_text("{}")
    result = scan_path(tmp_path, limits=Limits(max_members=5))
    assert result.verdict == "error"
    assert len(result.summary.files) == 5
    assert "AISEC-DIR-002" in {f.code for f in result.findings}


def test_recorded_digest_is_what_the_linter_recomputes(tmp_path: Path) -> None:
    from aisec_nb.scan import directory_digest

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.json").write_text("[]")
    (tmp_path / "top.json").write_text("{}")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref")
    (tmp_path / "model.sig").write_text("not json")
    (tmp_path / "l.json").symlink_to(tmp_path / "top.json")
    os.mkfifo(tmp_path / "fifo")
    result = scan_path(tmp_path)
    assert result.target.sha256 == directory_digest(tmp_path)
    assert [e.name for e in result.summary.files] == ["a/b/deep.json", "fifo",
                                                             "model.sig", "top.json"]
