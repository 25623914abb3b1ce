"""Tar archives (plain, compressed, and the legacy PyTorch tar layout): every regular member
scanned by content; links, devices and unsafe names are findings.

Example::

    >>> import io, tarfile
    >>> from aisec_nb.scan.policy import load_policy
    >>> buf = io.BytesIO()
    >>> with tarfile.open(fileobj=buf, mode="w") as t:
    ...     info = tarfile.TarInfo("notes.txt"); info.size = 2
    ...     t.addfile(info, io.BytesIO(b"hi"))
    >>> _ = buf.seek(0)
    >>> from aisec_nb.scan.dispatch import scan_stream
    >>> scan = scan_tar(buf, ScanContext(load_policy(), rescan=scan_stream))
    >>> scan.details["members"], scan.findings
    (1, ())
"""

from __future__ import annotations

import os
import tarfile
from typing import Any

from ...record import Finding, Severity
from ..context import ScanContext, finding, truncate
from ..formats.pytorch import scan_tar_records
from ..limits import FormatScan
from ..source import ByteSource, as_file
from .inflate import BombError
from .zip import MAX_LISTED, _join, unsafe_name


def scan_tar(stream: ByteSource, ctx: ScanContext, member: str | None = None) -> FormatScan:
    """Scan every regular member of a tar (by content, through the context's router, one level
    deeper); links, devices and unsafe names are findings."""

    findings: list[Finding] = []
    complete = True
    names: list[str] = []
    listed: list[dict[str, Any]] = []
    try:
        with tarfile.open(fileobj=as_file(stream), mode="r:") as archive:
            for info in archive:
                label = _join(member, info.name)
                shown = truncate(label, 200)
                names.append(info.name)
                if len(names) > ctx.limits.max_members:
                    findings.append(finding("AISEC-ZIP-006", f"more than "
                                            f"{ctx.limits.max_members:,} members; the rest "
                                            "were not checked", member=member))
                    complete = False
                    break
                why = unsafe_name(info.name)
                if why is not None:
                    findings.append(finding("AISEC-ZIP-004", f"member name {why}",
                                            member=shown))
                if info.issym() or info.islnk():
                    target = truncate(info.linkname, 120)
                    severity: Severity = "high" if unsafe_name(info.linkname) else "medium"
                    findings.append(finding("AISEC-TAR-001", f"link to {target!r}",
                                            member=shown, severity=severity))
                    continue
                if info.isdir():
                    continue
                if not info.isfile():
                    findings.append(finding("AISEC-TAR-001", "device, FIFO or other "
                                            "special member", member=shown))
                    continue
                handle = archive.extractfile(info)
                if handle is None:
                    continue
                if info.name in ("storages", "tensors"):
                    result = scan_tar_records(handle, ctx.deeper(), label, info.name)
                else:
                    result = ctx.deeper().scan(handle, label)
                findings.extend(result.findings)
                complete = complete and result.complete
                if len(listed) < MAX_LISTED:
                    listed.append({"name": truncate(info.name, 200), "format": result.format,
                                   "size": info.size})
    except BombError as exc:
        findings.append(finding("AISEC-ZIP-005", f"decompression bomb: {exc}",
                                member=member))
        complete = False
    except (tarfile.TarError, ValueError, OSError, EOFError) as exc:
        findings.append(finding("AISEC-SCAN-002", f"tar cannot be read: "
                                f"{truncate(str(exc), 160)}", member=member))
        complete = False
    kind = "pytorch-tar" if {"sys_info", "pickle", "storages"} <= set(names) else "tar"
    stream.seek(0, os.SEEK_END)
    return FormatScan(kind, tuple(findings), complete=complete,
                      details={"members": len(names), "listed": listed})
