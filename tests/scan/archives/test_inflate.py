"""Inflater: seekable, bounded decompression."""

from __future__ import annotations

import bz2
import contextlib
import io
import lzma
import os
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.archives.inflate import BombError, CorruptStream, Inflater
from aisec_nb.scan.stop import ScanStop

COMPRESS = {
    "deflate": lambda b: zlib.compress(b)[2:-4],
    "zlib": zlib.compress,
    "gzip": lambda b: zlib.compress(b, wbits=31),
    "bzip2": bz2.compress,
    "xz": lzma.compress,
}


@given(st.binary(max_size=3000), st.sampled_from(sorted(COMPRESS)),
       st.lists(st.integers(0, 3500), max_size=8))
def test_reads_and_seeks_match_the_plain_bytes(data: bytes, kind: str, seeks: list[int]) -> None:
    r = Inflater(io.BytesIO(COMPRESS[kind](data)), kind, limit=10_000, max_ratio=1e9)
    for target in seeks:
        r.seek(target)
        assert r.read(7) == data[target : target + 7]
    r.seek(0)
    assert r.read() == data
    assert r.seek(0, os.SEEK_END) == len(data)


def test_output_beyond_the_limit_is_a_bomb() -> None:
    r = Inflater(io.BytesIO(zlib.compress(bytes(5_000_000))), "zlib", limit=1_000_000,
                 max_ratio=1e9)
    with pytest.raises(BombError, match="1,000,000"):
        r.read()


def test_ratio_beyond_the_limit_is_a_bomb() -> None:
    r = Inflater(io.BytesIO(zlib.compress(bytes(50_000_000))), "zlib", limit=1 << 40,
                 max_ratio=100)
    with pytest.raises(BombError, match="100"):
        r.read()
    assert r.total_out < 20_000_000


@given(st.binary(max_size=400))
def test_garbage_stops_the_reader_with_its_own_errors_only(garbage: bytes) -> None:
    for kind in COMPRESS:
        r = Inflater(io.BytesIO(garbage), kind, limit=100_000, max_ratio=1e9)
        with contextlib.suppress(BombError, CorruptStream):
            r.read()


def test_its_errors_are_scanner_stops_and_value_errors_as_they_always_were() -> None:
    for error in (BombError, CorruptStream):
        assert issubclass(error, ScanStop) and issubclass(error, ValueError)


@pytest.mark.parametrize("kind", sorted(COMPRESS))
def test_multi_chunk_streams_come_out_whole(kind: str) -> None:
    data = b"".join(i.to_bytes(4, "little") * 50 for i in range(60_000))  # 12 MB, compressible
    r = Inflater(io.BytesIO(COMPRESS[kind](data)), kind, limit=len(data), max_ratio=1e9)
    out = bytearray()
    while chunk := r.read(300_000):
        out += chunk
    assert bytes(out) == data
    r.seek(len(data) - 10)
    assert r.read() == data[-10:]
