"""The formats half of the corpus: benign files from the real libraries pass, every hostile
file ends in the expected verdict with the expected findings, and no payload ever ran."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aisec_nb.record import CheckResult
from aisec_nb.scan import scan_path as _scan_path
from tests.scan import corpus_formats as corpus
from tests.scan.helpers import assert_scanned


def scan_path(path: str | Path, **options: Any) -> CheckResult:
    """The scan of ``path``, checked to have finished or said why, without an internal error."""
    return assert_scanned(_scan_path(path, **options))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path], dict[
        str, tuple[Path, set[str], set[str]]]]:
    root = tmp_path_factory.mktemp("corpus")
    good = corpus.benign(root / "benign")
    bad = corpus.hostile(root / "hostile", good["torch-zip"])
    return root, good, bad


BENIGN = ["torch-zip", "torch-module", "torch-7z", "torch-legacy", "torch-tar", "safetensors",
          "onnx", "onnx-external", "onnx-external-dir", "gguf", "hf-snapshot", "savedmodel",
          "keras", "keras-h5"]


@pytest.mark.parametrize("name", BENIGN)
def test_benign_files_from_real_libraries_pass(built: tuple[Path, dict[str, Path], dict[
        str, tuple[Path, set[str], set[str]]]], name: str) -> None:
    _, good, _ = built
    result = scan_path(good[name])
    assert result.verdict == "pass", [(f.code, f.message) for f in result.findings]
    assert all(f.severity == "info" for f in result.findings)
    assert result.summary.complete is True


HOSTILE = ["torch-zip-payload", "torch-zip-storage-size", "torch-zip-crc",
           "torch-zip-name-mismatch", "zip-flag-bits",
           "torch-zip-duplicate", "zip-slip", "zip-ratio-bomb", "zip-lying-size",
           "torch-legacy-payload", "torch-tar-payload", "torch-tar-lying-storage",
           "7z-packed", "torch-zip-broken-pickle", "7z-nullifai-torch", "7z-pickle",
           "gzip-pickle", "tar-gz-pickle-and-link", "npz-object-payload",
           "pickle-named-safetensors", "keras-lambda", "keras-foreign-module", "h5-lambda",
           "h5-behind-text-userblock", "keras-zip-behind-text", "gguf-keras-polyglot",
           "zip-hdf5-polyglot",
           "savedmodel-file-ops", "onnx-absolute", "onnx-traversal", "onnx-symlink",
           "onnx-hardlink", "gguf-ssti", "gguf-lying-count", "gguf-lying-string",
           "gguf-truncated-tensors", "st-header-too-long", "st-dtype-shape", "st-overlap",
           "st-duplicate-key", "torch-zip-truncated", "keras-deep-json", "pickle-deep-marks",
           "zip-nested-20"]


def test_every_hostile_case_is_listed(built: tuple[Path, dict[str, Path], dict[
        str, tuple[Path, set[str], set[str]]]]) -> None:
    assert sorted(built[2]) == sorted(HOSTILE)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_fail_or_error_with_the_right_findings(built: tuple[Path, dict[
        str, Path], dict[str, tuple[Path, set[str], set[str]]]], name: str) -> None:
    _, _, bad = built
    path, verdicts, codes = bad[name]
    result = scan_path(path)
    found = {f.code for f in result.findings}
    assert result.verdict in verdicts, (result.verdict, sorted(found))
    assert codes <= found
    assert result.verdict != "pass"


def test_payloads_in_pickles_are_named(built: tuple[Path, dict[str, Path], dict[
        str, tuple[Path, set[str], set[str]]]]) -> None:
    path = built[2]["torch-zip-duplicate"][0]
    result = scan_path(path)
    named = [f for f in result.findings if f.evidence and "system" in f.evidence]
    assert named, [(f.code, f.evidence) for f in result.findings]
    assert named[0].location is not None and named[0].location.member.endswith("data.pkl")


def test_no_payload_ever_ran(built: tuple[Path, dict[str, Path], dict[
        str, tuple[Path, set[str], set[str]]]]) -> None:
    root, _, bad = built
    for path, _, _ in bad.values():
        scan_path(path)
    assert not list(root.rglob(corpus.MARKER))


@pytest.mark.parametrize("compress", [0, 3, ("bz2", 3), ("lzma", 3), ("xz", 3), ("gzip", 3)])
def test_joblib_models_pass_plain_and_compressed(tmp_path: Path,
                                                 compress: int | tuple[str, int]) -> None:
    import joblib
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    model = LogisticRegression().fit(rng.random((40, 3)), np.arange(40) % 2)
    path = tmp_path / "model.joblib"
    joblib.dump({"model": model, "big": np.arange(100_000.0)}, path, compress=compress)
    result = scan_path(path)
    assert result.verdict == "pass", [(f.code, f.message) for f in result.findings]
    assert result.summary.format.endswith("joblib")


def test_bzip2_wrapped_payload_fails(tmp_path: Path) -> None:
    import bz2

    path = tmp_path / "model.pkl.bz2"
    path.write_bytes(bz2.compress(corpus.evil_pickle(tmp_path)))
    result = scan_path(path)
    assert result.verdict == "fail"
    assert result.summary.format == "bz2/pickle"
