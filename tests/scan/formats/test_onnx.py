"""ONNX: models from the onnx library, external-data locations, fuzzed bytes."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.formats.onnx import check_location, scan_onnx
from aisec_nb.scan.limits import DEFAULT_LIMITS, FormatScan
from tests.scan.corpus_formats import onnx_model, onnx_with_location
from tests.scan.helpers import assert_scanned, context, source


def parse(data: bytes, folder: Path | None = None) -> FormatScan:
    return assert_scanned(scan_onnx(source(data), context(DEFAULT_LIMITS, folder=folder)))


def test_model_details(tmp_path: Path) -> None:
    path = onnx_model(tmp_path / "m.onnx")
    with path.open("rb") as fh:
        result = assert_scanned(scan_onnx(fh, context(folder=tmp_path)))
    assert result.findings == () and result.complete
    assert result.details["op_types"] == {"MatMul": 1}
    assert result.details["producer"] == "aisec-tests"


def test_external_data_written_by_onnx_is_accepted(tmp_path: Path) -> None:
    path = onnx_model(tmp_path / "m.onnx", external="weights.bin")
    with path.open("rb") as fh:
        result = assert_scanned(scan_onnx(fh, context(folder=tmp_path)))
    assert result.findings == ()
    assert result.details["external_data_files"] == ["weights.bin"]


def test_locations(tmp_path: Path) -> None:
    (tmp_path / "ok.bin").write_bytes(b"x")
    assert check_location("ok.bin", tmp_path, None) == []
    (tmp_path / "sub").mkdir()
    assert check_location("sub/../ok.bin", tmp_path, None) == []
    assert [f.code for f in check_location("C:\\\\x.bin", tmp_path, None)] == ["AISEC-ONNX-001"]
    assert [f.code for f in check_location("a/../../x", tmp_path, None)] == ["AISEC-ONNX-002"]
    assert [f.code for f in check_location("missing.bin", tmp_path, None)] == ["AISEC-ONNX-004"]
    (tmp_path / "d").mkdir()
    (tmp_path / "dlink").symlink_to(tmp_path / "d")
    (tmp_path / "d" / "w.bin").write_bytes(b"x")
    assert [f.code for f in check_location("dlink/w.bin", tmp_path, None)] == ["AISEC-ONNX-003"]
    os.link(tmp_path / "ok.bin", tmp_path / "hard.bin")
    assert [f.code for f in check_location("hard.bin", tmp_path, None)] == ["AISEC-ONNX-003"]


def test_location_in_a_node_attribute_subgraph_is_found(tmp_path: Path) -> None:
    path = onnx_with_location(tmp_path / "m.onnx", "../up.bin")
    result = parse(path.read_bytes(), folder=tmp_path)
    assert [f.code for f in result.findings] == ["AISEC-ONNX-002"]


@given(st.binary(max_size=300))
def test_fuzzed_bytes_never_raise(blob: bytes) -> None:
    result = parse(b"\x08\x07" + blob)
    assert result.format == "onnx"


@given(st.text(max_size=40))
def test_any_location_string_gives_findings_never_exceptions(location: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for f in check_location(location, Path(folder), None):
            assert f.code.startswith("AISEC-ONNX-")


def test_operators_from_a_custom_domain_are_named(tmp_path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper

    node = helper.make_node("MyOp", ["x"], ["y"], domain="com.example.ops")
    io_type = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1]) for n in ("x", "y")]
    graph = helper.make_graph([node], "g", [io_type[0]], [io_type[1]])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.example.ops", 1)])
    path = tmp_path / "custom.onnx"
    onnx.save(model, str(path))
    scan = parse(path.read_bytes(), tmp_path)
    assert [(f.code, f.severity, f.message) for f in scan.findings] == [
        ("AISEC-ONNX-005", "info", "operators from custom domain 'com.example.ops'")
    ]
