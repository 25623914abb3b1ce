"""7z archives are scanned, not refused: real archives written by py7zr (and by 7-Zip when it is
installed) with every coder the reader decodes, nullifAI-style PyTorch files and pickles packed
with 7z, and hostile archives built byte by byte (bombs, lying sizes and CRCs, deep nesting,
traversal names, links). Encrypted or unknown coders are "not checked", never ``pass``; nothing
a payload would run ever runs."""

from __future__ import annotations

import io
import lzma
import pickle
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aisec_nb.scan import scan_path
from aisec_nb.scan.archives.sevenzip import open_folder, read_archive, scan_7z
from aisec_nb.scan.context import truncate
from aisec_nb.scan.dispatch import scan_stream
from aisec_nb.scan.limits import DEFAULT_LIMITS, Limits
from tests.scan.corpus_formats import MARKER, evil_pickle, torch_state_dict
from tests.scan.helpers import assert_scanned, context, source

py7zr = pytest.importorskip("py7zr")

MEMBERS = [
    ("model.pkl", pickle.dumps({"coef": list(range(3000))}, protocol=4)),
    ("config/config.json", b'{"hidden_size": 4}'),
    ("README.md", b"A tiny model.\n" * 400),
]
FILTERS = {
    "default (BCJ x86 + LZMA2)": None,
    "LZMA2": [{"id": lzma.FILTER_LZMA2, "preset": 6}],
    "LZMA": [{"id": lzma.FILTER_LZMA1}],
    "Copy": [{"id": py7zr.FILTER_COPY}],
    "Deflate": [{"id": py7zr.FILTER_DEFLATE}],
    "BZip2": [{"id": py7zr.FILTER_BZIP2}],
    "Delta + LZMA2": [{"id": lzma.FILTER_DELTA, "dist": 4}, {"id": lzma.FILTER_LZMA2}],
    "ARM + LZMA2": [{"id": lzma.FILTER_ARM}, {"id": lzma.FILTER_LZMA2}],
    "SPARC + LZMA2": [{"id": lzma.FILTER_SPARC}, {"id": lzma.FILTER_LZMA2}],
    "x86 + Deflate": [{"id": lzma.FILTER_X86}, {"id": py7zr.FILTER_DEFLATE}],
    "PowerPC + BZip2": [{"id": lzma.FILTER_POWERPC}, {"id": py7zr.FILTER_BZIP2}],
}


def write_7z(path: Path, members: list[tuple[str, bytes]], filters: object = None,
             **options: object) -> Path:
    with py7zr.SevenZipFile(path, "w", filters=filters, **options) as z:
        for name, data in members:
            z.writestr(data, name)
    return path


def _verdict(path: Path) -> tuple[str, set[str]]:
    result = assert_scanned(scan_path(path))
    return result.verdict, {f.code for f in result.findings}


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_real_archives_of_every_decoded_coder_pass(tmp_path: Path, name: str) -> None:
    path = write_7z(tmp_path / "model.7z", MEMBERS, FILTERS[name])
    result = assert_scanned(scan_path(path))
    assert result.verdict == "pass", [(f.code, f.message) for f in result.findings]
    assert result.summary.format == "7z"
    listed = {m["name"]: m["format"] for m in result.summary.details["listed"]}
    assert listed == {"model.pkl": "pickle", "config/config.json": "json", "README.md": "text"}
    # and the bytes the reader decodes are the bytes py7zr stored
    with path.open("rb") as fh:
        archive = read_archive(fh, DEFAULT_LIMITS)
        blob = b"".join(open_folder(fh, 0, archive.streams, i, DEFAULT_LIMITS).read()
                        for i in range(len(archive.streams.folders)))
    for member, data in MEMBERS:
        assert data in blob, member


def test_directories_empty_files_and_unicode_names(tmp_path: Path) -> None:
    folder = tmp_path / "tree"
    (folder / "sub" / "déjà vu").mkdir(parents=True)
    (folder / "sub" / "déjà vu" / "weights.json").write_text('{"w": [1, 2]}')
    (folder / "empty.txt").write_bytes(b"")
    path = tmp_path / "tree.7z"
    with py7zr.SevenZipFile(path, "w") as z:
        z.writeall(folder, "tree")
    result = assert_scanned(scan_path(path))
    assert result.verdict == "pass"
    names = {m["name"] for m in result.summary.details["listed"]}  # listed as in findings
    assert {truncate("tree/sub/déjà vu/weights.json", 200), "tree/empty.txt"} <= names


