"""SavedModel op listing and rules."""

from __future__ import annotations

from aisec_nb.scan.formats.savedmodel import scan_savedmodel
from aisec_nb.scan.limits import FormatScan
from tests.scan.corpus_formats import SAVER, node_def, saved_model
from tests.scan.helpers import assert_scanned, context, source


def parse(data: bytes) -> FormatScan:
    return assert_scanned(scan_savedmodel(source(data), context()))


def test_benign_graph_with_saver_functions_is_clean() -> None:
    blob = saved_model([node_def("x", "Placeholder"), node_def("y", "MatMul")], SAVER)
    result = parse(blob)
    assert result.findings == ()
    assert result.details["ops"]["SaveV2"] == 1
    assert result.details["tags"] == ["serve"]


def test_file_and_python_ops_are_findings_with_their_path() -> None:
    blob = saved_model([node_def("r", "ReadFile")],
                       {"__inference_call_9": [node_def("m", "MatchingFiles"),
                                               node_def("p", "EagerPyFunc")]})
    found = {(f.code, f.severity, f.location.path if f.location else None)
             for f in parse(blob).findings}
    assert found == {
        ("AISEC-TF-001", "high", "meta_graphs[0].graph_def.r"),
        ("AISEC-TF-001", "high", "meta_graphs[0].library.__inference_call_9.m"),
        ("AISEC-TF-002", "critical", "meta_graphs[0].library.__inference_call_9.p"),
    }


def test_printv2_to_stderr_is_fine_to_a_file_is_not() -> None:
    ok = saved_model([node_def("p", "PrintV2", {"output_stream": "stderr"})])
    bad = saved_model([node_def("p", "PrintV2", {"output_stream": "file:///tmp/x"})])
    assert parse(ok).findings == ()
    assert [f.code for f in parse(bad).findings] == ["AISEC-TF-003"]


def test_truncated_savedmodel_is_not_complete() -> None:
    blob = saved_model([node_def("x", "Placeholder")])
    result = parse(blob[:-3])
    assert not result.complete
    assert [f.code for f in result.findings] == ["AISEC-SCAN-002"]
