"""Seekable, bounded decompressing readers for archive members.

:class:`Inflater` turns a compressed byte range into a read-only stream a format parser can use
like a file. It stops with :class:`BombError` as soon as the output passes its byte limit or the
output/input ratio passes the ratio limit, so a decompression bomb costs at most the limit.
Forward seeks decompress and discard; backward seeks restart from the beginning (counted in the
same budget).

Example::

    >>> import zlib
    >>> from aisec_nb.scan.source import MemorySource
    >>> raw = zlib.compress(b"hello world")[2:-4]     # raw deflate, as in a zip member
    >>> r = Inflater(MemorySource(raw), "deflate", limit=100, max_ratio=1000)
    >>> _ = r.seek(6); r.read(5)
    b'world'
"""

from __future__ import annotations

import bz2
import importlib
import lzma
import os
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ..limits import DEFAULT_LIMITS
from ..sniff import BZIP2, DEFLATE, GZIP, LZ4, LZMA, XZ, ZIP_LZMA, ZLIB
from ..source import ByteSource, SeekableView
from ..stop import ScanStop

if TYPE_CHECKING:  # a typing-only module: the buffer types of the io signatures
    from _typeshed import WriteableBuffer

CHUNK = 256 * 1024
REWIND_FACTOR = 16
"""Backward seeks re-inflate from the start; all passes together may produce this many times
the limit before the reader gives up."""


class BombError(ScanStop, ValueError):
    """Decompressed output passed a size or ratio limit."""


class CorruptStream(ScanStop, ValueError):
    """The compressed bytes cannot be decompressed."""


class UnsupportedCompression(ScanStop, ValueError):
    """A compression name no decompressor here reads."""


class DictionaryTooLarge(UnsupportedCompression):
    """An LZMA dictionary over ``Limits.max_dictionary``: decoding would allocate it."""


class Decompressor(Protocol):
    """An incremental decompressor (zlib's, bz2's, lzma's or lz4's).

    Readers also look for the attributes some of them have: ``eof``, ``needs_input``,
    ``unconsumed_tail`` and ``flush``."""

    def decompress(self, data: bytes, max_length: int, /) -> bytes:
        """At most ``max_length`` bytes of output for ``data`` (and input kept from before)."""
        ...


class _Lz4:
    """lz4.frame's decompressor with the same shape as zlib's."""

    def __init__(self) -> None:
        # lz4 is optional: imported when an lz4 stream is met, ImportError when it is missing.
        frame = importlib.import_module("lz4.frame")
        self._d = frame.LZ4FrameDecompressor()
        self.eof = False

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        out: bytes = self._d.decompress(data, max_length=max_length)
        self.eof = bool(self._d.eof)
        return out

    @property
    def needs_input(self) -> bool:
        return bool(self._d.needs_input)


MIN_DICTIONARY = 4096


def lzma1_filter(props: bytes, *, size: int | None, max_dictionary: int) -> dict[str, int]:
    """The ``lzma`` filter for LZMA1 properties (``lc/lp/pb`` byte, 32-bit dictionary size), as
    7z coders and zip method 14 store them.

    The dictionary a decoder allocates is cut to the output size when that is known (no match
    reaches further back than the start): a header cannot make the scanner allocate gigabytes
    for a small member. Raises :class:`UnsupportedCompression` for bad properties or a
    dictionary over ``max_dictionary``.
    """
    if len(props) < 5 or props[0] >= 9 * 5 * 5:
        msg = f"LZMA properties {props.hex()!r} are not valid"
        raise UnsupportedCompression(msg)
    lc, rest = props[0] % 9, props[0] // 9
    lp, pb = rest % 5, rest // 5
    dict_size = _dictionary(int.from_bytes(props[1:5], "little"), size, max_dictionary)
    return {"id": lzma.FILTER_LZMA1, "dict_size": dict_size, "lc": lc, "lp": lp, "pb": pb}


def lzma2_filter(props: bytes, *, size: int | None, max_dictionary: int) -> dict[str, int]:
    """The ``lzma`` filter for an LZMA2 properties byte (its dictionary size); see
    :func:`lzma1_filter` for the dictionary bound."""
    if len(props) < 1 or props[0] > 40:
        msg = f"LZMA2 properties {props.hex()!r} are not valid"
        raise UnsupportedCompression(msg)
    p = props[0]
    declared = 0xFFFFFFFF if p == 40 else (2 | (p & 1)) << (p // 2 + 11)
    return {"id": lzma.FILTER_LZMA2,
            "dict_size": _dictionary(declared, size, max_dictionary)}


def _dictionary(declared: int, size: int | None, max_dictionary: int) -> int:
    needed = declared if size is None else min(declared, max(size, 1))
    needed = max(needed, MIN_DICTIONARY)
    if needed > max_dictionary:
        msg = (f"an LZMA dictionary of {needed:,} bytes is over the {max_dictionary:,}-byte "
               "limit")
        raise DictionaryTooLarge(msg)
    return needed


def raw_lzma(filters: list[dict[str, int]]) -> Decompressor:
    """A raw (headerless) LZMA decompressor for a filter chain (BCJ and delta filters first,
    then LZMA1 or LZMA2: the order they were applied in when compressing)."""
    return _lzma_raw(filters)


def _lzma_raw(filters: list[dict[str, int]]) -> lzma.LZMADecompressor:
    try:
        return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=filters)
    except (lzma.LZMAError, ValueError) as exc:
        msg = f"filters {[f['id'] for f in filters]} cannot be decoded: {exc}"
        raise UnsupportedCompression(msg) from None


