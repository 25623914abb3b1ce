"""model.sig (OpenSSF model signing v1.0) and SHA256SUMS are compared with our digests."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from aisec_nb.record import CheckResult
from aisec_nb.scan import directory_digest
from aisec_nb.scan import scan_path as _scan_path
from aisec_nb.scan.signing import SignatureError, parse_sums, read_model_sig
from tests.scan.helpers import assert_scanned


def scan_path(path: str | Path, **options: Any) -> CheckResult:
    """The scan of ``path``, checked to have finished or said why, without an internal error."""
    return assert_scanned(_scan_path(path, **options))


def write_model_sig(folder: Path, digests: dict[str, str], *, root: str | None = None) -> Path:
    """A bundle shaped like model_signing 1.x writes (the signature bytes are not real)."""
    resources = [{"name": n, "algorithm": "sha256", "digest": d} for n, d in sorted(
        digests.items())]
    outer = hashlib.sha256(b"".join(bytes.fromhex(r["digest"]) for r in resources)).hexdigest()
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": folder.name, "digest": {"sha256": root or outer}}],
        "predicateType": "https://model_signing/signature/v1.0",
        "predicate": {"serialization": {"method": "files", "hash_type": "sha256",
                                        "allow_symlinks": False,
                                        "ignore_paths": ["model.sig", ".git"]},
                      "resources": resources},
    }
    bundle = {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "abc"}},
        "dsseEnvelope": {"payload": base64.b64encode(json.dumps(statement).encode()).decode(),
                         "payloadType": "application/vnd.in-toto+json",
                         "signatures": [{"sig": "AAAA"}]},
    }
    path = folder / "model.sig"
    path.write_text(json.dumps(bundle))
    return path


def _folder(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"a": 1}')
    (folder / "weights.bin.json").write_text("[1, 2, 3]")
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
               for p in sorted(folder.iterdir())}
    return folder, digests


def test_matching_signature_passes_and_says_it_was_not_verified(tmp_path: Path) -> None:
    folder, digests = _folder(tmp_path)
    write_model_sig(folder, digests)
    result = scan_path(folder)
    assert result.verdict == "pass"
    assert [f.code for f in result.findings] == ["AISEC-SIG-004"]
    assert result.target.sha256 == directory_digest(folder)
    (sig,) = result.summary.signatures
    assert sig["root_digest"] == result.target.sha256
    assert sig["method"] == "key" and sig["verified"] is None


def test_a_changed_file_fails(tmp_path: Path) -> None:
    folder, digests = _folder(tmp_path)
    write_model_sig(folder, digests)
    (folder / "config.json").write_text('{"a": 2}')
    result = scan_path(folder)
    assert result.verdict == "fail"
    (f,) = [f for f in result.findings if f.code == "AISEC-SIG-001"]
    assert f.location is not None and f.location.member == "config.json"


def test_extra_and_missing_files_fail(tmp_path: Path) -> None:
    folder, digests = _folder(tmp_path)
    write_model_sig(folder, {**digests, "gone.bin": "00" * 32})
    (folder / "added.json").write_text("{}")
    result = scan_path(folder)
    assert result.verdict == "fail"
    members = sorted(f.location.member for f in result.findings if f.code == "AISEC-SIG-002")
    assert members == ["added.json", "gone.bin"]


def test_tampered_root_digest_fails(tmp_path: Path) -> None:
    folder, digests = _folder(tmp_path)
    write_model_sig(folder, digests, root="11" * 32)
    assert "AISEC-SIG-003" in {f.code for f in scan_path(folder).findings}


def test_single_file_next_to_a_folder_signature(tmp_path: Path) -> None:
    folder, digests = _folder(tmp_path)
    write_model_sig(folder, digests)
    assert scan_path(folder / "config.json").verdict == "pass"
    (folder / "config.json").write_text("{}")
    assert scan_path(folder / "config.json").verdict == "fail"


def test_sha256sums_manifest(tmp_path: Path) -> None:
    folder, digests = _folder(tmp_path)
    (folder / "SHA256SUMS").write_text(f"{digests['config.json']}  config.json\n")
    assert scan_path(folder / "config.json").verdict == "pass"
    (folder / "SHA256SUMS").write_text(f"{'ab' * 32} *config.json\n")
    assert scan_path(folder / "config.json").verdict == "fail"
    (folder / "SHA256SUMS").write_text("not a manifest\n")
    result = scan_path(folder / "config.json")
    assert [f.code for f in result.findings] == ["AISEC-SIG-003"]


def test_malformed_bundles_are_named_errors(tmp_path: Path) -> None:
    path = tmp_path / "model.sig"
    for text in ("{}", "[]", '{"dsseEnvelope": {"payload": "!!!"}}', "nope"):
        path.write_text(text)
        try:
            read_model_sig(path)
        except SignatureError as exc:
            assert "Sigstore bundle" in str(exc)
        else:
            raise AssertionError(text)


def test_parse_sums() -> None:
    assert parse_sums("# comment\n\n" + "AB" * 32 + "  a b.bin\n") == {"a b.bin": "ab" * 32}


def test_a_file_the_signature_does_not_list_is_unsigned_not_failed(tmp_path: Path) -> None:
    folder, digests = _folder(tmp_path)
    write_model_sig(folder, {"config.json": digests["config.json"]})
    result = scan_path(folder / "weights.bin.json")
    assert result.verdict == "pass"
    assert [(f.code, f.severity) for f in result.findings] == [("AISEC-SIG-002", "info")]
    assert scan_path(folder).verdict == "fail"  # in the folder it is unprotected content