def test_a_7z_packed_torch_file_is_scanned_inside(tmp_path: Path) -> None:
    # nullifAI: a PyTorch zip whose pickle breaks right after the payload, packed with 7z.
    base = torch_state_dict(tmp_path / "base.pt")
    evil = evil_pickle(tmp_path)
    broken = tmp_path / "model.pt"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith("/data.pkl"):
                data = evil[:-1] + b"\xff"
            dst.writestr(info.filename, data)
    path = write_7z(tmp_path / "nullifai.7z", [("model.pt", broken.read_bytes())])
    result = assert_scanned(scan_path(path))
    assert result.verdict == "fail"
    named = [f for f in result.findings if f.evidence == "os.system"]
    assert named and named[0].location is not None
    assert named[0].location.member.startswith("model.pt/") and (
        named[0].location.member.endswith("data.pkl"))
    clean = write_7z(tmp_path / "clean.7z", [("model.pt", base.read_bytes())])
    assert _verdict(clean) == ("pass", set())
    assert not (tmp_path / MARKER).exists()


@pytest.mark.parametrize("filters", [None, [{"id": py7zr.FILTER_COPY}],
                                     [{"id": py7zr.FILTER_BZIP2}]])
def test_7z_packed_pickles_fail(tmp_path: Path, filters: object) -> None:
    path = write_7z(tmp_path / "m.7z", [("notes.txt", b"x"), ("m.pkl", evil_pickle(tmp_path))],
                    filters)
    verdict, codes = _verdict(path)
    assert verdict == "fail" and "AISEC-PKL-002" in codes
    assert not (tmp_path / MARKER).exists()


def test_encrypted_archives_are_not_checked(tmp_path: Path) -> None:
    data = write_7z(tmp_path / "data.7z", MEMBERS, password="secret")
    result = assert_scanned(scan_path(data))
    assert result.verdict == "error"
    assert {f.code for f in result.findings} == {"AISEC-7Z-001"}
    assert all("encrypted (AES-256 encryption)" in f.message for f in result.findings)
    header = write_7z(tmp_path / "header.7z", MEMBERS, password="secret",
                      header_encryption=True)
    result = assert_scanned(scan_path(header))
    assert result.verdict == "error"
    assert [f.code for f in result.findings] == ["AISEC-7Z-001"]
    assert "no member was checked" in result.findings[0].message


@pytest.mark.parametrize("coder", ["PPMD", "ZSTD"])
def test_coders_outside_the_standard_library_are_not_checked(tmp_path: Path,
                                                             coder: str) -> None:
    path = tmp_path / "m.7z"
    # py7zr requires the codecs (pyppmd, backports.zstd), so writing them always works.
    write_7z(path, MEMBERS, [{"id": getattr(py7zr, f"FILTER_{coder}")}])
    result = assert_scanned(scan_path(path))
    assert result.verdict == "error"
    assert {f.code for f in result.findings} == {"AISEC-7Z-001"}


def test_a_decompression_bomb(tmp_path: Path) -> None:
    path = write_7z(tmp_path / "bomb.7z", [("zeros.bin", bytes(64 * 1024 * 1024))])
    verdict, codes = _verdict(path)
    assert verdict == "fail" and "AISEC-ZIP-005" in codes


def test_deep_nesting_hits_the_depth_limit(tmp_path: Path) -> None:
    inner = evil_pickle(tmp_path)
    for level in range(20):
        buf = io.BytesIO()
        with py7zr.SevenZipFile(buf, "w", filters=[{"id": py7zr.FILTER_COPY}]) as z:
            z.writestr(inner, f"level{level}.7z" if level else "model.pkl")
        inner = buf.getvalue()
    path = tmp_path / "nested.7z"
    path.write_bytes(inner)
    verdict, codes = _verdict(path)
    assert verdict in ("fail", "error") and "AISEC-SCAN-003" in codes


