"""GGUF: real files parse, chat templates are hashed and checked, mutations never crash."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.formats.gguf import scan_gguf
from aisec_nb.scan.limits import FormatScan
from tests.scan.corpus_formats import gguf_file
from tests.scan.helpers import assert_scanned, context, source


def parse(data: bytes) -> FormatScan:
    return assert_scanned(scan_gguf(source(data), context()))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return gguf_file(tmp_path_factory.mktemp("gguf") / "m.gguf", tensors=3).read_bytes()


def test_real_file_details(sample: bytes) -> None:
    result = parse(sample)
    assert result.complete and result.findings == ()
    assert result.details["version"] == 3
    assert result.details["tensors"] == 3
    assert result.details["architecture"] == "llama"
    import gguf

    reader = gguf.GGUFReader(_tmp(sample))
    template = bytes(reader.fields["tokenizer.chat_template"].parts[-1])
    assert result.details["chat_templates_sha256"] == {
        "tokenizer.chat_template": hashlib.sha256(template).hexdigest()}


def _tmp(sample: bytes) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".gguf", delete=False) as f:
        f.write(sample)
    return f.name


def test_type_table_matches_the_gguf_package() -> None:
    import gguf

    from aisec_nb.scan.formats.tables import load_table

    table = load_table("gguf")["ggml_types"]
    for qtype, (block, size) in gguf.GGML_QUANT_SIZES.items():
        assert table[str(int(qtype))][1:] == [block, size]


def test_template_markers_are_named_without_echoing_the_template(tmp_path: Path) -> None:
    path = gguf_file(tmp_path / "t.gguf", template="{{ x.__class__.__mro__ }} SECRETWORD")
    result = parse(path.read_bytes())
    (f,) = result.findings
    assert f.code == "AISEC-GGUF-001" and f.severity == "critical"
    assert "__class__" in f.message and "__mro__" in f.message
    assert "SECRETWORD" not in f.message + (f.evidence or "")


@given(st.data())
def test_mutations_end_in_findings_never_exceptions(sample: bytes, data: st.DataObject) -> None:
    raw = bytearray(sample)
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, min(len(raw) - 1, 400)))
        raw[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(4, len(raw)))
    result = parse(bytes(raw[:cut]))
    assert result.format == "gguf"


def test_huge_counts_are_refused_before_any_allocation() -> None:
    blob = b"GGUF" + struct.pack("<IQQ", 3, 2**63, 2**63)
    result = parse(blob)
    assert [f.code for f in result.findings] == ["AISEC-GGUF-002"]
    assert not result.complete
