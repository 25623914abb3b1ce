"""PyTorch specifics: storage declarations in data.pkl, the legacy stacked layout."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import torch

from aisec_nb.record import CheckResult
from aisec_nb.scan import scan_path as _scan_path
from aisec_nb.scan.formats.pytorch import (
    ELEMENT_SIZES,
    scan_legacy,
    storage_declarations,
    storage_findings,
)
from tests.scan.helpers import assert_scanned, context, source


def scan_path(path: Path) -> CheckResult:
    return assert_scanned(_scan_path(path))


def test_declarations_follow_memo_and_shared_storages(tmp_path: Path) -> None:
    shared = torch.arange(10, dtype=torch.float64)
    state = {"a": shared, "b": shared[2:5], "c": torch.zeros(3, dtype=torch.int16),
             "d": torch.ones(2, dtype=torch.bool)}
    path = tmp_path / "m.pt"
    torch.save(state, path)
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith("data.pkl"))
        declared = storage_declarations(z.read(name))
    assert declared is not None
    # A storage shared by two tensors is declared once per tensor.
    assert sorted(set(declared)) == [("0", "torch.DoubleStorage", 10),
                                ("1", "torch.ShortStorage", 3),
                                ("2", "torch.BoolStorage", 2)]


def test_every_storage_type_torch_names_has_a_size() -> None:
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64,
                  torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool,
                  torch.complex64, torch.complex128):
        typed = torch.TypedStorage(dtype=dtype)
        assert ELEMENT_SIZES[typed._pickle_storage_type()] == dtype.itemsize


def test_short_and_missing_records() -> None:
    found = storage_findings([("0", "torch.FloatStorage", 4), ("1", "torch.FloatStorage", 1),
                              ("2", "torch.NoSuchStorage", 1)], {"0": 8}, "a/data.pkl")
    assert [(f.code, f.severity) for f in found] == [
        ("AISEC-PT-004", "high"), ("AISEC-PT-004", "high"), ("AISEC-PT-004", "medium")]


def test_unusual_layout_is_skipped_not_guessed() -> None:
    assert storage_declarations(b"not a pickle") is None
    assert storage_declarations(b"\x80\x02}q\x00.") == []


def test_legacy_file_scans_its_five_pickles(tmp_path: Path) -> None:
    path = tmp_path / "old.pt"
    torch.save({"w": torch.ones(3)}, path, _use_new_zipfile_serialization=False)
    result = scan_path(path)
    assert result.verdict == "pass"
    roles = [p["role"] for p in result.summary.details["pickles"]]
    assert roles == ["magic number", "protocol version", "sys_info", "object", "storage keys"]
    cut = tmp_path / "cut.pt"
    cut.write_bytes(path.read_bytes()[:40])
    assert scan_path(cut).verdict in ("error", "fail")
    assert io.BytesIO(path.read_bytes()).read(2) == b"\x80\x02"
    direct = assert_scanned(scan_legacy(source(path.read_bytes()), context()))
    assert direct.details["pickles"] == result.summary.details["pickles"]


class _Scripted(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)


def test_real_torchscript_archive_warns_for_its_program_without_critical_findings(
    tmp_path: Path,
) -> None:
    path = tmp_path / "scripted.pt"
    torch.jit.save(torch.jit.script(_Scripted()), str(path))
    result = scan_path(path)
    assert result.verdict == "warn"
    codes = sorted({f.code for f in result.findings})
    assert codes == ["AISEC-PKL-006", "AISEC-PT-001"]
    assert not [f for f in result.findings if f.severity in ("high", "critical")]
    assert not [f for f in result.findings if "torch.jit._pickle" in f.message]