class ZipLzma:
    """Zip method 14: a 4-byte header (LZMA SDK version, properties size), the properties, then
    raw LZMA1 (what Python's ``zipfile`` writes for ``ZIP_LZMA``)."""

    def __init__(self, max_dictionary: int, size: int | None = None) -> None:
        self._head = b""
        self._dec: Decompressor | None = None
        self._max = max_dictionary
        self._size = size
        self.eof = False

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        if self._dec is None:
            self._head += data
            if len(self._head) < 4:
                return b""
            n = int.from_bytes(self._head[2:4], "little")
            if len(self._head) < 4 + n:
                return b""
            props, data = self._head[4 : 4 + n], self._head[4 + n :]
            self._dec = raw_lzma([lzma1_filter(props, size=self._size,
                                               max_dictionary=self._max)])
        out = self._dec.decompress(data, max_length)
        self.eof = bool(getattr(self._dec, "eof", False))
        return out

    @property
    def needs_input(self) -> bool:
        return self._dec is None or bool(getattr(self._dec, "needs_input", True))


class FilterOverBytes:
    """A BCJ or delta filter (``lzma`` filter ids) decoding bytes that are not LZMA: the input is
    wrapped into LZMA2 *uncompressed* chunks and run through ``lzma`` with the filter in front,
    so the filter is liblzma's own (7z can put a BCJ filter over Copy, Deflate or BZip2)."""

    def __init__(self, flt: dict[str, int]) -> None:
        self._dec = _lzma_raw([flt, {"id": lzma.FILTER_LZMA2, "dict_size": MIN_DICTIONARY}])
        self._first = True
        self.eof = False

    def _chunks(self, data: bytes) -> bytes:
        out = bytearray()
        for at in range(0, len(data), 1 << 16):
            part = data[at : at + (1 << 16)]
            out += (b"\x01" if self._first else b"\x02") + (len(part) - 1).to_bytes(2, "big")
            out += part
            self._first = False
        return bytes(out)

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        out: bytes = self._dec.decompress(self._chunks(data) if data else b"", max_length)
        return out

    @property
    def needs_input(self) -> bool:
        return bool(self._dec.needs_input)

    def flush(self) -> bytes:
        """The bytes the filter held back, at the end of the input."""
        out = bytearray(self._dec.decompress(b"\x00", -1))
        while not self._dec.eof and not self._dec.needs_input:
            more = self._dec.decompress(b"", -1)
            if not more:
                break
            out += more
        self.eof = True
        return bytes(out)


def new_decompressor(kind: str) -> Decompressor:
    """An incremental decompressor for ``kind``, the one factory every reader here uses.

    Kinds are the names of :mod:`~aisec_nb.scan.sniff`: ``deflate`` (raw, as in zip members),
    ``zlib``, ``gzip``, ``bzip2``, ``xz`` and ``lzma`` (xz or the LZMA "alone" format joblib
    writes), ``zip-lzma`` (zip method 14) and ``lz4`` (frame format; needs the optional ``lz4``
    package, else ``ImportError``).
    """
    if kind == DEFLATE:
        return zlib.decompressobj(-15)
    if kind == ZLIB:
        return zlib.decompressobj(15)
    if kind == GZIP:
        return zlib.decompressobj(16 + 15)
    if kind == BZIP2:
        return bz2.BZ2Decompressor()
    if kind in (XZ, LZMA):
        return lzma.LZMADecompressor(lzma.FORMAT_AUTO)
    if kind == LZ4:
        return _Lz4()
    if kind == ZIP_LZMA:
        return ZipLzma(DEFAULT_LIMITS.max_dictionary)
    msg = f"unsupported compression {kind!r}"
    raise UnsupportedCompression(msg)


Tap = Callable[[int, bytes], None]
"""Sees every chunk an :class:`Inflater` produces, with its offset in the output (bytes produced
again after a backward seek are seen again): how a reader checks CRCs in the same pass."""


