"""Legacy (pre-1.6, non-zip) ``torch.save`` files: stacked pickles, then raw storage bytes.

``torch.load`` unpickles exactly five pickles in a row (magic number, protocol version,
``sys_info``, the object, the storage keys) and then copies raw storage bytes, so we scan those
five with the pickle VM and hash the rest. The zip and tar layouts are handled with the other
containers (:mod:`aisec_nb.scan.containers`).

Example::

    >>> LEGACY_PICKLES
    ('magic number', 'protocol version', 'sys_info', 'object', 'storage keys')
"""

from __future__ import annotations

import os
from typing import Any, BinaryIO

from ..record import Finding
from .context import ScanContext, finding
from .limits import FormatScan

FORMAT = "pytorch-legacy"
LEGACY_PICKLES = ("magic number", "protocol version", "sys_info", "object", "storage keys")


def scan_legacy(stream: BinaryIO, ctx: ScanContext, member: str | None = None) -> FormatScan:
    """Scan the five pickles ``torch.load`` reads from a legacy file."""
    from .pickle_vm import scan_pickle_stream

    findings: list[Finding] = []
    complete = True
    parts: list[dict[str, Any]] = []
    for role in LEGACY_PICKLES:
        at = stream.tell()
        if not stream.read(1):
            findings.append(finding("AISEC-SCAN-002", "high", f"file ends before the {role} "
                                    "pickle", member=member, offset=at))
            complete = False
            break
        stream.seek(at)
        result = scan_pickle_stream(stream, policy=ctx.policy, limits=ctx.limits, member=member,
                                    single=True, depth=ctx.depth)
        findings.extend(result.findings)
        parts.append({"role": role, "offset": at, "complete": result.complete,
                      "globals": list(result.details.get("globals", []))[:50]})
        if not result.complete:
            complete = False
            break
    data_at = stream.tell()
    stream.seek(0, os.SEEK_END)
    return FormatScan(FORMAT, tuple(findings), complete=complete,
                      details={"pickles": parts, "storage_bytes_at": data_at})