# -- archives built byte by byte ------------------------------------------------------------


def number(n: int) -> bytes:
    """7z's variable-length number."""
    for k in range(9):
        if k == 8 or n >> (8 * k) < 1 << (7 - k):
            first = ((0xFF << (8 - k)) & 0xFF) | (n >> (8 * k) if k < 8 else 0)
            return bytes([first]) + n.to_bytes(8, "little")[:k]
    raise AssertionError(n)


def make_7z(members: list[tuple[str, bytes]], *, coder: str = "copy",
            folder_size: int | None = None, pack_size: int | None = None,
            crcs: list[int] | None = None, attributes: list[int] | None = None,
            files: int | None = None,
            start_crc: int | None = None) -> bytes:
    """A 7z archive with a plain (unencoded) header, one folder of one coder (Copy or LZMA2),
    whose fields can lie."""
    blob = b"".join(d for _, d in members)
    if coder == "lzma2":
        packed = lzma.compress(blob, lzma.FORMAT_RAW,
                               filters=[{"id": lzma.FILTER_LZMA2, "dict_size": 1 << 20}])
        coder_bytes = b"\x21\x21" + number(1) + b"\x10"  # id 21, props: 1 MiB dictionary
    else:
        packed = blob
        coder_bytes = b"\x01\x00"
    n = len(members)
    sizes = b"".join(number(len(d)) for _, d in members[:-1])
    digests = b"\x01" + b"".join(struct.pack("<I", c) for c in (
        crcs or [zlib.crc32(d) for _, d in members]))
    header = (b"\x01\x04"
              + b"\x06" + number(0) + number(1) + b"\x09" + number(
                  len(packed) if pack_size is None else pack_size) + b"\x00"
              + b"\x07\x0b" + number(1) + b"\x00" + number(1) + coder_bytes
              + b"\x0c" + number(len(blob) if folder_size is None else folder_size) + b"\x00"
              + b"\x08\x0d" + number(n) + b"\x09" + sizes + b"\x0a" + digests + b"\x00"
              + b"\x00")
    names = b"".join(name.encode("utf-16-le") + b"\x00\x00" for name, _ in members)
    info = (number(n if files is None else files) + b"\x11" + number(len(names) + 1) + b"\x00"
            + names)
    if attributes is not None:
        body = b"\x01\x00" + b"".join(struct.pack("<I", a) for a in attributes)
        info += b"\x15" + number(len(body)) + body
    header += b"\x05" + info + b"\x00\x00"
    start = struct.pack("<QQI", len(packed), len(header), zlib.crc32(header))
    crc = zlib.crc32(start) if start_crc is None else start_crc
    return b"7z\xbc\xaf\x27\x1c\x00\x04" + struct.pack("<I", crc) + start + packed + header


