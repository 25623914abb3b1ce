"""safetensors header checks, and a fuzz of the parser."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.formats.safetensors import scan_safetensors
from aisec_nb.scan.limits import FormatScan
from tests.scan.helpers import assert_scanned, context, source


def parse(data: bytes) -> FormatScan:
    return assert_scanned(scan_safetensors(source(data), context()))


def _blob(header: dict[str, object] | bytes, data: bytes) -> bytes:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


def test_a_file_written_by_safetensors_is_consistent(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    save_file({"a": np.ones((2, 3), np.float16), "b": np.arange(5, dtype=np.int32)},
              str(tmp_path / "m.safetensors"))
    with (tmp_path / "m.safetensors").open("rb") as fh:
        result = assert_scanned(scan_safetensors(fh, context()))
    assert result.findings == () and result.complete
    assert result.details["tensors"] == 2


def test_hidden_bytes_after_the_tensors_are_reported() -> None:
    blob = _blob({"w": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}}, b"ab" + b"HIDDEN")
    result = parse(blob)
    assert [f.code for f in result.findings] == ["AISEC-ST-002"]
    assert "hidden" in result.findings[0].message


def test_gap_between_tensors_is_reported() -> None:
    blob = _blob({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
                  "b": {"dtype": "U8", "shape": [2], "data_offsets": [4, 6]}}, bytes(6))
    assert [f.code for f in parse(blob).findings] == ["AISEC-ST-002"]


def test_metadata_must_be_strings() -> None:
    blob = _blob({"__metadata__": {"a": 1}}, b"")
    assert [f.code for f in parse(blob).findings] == ["AISEC-ST-004"]


def test_sub_byte_dtypes_are_sized_in_bits() -> None:
    blob = _blob({"q": {"dtype": "F4", "shape": [4], "data_offsets": [0, 2]}}, bytes(2))
    assert parse(blob).findings == ()


tensor = st.fixed_dictionaries({
    "dtype": st.sampled_from(["F32", "F16", "U8", "I64", "BOGUS"]),
    "shape": st.lists(st.integers(-1, 5), max_size=3),
    "data_offsets": st.lists(st.integers(-1, 80), min_size=0, max_size=3),
})


@given(st.dictionaries(st.text(max_size=5), tensor, max_size=4), st.binary(max_size=80),
       st.integers(0, 200))
def test_fuzzed_headers_end_in_findings_never_exceptions(header: dict[str, object],
                                                         data: bytes, claimed: int) -> None:
    raw = json.dumps(header).encode()
    for blob in (_blob(header, data), struct.pack("<Q", claimed) + raw + data):
        result = parse(blob)
        if not result.findings:
            assert result.complete


@given(st.binary(max_size=300))
def test_random_bytes_never_raise(blob: bytes) -> None:
    result = parse(blob)
    assert result.format == "safetensors"


any_json = st.recursive(st.none() | st.booleans() | st.integers(-2, 2**65) | st.text(max_size=4),
                        lambda c: st.lists(c, max_size=3) | st.dictionaries(
                            st.sampled_from(["dtype", "shape", "data_offsets", "x"]), c,
                            max_size=4), max_leaves=12)


@given(st.dictionaries(st.text(max_size=4), any_json, max_size=4))
def test_any_json_header_gives_findings_never_exceptions(header: dict[str, object]) -> None:
    parse(_blob(header, bytes(16)))
