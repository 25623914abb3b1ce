"""The scan results the guard decides on: a file or folder, or the one pickle a loader reads.

Every scan is the scanner's, with the project's policy; nothing here unpickles.

    >>> import pickle
    >>> check_pickle_bytes(pickle.dumps([1, 2]), "<bytes>").verdict
    'pass'
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..record import CheckResult


def check_path(path: str | os.PathLike[str]) -> CheckResult:
    """The scan result for a file or folder, with the project's policy."""
    from ..scan import scan_path

    return scan_path(os.fspath(path))


def check_pickle_bytes(data: bytes, label: str) -> CheckResult:
    """A scan result for one in-memory pickle (what ``pickle.loads`` reads)."""
    return check_pickle_stream(io.BytesIO(data), label)


def check_pickle_stream(fh: Any, label: str) -> CheckResult:
    """A scan result for the one pickle at ``fh``'s position (what ``pickle.load`` reads).

    ``fh`` must be seekable; it is left where it was.
    """
    from .._version import __version__
    from ..record import CheckResult, Target, ToolInfo, utc_now

    # Not (yet) in aisec_nb.scan's public API: one pickle scanned from a stream position.
    from ..scan.api import scan_pickle_stream, verdict_of
    from ..scan.policy import project_policy

    started, clock = utc_now(), time.perf_counter()
    policy = project_policy()
    start = fh.tell()
    scan = scan_pickle_stream(fh, policy=policy, single=True)
    size = fh.tell() - start
    fh.seek(start)
    digest = hashlib.sha256()
    left = size
    while left > 0:
        chunk = fh.read(min(left, 1 << 20))
        if not chunk:
            break
        digest.update(chunk)
        left -= len(chunk)
    fh.seek(start)  # the loader reads the same bytes next
    return CheckResult(
        id=f"model:{label}",
        kind="model",
        target=Target(kind="stream", name=label, size=size, sha256=digest.hexdigest()),
        verdict=verdict_of(scan.findings, scan.complete),
        findings=scan.findings,
        tool=ToolInfo(name="aisec-nb", version=__version__),
        started_at=started,
        duration_s=round(time.perf_counter() - clock, 6),
        recorded_at=utc_now(),
        parameters={"policy": policy.describe()},
        summary={"format": scan.format, "details": scan.details, "complete": scan.complete},
    )
