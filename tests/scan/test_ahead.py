"""The head start: ``aisec_nb.scan.scan_path`` hashes a big file on a thread while the scanner is
imported and parses; the digest is the file's, a file that changes meanwhile is scanned again in
one pass, and importing ``aisec_nb.scan`` costs no pydantic."""

from __future__ import annotations

import hashlib
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import aisec_nb.scan
from aisec_nb.scan import ahead
from aisec_nb.scan.api import scan_path as scan_in_one_pass


def _big(path: Path) -> Path:
    path.write_bytes(pickle.dumps([np.arange(300_000.0), {"a": 1}], protocol=4))
    return path


def test_the_thread_hashes_while_the_parser_skips(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ahead, "AHEAD_FROM", 1024)
    path = _big(tmp_path / "m.pkl")
    started: list[ahead.HashAhead] = []
    original = ahead.start

    def spy(p: object) -> ahead.HashAhead | None:
        job = original(p)  # type: ignore[arg-type]
        if job is not None:
            started.append(job)
        return job

    monkeypatch.setattr(ahead, "start", spy)
    result = aisec_nb.scan.scan_path(path)
    assert started, "no head start for a file over the threshold"
    assert result.target.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.target.size == path.stat().st_size
    assert result.verdict == "pass"
    assert result.summary.bytes_parsed < path.stat().st_size  # the arrays were skipped
    one_pass = scan_in_one_pass(path)
    assert (one_pass.target, one_pass.findings) == (result.target, result.findings)


def test_a_file_that_changes_meanwhile_is_scanned_again(tmp_path: Path) -> None:
    path = _big(tmp_path / "m.pkl")
    job = ahead.HashAhead(path)
    assert job.result() is not None
    path.write_bytes(path.read_bytes()[:-1] + b".")  # another file by then (mtime, content)
    result = scan_in_one_pass(path, ahead=job)
    assert result.target.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_small_files_folders_and_progress_get_no_thread(tmp_path: Path) -> None:
    (tmp_path / "s.pkl").write_bytes(pickle.dumps([1]))
    assert ahead.start(tmp_path / "s.pkl") is None
    assert ahead.start(tmp_path) is None
    assert ahead.start(tmp_path / "missing") is None
    seen: list[int] = []
    result = aisec_nb.scan.scan_path(_big(tmp_path / "b.pkl"), progress=seen.append)
    assert sum(seen) == result.target.size  # hashed in the parser's pass, progress reported


def test_importing_the_scanner_package_is_light() -> None:
    code = "import sys, aisec_nb.scan; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_the_switch_interval_is_restored() -> None:
    before = sys.getswitchinterval()
    with ahead.quick_switching():
        with ahead.quick_switching():
            assert sys.getswitchinterval() == min(before, ahead.SWITCH_INTERVAL)
        assert sys.getswitchinterval() == min(before, ahead.SWITCH_INTERVAL)
    assert sys.getswitchinterval() == before
