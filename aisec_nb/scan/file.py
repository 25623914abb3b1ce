"""One file on disk, parsed and hashed in one read: what the parsers found plus its digest.

A parser that crashes does not end the scan: its exception becomes an AISEC-SCAN-007 finding
and the file counts as not fully checked. Only an unreadable file raises (``OSError``).

Example::

    >>> import pathlib, tempfile
    >>> from aisec_nb.scan.policy import load_policy
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "config.json"
    >>> _ = p.write_text("{}")
    >>> outcome = scan_file(p, ScanContext(load_policy()))
    >>> outcome.scan.format, outcome.size
    ('json', 2)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .ahead import HashAhead, identity
from .context import ScanContext, finding, truncate
from .dispatch import scan_stream
from .hashing import HashingReader, Progress
from .limits import FormatScan


@dataclass(frozen=True)
class FileOutcome:
    """One file scanned: what the parsers found plus its digest."""

    scan: FormatScan
    sha256: str
    size: int
    bytes_parsed: int


def scan_file(path: Path, ctx: ScanContext, progress: Progress | None = None,
              ahead: HashAhead | None = None) -> FileOutcome:
    """Parse and hash one file in one pass (or parse it while ``ahead`` hashes it on a thread).
    Raises ``OSError`` if it cannot be opened."""
    if ahead is not None:
        outcome = _with_ahead(path, ctx, ahead)
        if outcome is not None:
            return outcome
    with path.open("rb") as fh:
        reader = HashingReader(fh, progress=progress)
        try:
            scan = _guarded(reader, ctx)
        finally:
            digest = reader.finish()
    return FileOutcome(scan, digest, reader.hashed, reader.bytes_read)


def _with_ahead(path: Path, ctx: ScanContext, ahead: HashAhead) -> FileOutcome | None:
    """The scan of ``path`` with the digest the thread computed, or None when the thread and
    the parser may not have seen the same bytes (then the caller scans in one pass)."""
    with path.open("rb") as fh:
        seen = identity(os.fstat(fh.fileno()))
        reader = HashingReader(fh, hashing=False)
        scan = _guarded(reader, ctx)
        after = identity(os.fstat(fh.fileno()))
    hashed = ahead.result()
    if hashed is None or not hashed.before == hashed.after == seen == after or (
            hashed.size != seen[2]):
        return None
    return FileOutcome(scan, hashed.sha256, hashed.size, reader.bytes_read)


def _guarded(reader: HashingReader, ctx: ScanContext) -> FormatScan:
    try:
        return scan_stream(reader, ctx)
    except (RecursionError, MemoryError) as exc:
        msg = f"parser stopped: {type(exc).__name__}"
    except OSError as exc:
        raise exc
    except Exception as exc:
        msg = f"internal parser error ({type(exc).__name__}: {truncate(str(exc), 120)})"
    return FormatScan("unknown", (finding("AISEC-SCAN-007", msg),), complete=False)
