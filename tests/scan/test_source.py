"""Byte sources: the in-memory twin behaves as a file does, views read their window, and the file
adapter passes everything through."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.source import FileView, MemorySource, Window, as_file

steps = st.lists(st.tuples(st.sampled_from(["read", "seek", "seek_cur", "seek_end", "tell"]),
                           st.integers(-5, 300)), max_size=20)


@given(st.binary(max_size=200), steps)
def test_the_memory_source_reads_and_seeks_as_a_file_does(data: bytes,
                                                         ops: list[tuple[str, int]]) -> None:
    ours, theirs = MemorySource(data), io.BytesIO(data)
    for op, n in ops:
        if op == "read":
            assert ours.read(n) == theirs.read(n)
        elif op == "tell":
            assert ours.tell() == theirs.tell()
        else:
            whence = {"seek": os.SEEK_SET, "seek_cur": os.SEEK_CUR, "seek_end": os.SEEK_END}[op]
            target = {"seek": n, "seek_cur": theirs.tell() + n, "seek_end": len(data) + n}[op]
            if target < 0:
                with pytest.raises(OSError, match="negative"):
                    ours.seek(n, whence)
                continue
            assert ours.seek(n, whence) == theirs.seek(n, whence)
    assert ours.read() == theirs.read()


def test_the_memory_source_has_the_protocol_and_nothing_more() -> None:
    public = {name for name in dir(MemorySource) if not name.startswith("_")}
    assert public == {"read", "seek", "tell", "seekable"}


def test_window_is_a_member_seen_as_a_whole_file() -> None:
    base = MemorySource(b"headerMEMBERtrailer")
    w = Window(base, 6, 6)
    assert w.read() == b"MEMBER"
    assert w.seek(0, os.SEEK_END) == 6
    assert w.read(3) == b""
    w.seek(2)
    assert w.read(100) == b"MBER"
    buf = bytearray(3)
    w.seek(1)
    assert w.readinto(buf) == 3 and bytes(buf) == b"EMB"


def test_the_file_adapter_passes_positions_through() -> None:
    src = MemorySource(b"0123456789")
    src.seek(4)
    view = as_file(src)
    assert isinstance(view, FileView) and view.tell() == 4 and view.seekable()
    buf = bytearray(3)
    assert view.readinto(buf) == 3 and bytes(buf) == b"456"
    assert src.tell() == 7
    assert view.seek(-2, os.SEEK_END) == 8 and view.read() == b"89"
    assert as_file(view) is view
