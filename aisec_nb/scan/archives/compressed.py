"""Compressed streams: a compressed tar or other container is unpacked and scanned by content; a
compressed pickle (``.pkl.gz``, joblib ``compress=``) is streamed to the pickle VM.

A compressed pickle is decompressed on the fly, never whole into memory, and handed to the
joblib-aware pickle scanner. Decompression is bounded: total output by ``Limits.max_decompressed``,
and the output/input ratio by ``Limits.max_ratio`` once more than :data:`RATIO_FLOOR` bytes came
out (so a well-compressed array of zeros is fine, a bomb is not). Example::

    >>> import gzip, pickle
    >>> from aisec_nb.scan.policy import load_policy
    >>> from aisec_nb.scan.source import MemorySource
    >>> data = gzip.compress(pickle.dumps({"w": [1.0]}))
    >>> scan = scan_compressed_pickle(MemorySource(data), ScanContext(load_policy()))
    >>> scan.format, scan.complete, scan.findings
    ('gzip/pickle', True, ())

Compressions are named as :mod:`~aisec_nb.scan.sniff` names them (``bzip2``); the record keeps
the spelling it has always used (``bz2/pickle``, see :func:`~aisec_nb.scan.sniff.pickle_label`).
The finding codes (AISEC-CMP-*) are in the rule catalogue: ``aisec-nb rules``.
"""

from __future__ import annotations

import io
import lzma
import os
import zlib
from typing import NoReturn

from ...record import Location
from ...rules.findings import make_finding
from ..context import ScanContext, broken
from ..limits import FormatScan, Limits, MiB
from ..pickle.machine import LimitHit, Malformed
from ..pickle.vm import scan_pickle
from ..sniff import COMPRESSIONS, HEAD_SIZE, pickle_label, sniff_compression, sniff_format
from ..source import ByteSource, Reader
from .inflate import BombError as InflateBomb
from .inflate import Inflater, new_decompressor
from .tar import scan_tar

RATIO_FLOOR = 256 * MiB
"""Output below this size never counts as a bomb, whatever the ratio."""
IN_CHUNK = 256 * 1024


class BombError(LimitHit):
    """Decompressed output went over a limit (the pickle VM reports it as a limit too)."""


class CorruptError(Malformed):
    """The compressed data is invalid (the pickle VM stops there, keeping what it found)."""


class InflatingReader:
    """A read-only, non-seekable file over the decompressed bytes of ``raw``, bounded."""

    def __init__(self, raw: Reader, kind: str, limits: Limits) -> None:
        self._raw = raw
        self._label = pickle_label(kind)
        self._d = new_decompressor(kind)
        self._limits = limits
        self._pending = b""
        self._out = b""
        self.consumed = 0
        self.produced = 0
        self._done = False
        self.error: tuple[type[Exception], str] | None = None

    def seekable(self) -> bool:
        return False

    def seek(self, offset: int, whence: int = os.SEEK_SET, /) -> int:
        msg = "a decompressing stream reads forward only"
        raise io.UnsupportedOperation(msg)

    def tell(self) -> int:
        return self.produced - len(self._out)

    def _more(self, want: int) -> None:
        """Decompress until ``want`` bytes are buffered or the stream ends."""
        while len(self._out) < want and not self._done:
            if self._ended():
                self._done = True  # bytes after the end of the stream are ignored, as loaders do
                return
            data, self._pending = self._pending, b""
            if not data and getattr(self._d, "needs_input", True):
                data = self._raw.read(IN_CHUNK)
                self.consumed += len(data)
                if not data:
                    self._done = True
                    self._fail(CorruptError, f"the {self._label} stream is truncated")
            room = min(max(want - len(self._out), IN_CHUNK), 16 * MiB)
            try:
                chunk = self._d.decompress(data, room)
            except (zlib.error, OSError, lzma.LZMAError, EOFError, RuntimeError) as exc:
                self._done = True
                self._fail(CorruptError, f"corrupt {self._label} data: {exc}")
            tail = getattr(self._d, "unconsumed_tail", b"")
            if tail:
                self._pending = bytes(tail)
            self._out += chunk
            self.produced += len(chunk)
            self._check()

    def _fail(self, kind: type[Exception], message: str) -> NoReturn:
        self.error = (kind, message)
        raise kind(message)

    def _ended(self) -> bool:
        return bool(getattr(self._d, "eof", False))

    def _check(self) -> None:
        limits = self._limits
        if self.produced > limits.max_decompressed:
            self._fail(BombError, f"more than {limits.max_decompressed} bytes decompressed")
        if self.produced > RATIO_FLOOR and self.produced > limits.max_ratio * max(self.consumed, 1):
            self._fail(
                BombError,
                f"{self.produced} bytes from {self.consumed} compressed: "
                f"ratio above {limits.max_ratio:g}",
            )

    def read(self, n: int = -1, /) -> bytes:
        if n is None or n < 0:
            n = 1 << 62
        self._more(n)
        out, self._out = self._out[:n], self._out[n:]
        return out


