"""aisec-nb scan: exit codes, formats, folders of many mixed files."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path

import pytest

from aisec_nb.cli import main
from tests.scan.corpus_formats import evil_pickle, gguf_file, safetensors_file


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["scan", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "clean.pkl"
    clean.write_bytes(pickle.dumps([1, 2], protocol=4))
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(evil_pickle(tmp_path))
    odd = tmp_path / "odd.bin"
    odd.write_bytes(bytes(range(200, 256)))
    assert _run(capsys, str(clean))[0] == 0
    code, out, _ = _run(capsys, str(evil))
    assert code == 1 and out.startswith("FAIL ")
    code, out, _ = _run(capsys, str(odd))
    assert code == 2 and "AISEC-SCAN-001" in out
    code, _, err = _run(capsys, str(clean), str(tmp_path / "missing.pt"))
    assert code == 2 and "missing.pt: no such file" in err
    assert _run(capsys, str(evil), str(tmp_path / "missing.pt"))[0] == 1
    assert not (tmp_path / "PAYLOAD_RAN").exists()


def test_expect_sha256(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.json"
    path.write_text("{}")
    digest = hashlib.sha256(b"{}").hexdigest()
    assert _run(capsys, str(path), "--expect-sha256", digest)[0] == 0
    assert _run(capsys, str(path), "--expect-sha256", "1" * 64)[0] == 1
    code, _, err = _run(capsys, str(path), str(path), "--expect-sha256", digest)
    assert code == 2 and "exactly one PATH" in err
    code, _, err = _run(capsys, str(path), "--expect-sha256", "zz")
    assert code == 2 and "64 hexadecimal digits" in err


def test_json_and_sarif(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(evil_pickle(tmp_path))
    code, out, _ = _run(capsys, str(evil), "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["errors"] == []
    (result,) = doc["results"]
    assert result["verdict"] == "fail" and result["target"]["kind"] == "file"
    code, out, _ = _run(capsys, str(evil), "--format", "sarif")
    log = json.loads(out)
    results = log["runs"][0]["results"]
    assert code == 1 and results
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        evil.as_posix())
    assert {r["ruleId"] for r in results} <= {
        r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}


def test_folder_of_many_mixed_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    st = safetensors_file(tmp_path / "w.safetensors")
    gg = gguf_file(tmp_path / "t.gguf")
    expected: dict[str, str] = {}
    for i in range(40):
        (folder / f"p{i}.pkl").write_bytes(pickle.dumps({"i": i}, protocol=i % 6))
        expected[f"p{i}.pkl"] = "pass"
        shutil.copy(st, folder / f"w{i}.safetensors")
        expected[f"w{i}.safetensors"] = "pass"
        (folder / f"c{i}.json").write_text(json.dumps({"i": i}))
        expected[f"c{i}.json"] = "pass"
    shutil.copy(gg, folder / "t.gguf")
    expected["t.gguf"] = "pass"
    (folder / "evil.pt").write_bytes(evil_pickle(tmp_path))
    expected["evil.pt"] = "fail"
    (folder / "blob.bin").write_bytes(bytes(range(200, 256)))
    expected["blob.bin"] = "error"
    os.mkfifo(folder / "fifo")
    expected["fifo"] = "error"
    code, out, _ = _run(capsys, str(folder), "--format", "json")
    (result,) = json.loads(out)["results"]
    got = {e["name"]: e["verdict"] for e in result["summary"]["files"]}
    assert len(got) == 124
    assert got == expected
    assert code == 1
    code, out, _ = _run(capsys, str(folder))
    lines = out.splitlines()
    assert lines[-1] == "scanned 124 file(s): 2 error, 1 fail, 121 pass"
    assert "  FAIL  evil.pt  [pickle]" in lines
    assert "  ERROR fifo  [unreadable]" in lines


def test_sarif_rules_carry_the_catalogue_texts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from aisec_nb.rules import rule

    evil = tmp_path / "evil.pkl"
    evil.write_bytes(evil_pickle(tmp_path))
    _, out, _ = _run(capsys, str(evil), "--format", "sarif")
    described = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    assert described
    for entry in described:
        known = rule(entry["id"])
        assert entry["shortDescription"]["text"] == known.title
        assert entry["fullDescription"]["text"] == f"{known.why} Fix: {known.fix}"
        assert known.guideline_ref in entry["help"]["text"]
        assert entry["properties"]["guideline"] == known.guideline_ref
        assert entry["properties"]["tags"] == ["security", "scan", known.kind]
