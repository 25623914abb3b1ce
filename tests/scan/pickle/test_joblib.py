"""joblib files: inline arrays skipped, object arrays and globals after them still scanned."""

from __future__ import annotations

import io
import os
from pathlib import Path

import joblib
import numpy as np
import pytest

from aisec_nb.scan.limits import FormatScan
from aisec_nb.scan.pickle.vm import scan_pickle
from tests.scan.corpus_pickle import benign_objects
from tests.scan.helpers import assert_scanned, context, source


def scan_joblib(data: bytes) -> FormatScan:
    """A raw pickle scanned to its end: the pickle VM with joblib's inline arrays handled."""
    return assert_scanned(scan_pickle(source(data), context()))


class Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, (f"echo x > {self.marker}",))


def dumped(obj: object, **kw: object) -> bytes:
    buf = io.BytesIO()
    joblib.dump(obj, buf, **kw)  # type: ignore[arg-type]
    return buf.getvalue()


@pytest.fixture(scope="module")
def models() -> dict[str, object]:
    objs = benign_objects()
    objs["arrays"] = {
        "big": np.zeros((500, 500)),
        "f": np.asfortranarray(np.ones((3, 4))),
        "obj": np.array(["a", None], dtype=object),
        "s": np.array(["xy", "z"]),
        "t": np.array(["2020-01-01"], dtype="M8[ns]"),
        "empty": np.zeros((0, 3)),
        "rec": np.zeros(2, dtype=[("a", "i4"), ("b", "f8")]),
    }
    return objs


def test_real_joblib_dumps_pass(models: dict[str, object]) -> None:
    for name, obj in models.items():
        scan = scan_joblib(dumped(obj))
        assert scan.findings == (), (name, [f.message for f in scan.findings])
        assert scan.complete, name
    arrays = scan_joblib(dumped(models["arrays"]))
    assert arrays.format == "joblib" and arrays.details["joblib_arrays"] == 7


def test_a_payload_after_inline_arrays_is_found(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    data = dumped([np.random.default_rng(0).random(10_000), Payload(marker)])
    scan = scan_joblib(data)  # raw pickles get joblib handling
    assert [f.code for f in scan.findings] == ["AISEC-PKL-002"]
    assert scan.complete and scan.details["joblib_arrays"] == 1
    assert not marker.exists()


def test_a_payload_inside_an_object_array_is_found(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    data = dumped({"x": np.array([Payload(marker)], dtype=object)})
    scan = scan_joblib(data)
    assert [f.code for f in scan.findings] == ["AISEC-PKL-002"]
    assert not marker.exists()


def test_a_wrapper_that_lies_about_its_dtype_stops_the_scan() -> None:
    data = dumped({"a": np.arange(4)}).replace(b"i8", b"zz", 1)
    scan = scan_joblib(data)
    assert {f.code for f in scan.findings} == {"AISEC-JBL-001", "AISEC-PKL-020"}
    assert not scan.complete


def test_a_wrapper_promising_more_bytes_than_the_file_has_is_truncated() -> None:
    data = dumped({"a": np.arange(1000)})
    cut = data[: len(data) // 2]
    scan = scan_joblib(cut)
    assert [f.code for f in scan.findings] == ["AISEC-PKL-020"] and not scan.complete
