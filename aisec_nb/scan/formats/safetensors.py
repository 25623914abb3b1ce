"""safetensors: check the header the way a strict loader should.

Layout: 8-byte little-endian header length N, N bytes of JSON, then the tensor bytes. We check
that N fits the file, the JSON is an object without duplicate keys, every tensor has a known
dtype, a shape and ``data_offsets`` that are in bounds, contiguous and cover the data exactly,
and that ``dtype size × prod(shape)`` equals the byte range. No tensor byte is parsed.

Example::

    >>> import json
    >>> from aisec_nb.scan.policy import load_policy
    >>> from aisec_nb.scan.source import MemorySource
    >>> head = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    >>> blob = len(head).to_bytes(8, "little") + head + bytes(8)
    >>> scan_safetensors(MemorySource(blob), ScanContext(load_policy())).findings
    ()
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from ...record import Finding
from ..context import ScanContext, finding, truncate
from ..limits import FormatScan
from ..source import ByteSource
from ..stop import ScanStop
from .tables import load_table

FORMAT = "safetensors"


class _Duplicate(ScanStop, ValueError):
    """A key the header JSON repeats."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def scan_safetensors(stream: ByteSource, ctx: ScanContext, member: str | None = None
                     ) -> FormatScan:
    """Validate a safetensors file read from ``stream`` (from its start to its end)."""
    limits = ctx.limits
    start = stream.tell()
    size = stream.seek(0, os.SEEK_END) - start
    stream.seek(start)
    raw_len = stream.read(8)
    if len(raw_len) < 8:
        return _bad("AISEC-ST-001", "file shorter than the 8-byte header length", member, size)
    n = int.from_bytes(raw_len, "little")
    if n > size - 8:
        msg = f"header claims {n:,} bytes but only {size - 8:,} follow"
        return _bad("AISEC-ST-001", msg, member, size)
    if n > limits.max_header:
        msg = f"header of {n:,} bytes is over the {limits.max_header:,}-byte limit"
        return _bad("AISEC-SCAN-003", msg, member, size)
    text = stream.read(n)
    try:
        header = json.loads(text.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except _Duplicate as dup:
        msg = f"header JSON repeats the key {truncate(str(dup), 80)!r}"
        return _bad("AISEC-ST-004", msg, member, size)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        msg = f"header is not valid JSON: {truncate(str(exc), 120)}"
        return _bad("AISEC-ST-004", msg, member, size)
    if not isinstance(header, dict):
        return _bad("AISEC-ST-004", "header JSON is not an object", member, size)
    data_size = size - 8 - n
    findings, tensors = _check_tensors(header, data_size, member)
    stream.seek(start + size)
    details: dict[str, Any] = {"tensors": tensors, "header_bytes": n, "data_bytes": data_size}
    meta = header.get("__metadata__")
    if isinstance(meta, dict):
        details["metadata_keys"] = sorted(str(k) for k in meta)[:50]
    return FormatScan(format=FORMAT, findings=tuple(findings), complete=not findings,
                      details=details)


def _check_tensors(
    header: dict[str, Any], data_size: int, member: str | None
) -> tuple[list[Finding], int]:
    bits = load_table("safetensors")["dtype_bits"]
    findings: list[Finding] = []
    spans: list[tuple[int, int, str]] = []
    meta = header.get("__metadata__")
    if meta is not None and not (
        isinstance(meta, dict) and all(isinstance(v, str) for v in meta.values())
    ):
        findings.append(finding("AISEC-ST-004", "__metadata__ must map strings to strings",
                                member=member, path="__metadata__"))
    for name, info in header.items():
        if name == "__metadata__":
            continue
        where = truncate(name, 120)
        if not isinstance(info, dict):
            findings.append(finding("AISEC-ST-004", "tensor entry is not an object",
                                    member=member, path=where))
            continue
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if not isinstance(dtype, str) or dtype not in bits:
            msg = f"unknown dtype {truncate(str(dtype), 40)!r}"
            findings.append(finding("AISEC-ST-003", msg, member=member, path=where))
            continue
        if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
            findings.append(finding("AISEC-ST-003", "shape is not a list of sizes",
                                    member=member, path=where))
            continue
        if not (isinstance(offsets, list) and len(offsets) == 2
                and all(isinstance(o, int) and o >= 0 for o in offsets)):
            findings.append(finding("AISEC-ST-002", "data_offsets is not [begin, end]",
                                    member=member, path=where))
            continue
        begin, end = offsets
        if begin > end or end > data_size:
            msg = f"data_offsets [{begin}, {end}] outside the {data_size:,}-byte data section"
            findings.append(finding("AISEC-ST-002", msg, member=member, path=where))
            continue
        total_bits = math.prod(shape) * bits[dtype]
        if total_bits % 8 or total_bits // 8 != end - begin:
            msg = (f"{dtype} × {shape} needs {total_bits / 8:g} bytes but data_offsets span "
                   f"{end - begin:,}")
            findings.append(finding("AISEC-ST-003", msg, member=member, path=where))
        spans.append((begin, end, where))
    spans.sort()
    cursor = 0
    for begin, end, where in spans:
        if begin != cursor:
            kind = "overlaps the previous tensor" if begin < cursor else f"leaves a gap at {cursor}"
            findings.append(finding("AISEC-ST-002", f"tensor data {kind}",
                                    member=member, path=where))
        cursor = max(cursor, end)
    if cursor != data_size and not findings:
        msg = f"tensors cover {cursor:,} of {data_size:,} data bytes; the rest is hidden data"
        findings.append(finding("AISEC-ST-002", msg, member=member))
    return findings, len(spans)


def _bad(code: str, message: str, member: str | None, size: int) -> FormatScan:
    return FormatScan(format=FORMAT, findings=(finding(code, message, member=member),),
                      complete=False, details={"size": size})
