"""SHA-256 in the same read as parsing, and the OpenSSF model-signing root digest of a folder.

Parsers read a file through a :class:`HashingReader`. It hashes every byte exactly once, in file
order, whether the parser reads it or skips it with ``seek``: skipped bytes are hashed in fixed
chunks when the parser reads past them (or at :meth:`HashingReader.finish`), so memory stays flat
whatever the file size. Bytes the parser reads twice (seeking backwards) are hashed once.

Example::

    >>> import io
    >>> r = HashingReader(io.BytesIO(b"abcdef"))
    >>> _ = r.seek(4); r.read(2)
    b'ef'
    >>> r.finish() == hashlib.sha256(b"abcdef").hexdigest()
    True
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .source import SeekableView

if TYPE_CHECKING:  # a typing-only module: the buffer types of the io signatures
    from _typeshed import WriteableBuffer

CHUNK = 1024 * 1024
"""Read size for hashing skipped bytes; big enough that hashing, not Python, sets the pace."""

IGNORED_NAMES = frozenset({"model.sig", ".git", ".github", ".gitignore", ".gitattributes"})
"""Names model-signing leaves out of a folder's digest by default (plus the signature itself)."""
NOTEBOOK_SUFFIX = ".ipynb"


def left_out(name: str, *, is_dir: bool) -> bool:
    """Whether a folder scan leaves this entry out of its target: a hidden folder (its name
    starts with a dot: ``.ipynb_checkpoints``, ``.cache``, ``.git``) or a notebook. Neither is
    a model file, and the notebook running the scan (and its checkpoints) changes on every save,
    which would make the folder's evidence stale at once.

    >>> left_out(".ipynb_checkpoints", is_dir=True), left_out("train.ipynb", is_dir=False)
    (True, True)
    >>> left_out(".gitattributes", is_dir=False), left_out("weights", is_dir=True)
    (False, False)
    """
    return name.startswith(".") if is_dir else name.endswith(NOTEBOOK_SUFFIX)

Progress = Callable[[int], None]
"""Called with the number of bytes newly hashed."""


class HashingReader(SeekableView):
    """A read-only, seekable view of ``raw`` that SHA-256-hashes the whole file in one pass.

    ``hashing=False`` makes it a plain view (the digest comes from elsewhere, see
    :mod:`~aisec_nb.scan.ahead`): bytes the parser skips are then never read.
    """

    def __init__(self, raw: io.BufferedIOBase, *, progress: Progress | None = None,
                 hashing: bool = True) -> None:
        super().__init__()
        self._hashing = hashing
        self._raw = raw
        self._digest = hashlib.sha256()
        self._pos = 0
        self._raw_pos = raw.tell()
        self._hashed = 0
        self._progress = progress
        self._buffer = bytearray(CHUNK)
        self.bytes_read = 0
        """Bytes handed to the parser (re-reads counted again): what parsing cost."""
        raw.seek(0, os.SEEK_END)
        self.size = raw.tell()
        raw.seek(self._raw_pos)

    # -- io.RawIOBase protocol ------------------------------------------------------------------
    def seek(self, offset: int, whence: int = os.SEEK_SET, /) -> int:
        self._pos = self._seek_target(offset, whence, self.size)
        return self._pos

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")
        if not self._hashing:
            self._raw_at(self._pos)
            n = self._raw.readinto(view) or 0
            self._raw_pos += n
            self._pos += n
            self.bytes_read += n
            return n
        if self._pos > self._hashed:
            self._hash_to(self._pos)
            if self._pos > self._hashed:
                return 0  # sought past the end of the file
        self._raw_at(self._pos)
        n = self._raw.readinto(view) or 0
        self._raw_pos += n
        end = self._pos + n
        if end > self._hashed:
            fresh = view[self._hashed - self._pos : n]
            self._digest.update(fresh)
            self._note(len(fresh))
            self._hashed = end
        self._pos = end
        self.bytes_read += n
        return n

    def read(self, size: int = -1, /) -> bytes:
        if size is None or size < 0:
            size = max(self.size - self._pos, 0)
        if size == 0:
            return b""
        out = bytearray(size)
        got = 0
        view = memoryview(out)
        while got < size:
            n = self.readinto(view[got:])
            if n == 0:
                break
            got += n
        del view
        return bytes(out[:got]) if got < size else bytes(out)

    # -- hashing ---------------------------------------------------------------------------------
    def _raw_at(self, position: int) -> None:
        if self._raw_pos != position:
            self._raw.seek(position)
            self._raw_pos = position

    def _note(self, n: int) -> None:
        if self._progress is not None and n:
            self._progress(n)

    def _hash_to(self, stop: int | None) -> None:
        """Hash from the hashed prefix up to ``stop`` (``None``: end of file)."""
        self._raw_at(self._hashed)
        view = memoryview(self._buffer)
        while stop is None or self._hashed < stop:
            want = CHUNK if stop is None else min(CHUNK, stop - self._hashed)
            n = self._raw.readinto(view[:want]) or 0
            if n == 0:
                break
            self._digest.update(view[:n])
            self._hashed += n
            self._raw_pos += n
            self._note(n)

    def finish(self) -> str:
        """Hash whatever was not read yet and return the file's SHA-256 hex digest (``""``
        for a view that does not hash)."""
        if not self._hashing:
            return ""
        self._hash_to(None)
        self.size = max(self.size, self._hashed)
        return self._digest.hexdigest()

    @property
    def hashed(self) -> int:
        """Bytes hashed so far (the file's size once :meth:`finish` ran)."""
        return self._hashed