def scan_compressed_pickle(stream: ByteSource, ctx: ScanContext, member: str | None = None, *,
                           kind: str | None = None) -> FormatScan:
    """Decompress ``stream`` (``kind`` one of :data:`~aisec_nb.scan.sniff.COMPRESSIONS`, or None
    to sniff it) and scan the pickle with the context's policy and limits."""
    limits = ctx.limits
    raw: Reader = stream
    if kind is None:
        head = stream.read(8)
        kind = sniff_compression(head) or "unknown"
        raw = _Prefixed(head, stream)
    if kind not in COMPRESSIONS:
        return _fail(member, "AISEC-CMP-003", f"compression {kind!r} is not supported", kind)
    try:
        reader = InflatingReader(raw, kind, limits)
    except ImportError:
        return _fail(
            member,
            "AISEC-CMP-003",
            f"{kind} data needs the optional 'lz4' package to be scanned",
            kind,
        )
    inner = scan_pickle(reader, ctx, member)
    findings = list(inner.findings)
    complete = inner.complete
    if reader.error is not None:
        complete = False
        code = "AISEC-CMP-001" if reader.error[0] is BombError else "AISEC-CMP-002"
        prefix = "decompression bomb: " if code == "AISEC-CMP-001" else ""
        findings.append(make_finding(code, prefix + reader.error[1],
                                     location=Location(member=member, offset=reader.consumed)))
    details = dict(inner.details)
    label = pickle_label(kind)
    details.update(
        compression=label, compressed_bytes=reader.consumed, decompressed_bytes=reader.produced
    )
    return FormatScan(
        format=f"{label}/{inner.format}",
        findings=tuple(findings),
        complete=complete,
        details=details,
    )


def _fail(member: str | None, code: str, message: str, kind: str) -> FormatScan:
    finding = make_finding(code, message, location=Location(member=member))
    label = pickle_label(kind)
    return FormatScan(
        format=f"{label}/pickle", findings=(finding,), complete=False,
        details={"compression": label},
    )


class _Prefixed:
    """``head`` followed by the rest of ``stream`` (after sniffing a non-seekable stream)."""

    def __init__(self, head: bytes, stream: Reader) -> None:
        self._head = head
        self._stream = stream

    def read(self, n: int = -1, /) -> bytes:
        if self._head:
            if n is None or n < 0:
                out = self._head + self._stream.read()
                self._head = b""
                return out
            out, self._head = self._head[:n], self._head[n:]
            if len(out) < n:
                out += self._stream.read(n - len(out))
            return out
        return self._stream.read(n)


def scan_compressed(stream: ByteSource, ctx: ScanContext, member: str | None = None, *,
                    kind: str) -> FormatScan:
    """gzip/bzip2/xz/lzma/zlib/lz4 (``kind``): a compressed tar is unpacked here, a pickle goes
    to the compressed-pickle scanner, anything else back through the context's router, one
    level deeper."""
    start = stream.tell()
    lim = ctx.limits
    inner = "unknown"
    if kind != "lz4":
        try:
            inner = sniff_format(Inflater(stream, kind, limit=lim.max_decompressed,
                                          max_ratio=lim.max_ratio).read(HEAD_SIZE))
        except (ValueError, OSError, EOFError):
            inner = "unknown"
        stream.seek(start)
    try:
        if inner == "tar":
            reader = Inflater(stream, kind, limit=lim.max_decompressed, max_ratio=lim.max_ratio)
            result = scan_tar(reader, ctx.deeper(), member)
        elif kind != "lz4" and inner not in ("pickle", "pytorch-legacy", "unknown"):
            reader = Inflater(stream, kind, limit=lim.max_decompressed, max_ratio=lim.max_ratio)
            result = ctx.deeper().scan(reader, member)
        else:
            result = scan_compressed_pickle(stream, ctx.deeper(), member, kind=kind)
    except InflateBomb as exc:
        result = broken(kind, "AISEC-ZIP-005", f"decompression bomb: {exc}", member=member)
    except (ValueError, OSError, EOFError) as exc:
        result = broken(kind, "AISEC-SCAN-002", f"corrupt {kind} data: {exc}", member=member)
    stream.seek(0, os.SEEK_END)
    named = result.format.startswith((kind, pickle_label(kind)))
    fmt = result.format if named else f"{kind}+{result.format}"
    return FormatScan(fmt, result.findings, result.complete, result.details)
