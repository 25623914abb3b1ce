"""The byte views parsers read through: seekable, read-only windows onto other streams.

Example::

    >>> import io
    >>> class Tail(SeekableView):
    ...     def __init__(self, data: bytes) -> None:
    ...         self.data = data
    ...     def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
    ...         self._pos = self._seek_target(offset, whence, len(self.data))
    ...         return self._pos
    >>> Tail(b"abc").seek(-1, os.SEEK_END)
    2
"""

from __future__ import annotations

import io
import os


class SeekableView(io.RawIOBase):
    """Base of the read-only, seekable byte views the parsers read through.

    Subclasses keep their position in ``_pos`` and implement ``readinto``.
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
        if whence == os.SEEK_SET:
            target = offset
        elif whence == os.SEEK_CUR:
            target = self._pos + offset
        elif whence == os.SEEK_END:
            target = size + offset
        else:
            msg = f"invalid whence {whence}"
            raise ValueError(msg)
        if target < 0:
            msg = "negative seek position"
            raise OSError(msg)
        return target
