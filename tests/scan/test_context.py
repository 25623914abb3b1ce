"""The scanner's data file (rules.json) and the shared finding helpers."""

from __future__ import annotations

import re
from pathlib import Path

import aisec_nb.scan
from aisec_nb.scan.context import finding, rules, truncate, with_member
from aisec_nb.scan.limits import FormatScan

PACKAGE = Path(aisec_nb.scan.__file__).parent
OWN = ["api", "archives/tar", "context", "directory", "dispatch", "formats/gguf", "hashing",
       "formats/hdf5", "formats/keras", "formats/onnx", "formats/protobuf", "formats/pytorch",
       "formats/safetensors", "formats/savedmodel", "signing", "sniff", "archives/inflate",
       "archives/zip"]


def test_every_code_these_parsers_emit_has_a_rule_text() -> None:
    emitted: set[str] = set()
    for name in OWN:
        text = (PACKAGE / f"{name}.py").read_text(encoding="utf-8")
        emitted |= set(re.findall(r'"(AISEC-[A-Z0-9]+-\d{3})"', text))
    # Codes of the pickle, joblib, NumPy and compressed-pickle scanners are documented there.
    emitted = {c for c in emitted if c.split("-")[1] not in {"PKL", "JBL", "NPY", "CMP"}}
    texts = rules()["rules"]
    assert emitted, "no codes found"
    assert sorted(emitted - set(texts)) == []
    assert set(rules()["not_checked_codes"]) <= set(texts)


def test_data_tables_are_well_formed() -> None:
    data = rules()
    assert all(sev in ("medium", "high", "critical")
               for sev in data["savedmodel"]["file_ops"].values())
    assert all(m == m.strip() and m for m in data["gguf"]["ssti_markers"])
    assert data["safetensors"]["dtype_bits"]["F32"] == 32
    assert rules() is data  # loaded once


def test_with_member_nests_locations() -> None:
    scan = FormatScan("x", (finding("AISEC-SCAN-002", "high", "m", member="data.pkl"),
                            finding("AISEC-SCAN-002", "high", "n")))
    nested = with_member(scan, "outer.zip")
    assert [f.location.member for f in nested.findings if f.location] == [
        "outer.zip/data.pkl", "outer.zip"]


def test_truncate_escapes_control_characters() -> None:
    assert truncate("a\nb\x00c") == "a\\nb\\x00c"
    assert len(truncate("x" * 500, 50)) == 50
