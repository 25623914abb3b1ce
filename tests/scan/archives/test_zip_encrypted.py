"""Encrypted zip members are "not checked" and nothing else: their ciphertext is neither reported
as an unrecognised format nor as a member altered after zipping (its CRC is of the plaintext).
A member whose encryption flag is a lie is still read and judged by what it holds.

The archives are real ZipCrypto (traditional PKWARE) archives, written here byte by byte and read
back with the password by Python's ``zipfile`` to prove it.
"""

from __future__ import annotations

import os
import pickle
import struct
import zlib
from pathlib import Path

import pytest

from aisec_nb.scan import scan_path
from tests.scan.corpus_formats import MARKER, evil_pickle
from tests.scan.helpers import assert_scanned


def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0xEDB88320 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc_table()


class _ZipCrypto:
    """The traditional PKWARE stream cipher (APPNOTE 6.1), encrypting side."""

    def __init__(self, password: bytes) -> None:
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for c in password:
            self._update(c)

    def _crc(self, crc: int, c: int) -> int:
        return (crc >> 8) ^ _TABLE[(crc ^ c) & 0xFF]

    def _update(self, c: int) -> None:
        k0, k1, k2 = self.keys
        k0 = self._crc(k0, c)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = self._crc(k2, k1 >> 24)
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for p in data:
            t = (self.keys[2] | 2) & 0xFFFF
            out.append(p ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self._update(p)
        return bytes(out)


def encrypted_zip(members: list[tuple[str, bytes]], password: bytes, *,
                  deflate: bool = False) -> bytes:
    """A zip whose members are ZipCrypto-encrypted (stored or deflated), as ``zip -e`` writes."""
    body, central = bytearray(), bytearray()
    for name, data in members:
        crc = zlib.crc32(data)
        packed = data
        if deflate:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = c.compress(data) + c.flush()
        header = os.urandom(11) + bytes([crc >> 24])  # the check byte: the CRC's high byte
        cipher = _ZipCrypto(password).encrypt(header + packed)
        method = 8 if deflate else 0
        raw = name.encode()
        fields = (20, 1, method, 0, 0x21, crc, len(cipher), len(data), len(raw), 0)
        offset = len(body)
        body += b"PK\x03\x04" + struct.pack("<5H3L2H", *fields) + raw + cipher
        central += (b"PK\x01\x02" + struct.pack("<6H3L5H2L", 20, *fields, 0, 0, 0, 0, offset)
                    + raw)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members),
                      len(central), len(body), 0)
    return bytes(body + central + end)


@pytest.mark.parametrize("deflate", [False, True])
def test_encrypted_members_are_not_checked_and_nothing_else(tmp_path: Path,
                                                            deflate: bool) -> None:
    import zipfile

    members = [("model.pkl", pickle.dumps({"coef": list(range(50))}, protocol=4)),
               ("README.md", b"A model.\n" * 20),
               ("weights.bin", os.urandom(3000))]
    path = tmp_path / "secret.zip"
    path.write_bytes(encrypted_zip(members, b"hunter2", deflate=deflate))
    with zipfile.ZipFile(path) as z:  # a genuine encrypted archive
        assert [z.read(n, pwd=b"hunter2") for n, _ in members] == [d for _, d in members]
    result = assert_scanned(scan_path(path))
    assert result.verdict == "error"
    assert [(f.code, f.location.member if f.location else None) for f in result.findings] == [
        ("AISEC-ZIP-007", name) for name, _ in members]
    assert all(f.message == "member is encrypted: not checked" for f in result.findings)
    assert [m["format"] for m in result.summary.details["listed"]] == ["encrypted"] * 3


def test_many_encrypted_archives_never_add_a_spurious_finding(tmp_path: Path) -> None:
    # Ciphertext is random bytes: whatever it happens to start with, only ZIP-007 is reported.
    for i in range(60):
        path = tmp_path / f"e{i}.zip"
        path.write_bytes(encrypted_zip([("m.pkl", os.urandom(200 + i))], os.urandom(8),
                                       deflate=bool(i % 2)))
        result = assert_scanned(scan_path(path))
        assert result.verdict == "error", i
        assert {f.code for f in result.findings} == {"AISEC-ZIP-007"}, (
            i, [(f.code, f.message) for f in result.findings])


def test_a_lying_encryption_flag_still_shows_the_payload(tmp_path: Path) -> None:
    # The flag says "encrypted" but the bytes are a plain pickle a loader ignoring it would read.
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", evil_pickle(tmp_path))
    raw = bytearray(buf.getvalue())
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.index(sig)
        raw[at + off : at + off + 2] = struct.pack("<H", 1)
    path = tmp_path / "liar.zip"
    path.write_bytes(bytes(raw))
    result = assert_scanned(scan_path(path))
    codes = {f.code for f in result.findings}
    assert result.verdict == "fail"
    assert {"AISEC-ZIP-007", "AISEC-PKL-002"} <= codes
    assert "AISEC-ZIP-001" not in codes
    assert not (tmp_path / MARKER).exists()