class Inflater(SeekableView):
    """Decompress ``source`` (positioned at the compressed bytes) as a read-only stream.

    ``decompressor`` makes the decompressor when ``kind`` is not one of
    :func:`new_decompressor`'s (a 7z coder chain); ``tap`` sees the output as it is produced.
    ``exact=True`` ends the stream at ``limit`` bytes instead of calling more a bomb: 7z
    declares each folder's size and 7-Zip stops there (an LZMA stream written without an end
    marker decodes into padding after it).
    """

    def __init__(self, source: ByteSource, kind: str, *, limit: int, max_ratio: float,
                 decompressor: Callable[[], Decompressor] | None = None,
                 tap: Tap | None = None, exact: bool = False) -> None:
        super().__init__()
        self._source = source
        self._origin = source.tell()
        self._kind = kind
        self._limit = limit
        self._max_ratio = max_ratio
        self._make = decompressor or (lambda: new_decompressor(kind))
        self._tap = tap
        self._exact = exact
        self.total_out = 0
        """Bytes produced, re-inflation included: what the bomb limits are checked against."""
        self._restart()

    @property
    def produced(self) -> int:
        """Bytes produced since the last restart (the furthest point of this pass)."""
        return self._produced

    @property
    def at_end(self) -> bool:
        """Whether this pass has reached the end of the compressed data."""
        return self._eof and self._off >= len(self._pending)

    def _restart(self) -> None:
        self._source.seek(self._origin)
        self._dec = self._make()
        self._pending = b""
        self._off = 0
        self._consumed = 0
        self._produced = 0
        self._pos = 0
        self._eof = False

    def seek(self, offset: int, whence: int = os.SEEK_SET, /) -> int:
        if whence == os.SEEK_CUR:
            offset += self._pos
        elif whence == os.SEEK_END:
            while self._fill():
                self._take(len(self._pending) - self._off)
            offset += self._pos
        if offset < 0:
            msg = "negative seek position"
            raise OSError(msg)
        if offset < self._pos:
            self._restart()
        while self._pos < offset and self._fill():
            self._take(min(len(self._pending) - self._off, offset - self._pos))
        return self._pos

    def _take(self, n: int) -> bytes:
        chunk = self._pending[self._off : self._off + n]
        self._off += n
        self._pos += n
        return chunk

    def _fill(self) -> bool:
        """Decompress more into the pending buffer; ``False`` at the end of the stream."""
        if self._off < len(self._pending):
            return True
        while not self._eof:
            want = CHUNK
            if self._exact:
                want = min(CHUNK, self._limit - self._produced)
                if want <= 0:
                    self._eof = True
                    return False
            dec = self._dec
            # zlib keeps input it could not use in ``unconsumed_tail``; bz2 and lzma keep it
            # inside and say so with ``needs_input``: drain those before reading more.
            data: bytes = getattr(dec, "unconsumed_tail", b"")
            if not data and getattr(dec, "needs_input", True):
                data = self._source.read(CHUNK)
                self._consumed += len(data)
                if not data:
                    self._eof = True
                    flush = getattr(dec, "flush", None)
                    return self._accept(flush() if flush is not None else b"")
            try:
                out = dec.decompress(data, want)
            except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError) as exc:
                msg = f"corrupt compressed data: {exc}"
                raise CorruptStream(msg) from None
            if getattr(dec, "eof", False):
                self._eof = True
            if self._accept(out):
                return True
        return False

    def _accept(self, out: bytes) -> bool:
        """Make ``out`` the pending buffer after checking the bomb limits."""
        if not out:
            return False
        self.total_out += len(out)
        self._produced += len(out)
        if self._produced > self._limit:
            msg = f"expands past {self._limit:,} bytes"
            raise BombError(msg)
        if self.total_out > REWIND_FACTOR * self._limit + CHUNK:
            msg = "rewound too often (parser seeking backwards in a compressed member)"
            raise BombError(msg)
        if self._produced > 1024 * 1024 and self._produced > self._max_ratio * max(
            self._consumed, 1
        ):
            msg = f"expands more than {self._max_ratio:g}× its compressed size"
            raise BombError(msg)
        if self._tap is not None:
            self._tap(self._produced - len(out), out)
        self._pending = out
        self._off = 0
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")
        if not self._fill():
            return 0
        chunk = self._take(min(len(view), len(self._pending) - self._off))
        view[: len(chunk)] = chunk
        return len(chunk)

    def read(self, size: int = -1, /) -> bytes:
        parts: list[bytes] = []
        want = size if size is not None and size >= 0 else None
        while (want is None or want > 0) and self._fill():
            left = len(self._pending) - self._off
            parts.append(self._take(left if want is None else min(want, left)))
            if want is not None:
                want -= len(parts[-1])
        return b"".join(parts)
