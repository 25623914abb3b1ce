"""Our central-directory parser: what loaders read, parser differentials as findings, and no
exception other than ZipError on any input."""

from __future__ import annotations

import contextlib
import io
import struct
import zipfile

from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.archives.zip import (
    ZipError,
    crc_finding,
    open_member,
    read_directory,
    scan_zip,
    unsafe_name,
)
from aisec_nb.scan.limits import Limits
from aisec_nb.scan.stop import ScanStop
from tests.scan.helpers import assert_scanned, context, source


def _zip(members: list[tuple[str, bytes]], *, compression: int = zipfile.ZIP_STORED,
         zip64: bool = False) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members:
            with z.open(name, "w", force_zip64=zip64) as fh:
                fh.write(data)
    return buf


def test_members_are_read_at_their_local_offsets_stored_and_deflated() -> None:
    for compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2):
        buf = _zip([("a/data.pkl", b"x" * 1000), ("a/version", b"3\n")], compression=compression)
        d = read_directory(buf)
        assert [m.name for m in d.members] == ["a/data.pkl", "a/version"]
        assert d.findings == [] and d.complete
        assert open_member(buf, d.members[0], Limits()).read() == b"x" * 1000
        assert crc_finding(buf, d.members[0], Limits()) is None


def test_zip64_records_are_followed() -> None:
    buf = _zip([("big.bin", b"abc")], zip64=True)
    d = read_directory(buf)
    assert d.members[0].size == 3
    assert open_member(buf, d.members[0], Limits()).read() == b"abc"


def test_prepended_bytes_shift_offsets_and_are_reported() -> None:
    inner = _zip([("m.txt", b"hello")]).getvalue()
    buf = io.BytesIO(b"JUNK" * 10 + inner)
    d = read_directory(buf)
    assert d.prefix_bytes == 40
    assert open_member(buf, d.members[0], Limits()).read() == b"hello"


def test_crc_mismatch_is_a_finding_not_a_crash() -> None:
    raw = bytearray(_zip([("a/data.pkl", b"payload")]).getvalue())
    at = raw.index(b"payload")
    raw[at] = ord("P")
    buf = io.BytesIO(bytes(raw))
    d = read_directory(buf)
    problem = crc_finding(buf, d.members[0], Limits())
    assert problem is not None and problem.code == "AISEC-ZIP-001"
    assert problem.location is not None and problem.location.member == "a/data.pkl"


def test_member_count_is_bounded() -> None:
    buf = _zip([(f"f{i}", b"") for i in range(30)])
    d = read_directory(buf, Limits(max_members=10))
    assert len(d.members) == 10 and not d.complete
    assert [f.code for f in d.findings] == ["AISEC-ZIP-006"]


def test_unsafe_names() -> None:
    assert unsafe_name("../x") == "climbs out with '..'"
    assert unsafe_name("a\\..\\x") == "climbs out with '..'"
    assert unsafe_name("/etc/passwd") == "is an absolute path"
    assert unsafe_name("C:/x") == "is an absolute path"
    assert unsafe_name("a/b..c/d") is None


def test_not_a_zip_raises_zip_error() -> None:
    try:
        read_directory(io.BytesIO(b"PK\x03\x04 but no directory"))
    except ZipError as exc:
        assert "end-of-central-directory" in str(exc)
    else:
        raise AssertionError("no ZipError")


SAMPLE = _zip([("a/data.pkl", b"\x80\x02}q\x00."), ("a/data/0", bytes(64))],
              compression=zipfile.ZIP_DEFLATED).getvalue()


@given(st.lists(st.tuples(st.integers(0, len(SAMPLE) - 1), st.integers(0, 255)), max_size=12),
       st.integers(0, len(SAMPLE)))
def test_mutated_zips_never_raise_anything_but_zip_error(flips: list[tuple[int, int]],
                                                         cut: int) -> None:
    raw = bytearray(SAMPLE)
    for at, value in flips:
        raw[at] = value
    buf = io.BytesIO(bytes(raw[: max(cut, 22)]) if cut < len(raw) else bytes(raw))
    try:
        d = read_directory(buf)
    except ZipError:
        return
    for m in d.members:
        if m.readable:
            # Corrupt deflate data and bombs stop the reader with the scanner's own errors.
            with contextlib.suppress(ScanStop):
                open_member(buf, m, Limits(max_decompressed=1 << 20)).read()
    assert_scanned(scan_zip(source(buf.getvalue()), context(Limits(max_decompressed=1 << 20))))


def test_members_are_scanned_by_content_through_the_router() -> None:
    buf = _zip([("a/data.pkl", b"cos\nsystem\n(S'x'\ntR."), ("notes.txt", b"hello")],
               compression=zipfile.ZIP_DEFLATED)
    scan = assert_scanned(scan_zip(source(buf.getvalue()), context()))
    assert scan.format == "pytorch-zip"
    assert [(f.code, f.location.member if f.location else None) for f in scan.findings] == [
        ("AISEC-PKL-002", "a/data.pkl")]
    assert [m["format"] for m in scan.details["listed"]] == ["pickle", "text"]


def test_struct_sizes_match_the_spec() -> None:
    assert struct.calcsize("<4s6H3L5H2L") == 46
    assert struct.calcsize("<4s4H2LH") == 22


def test_member_count_lie_in_the_end_record_is_a_finding() -> None:
    raw = bytearray(_zip([("a", b"1"), ("b", b"2")]).getvalue())
    at = raw.rindex(b"PK\x05\x06")
    raw[at + 8 : at + 12] = struct.pack("<HH", 1, 1)  # entries on disk, entries total
    d = read_directory(io.BytesIO(bytes(raw)))
    assert [m.name for m in d.members] == ["a", "b"]
    assert [f.code for f in d.findings] == ["AISEC-ZIP-008"]
    assert "declares 1" in d.findings[0].message


def test_lzma_members_are_read_as_python_writes_them() -> None:
    # zip method 14 (ZIP_LZMA): a 4-byte header, the LZMA properties, raw LZMA1.
    import pickle

    from aisec_nb.scan.archives.zip import METHODS

    assert METHODS[14] == "zip-lzma"
    payload = pickle.dumps({"w": list(range(5000))}, protocol=4)
    buf = _zip([("model.pkl", payload), ("notes.txt", b"hello " * 3000)],
               compression=zipfile.ZIP_LZMA)
    d = read_directory(buf)
    assert [open_member(buf, m, Limits()).read() for m in d.members] == [
        payload, b"hello " * 3000]
    result = assert_scanned(scan_zip(buf, context()))
    assert result.complete and result.findings == ()
    assert [m["format"] for m in result.details["listed"]] == ["pickle", "text"]
