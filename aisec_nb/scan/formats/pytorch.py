"""Legacy (pre-1.6, non-zip) ``torch.save`` files: stacked pickles, then raw storage bytes.

``torch.load`` unpickles exactly five pickles in a row (magic number, protocol version,
``sys_info``, the object, the storage keys) and then copies raw storage bytes, so we scan those
five with the pickle VM and hash the rest. The zip layout's storage sizes and the
tar layout's record files are checked here too; the archives themselves are walked in
:mod:`aisec_nb.scan.archives`.

Example::

    >>> LEGACY_PICKLES
    ('magic number', 'protocol version', 'sys_info', 'object', 'storage keys')
"""

from __future__ import annotations

import os
import pickletools
import struct
from typing import Any

from ...record import Finding
from ..context import ScanContext, finding
from ..limits import FormatScan
from ..pickle.vm import scan_pickle
from ..source import ByteSource
from ..stop import ScanStop

FORMAT = "pytorch-legacy"
LEGACY_PICKLES = ("magic number", "protocol version", "sys_info", "object", "storage keys")


def scan_legacy(stream: ByteSource, ctx: ScanContext, member: str | None = None) -> FormatScan:
    """Scan the five pickles ``torch.load`` reads from a legacy file."""
    findings: list[Finding] = []
    complete = True
    parts: list[dict[str, Any]] = []
    for role in LEGACY_PICKLES:
        at = stream.tell()
        if not stream.read(1):
            findings.append(finding("AISEC-SCAN-002", f"file ends before the {role} "
                                    "pickle", member=member, offset=at))
            complete = False
            break
        stream.seek(at)
        result = scan_pickle(stream, ctx, member, single=True)
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


# --- storage records of the zip layout --------------------------------------------------------

ELEMENT_SIZES = {
    "DoubleStorage": 8, "FloatStorage": 4, "HalfStorage": 2, "BFloat16Storage": 2,
    "LongStorage": 8, "IntStorage": 4, "ShortStorage": 2, "CharStorage": 1, "ByteStorage": 1,
    "BoolStorage": 1, "ComplexDoubleStorage": 16, "ComplexFloatStorage": 8,
    "QInt8Storage": 1, "QUInt8Storage": 1, "QInt32Storage": 4, "QUInt4x2Storage": 1,
    "QUInt2x4Storage": 1, "UntypedStorage": 1, "Float8_e5m2Storage": 1,
    "Float8_e4m3fnStorage": 1, "Float8_e5m2fnuzStorage": 1, "Float8_e4m3fnuzStorage": 1,
    "UInt16Storage": 2, "UInt32Storage": 4, "UInt64Storage": 8,
}
"""Bytes per element of each storage type torch writes into a persistent id."""

_STRINGS = frozenset({"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE",
                      "SHORT_BINSTRING", "BINSTRING", "STRING"})
_INTS = frozenset({"BININT", "BININT1", "BININT2", "LONG1", "LONG4", "INT", "LONG"})


def _memo_key(arg: object) -> int:
    """The memo index a GET/PUT opcode names (``genops`` decodes it as an int)."""
    if not isinstance(arg, int):
        msg = f"memo index {arg!r} is not a number"
        raise TypeError(msg)  # caught with the decoder's own errors: the layout is not torch's
    return arg


def storage_declarations(data: bytes) -> list[tuple[str, str, int]] | None:
    """``(key, storage type, numel)`` of every ``('storage', ...)`` persistent id in a
    ``data.pkl`` written by ``torch.save``, or ``None`` if its layout is not the usual one.

    Only opcodes are decoded (``pickletools.genops``); nothing is unpickled. Values are tracked
    just far enough to read the persistent-id tuples, memo included, as torch writes them.
    """
    memo: dict[int, object] = {}
    recent: list[object] = []
    marks: list[int] = []
    out: list[tuple[str, str, int]] = []
    last: object = None
    try:
        for op, arg, _pos in pickletools.genops(data):
            name = op.name
            if name in _STRINGS or name in _INTS:
                last = arg
            elif name == "GLOBAL":
                last = str(arg).replace(" ", ".")
            elif name == "STACK_GLOBAL":
                last = f"{recent[-2]}.{recent[-1]}" if len(recent) >= 2 else None
                del recent[-2:]
            elif name in ("BINGET", "LONG_BINGET", "GET"):
                last = memo.get(_memo_key(arg))
            elif name in ("BINPUT", "LONG_BINPUT", "PUT"):
                memo[_memo_key(arg)] = recent[-1] if recent else None
                continue
            elif name == "MEMOIZE":
                memo[len(memo)] = recent[-1] if recent else None
                continue
            elif name == "MARK":
                marks.append(len(recent))
                continue
            elif name == "TUPLE" and marks:
                start = marks.pop()
                last = tuple(recent[start:])
                del recent[start:]
            elif name == "BINPERSID":
                pid = recent.pop() if recent else None
                if isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage":
                    _, kind, key, _location, numel = pid
                    out.append((str(key), str(kind), int(numel)))
                last = None
            elif name in ("PROTO", "FRAME", "STOP"):
                continue
            else:
                last = None
            recent.append(last)
            if len(recent) > 1_000_000:
                return None
    except (ValueError, IndexError, TypeError, KeyError):
        return None
    return out


