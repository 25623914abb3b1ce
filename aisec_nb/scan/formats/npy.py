"""NumPy ``.npy``: header parsing, data-size check, and the pickle inside object arrays.

An ``.npy`` file is a magic string, a version, a Python-literal header dict and the array bytes.
For an array of Python objects the "bytes" are a pickle, which ``numpy.load(allow_pickle=True)``
unpickles; it is scanned with the pickle VM. The header is read with :func:`ast.literal_eval`
(as NumPy does), bounded in size. Example::

    >>> from aisec_nb.scan.policy import load_policy
    >>> from aisec_nb.scan.source import MemorySource
    >>> hdr = b"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"
    >>> hdr += b" " * (117 - len(hdr)) + b"\\n"
    >>> data = b"\\x93NUMPY\\x01\\x00" + len(hdr).to_bytes(2, "little") + hdr + bytes(16)
    >>> scan_npy(MemorySource(data), ScanContext(load_policy())).complete
    True

Its finding codes (AISEC-NPY-*) are in the rule catalogue: ``aisec-nb rules``.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from ...record import Finding, Location
from ...rules.findings import make_finding
from ..context import ScanContext
from ..limits import FormatScan
from ..pickle.vm import scan_pickle
from ..sniff import NUMPY_MAGIC
from ..source import ByteSource
from ..stop import ScanStop

_DESCR = re.compile(r"^[<>|=]?([a-zA-Z?])(\d*)(\[[A-Za-z0-9]+\])?$")
_CHAR_SIZES = {
    "b": 1,
    "B": 1,
    "h": 2,
    "H": 2,
    "i": 4,
    "I": 4,
    "l": 8,
    "L": 8,
    "q": 8,
    "Q": 8,
    "e": 2,
    "f": 4,
    "d": 8,
    "g": 16,
    "F": 8,
    "D": 16,
    "G": 32,
    "?": 1,
    "M": 8,
    "m": 8,
    "O": 8,
}
MAX_FIELDS = 10_000
MAX_NESTING = 32
SKIP_CHUNK = 1 << 20


class DescrError(ScanStop, ValueError):
    """A dtype description this parser does not accept."""


def descr_itemsize(
    descr: Any, _depth: int = 0, _count: list[int] | None = None
) -> tuple[int, bool]:
    """``(itemsize, has_object)`` of an ``.npy`` ``descr`` (a dtype string or field list).

    >>> descr_itemsize("<f8"), descr_itemsize("<U5"), descr_itemsize([("a", "<i4"), ("b", "|O")])
    ((8, False), (20, False), (12, True))
    """
    count = _count if _count is not None else [0]
    if _depth > MAX_NESTING:
        raise DescrError("structured dtype nested too deeply")
    if isinstance(descr, str):
        match = _DESCR.match(descr)
        if match is None:
            raise DescrError(f"unknown dtype {descr[:40]!r}")
        char, digits = match.group(1), match.group(2)
        if char == "O":
            return 8, True
        if digits:
            n = int(digits)
            return (4 * n if char == "U" else n), False
        if char in _CHAR_SIZES:
            return _CHAR_SIZES[char], False
        raise DescrError(f"dtype {descr[:40]!r} has no size")
    if isinstance(descr, list):
        total, has_object = 0, False
        for field in descr:
            count[0] += 1
            if count[0] > MAX_FIELDS:
                raise DescrError(f"more than {MAX_FIELDS} fields")
            if not isinstance(field, tuple) or len(field) not in (2, 3):
                raise DescrError("a field is not a (name, dtype[, shape]) tuple")
            size, obj = descr_itemsize(field[1], _depth + 1, count)
            if len(field) == 3:
                size *= _count_of(field[2])
            total += size
            has_object = has_object or obj
        return total, has_object
    raise DescrError(f"descr is a {type(descr).__name__}, not a string or a field list")


def _count_of(shape: Any) -> int:
    if isinstance(shape, int) and not isinstance(shape, bool) and shape >= 0:
        return shape
    if not isinstance(shape, tuple) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
    ):
        raise DescrError("shape is not a tuple of non-negative integers")
    n = 1
    for d in shape:
        n *= d
    return n


def parse_header(head: bytes) -> tuple[Any, int, bool, int]:
    """``(descr, itemsize, has_object, count)`` from the header literal; raises DescrError."""
    try:
        text = head.decode("utf-8")
        value = ast.literal_eval(text)
    except (UnicodeDecodeError, ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        raise DescrError("the header is not a Python dict literal") from None
    if not isinstance(value, dict) or set(value) != {"descr", "fortran_order", "shape"}:
        raise DescrError("the header must have exactly the keys descr, fortran_order, shape")
    if not isinstance(value["fortran_order"], bool):
        raise DescrError("fortran_order is not a bool")
    itemsize, has_object = descr_itemsize(value["descr"])
    return value["descr"], itemsize, has_object, _count_of(value["shape"])


def _skip(stream: ByteSource, n: int) -> int:
    """Skip ``n`` bytes; returns how many were really there."""
    if n <= 0:
        return 0
    try:
        seekable = stream.seekable()
    except (AttributeError, OSError, ValueError):
        seekable = False
    if seekable:
        here = stream.tell()
        stream.seek(here + n - 1)
        if len(stream.read(1)) == 1:
            return n
        stream.seek(here)
    got = 0
    while got < n:
        chunk = stream.read(min(SKIP_CHUNK, n - got))
        if not chunk:
            break
        got += len(chunk)
    return got


def scan_npy(stream: ByteSource, ctx: ScanContext, member: str | None = None) -> FormatScan:
    """Scan one ``.npy`` from the stream's current position (object arrays via the pickle VM)."""
    limits = ctx.limits
    findings: list[Finding] = []

    def bad(code: str, message: str, offset: int | None) -> FormatScan:
        findings.append(make_finding(code, message, location=Location(member=member,
                                                                      offset=offset)))
        return FormatScan(format="numpy", findings=tuple(findings), complete=False)

    try:
        start = stream.tell()
    except (AttributeError, OSError, ValueError):
        start = 0
    pre = stream.read(8)
    if len(pre) < 8 or not pre.startswith(NUMPY_MAGIC):
        return bad("AISEC-NPY-001", "not an .npy file (bad magic bytes)", start)
    major, minor = pre[6], pre[7]
    if (major, minor) not in ((1, 0), (2, 0), (3, 0)):
        return bad("AISEC-NPY-001", f"unknown .npy version {major}.{minor}", start + 6)
    width = 2 if major == 1 else 4
    raw = stream.read(width)
    if len(raw) < width:
        return bad("AISEC-NPY-001", "the header length is truncated", start + 8)
    hlen = int.from_bytes(raw, "little")
    if hlen > limits.max_header:
        return bad(
            "AISEC-NPY-002",
            f"header of {hlen} bytes is larger than the limit {limits.max_header}",
            start + 8,
        )
    head = stream.read(hlen)
    if len(head) < hlen:
        return bad("AISEC-NPY-001", "the header is truncated", start + 8 + width)
    try:
        descr, itemsize, has_object, count = parse_header(head)
    except DescrError as exc:
        return bad("AISEC-NPY-001", f"bad header: {exc}", start + 8 + width)
    data_at = start + 8 + width + hlen
    details: dict[str, Any] = {
        "version": f"{major}.{minor}",
        "object": has_object,
        "descr": descr if isinstance(descr, str) else "structured",
        "count": count,
        "itemsize": itemsize,
    }
    if has_object:
        inner = scan_pickle(stream, ctx, member, single=True)
        details["pickle"] = inner.details
        return FormatScan(
            format="numpy", findings=inner.findings, complete=inner.complete, details=details
        )
    nbytes = count * itemsize
    got = _skip(stream, nbytes)
    complete = True
    if got < nbytes:
        complete = False
        findings.append(make_finding(
            "AISEC-NPY-003",
            f"the header promises {nbytes} data bytes ({count} × {itemsize}) but only {got} "
            "follow",
            location=Location(member=member, offset=data_at),
        ))
    elif stream.read(1):
        findings.append(make_finding(
            "AISEC-NPY-004", "bytes follow the array data; numpy.load ignores them",
            location=Location(member=member, offset=data_at + nbytes),
        ))
    return FormatScan(format="numpy", findings=tuple(findings), complete=complete, details=details)
