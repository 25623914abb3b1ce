"""The pickle VM's byte source: reads, skips, lines and bounds behave like slicing the file."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.pickle.reader import ParseLimit, Source, Truncated


class Pipe(io.RawIOBase):
    """A non-seekable stream that returns short reads, like a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(min(len(buffer), 7))
        buffer[: len(chunk)] = chunk
        return len(chunk)


_op = st.tuples(st.sampled_from(["take", "skip", "byte", "line"]), st.integers(0, 300_000))


@given(
    st.binary(min_size=0, max_size=2000).map(lambda b: b * 200),
    st.lists(_op, max_size=12),
    st.booleans(),
    st.booleans(),
)
def test_operations_match_slicing(
    data: bytes, ops: list[tuple[str, int]], exact: bool, seekable: bool
) -> None:
    stream = io.BytesIO(data) if seekable else Pipe(data)  # type: ignore[arg-type]
    src = Source(stream, exact=exact, max_bytes=10**9)
    pos = 0
    for kind, n in ops:
        assert src.offset == pos
        try:
            if kind == "take":
                assert src.take(n) == data[pos : pos + n]
                pos += n
            elif kind == "skip":
                src.skip(n)
                pos += n
            elif kind == "byte":
                assert src.byte() == data[pos]
                pos += 1
            else:
                nl = data.find(b"\n", pos)
                assert src.line(10**6) == data[pos:nl]
                pos = nl + 1
        except Truncated:
            # Only when the data really ends inside the request.
            if kind == "line":
                assert data.find(b"\n", pos) < 0
            else:
                assert pos + max(n, 1) > len(data)
            return
        if exact and not seekable:
            assert stream._data.tell() == pos  # type: ignore[union-attr] # no read-ahead


def test_exact_mode_stops_where_the_reader_stopped() -> None:
    stream = io.BytesIO(b"abc\ndefgh")
    src = Source(stream, exact=True, max_bytes=100)
    assert src.line(10) == b"abc" and src.take(2) == b"de"
    assert stream.tell() == 6


def test_read_at_returns_earlier_bytes_and_comes_back() -> None:
    data = bytes(range(256)) * 1000
    src = Source(io.BytesIO(data), exact=False, max_bytes=10**9)
    src.skip(200_000)
    assert src.read_at(10, 5) == data[10:15]
    assert src.take(3) == data[200_000:200_003]
    assert Source(Pipe(data), exact=False, max_bytes=10**9).read_at(0, 1) is None  # type: ignore[arg-type]


def test_bounds_are_named() -> None:
    src = Source(io.BytesIO(b"x" * 2_000_000), exact=False, max_bytes=1000)
    with pytest.raises(ParseLimit, match="parsed more than 1000 bytes"):
        for _ in range(10):
            src.take(300_000)
    with pytest.raises(ParseLimit, match="longer than 10 bytes"):
        Source(io.BytesIO(b"y" * 100), exact=False, max_bytes=10**6).line(10)
    with pytest.raises(Truncated):
        Source(io.BytesIO(b"ab"), exact=False, max_bytes=10).skip(1 << 61)
