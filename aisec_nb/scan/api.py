"""The scanner's public entry points."""

from __future__ import annotations

import time
from pathlib import Path

from .._version import __version__
from ..errors import UnreadableInputError
from ..record import CheckResult, Finding, Target, ToolInfo, utc_now
from .sniff import hash_file, sniff_format


def scan_model_file(path: str | Path) -> CheckResult:
    """Scan one model file; see :func:`scan_path`."""
    return scan_path(path)


def scan_path(path: str | Path) -> CheckResult:
    """Identify a model file by content and hash it.

    The result's ``id`` is ``model:<path as given>``. A format this version cannot check for
    payloads yields ``warn``: not fully checked is never clean.
    """
    given = str(path)
    p = Path(path)
    started = utc_now()
    clock = time.perf_counter()
    try:
        with p.open("rb") as fh:
            head = fh.read(512)
        sha256, size = hash_file(p)
    except FileNotFoundError:
        raise UnreadableInputError(given, "no such file") from None
    except IsADirectoryError:
        raise UnreadableInputError(given, "is a folder; scanning folders is not supported yet") from None
    except OSError as exc:
        raise UnreadableInputError(given, f"cannot be read: {exc.strerror}") from None
    fmt = sniff_format(head)
    findings = (
        Finding(
            code="AISEC-SCAN-000",
            severity="medium",
            message=f"format {fmt!r} identified by content; payload analysis is not available",
        ),
    )
    return CheckResult(
        id=f"model:{given}",
        kind="model",
        target=Target(kind="file", path=given, size=size, sha256=sha256),
        verdict="warn",
        findings=findings,
        tool=ToolInfo(name="aisec-nb", version=__version__),
        started_at=started,
        duration_s=round(time.perf_counter() - clock, 6),
        recorded_at=utc_now(),
        parameters={},
        summary={"format": fmt},
    )