def storage_findings(declared: list[tuple[str, str, int]], records: dict[str, int],
                     member: str | None) -> list[Finding]:
    """Declared storage sizes that the zip records cannot back (CVE-2026-24747)."""
    found: list[Finding] = []
    for key, kind, numel in declared:
        where = f"data/{key}"
        short = kind.rsplit(".", 1)[-1]
        size = ELEMENT_SIZES.get(short)
        if size is None:
            found.append(finding("AISEC-PT-004", f"storage {key!r} has unknown type "
                                 f"{kind!r}", member=member, path=where, severity="medium"))
            continue
        have = records.get(key)
        if have is None:
            found.append(finding("AISEC-PT-004", f"storage {key!r} has no data record",
                                 member=member, path=where))
        elif numel * size > have:
            found.append(finding("AISEC-PT-004", f"storage {key!r} declares "
                                 f"{numel:,} × {size} bytes but its record holds {have:,} "
                                 "(out-of-bounds read in torch < 2.10)", member=member,
                                 path=where))
    return found


# --- the tar layout (torch < 0.4) ------------------------------------------------------------


def simple_value(data: bytes) -> object:
    """The value of a small pickle made only of ints, strings, globals and tuples (what torch's
    tar records hold), decoded opcode by opcode; ``None`` for anything else. Never unpickles."""
    memo: dict[int, object] = {}
    stack: list[object] = []
    marks: list[int] = []
    tuples = {"TUPLE1": 1, "TUPLE2": 2, "TUPLE3": 3}
    try:
        for op, arg, _pos in pickletools.genops(data):
            name = op.name
            if name in _STRINGS or name in _INTS:
                stack.append(arg)
            elif name == "GLOBAL":
                stack.append(str(arg).replace(" ", "."))
            elif name == "STACK_GLOBAL":
                stack[-2:] = [f"{stack[-2]}.{stack[-1]}"]
            elif name in ("BINGET", "LONG_BINGET", "GET"):
                stack.append(memo[_memo_key(arg)])
            elif name in ("BINPUT", "LONG_BINPUT", "PUT"):
                memo[_memo_key(arg)] = stack[-1]
            elif name == "MEMOIZE":
                memo[len(memo)] = stack[-1]
            elif name == "MARK":
                marks.append(len(stack))
            elif name == "TUPLE":
                start = marks.pop()
                stack[start:] = [tuple(stack[start:])]
            elif name in tuples:
                n = tuples[name]
                stack[-n:] = [tuple(stack[-n:])]
            elif name == "EMPTY_TUPLE":
                stack.append(())
            elif name == "STOP":
                return stack[-1] if len(stack) == 1 else None
            elif name not in ("PROTO", "FRAME"):
                return None
    except (ValueError, IndexError, KeyError, TypeError):
        return None
    return None


class _RecordError(ScanStop, ValueError):
    """A record of the legacy tar layout that cannot be read as torch writes it."""


def scan_tar_records(stream: ByteSource, ctx: ScanContext, member: str, kind: str) -> FormatScan:
    """The ``storages`` or ``tensors`` member of a legacy tar: a count pickle, then per record a
    header pickle followed by raw bytes whose length the header gives. Every pickle is scanned."""
    findings: list[Finding] = []
    end = stream.seek(0, os.SEEK_END)
    stream.seek(0)

    def one(*, value: bool = True) -> object:
        at = stream.tell()
        result = scan_pickle(stream, ctx, member, single=True)
        findings.extend(result.findings)
        size = stream.tell() - at
        if not result.complete or size > 1024 * 1024:
            raise _RecordError(f"record header pickle at {at} is not a plain value")
        if not value:
            return None
        stream.seek(at)
        decoded = simple_value(stream.read(size))
        stream.seek(at + size)
        return decoded

    try:
        count = one()
        if not isinstance(count, int) or count < 0 or count > ctx.limits.max_members:
            raise _RecordError(f"record count {count!r} is not a plausible number")
        for _ in range(count):
            header = one()
            if not (isinstance(header, tuple) and len(header) == 3):
                raise _RecordError("record header is not a 3-tuple")
            if kind == "storages":
                elem = ELEMENT_SIZES.get(str(header[2]).rsplit(".", 1)[-1])
                (numel,) = struct.unpack("<q", stream.read(8))
                if elem is None or numel < 0:
                    raise _RecordError(f"storage {header[0]!r}: unknown type or size")
                skip = numel * elem
            else:
                (ndim,) = struct.unpack("<i", stream.read(4))
                if not 0 <= ndim <= 64:
                    raise _RecordError(f"tensor with {ndim} dimensions")
                skip = 4 + 16 * ndim + 8
            if stream.tell() + skip > end:
                raise _RecordError("record runs past the end of the member")
            stream.seek(skip, os.SEEK_CUR)
        if kind == "storages":
            one(value=False)  # the storage views list
        if stream.tell() != end:
            raise _RecordError(f"{end - stream.tell()} unexplained bytes after the records")
    except (ValueError, struct.error) as exc:
        findings.append(finding("AISEC-PT-002", f"legacy {kind} records: {exc}",
                                member=member))
        stream.seek(end)
        return FormatScan(f"pytorch-tar-{kind}", tuple(findings), complete=False)
    return FormatScan(f"pytorch-tar-{kind}", tuple(findings), complete=True,
                      details={"records": count})
