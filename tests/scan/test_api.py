"""scan_path: record contents, expected digests, verdict rules, errors."""

from __future__ import annotations

import hashlib
import io
import pickle
import zipfile
from pathlib import Path
from typing import Any

import pytest

from aisec_nb.errors import UnreadableInputError, UsageError
from aisec_nb.record import CheckResult
from aisec_nb.scan import scan_path as _scan_path
from aisec_nb.scan.api import verdict_of as api_verdict_of
from aisec_nb.scan.policy import load_policy
from aisec_nb.scan.verdict import verdict_of
from tests.scan.helpers import assert_scanned


def scan_path(path: str | Path, **options: Any) -> CheckResult:
    """The scan of ``path``, checked to have finished or said why, without an internal error."""
    return assert_scanned(_scan_path(path, **options))


def test_record_holds_format_policy_and_limits(tmp_path: Path) -> None:
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps({"w": [1.0]}, protocol=4))
    result = scan_path(path, policy=load_policy(["mylib.layers.Custom"]))
    assert result.id == f"model:{path}"
    assert result.target.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.summary.format == "pickle"
    # Parsed once, plus the first bytes read to name the format and the tail read to rule out
    # a zip hidden at the end (a polyglot).
    assert result.summary.bytes_parsed == 3 * path.stat().st_size
    assert result.parameters.policy["user_allow"] == ["mylib.layers.Custom"]
    assert result.parameters.limits["max_depth"] == 16


def test_expected_digest(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("{}")
    good = hashlib.sha256(b"{}").hexdigest()
    assert scan_path(path, expect_sha256=good.upper()).verdict == "pass"
    bad = scan_path(path, expect_sha256="0" * 64)
    assert bad.verdict == "fail"
    assert [f.code for f in bad.findings] == ["AISEC-HASH-001"]
    with pytest.raises(UsageError, match=r"^expect_sha256: 'xyz' is not 64 hexadecimal"):
        scan_path(path, expect_sha256="xyz")


def test_missing_path_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInputError, match="no such file"):
        scan_path(tmp_path / "nope.pt")


def test_unknown_format_is_an_error_never_a_pass(tmp_path: Path) -> None:
    path = tmp_path / "weights.pt"
    path.write_bytes(bytes(range(200, 256)) * 4)
    result = scan_path(path)
    assert result.verdict == "error"
    assert [f.code for f in result.findings] == ["AISEC-SCAN-001"]


def test_zip_members_name_their_formats(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.json", "{}")
        z.writestr("b.pkl", pickle.dumps(1, protocol=2))
    path = tmp_path / "x.zip"
    path.write_bytes(buf.getvalue())
    result = scan_path(path)
    assert result.verdict == "pass"
    assert [(m["name"], m["format"]) for m in result.summary.details["listed"]] == [
        ("a.json", "json"), ("b.pkl", "pickle")]


def test_compressed_zip_inside_a_compressed_zip(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(30):
            z.writestr(f"part{i}.json", '{"values": [' + ", ".join(["1"] * 500) + "]}")
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("inner.zip", inner.getvalue())
    result = scan_path(outer)
    assert result.verdict == "pass", [(f.code, f.message) for f in result.findings]
    (listed,) = result.summary.details["listed"]
    assert listed["format"] == "zip"


def test_special_files_are_refused_not_read(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(UnreadableInputError, match="not a regular file"):
        scan_path(tmp_path / "pipe")
    with pytest.raises(UnreadableInputError, match="not a regular file"):
        scan_path("/dev/zero")


def test_the_verdict_and_the_pickle_scans_are_entry_points_here() -> None:
    assert api_verdict_of is verdict_of  # the guard and the faces import it from the api