def sha256_file(path: Path, progress: Progress | None = None) -> tuple[str, int]:
    """SHA-256 hex digest and size of a file, read in fixed chunks.

    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "x"; _ = p.write_bytes(b"")
    >>> sha256_file(p)[1]
    0
    """
    with path.open("rb") as fh:
        reader = HashingReader(fh, progress=progress)
        digest = reader.finish()
        return digest, reader.hashed


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 hex digest and size of a file, read in 1 MiB chunks."""
    return sha256_file(path)


def root_digest(file_digests: Iterable[tuple[str, str]]) -> str:
    """The model-signing root digest: SHA-256 over the raw per-file digests in name order.

    ``file_digests`` holds ``(posix relative name, sha256 hex)`` pairs.

    >>> root_digest([("b", "00" * 32), ("a", "11" * 32)]) == hashlib.sha256(
    ...     bytes.fromhex("11" * 32) + bytes.fromhex("00" * 32)).hexdigest()
    True
    """
    outer = hashlib.sha256()
    for _, hexdigest in sorted(file_digests):
        outer.update(bytes.fromhex(hexdigest))
    return outer.hexdigest()


def signed_files(folder: Path, *, max_files: int) -> Iterator[tuple[str, Path]]:
    """``(relative posix name, path)`` of every regular file of a folder's target, sorted: the
    files model-signing would hash, less what a folder scan leaves out (:func:`left_out`).

    Symbolic links are not followed (model-signing refuses them by default) and are not listed;
    the folder scan reports them. Raises ``OverflowError`` past ``max_files``.
    """
    found: list[tuple[str, Path]] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                if entry.name in IGNORED_NAMES or entry.is_symlink():
                    continue
                if left_out(entry.name, is_dir=entry.is_dir(follow_symlinks=False)):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    rel = PurePosixPath(Path(entry.path).relative_to(folder).as_posix())
                    found.append((str(rel), Path(entry.path)))
                    if len(found) > max_files:
                        msg = f"more than {max_files} files"
                        raise OverflowError(msg)
    found.sort()
    yield from found


def directory_digest(path: str | Path, *, max_files: int = 100_000) -> str:
    """The OpenSSF model-signing (v1.0, ``files`` serialization, SHA-256) root digest of a
    folder's target, over exactly the files a folder scan hashes (:func:`signed_files`).

    This is what ``Target.sha256`` holds for a folder scan, so the linter re-checks staleness
    with it: saving the notebook that ran the scan (left out of the target) changes nothing.
    """
    folder = Path(path)
    pairs = [(name, sha256_file(p)[0]) for name, p in signed_files(folder, max_files=max_files)]
    return root_digest(pairs)
