"""Tar archives: every regular member scanned by content, links and special members reported,
names that escape the extraction folder reported, damaged archives never clean."""

from __future__ import annotations

import io
import tarfile

from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.archives.tar import scan_tar
from aisec_nb.scan.limits import FormatScan, Limits
from tests.scan.helpers import assert_scanned, context, source

PAYLOAD = b"cos\nsystem\n(S'echo x'\ntR."


def _tar(*members: tarfile.TarInfo | tuple[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                t.addfile(m)
            else:
                info = tarfile.TarInfo(m[0])
                info.size = len(m[1])
                t.addfile(info, io.BytesIO(m[1]))
    return buf.getvalue()


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def scan(data: bytes, limits: Limits | None = None) -> FormatScan:
    return assert_scanned(scan_tar(source(data), context(limits or Limits())))


def test_members_are_scanned_by_content() -> None:
    result = scan(_tar(("m.bin", PAYLOAD), ("notes.txt", b"hello")))
    assert [(f.code, f.location.member if f.location else None) for f in result.findings] == [
        ("AISEC-PKL-002", "m.bin")]
    assert [(m["name"], m["format"]) for m in result.details["listed"]] == [
        ("m.bin", "pickle"), ("notes.txt", "text")]


def test_links_are_graded_by_where_they_point() -> None:
    result = scan(_tar(_link("ok", "weights.bin"), _link("out", "../../etc/passwd")))
    assert [(f.code, f.severity) for f in result.findings] == [
        ("AISEC-TAR-001", "medium"), ("AISEC-TAR-001", "high")]


def test_special_members_and_escaping_names_are_reported() -> None:
    fifo = tarfile.TarInfo("pipe")
    fifo.type = tarfile.FIFOTYPE
    result = scan(_tar(fifo, ("../evil.py", b"print('hello')\n")))
    assert sorted(f.code for f in result.findings) == ["AISEC-TAR-001", "AISEC-ZIP-004"]


def test_member_count_is_bounded() -> None:
    result = scan(_tar(*[(f"f{i}", b"{}") for i in range(5)]), Limits(max_members=3))
    assert [f.code for f in result.findings] == ["AISEC-ZIP-006"] and not result.complete


@given(st.integers(1, 3000), st.lists(st.tuples(st.integers(0, 3071), st.integers(0, 255)),
                                       max_size=8))
def test_damaged_tars_end_in_findings(cut: int, flips: list[tuple[int, int]]) -> None:
    raw = bytearray(_tar(("m.bin", PAYLOAD), ("notes.txt", b"hello")))
    for at, value in flips:
        raw[at % len(raw)] = value
    scan(bytes(raw[:cut]))
