""".npy headers, lying sizes, and the pickle inside object arrays."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.formats.npy import DescrError, descr_itemsize, parse_header, scan_npy
from aisec_nb.scan.limits import FormatScan
from tests.scan.corpus_pickle import proto, sbu, sglob
from tests.scan.helpers import assert_scanned, context, source


def npy(arr: np.ndarray, **kw: object) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True, **kw)  # type: ignore[arg-type]
    return buf.getvalue()


def raw_npy(header: str, body: bytes, version: tuple[int, int] = (1, 0)) -> bytes:
    h = header.encode("latin-1")
    h += b" " * (63 - (len(h) + 10) % 64) + b"\n"
    width = 2 if version[0] == 1 else 4
    return b"\x93NUMPY" + bytes(version) + len(h).to_bytes(width, "little") + h + body


def scan(data: bytes) -> FormatScan:
    return assert_scanned(scan_npy(source(data), context(), "a.npy"))


@pytest.mark.parametrize(
    "arr",
    [
        np.arange(10),
        np.zeros((3, 4), dtype="f4", order="F"),
        np.array(["ab", "c"]),
        np.array([b"xy"]),
        np.array(["2020-01-01"], dtype="M8[ns]"),
        np.zeros((0, 5)),
        np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8", (2,))]),
        np.float64(3.0),
        np.array([1 + 2j]),
        np.array([True]),
    ],
)
def test_real_arrays_pass(arr: np.ndarray) -> None:
    result = scan(npy(arr))
    assert result.findings == () and result.complete


def test_object_arrays_are_scanned_as_pickles() -> None:
    benign = scan(npy(np.array([{"a": 1}, None], dtype=object)))
    assert benign.findings == () and benign.complete
    assert benign.details["object"] is True
    payload = proto(2) + sglob("os", "system") + sbu("echo x > /dev/null") + b"\x85R."
    hostile = scan(raw_npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", payload))
    assert [f.code for f in hostile.findings] == ["AISEC-PKL-002"]
    assert hostile.findings[0].location.member == "a.npy"


def test_structured_dtype_with_an_object_field_is_a_pickle() -> None:
    data = npy(np.zeros(2, dtype=[("a", "i4"), ("o", "O")]))
    assert scan(data).details["object"] is True


def test_a_lying_shape_is_reported() -> None:
    data = raw_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000,), }", b"\0" * 80)
    result = scan(data)
    assert [f.code for f in result.findings] == ["AISEC-NPY-003"]
    assert not result.complete
    assert "8000000 data bytes" in result.findings[0].message


def test_trailing_bytes_are_low() -> None:
    result = scan(npy(np.arange(3)) + b"extra")
    assert [(f.code, f.severity) for f in result.findings] == [
        ("AISEC-NPY-004", "low")
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\x93NUMPX\x01\x00", "AISEC-NPY-001"),
        (b"\x93NUMPY\x09\x00\x10\x00", "AISEC-NPY-001"),
        (raw_npy("{'descr': '<f8', 'shape': (1,)}", b""), "AISEC-NPY-001"),
        (raw_npy("{'descr': '<f8', 'fortran_order': 1, 'shape': (1,)}", b""), "AISEC-NPY-001"),
        (raw_npy("{'descr': 'zz', 'fortran_order': False, 'shape': (1,)}", b""), "AISEC-NPY-001"),
        (raw_npy("__import__('os').system('x')", b""), "AISEC-NPY-001"),
        (raw_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", b""), "AISEC-NPY-001"),
        (b"\x93NUMPY\x02\x00" + (10**9).to_bytes(4, "little"), "AISEC-NPY-002"),
    ],
)
def test_bad_headers_are_named(data: bytes, code: str) -> None:
    result = scan(data)
    assert [f.code for f in result.findings] == [code]
    assert not result.complete


def test_deeply_nested_header_is_refused_not_crashed() -> None:
    result = scan(raw_npy("(" * 100_000 + ")" * 100_000, b"", version=(2, 0)))
    assert [f.code for f in result.findings] == ["AISEC-NPY-001"]


def test_large_array_data_is_skipped_by_seeking(tmp_path: Path) -> None:
    path = tmp_path / "big.npy"
    header = raw_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (300000000,), }", b"")
    with path.open("wb") as fh:
        fh.write(header)
        fh.truncate(len(header) + 8 * 300_000_000)  # 2.4 GB, sparse
    with path.open("rb") as fh:
        result = assert_scanned(scan_npy(fh, context()))
        assert fh.tell() == os.path.getsize(path)
    assert result.findings == () and result.complete


def test_descr_itemsizes() -> None:
    assert descr_itemsize("<U5") == (20, False)
    assert descr_itemsize("|S3") == (3, False)
    assert descr_itemsize([("a", "<i4"), ("b", "<f8", (2, 3))]) == (52, False)
    assert descr_itemsize([("a", [("x", "|O")])]) == (8, True)
    with pytest.raises(DescrError):
        descr_itemsize([("a",)])
    with pytest.raises(DescrError):
        parse_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}")


@given(st.binary(max_size=200))
def test_header_parser_never_raises_on_garbage(body: bytes) -> None:
    scan(b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body)


@given(
    st.text(alphabet="{}()[]',:<>|=fiuUOSV0123456789 descrshapefortran_orderTrueFals", max_size=120)
)
def test_header_literals_never_raise(text: str) -> None:
    scan(raw_npy(text, b"\0" * 64))
