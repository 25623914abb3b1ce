"""HDF5 attributes: Keras configs checked, unreadable or oversized ones never skipped."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from aisec_nb.record import CheckResult
from aisec_nb.scan import scan_path as _scan_path
from aisec_nb.scan.formats import hdf5 as hdf5_module
from aisec_nb.scan.formats.hdf5 import scan_hdf5
from tests.scan.helpers import assert_scanned, context, source


def scan_path(path: Path) -> CheckResult:
    return assert_scanned(_scan_path(path))


def _h5(path: Path, **attrs: object) -> Path:
    with h5py.File(path, "w") as f:
        for key, value in attrs.items():
            f.attrs[key] = value
        group = f.create_group("model_weights/dense")
        group.attrs["weight_names"] = np.array([b"kernel:0"])
        group.create_dataset("kernel", data=np.ones((2, 2)))
    return path


def test_nested_group_attribute_with_a_lambda_is_found(tmp_path: Path) -> None:
    path = tmp_path / "m.h5"
    with h5py.File(path, "w") as f:
        f.create_group("a/b").attrs["extra"] = json.dumps({"class_name": "Lambda"})
    result = scan_path(path)
    assert result.verdict == "fail"
    (finding,) = result.findings
    assert finding.location is not None and finding.location.path.startswith("/a/b attribute")


def test_invalid_model_config_is_an_error(tmp_path: Path) -> None:
    result = scan_path(_h5(tmp_path / "m.h5", model_config="{not json"))
    assert result.verdict == "error"
    assert [f.code for f in result.findings] == ["AISEC-KER-004"]


def test_oversized_config_is_reported_not_skipped(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hdf5_module, "MAX_ATTR_BYTES", 100)
    cfg = json.dumps({"class_name": "Lambda", "pad": "x" * 200})
    result = scan_path(_h5(tmp_path / "m.h5", model_config=cfg))
    assert result.verdict == "error"
    assert [f.code for f in result.findings] == ["AISEC-SCAN-003"]


def test_weights_file_passes(tmp_path: Path) -> None:
    cfg = json.dumps({"class_name": "Sequential", "module": "keras", "config": {}})
    result = scan_path(_h5(tmp_path / "m.h5", model_config=cfg, keras_version="3.5.0"))
    assert result.verdict == "pass"
    assert result.summary.details["keras"] is True


def test_the_parser_reads_any_byte_source(tmp_path: Path) -> None:
    cfg = json.dumps({"class_name": "Lambda", "module": "keras.layers", "config": {}})
    path = _h5(tmp_path / "m.h5", model_config=cfg)
    on_disk = scan_path(path)
    in_memory = assert_scanned(scan_hdf5(source(path.read_bytes()), context()))
    assert [f.code for f in in_memory.findings] == ["AISEC-KER-001"]
    assert in_memory.findings == on_disk.findings


def test_a_file_with_the_hdf5_signature_that_hdf5_cannot_open_is_an_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "broken.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 200)
    result = scan_path(path)
    assert result.verdict == "error" and result.summary.complete is False
    assert [(f.code, f.severity) for f in result.findings] == [("AISEC-H5-001", "high")]
    assert result.findings[0].message.startswith("HDF5 cannot be read: ")
