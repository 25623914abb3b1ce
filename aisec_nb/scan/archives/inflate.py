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
from typing import TYPE_CHECKING, Protocol

from ..sniff import BZIP2, DEFLATE, GZIP, LZ4, LZMA, XZ, ZLIB
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


def new_decompressor(kind: str) -> Decompressor:
    """An incremental decompressor for ``kind``, the one factory every reader here uses.

    Kinds are the names of :mod:`~aisec_nb.scan.sniff`: ``deflate`` (raw, as in zip members),
    ``zlib``, ``gzip``, ``bzip2``, ``xz`` and ``lzma`` (xz or the LZMA "alone" format joblib
    writes) and ``lz4`` (frame format; needs the optional ``lz4`` package, else ``ImportError``).
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
    msg = f"unsupported compression {kind!r}"
    raise UnsupportedCompression(msg)


class Inflater(SeekableView):
    """Decompress ``source`` (positioned at the compressed bytes) as a read-only stream."""

    def __init__(self, source: ByteSource, kind: str, *, limit: int, max_ratio: float) -> None:
        super().__init__()
        self._source = source
        self._origin = source.tell()
        self._kind = kind
        self._limit = limit
        self._max_ratio = max_ratio
        self.total_out = 0
        """Bytes produced, re-inflation included: what the bomb limits are checked against."""
        self._restart()

    def _restart(self) -> None:
        self._source.seek(self._origin)
        self._dec = new_decompressor(self._kind)
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
                out = dec.decompress(data, CHUNK)
            except (zlib.error, OSError, EOFError, lzma.LZMAError) as exc:
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
