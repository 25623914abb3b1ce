"""Compressed streams: a compressed tar or other container is unpacked and scanned by content; a
compressed pickle (``.pkl.gz``, joblib ``compress=``) is streamed to the pickle VM.

A compressed pickle is decompressed on the fly, never whole into memory, and handed to the
joblib-aware pickle scanner. Decompression is bounded: total output by ``Limits.max_decompressed``,
and the output/input ratio by ``Limits.max_ratio`` once more than :data:`RATIO_FLOOR` bytes came
out (so a well-compressed array of zeros is fine, a bomb is not). Example::

    >>> import gzip, io, pickle
    >>> from aisec_nb.scan.policy import load_policy
    >>> data = gzip.compress(pickle.dumps({"w": [1.0]}))
    >>> scan = scan_compressed_stream(io.BytesIO(data), None, policy=load_policy())
    >>> scan.format, scan.complete, scan.findings
    ('gzip/pickle', True, ())

Compressions are named as :mod:`.sniff` names them (``bzip2``); the record keeps the spelling it
has always used (``bz2/pickle``, see :func:`~.sniff.pickle_label`).

Finding codes:

============= ======== =========================================================================
AISEC-CMP-001 medium   decompression bomb: output above the ratio or size limit (scan stops)
AISEC-CMP-002 medium   the compressed stream is corrupt or truncated
AISEC-CMP-003 medium   compression format not supported here (lz4 without the ``lz4`` package)
============= ======== =========================================================================
"""

from __future__ import annotations

import lzma
import os
import zlib
from typing import BinaryIO, NoReturn

from ...record import Finding, Location
from ..context import ScanContext, broken
from ..limits import DEFAULT_LIMITS, FormatScan, Limits, MiB
from ..pickle.machine import LimitHit, Malformed
from ..policy import Policy
from ..sniff import COMPRESSIONS, HEAD_SIZE, pickle_label, sniff_compression, sniff_format
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

    def __init__(self, raw: BinaryIO, kind: str, limits: Limits) -> None:
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

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = 1 << 62
        self._more(n)
        out, self._out = self._out[:n], self._out[n:]
        return out


def scan_compressed_stream(
    stream: BinaryIO,
    kind: str | None,
    *,
    policy: Policy,
    limits: Limits = DEFAULT_LIMITS,
    member: str | None = None,
    depth: int = 0,
) -> FormatScan:
    """Decompress ``stream`` (``kind`` one of :data:`~.sniff.COMPRESSIONS`, or None to sniff)
    and scan the pickle."""
    from ..pickle.vm import run_scan

    if kind is None:
        head = stream.read(8)
        kind = sniff_compression(head) or "unknown"
        stream = _Prefixed(head, stream)  # type: ignore[assignment]
    if kind not in COMPRESSIONS:
        return _fail(member, "AISEC-CMP-003", f"compression {kind!r} is not supported", kind)
    try:
        reader = InflatingReader(stream, kind, limits)
    except ImportError:
        return _fail(
            member,
            "AISEC-CMP-003",
            f"{kind} data needs the optional 'lz4' package to be scanned",
            kind,
        )
    inner = run_scan(
        reader,  # type: ignore[arg-type]
        policy=policy,
        limits=limits,
        member=member,
        single=False,
        depth=depth,
        on_build=None,
    )
    findings = list(inner.findings)
    complete = inner.complete
    if reader.error is not None:
        complete = False
        code = "AISEC-CMP-001" if reader.error[0] is BombError else "AISEC-CMP-002"
        prefix = "decompression bomb: " if code == "AISEC-CMP-001" else ""
        findings.append(
            Finding(
                code=code,
                severity="medium",
                message=prefix + reader.error[1],
                location=Location(member=member, offset=reader.consumed),
            )
        )
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
    finding = Finding(
        code=code, severity="medium", message=message, location=Location(member=member)
    )
    label = pickle_label(kind)
    return FormatScan(
        format=f"{label}/pickle", findings=(finding,), complete=False,
        details={"compression": label},
    )


class _Prefixed:
    """``head`` followed by the rest of ``stream`` (after sniffing a non-seekable stream)."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def read(self, n: int = -1) -> bytes:
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


def scan_compressed(stream: BinaryIO, kind: str, ctx: ScanContext,
                    member: str | None = None) -> FormatScan:
    """gzip/bzip2/xz/lzma/zlib/lz4: a compressed tar is unpacked here, anything else goes to
    the compressed-pickle scanner (or, inside, back through the dispatcher)."""
    from ..dispatch import scan_stream

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
            result = scan_tar(reader, ctx.deeper(), member)  # type: ignore[arg-type]
        elif kind != "lz4" and inner not in ("pickle", "pytorch-legacy", "unknown"):
            reader = Inflater(stream, kind, limit=lim.max_decompressed, max_ratio=lim.max_ratio)
            result = scan_stream(reader, ctx.deeper(), member)  # type: ignore[arg-type]
        else:
            result = scan_compressed_stream(stream, kind, policy=ctx.policy, limits=lim,
                                            member=member, depth=ctx.depth + 1)
    except InflateBomb as exc:
        result = broken(kind, "AISEC-ZIP-005", f"decompression bomb: {exc}", member=member)
    except (ValueError, OSError, EOFError) as exc:
        result = broken(kind, "AISEC-SCAN-002", f"corrupt {kind} data: {exc}", member=member)
    stream.seek(0, os.SEEK_END)
    named = result.format.startswith((kind, pickle_label(kind)))
    fmt = result.format if named else f"{kind}+{result.format}"
    return FormatScan(fmt, result.findings, result.complete, result.details)
