"""GGUF (llama.cpp): header, metadata key/values, tensor table, and the chat template.

Every length and count is checked against the bytes left in the file before it is used, so a
lying header ends in a finding, not a huge allocation. Chat templates (Jinja2, rendered by
llama-cpp-python and others) go through the chat-template checker
(:mod:`~aisec_nb.scan.formats.chat_template`: parsed, never rendered, CVE-2024-34359); their
SHA-256 is recorded so a model card can list them.

Example::

    >>> from aisec_nb.scan.policy import load_policy
    >>> from aisec_nb.scan.source import MemorySource
    >>> blob = b"GGUF" + (3).to_bytes(4, "little") + bytes(16)
    >>> scan_gguf(MemorySource(blob), ScanContext(load_policy())).details["version"]
    3
"""

from __future__ import annotations

import hashlib
import math
import os
import struct
from typing import Any

from ...record import Finding
from ..context import ScanContext, finding, truncate
from ..limits import FormatScan, Limits
from ..sniff import GGUF_MAGIC
from ..source import ByteSource
from ..stop import ScanStop
from .chat_template import check_template
from .tables import load_table

FORMAT = "gguf"
_SCALARS = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9
MAX_STRING = 64 * 1024 * 1024
MAX_DIMS = 4


class _Lie(ScanStop, ValueError):
    """A length or count in the header that the file cannot back."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class _Cursor:
    """Small reads served from a 1 MiB buffer over ``stream`` (metadata is many tiny fields)."""

    def __init__(self, stream: ByteSource, size: int) -> None:
        self.stream = stream
        self.size = size
        self.base = stream.tell()
        self.buf = b""
        self.buf_at = self.base
        self.pos = self.base

    def read(self, n: int) -> bytes:
        if self.pos + n > self.size:
            raise _Lie(f"needs {n:,} bytes at offset {self.pos:,} but the file ends at "
                       f"{self.size:,}", self.pos)
        lo = self.pos - self.buf_at
        if lo < 0 or lo + n > len(self.buf):
            self.stream.seek(self.pos)
            self.buf = self.stream.read(max(n, 1024 * 1024))
            self.buf_at = self.pos
            lo = 0
        self.pos += n
        return self.buf[lo : lo + n]

    def skip(self, n: int) -> None:
        if self.pos + n > self.size:
            raise _Lie(f"skips {n:,} bytes at offset {self.pos:,} past the end of the file",
                       self.pos)
        self.pos += n

    def u32(self) -> int:
        value: int = struct.unpack("<I", self.read(4))[0]
        return value

    def u64(self) -> int:
        value: int = struct.unpack("<Q", self.read(8))[0]
        return value


def scan_gguf(stream: ByteSource, ctx: ScanContext, member: str | None = None) -> FormatScan:
    """Parse a GGUF file from the stream's position to its end."""
    limits = ctx.limits
    start = stream.tell()
    size = stream.seek(0, os.SEEK_END)
    stream.seek(start)
    cur = _Cursor(stream, size)
    findings: list[Finding] = []
    details: dict[str, Any] = {}
    try:
        if cur.read(4) != GGUF_MAGIC:
            raise _Lie("missing GGUF magic", start)
        version = cur.u32()
        details["version"] = version
        if version not in (1, 2, 3):
            findings.append(finding("AISEC-SCAN-001", f"unknown GGUF version {version}",
                                    member=member, offset=start + 4))
            return FormatScan(FORMAT, tuple(findings), complete=False, details=details)
        count = cur.u32 if version == 1 else cur.u64
        n_tensors, n_kv = count(), count()
        details.update(tensors=n_tensors, metadata_keys=n_kv)
        # Each key/value needs at least 8+4+1 bytes and each tensor 8+4+8+4+8: a count the
        # remaining bytes cannot hold is a lie, whatever the limits.
        if n_kv * 13 > size - cur.pos or n_tensors * 32 > size - cur.pos:
            raise _Lie(f"header claims {n_kv:,} keys and {n_tensors:,} tensors, more than "
                       f"the file can hold", start + 8)
        if n_kv > limits.max_members or n_tensors > limits.max_members:
            findings.append(finding("AISEC-SCAN-003",
                                    f"{n_kv:,} keys / {n_tensors:,} tensors exceed the "
                                    f"{limits.max_members:,} limit", member=member,
                                    severity="medium"))
            return FormatScan(FORMAT, tuple(findings), complete=False, details=details)
        meta = _read_metadata(cur, n_kv, version, limits, findings, member, details)
        align = meta.get("general.alignment", load_table("gguf")["default_alignment"])
        if not isinstance(align, int) or align <= 0 or align & (align - 1):
            raise _Lie(f"general.alignment {align!r} is not a power of two", cur.pos)
        _read_tensors(cur, n_tensors, version, align, size, findings, member)
    except _Lie as lie:
        findings.append(finding("AISEC-GGUF-002", str(lie), member=member,
                                offset=lie.offset))
        stream.seek(size)
        return FormatScan(FORMAT, tuple(findings), complete=False, details=details)
    stream.seek(size)
    return FormatScan(FORMAT, tuple(findings), complete=True, details=details)


