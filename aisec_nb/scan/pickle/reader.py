"""A bounded, forward-only byte source for the pickle VM.

The VM reads opcodes from a :class:`Source`, which wraps the caller's byte source and only ever
calls ``read``, ``seek`` (forward, absolute), ``tell`` and ``seekable`` on it. Two modes:

* read-ahead (``exact=False``): reads 256 KiB chunks; used when the pickle runs to the end of the
  stream, so reading ahead costs nothing.
* exact (``exact=True``): never reads a byte past what the VM consumed, so a caller that stops at
  the first STOP (legacy torch files, ``numpy`` object arrays, joblib) finds the stream exactly
  after it.

Large arguments are skipped with ``seek`` when the stream can seek, so a pickle of multi-GB arrays
parses in flat memory. Example::

    >>> src = Source(io.BytesIO(b"\\x80\\x04N."), exact=False, max_bytes=100)
    >>> src.take(2), src.offset
    (b'\\x80\\x04', 2)
"""

from __future__ import annotations

import io

from ..source import ByteSource
from ..stop import ScanStop

CHUNK = 256 * 1024
SEEK_THRESHOLD = 64 * 1024
"""Arguments longer than this are skipped by seeking instead of read and dropped."""


MAX_SKIP = 1 << 60
"""No real file is this long: a larger argument length is a lie, reported as truncation."""


class Truncated(ScanStop):
    """The stream ended inside an opcode or its argument."""


class ParseLimit(ScanStop):
    """A bound on bytes parsed or a line length was reached."""


class Source:
    """Forward-only reader over a binary stream with absolute offsets."""

    __slots__ = (
        "_base",
        "_buf",
        "_exact",
        "_i",
        "_max",
        "_seekable",
        "_skipped",
        "_start",
        "_stream",
    )

    def __init__(self, stream: ByteSource, *, exact: bool, max_bytes: int) -> None:
        self._stream = stream
        self._exact = exact
        self._buf = b""
        self._i = 0
        try:
            self._base = int(stream.tell())
        except (OSError, AttributeError, ValueError):
            self._base = 0
        try:
            self._seekable = bool(stream.seekable())
        except (AttributeError, ValueError, OSError):
            self._seekable = False
        self._start = self._base
        self._skipped = 0
        self._max = max_bytes

    @property
    def offset(self) -> int:
        """Absolute offset of the next unread byte."""
        return self._base + self._i

    @property
    def seekable(self) -> bool:
        return self._seekable

    def _fill(self, n: int) -> bool:
        """Make ``n`` bytes available after the cursor; False when the stream ends first."""
        have = len(self._buf) - self._i
        if have >= n:
            return True
        self._base += self._i
        rest = self._buf[self._i :]
        want = n - have if self._exact else max(n - have, CHUNK)
        parts = [rest]
        got = have
        while got < n:
            data = self._stream.read(want)
            if not data:
                break
            parts.append(data)
            got += len(data)
            want = n - got if self._exact else max(n - got, CHUNK)
        self._buf = b"".join(parts)
        self._i = 0
        # Bytes parsed so far, checked per refill rather than per byte (the hot path).
        if self._base - self._skipped - self._start > self._max:
            raise ParseLimit(f"parsed more than {self._max} bytes")
        return got >= n

    def at_end(self) -> bool:
        """True when no byte is left."""
        return not self._fill(1)

    def byte(self) -> int:
        """The next byte."""
        if self._i >= len(self._buf) and not self._fill(1):
            raise Truncated
        b = self._buf[self._i]
        self._i += 1
        return b

    def take(self, n: int) -> bytes:
        """The next ``n`` bytes."""
        if not self._fill(n):
            raise Truncated
        out = self._buf[self._i : self._i + n]
        self._i += n
        return out

    def line(self, limit: int) -> bytes:
        """Bytes up to and without the next newline (at most ``limit`` bytes)."""
        if self._exact:
            return self._exact_line(limit)
        while True:
            nl = self._buf.find(b"\n", self._i)
            if nl >= 0:
                out = self._buf[self._i : nl]
                self._i = nl + 1
                return out
            have = len(self._buf) - self._i
            if have > limit:
                raise ParseLimit(f"a text argument is longer than {limit} bytes")
            if not self._fill(have + 1):
                raise Truncated

    def _exact_line(self, limit: int) -> bytes:
        out = bytearray()
        while True:
            b = self.byte()
            if b == 10:
                return bytes(out)
            out.append(b)
            if len(out) > limit:
                raise ParseLimit(f"a text argument is longer than {limit} bytes")

    def skip(self, n: int) -> None:
        """Move past ``n`` bytes without keeping them (seek when possible)."""
        self._skipped += n
        have = len(self._buf) - self._i
        if n <= have:
            self._i += n
            return
        if n > MAX_SKIP:
            raise Truncated
        if self._seekable and n - have > SEEK_THRESHOLD:
            target = self._base + self._i + n
            self._buf = b""
            self._i = 0
            # Confirm the last skipped byte exists: seeking past the end of a file succeeds.
            try:
                self._stream.seek(target - 1)
                last = self._stream.read(1)
            except (OSError, ValueError, OverflowError):
                last = b""
            if len(last) != 1:
                self._base = target
                raise Truncated
            self._base = target
            return
        left = n - have
        self._base += len(self._buf)
        self._buf = b""
        self._i = 0
        while left > 0:
            data = self._stream.read(min(left, CHUNK))
            if not data:
                raise Truncated
            self._base += len(data)
            left -= len(data)

    def read_at(self, offset: int, length: int) -> bytes | None:
        """Bytes at an earlier absolute offset (seekable streams only), then back to here."""
        if not self._seekable:
            return None
        here = self._base + len(self._buf)
        try:
            self._stream.seek(offset)
            data = self._stream.read(length)
            self._stream.seek(here)
        except (OSError, ValueError):
            return None
        return data if len(data) == length else None


def memory_source(data: bytes) -> Source:
    """A source over bytes in memory."""
    return Source(io.BytesIO(data), exact=False, max_bytes=len(data) + 1)
