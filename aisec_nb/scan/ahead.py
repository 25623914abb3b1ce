"""A head start for hashing a big file: a thread computes its SHA-256 while the scanner is still
importing and then parsing, so a scan costs about one read of the file, not a read plus the
imports plus the parse.

The scanner's one-pass :class:`~aisec_nb.scan.hashing.HashingReader` hashes every byte as the
parser reads or skips it; for a multi-gigabyte checkpoint that is the whole cost of a scan, and
it only starts after the scanner's modules (pydantic, the rule catalogue, the parsers) are
imported. :func:`start` opens the file and hashes it on a thread before any of that: ``hashlib``
and file reads release the GIL, so hashing runs on another core while the main thread imports and
parses. The parser then reads the file without hashing (skipped tensor bytes are never read), and
the scan takes the thread's digest, after checking that both saw the same file unchanged
(device, inode, size and modification time before and after); otherwise the file is scanned again
in one pass. Memory stays flat: one 8 MiB buffer. Only the standard library is imported here.

The thread needs the GIL back after each chunk, and a main thread busy importing gives it up only
at the switch interval (5 ms by default), which would stall the hashing for most of the import.
While a head start runs (:func:`quick_switching`) the interval is 0.5 ms, restored afterwards.

    >>> import hashlib, pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.bin"
    >>> _ = p.write_bytes(b"abc" * 1000)
    >>> job = HashAhead(p)
    >>> done = job.result()
    >>> done is not None and done.sha256 == hashlib.sha256(b"abc" * 1000).hexdigest()
    True
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

AHEAD_FROM = 32 * 1024 * 1024
"""Files from this size get a hashing thread; below it the one-pass reader is as fast."""
CHUNK = 8 * 1024 * 1024
SWITCH_INTERVAL = 0.0005
"""The interpreter's thread switch interval while a head start runs (the default is 5 ms)."""


@dataclass(frozen=True)
class Hashed:
    """What the thread found: the digest and size of the file it read, and that file's
    identity before and after (what the parser's file must match)."""

    sha256: str
    size: int
    before: tuple[int, int, int, int]
    after: tuple[int, int, int, int]


def identity(st: os.stat_result) -> tuple[int, int, int, int]:
    """(device, inode, size, modification time in ns): a file changed or replaced differs."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class HashAhead:
    """SHA-256 of a file, computed on a daemon thread from the moment it is made."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._fh = Path(path).open("rb")  # noqa: SIM115 - closed by the thread
        self._before = identity(os.fstat(self._fh.fileno()))
        self._result: Hashed | None = None
        self._thread = threading.Thread(target=self._run, name="aisec-hash-ahead", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        digest = hashlib.sha256()
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        size = 0
        try:
            with self._fh as fh:
                while n := fh.readinto(view):
                    digest.update(view[:n])
                    size += n
                after = identity(os.fstat(fh.fileno()))
        except OSError:
            return
        self._result = Hashed(digest.hexdigest(), size, self._before, after)

    def result(self) -> Hashed | None:
        """Wait for the thread; its digest, or None if the file could not be read through."""
        self._thread.join()
        return self._result


def start(path: str | os.PathLike[str]) -> HashAhead | None:
    """A hashing thread for ``path`` when it is a regular file of at least :data:`AHEAD_FROM`
    bytes, else None (a folder, a small file, something that cannot be opened)."""
    try:
        st = Path(path).stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size < AHEAD_FROM:
            return None
        return HashAhead(path)
    except (OSError, ValueError):
        return None


_SWITCHING = {"active": 0, "saved": 0.0}
_SWITCHING_LOCK = threading.Lock()


@contextlib.contextmanager
def quick_switching() -> Iterator[None]:
    """A short thread switch interval for the duration (nested and concurrent uses share one
    change; the last one out restores the interpreter's own)."""
    with _SWITCHING_LOCK:
        if not _SWITCHING["active"]:
            _SWITCHING["saved"] = sys.getswitchinterval()
            sys.setswitchinterval(min(_SWITCHING["saved"], SWITCH_INTERVAL))
        _SWITCHING["active"] += 1
    try:
        yield
    finally:
        with _SWITCHING_LOCK:
            _SWITCHING["active"] -= 1
            if not _SWITCHING["active"]:
                sys.setswitchinterval(_SWITCHING["saved"])