def _string(cur: _Cursor, version: int) -> bytes:
    at = cur.pos
    n = cur.u32() if version == 1 else cur.u64()
    if n > MAX_STRING:
        raise _Lie(f"string of {n:,} bytes", at)
    return cur.read(n)


def _value(cur: _Cursor, vtype: int, version: int, keep: bool) -> Any:
    if vtype in _SCALARS:
        raw = cur.read(_SCALARS[vtype])
        fmt = {1: "<B", 2: "<H", 4: "<I", 8: "<Q"}[len(raw)]
        return struct.unpack(fmt, raw)[0] if keep else None
    if vtype == _STRING:
        if keep:
            return _string(cur, version)
        at = cur.pos
        n = cur.u32() if version == 1 else cur.u64()
        if n > MAX_STRING:
            raise _Lie(f"string of {n:,} bytes", at)
        cur.skip(n)
        return None
    if vtype == _ARRAY:
        at = cur.pos
        item_type = cur.u32()
        n = cur.u32() if version == 1 else cur.u64()
        if item_type in _SCALARS:
            cur.skip(n * _SCALARS[item_type])
        elif item_type == _STRING:
            if n * 8 > cur.size - cur.pos:
                raise _Lie(f"array of {n:,} strings cannot fit", at)
            for _ in range(n):
                _value(cur, _STRING, version, keep=False)
        else:
            raise _Lie(f"array of unsupported type {item_type}", at)
        return None
    raise _Lie(f"unknown value type {vtype}", cur.pos - 4)


def _read_metadata(cur: _Cursor, n_kv: int, version: int, limits: Limits,
                   findings: list[Finding], member: str | None,
                   details: dict[str, Any]) -> dict[str, Any]:
    template_prefix = load_table("gguf")["template_keys_prefix"]
    kept: dict[str, Any] = {}
    templates: dict[str, str] = {}
    for _ in range(n_kv):
        at = cur.pos
        key = _string(cur, version).decode("utf-8", "replace")
        vtype = cur.u32()
        is_template = key == template_prefix or key.startswith(template_prefix + ".")
        keep = is_template or key in ("general.alignment", "general.architecture")
        value = _value(cur, vtype, version, keep)
        if not keep:
            continue
        kept[key] = value
        if is_template and isinstance(value, bytes):
            text = value.decode("utf-8", "replace")
            templates[key] = hashlib.sha256(value).hexdigest()
            findings.extend(check_template(text, code="AISEC-GGUF-001", where=key,
                                           member=member, offset=at))
    if templates:
        details["chat_templates_sha256"] = templates
    arch = kept.get("general.architecture")
    if isinstance(arch, bytes):
        details["architecture"] = truncate(arch.decode("utf-8", "replace"), 64)
    return kept


def _read_tensors(cur: _Cursor, n_tensors: int, version: int, align: int, size: int,
                  findings: list[Finding], member: str | None) -> None:
    types = load_table("gguf")["ggml_types"]
    table: list[tuple[int, int, str]] = []
    for _ in range(n_tensors):
        at = cur.pos
        name = truncate(_string(cur, version).decode("utf-8", "replace"), 120)
        n_dims = cur.u32()
        if n_dims > MAX_DIMS:
            raise _Lie(f"tensor {name!r} has {n_dims} dimensions (at most {MAX_DIMS})", at)
        dims = [cur.u64() for _ in range(n_dims)]
        ttype = cur.u32()
        offset = cur.u64()
        if str(ttype) not in types:
            findings.append(finding("AISEC-GGUF-003", f"tensor {name!r}: unknown type "
                                    f"{ttype}", member=member, offset=at, path=name))
            continue
        _, block, type_size = types[str(ttype)]
        count = math.prod(dims)
        if dims and dims[0] % block:
            findings.append(finding("AISEC-GGUF-003", f"tensor {name!r}: first "
                                    f"dimension {dims[0]} is not a multiple of {block}",
                                    member=member, offset=at, path=name))
            continue
        table.append((offset, count // block * type_size, name))
    data_start = -(-cur.pos // align) * align
    end_seen = 0
    for offset, nbytes, name in sorted(table):
        if offset % align:
            findings.append(finding("AISEC-GGUF-003", f"tensor {name!r}: offset "
                                    f"{offset} is not aligned to {align}", member=member,
                                    path=name))
        if data_start + offset + nbytes > size:
            findings.append(finding("AISEC-GGUF-003", f"tensor {name!r}: "
                                    f"{nbytes:,} bytes at {data_start + offset:,} run past the "
                                    f"end of the file ({size:,})", member=member, path=name))
        elif offset < end_seen:
            findings.append(finding("AISEC-GGUF-003", f"tensor {name!r} overlaps the "
                                    "previous tensor", member=member, path=name))
        end_seen = max(end_seen, offset + nbytes)