def _scan_bytes(data: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[str, set[str]]:
    from aisec_nb.scan.verdict import verdict_of

    result = assert_scanned(scan_stream(source(data), context(limits)))
    return verdict_of(result.findings, result.complete), {f.code for f in result.findings}


def test_the_hand_made_writer_makes_real_archives() -> None:
    for coder in ("copy", "lzma2"):
        data = make_7z(MEMBERS, coder=coder)
        with py7zr.SevenZipFile(io.BytesIO(data)) as z:
            assert sorted(z.getnames()) == sorted(n for n, _ in MEMBERS)
        assert _scan_bytes(data) == ("pass", set())


@pytest.mark.parametrize(("case", "verdicts", "code"), [
    ("start header CRC", {"error"}, "AISEC-7Z-002"),
    ("member CRC", {"fail"}, "AISEC-7Z-003"),
    ("folder larger than its data", {"error"}, "AISEC-7Z-002"),
    ("files larger than their folder", {"error"}, "AISEC-7Z-002"),
    ("pack size past the end", {"error"}, "AISEC-7Z-002"),
    ("file count lies", {"error"}, "AISEC-7Z-002"),
    ("traversal name", {"fail"}, "AISEC-ZIP-004"),
    ("duplicate names", {"fail"}, "AISEC-ZIP-003"),
    ("symbolic link", {"fail"}, "AISEC-7Z-004"),
])
def test_hostile_structures(case: str, verdicts: set[str], code: str) -> None:
    members = list(MEMBERS)
    options: dict[str, object] = {}
    if case == "start header CRC":
        options["start_crc"] = 0
    elif case == "member CRC":
        options["crcs"] = [zlib.crc32(d) ^ 1 for _, d in members]
    elif case == "folder larger than its data":
        options["folder_size"] = sum(len(d) for _, d in members) + 100
        options["coder"] = "lzma2"
    elif case == "files larger than their folder":
        options["folder_size"] = 10
    elif case == "pack size past the end":
        options["pack_size"] = 10**9
    elif case == "file count lies":
        options["files"] = 2**40
    elif case == "traversal name":
        members[0] = ("../../.bashrc", b"echo hi\n")
    elif case == "duplicate names":
        members[1] = (members[0][0], members[1][1])
    elif case == "symbolic link":
        options["attributes"] = [0x8000 | (0o120777 << 16), 0x20, 0x20]
    verdict, codes = _scan_bytes(make_7z(members, **options))  # type: ignore[arg-type]
    assert verdict in verdicts and code in codes, (verdict, codes)


def test_a_smaller_declared_size_is_what_7zip_extracts() -> None:
    # 7-Zip stops a folder at its declared size: the member is cut there, as extracted.
    data = make_7z([("m.pkl", pickle.dumps(list(range(100)), protocol=2))], coder="lzma2",
                   folder_size=20, crcs=[0])
    verdict, codes = _scan_bytes(data)
    assert verdict in ("warn", "error", "fail") and "AISEC-PKL-020" in codes


def test_limits() -> None:
    data = make_7z(MEMBERS)
    verdict, codes = _scan_bytes(data, Limits(max_members=2))
    assert verdict == "error" and "AISEC-7Z-002" in codes
    lz = make_7z(MEMBERS, coder="lzma2")
    verdict, codes = _scan_bytes(lz, Limits(max_dictionary=4096 * 2))
    assert verdict == "error" and codes == {"AISEC-SCAN-003"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["copy", "lzma2"]), st.integers(0, 400), st.integers(0, 255))
def test_mutated_archives_never_crash_or_pass_silently(coder: str, at: int, value: int) -> None:
    data = bytearray(make_7z(MEMBERS, coder=coder))
    at %= len(data)
    if data[at] == value:
        return
    data[at] = value
    result = assert_scanned(scan_7z(source(bytes(data)), context()))
    assert result.format == "7z"


@pytest.mark.skipif(shutil.which("7zz") is None and shutil.which("7z") is None,
                    reason="7-Zip is not installed")
@pytest.mark.parametrize(("switches", "verdict"), [
    (["-m0=lzma"], "pass"), (["-m0=lzma2", "-mx=9"], "pass"), (["-m0=bzip2"], "pass"),
    (["-m0=deflate"], "pass"), (["-m0=copy"], "pass"), (["-ms=off"], "pass"),
    (["-mf=delta:4", "-m0=lzma"], "pass"), (["-mf=ARM", "-m0=bzip2"], "pass"),
    (["-m0=ppmd"], "error"), (["-mf=bcj2"], "error"), (["-psecret"], "error"),
    (["-psecret", "-mhe=on"], "error"),
])
def test_archives_written_by_7zip(tmp_path: Path, switches: list[str], verdict: str) -> None:
    exe = shutil.which("7zz") or shutil.which("7z")
    assert exe is not None
    for name, data in MEMBERS:
        (tmp_path / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / name).write_bytes(data)
    out = tmp_path / "a.7z"
    subprocess.run([exe, "a", "-bd", "-bso0", *switches, str(out), "."], cwd=tmp_path / "in",
                   check=True, capture_output=True)
    result = assert_scanned(scan_path(out))
    assert result.verdict == verdict, [(f.code, f.message) for f in result.findings]
    if verdict == "error":
        assert {f.code for f in result.findings} == {"AISEC-7Z-001"}
