"""What every parser reads from: the :class:`ByteSource` protocol, its in-memory twin, and the
seekable views the scanner builds (an archive member's window, a full file object for the
libraries that want more than the protocol).

A parser reads a source from its current position, may ask where it is and seek (forward and
back), and asks :meth:`ByteSource.seekable` before relying on seeks. Nothing else: a parser that
needs a complete file object for a library (``tarfile``, ``h5py``) wraps the source with
:func:`as_file`. Tests read through :class:`MemorySource`, which has the protocol's four methods
and nothing more, so a parser that relies on anything else fails there.

Example::

    >>> src = MemorySource(b"hello world")
    >>> _ = src.seek(6); src.read(5), src.tell()
    (b'world', 11)
    >>> w = Window(src, 6, 3)
    >>> w.read(), w.seek(0, os.SEEK_END)
    (b'wor', 3)
"""

from __future__ import annotations

import io
import os
from abc import abstractmethod
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # a typing-only module: the buffer types of the io signatures
    from _typeshed import WriteableBuffer


class Reader(Protocol):
    """Bytes read front to back, nothing more (what a decompressor reads its input from)."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes from the current position (to the end when negative)."""
        ...


class ByteSource(Reader, Protocol):
    """What every parser reads: bytes from a position, the position, and seeks.

    Files, ``io.BytesIO``, archive members and the scanner's views all are byte sources.
    """

    def seek(self, offset: int, whence: int = os.SEEK_SET, /) -> int:
        """Move to ``offset`` (from the start, the current position or the end); the new
        position."""
        ...

    def tell(self) -> int:
        """The current position."""
        ...

    def seekable(self) -> bool:
        """Whether :meth:`seek` works (a decompressing stream may only read forward)."""
        ...


def seek_target(position: int, offset: int, whence: int, size: int) -> int:
    """The absolute position ``seek(offset, whence)`` asks for from ``position`` in ``size``
    bytes. Raises ``OSError`` for a position before the start, as files do."""
    if whence == os.SEEK_SET:
        target = offset
    elif whence == os.SEEK_CUR:
        target = position + offset
    elif whence == os.SEEK_END:
        target = size + offset
    else:
        msg = f"invalid whence {whence}"
        raise io.UnsupportedOperation(msg)
    if target < 0:
        msg = "negative seek position"
        raise OSError(msg)
    return target


class MemorySource:
    """A :class:`ByteSource` over bytes in memory: the protocol's four methods and nothing else.

    The in-memory twin of a file for tests: a parser that reads through it uses only the
    protocol.
    """

    def __init__(self, data: bytes) -> None:
        self._data = bytes(data)
        self._pos = 0

    def read(self, size: int = -1, /) -> bytes:
        end = len(self._data) if size is None or size < 0 else self._pos + size
        out = self._data[self._pos : end]
        self._pos += len(out)
        return out

    def seek(self, offset: int, whence: int = os.SEEK_SET, /) -> int:
        self._pos = seek_target(self._pos, offset, whence, len(self._data))
        return self._pos

    def tell(self) -> int:
        return self._pos

    def seekable(self) -> bool:
        return True


class SeekableView(io.RawIOBase):
    """Base of the read-only, seekable byte views the scanner builds over other streams.

    A view is a complete binary file object (so libraries can be handed one) and a
    :class:`ByteSource`. Subclasses keep their position in ``_pos`` and implement ``seek`` and
    ``read``; ``readinto`` is built on ``read`` unless a subclass has a faster one.
    """

    _pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def _seek_target(self, offset: int, whence: int, size: int) -> int:
        """The absolute position ``seek(offset, whence)`` asks for, in a view of ``size`` bytes."""
        return seek_target(self._pos, offset, whence, size)

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        """Read into ``buffer``; the number of bytes read (0 at the end)."""
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    @abstractmethod
    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes from the current position (to the end when negative)."""


class Window(SeekableView):
    """A read-only view of ``length`` bytes of ``base`` starting at ``start`` (an archive member).

    Reads never leave the window, so a parser sees the member's end as end of file.
    """

    def __init__(self, base: ByteSource, start: int, length: int) -> None:
        super().__init__()
        self._base = base
        self._start = start
        self.size = max(length, 0)
        self._pos = 0

    def seek(self, offset: int, whence: int = os.SEEK_SET, /) -> int:
        self._pos = self._seek_target(offset, whence, self.size)
        return self._pos

    def read(self, size: int = -1, /) -> bytes:
        if size is None or size < 0:
            size = max(self.size - self._pos, 0)
        size = min(size, max(self.size - self._pos, 0))
        if size <= 0:
            return b""
        self._base.seek(self._start + self._pos)
        data = self._base.read(size)
        self._pos += len(data)
        return data


class FileView(SeekableView):
    """A complete file object over a :class:`ByteSource`, reading and seeking it one to one
    (positions are the source's), for libraries that want more than the protocol."""

    def __init__(self, source: ByteSource) -> None:
        super().__init__()
        self._source = source

    def tell(self) -> int:
        return self._source.tell()

    def seekable(self) -> bool:
        return self._source.seekable()

    def seek(self, offset: int, whence: int = os.SEEK_SET, /) -> int:
        return self._source.seek(offset, whence)

    def read(self, size: int = -1, /) -> bytes:
        return self._source.read(size)


def as_file(source: ByteSource) -> SeekableView:
    """``source`` as a complete binary file object (itself when it is a view already)."""
    return source if isinstance(source, SeekableView) else FileView(source)
