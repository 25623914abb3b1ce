"""Zip archives read the way loaders read them: our own central-directory parser, and every
member scanned by content (PyTorch, Keras, NumPy .npz and plain zips).

PyTorch (miniz), NumPy and Keras (Python ``zipfile``) locate members through the central
directory and then read the data at the local header's offset, ignoring CRCs. Python-based
scanners that verify CRCs crash on a bad one and skip the file (CVE-2025-10156). So we parse the
central directory ourselves, scan the bytes at each member's local offset, and report parser
differentials as findings: CRC mismatches, local/central name mismatches, duplicate names,
overlapping members. Names that escape the extraction folder, bombs (ratio and count) and
unsupported methods are reported too.

Example::

    >>> import io, zipfile
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z: z.writestr("a.txt", "hi")
    >>> [m.name for m in read_directory(buf, DEFAULT_LIMITS).members]
    ['a.txt']
    >>> from aisec_nb.scan.dispatch import scan_stream
    >>> from aisec_nb.scan.policy import load_policy
    >>> ctx = ScanContext(load_policy(), rescan=scan_stream)
    >>> [m["format"] for m in scan_zip(buf, ctx).details["listed"]]
    ['text']
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import struct
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ...record import Finding
from ..context import ScanContext, broken, finding, truncate
from ..formats.keras import scan_keras_config
from ..formats.pytorch import storage_declarations, storage_findings
from ..limits import DEFAULT_LIMITS, FormatScan, Limits
from ..sniff import (
    BZIP2,
    DEFLATE,
    HEAD_SIZE,
    ZIP64_END,
    ZIP64_LOCATOR,
    ZIP_CENTRAL,
    ZIP_END,
    ZIP_LOCAL,
    ZIP_LZMA,
    sniff_format,
)
from ..source import ByteSource, SeekableView, Window
from ..stop import ScanStop
from ..verdict import verdict_of
from .inflate import BombError, Inflater, ZipLzma

METHODS = {0: None, 8: DEFLATE, 12: BZIP2, 14: ZIP_LZMA}
"""Compression methods we can read (stored, deflate, bzip2, LZMA)."""
MAX_CRC_CHECK = 256 * 1024 * 1024
"""Members up to this size that we parse also get their CRC-32 checked."""


@dataclass(frozen=True)
class Member:
    """One central-directory entry, with what its local header says."""

    index: int
    name: str
    local_name: str | None
    method: int
    flags: int
    crc: int
    compressed_size: int
    size: int
    header_offset: int
    data_offset: int

    @property
    def readable(self) -> bool:
        return self.local_name is not None and self.method in METHODS and not self.flags & 1


@dataclass
class Directory:
    """The parsed central directory and what was wrong with it."""

    members: list[Member] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    complete: bool = True
    prefix_bytes: int = 0


class ZipError(ScanStop, ValueError):
    """A zip whose end-of-central-directory cannot be found or read."""


def _find_eocd(stream: ByteSource, size: int) -> tuple[int, bytes]:
    tail_len = min(size, 22 + 65535)
    stream.seek(size - tail_len)
    tail = stream.read(tail_len)
    at = tail.rfind(ZIP_END)
    if at < 0 or len(tail) - at < 22:
        msg = "no end-of-central-directory record"
        raise ZipError(msg)
    return size - tail_len + at, tail[at : at + 22]


def read_directory(stream: ByteSource, limits: Limits = DEFAULT_LIMITS) -> Directory:
    """Parse the central directory (ZIP64 aware) and each member's local header."""
    size = stream.seek(0, os.SEEK_END)
    eocd_at, rec = _find_eocd(stream, size)
    _, _, _, _, total, cd_size, cd_offset, _ = struct.unpack("<4s4H2LH", rec)
    if eocd_at >= 20:
        stream.seek(eocd_at - 20)
        loc = stream.read(20)
        if loc[:4] == ZIP64_LOCATOR:
            (z64_at,) = struct.unpack("<Q", loc[8:16])
            stream.seek(z64_at)
            z64 = stream.read(56)
            if len(z64) < 56 or z64[:4] != ZIP64_END:
                msg = "ZIP64 end-of-central-directory record is missing"
                raise ZipError(msg)
            total, cd_size, cd_offset = struct.unpack("<QQQ", z64[32:56])
            eocd_at = z64_at
    out = Directory()
    # Data prepended to the archive shifts every offset (Python's zipfile allows this).
    out.prefix_bytes = max(eocd_at - cd_size - cd_offset, 0)
    if cd_size > limits.max_header or cd_offset + out.prefix_bytes + cd_size > size:
        msg = f"central directory of {cd_size:,} bytes at {cd_offset:,} does not fit the file"
        raise ZipError(msg)
    stream.seek(cd_offset + out.prefix_bytes)
    cd = stream.read(cd_size)
    pos = 0
    while pos + 46 <= len(cd) and cd[pos : pos + 4] == ZIP_CENTRAL:
        if len(out.members) >= limits.max_members:
            out.findings.append(finding("AISEC-ZIP-006", f"more than "
                                        f"{limits.max_members:,} members; the rest were not "
                                        "checked"))
            out.complete = False
            break
        fields = struct.unpack("<4s6H3L5H2L", cd[pos : pos + 46])
        flags, method, crc, csize, usize = fields[3], fields[4], fields[7], fields[8], fields[9]
        n_name, n_extra, n_comment, offset = fields[10], fields[11], fields[12], fields[16]
        raw_name = cd[pos + 46 : pos + 46 + n_name]
        extra = cd[pos + 46 + n_name : pos + 46 + n_name + n_extra]
        usize, csize, offset = _zip64(extra, usize, csize, offset)
        name = _decode(raw_name, flags)
        offset += out.prefix_bytes
        local, data_at = _local(stream, offset, size)
        out.members.append(Member(len(out.members), name, local, method, flags, crc, csize,
                                  usize, offset, data_at))
        pos += 46 + n_name + n_extra + n_comment
    if len(out.members) < min(total, limits.max_members):
        out.findings.append(finding("AISEC-ZIP-008", f"central directory lists "
                                    f"{len(out.members)} of {total} declared members"))
        out.complete = False
    elif len(out.members) > total:
        # Readers that trust the count (miniz) see fewer members than those that walk the
        # directory (Python's zipfile); we scanned them all.
        out.findings.append(finding("AISEC-ZIP-008", f"central directory holds "
                                    f"{len(out.members)} members but the end record declares "
                                    f"{total}"))
    out.findings.extend(_structure_findings(out.members, size, limits))
    return out


def _zip64(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, n = struct.unpack("<HH", extra[pos : pos + 4])
        if tag == 1:
            values = extra[pos + 4 : pos + 4 + n]
            i = 0
            if usize == 0xFFFFFFFF and i + 8 <= len(values):
                (usize,) = struct.unpack("<Q", values[i : i + 8])
                i += 8
            if csize == 0xFFFFFFFF and i + 8 <= len(values):
                (csize,) = struct.unpack("<Q", values[i : i + 8])
                i += 8
            if offset == 0xFFFFFFFF and i + 8 <= len(values):
                (offset,) = struct.unpack("<Q", values[i : i + 8])
            break
        pos += 4 + n
    return usize, csize, offset


def _decode(raw: bytes, flags: int) -> str:
    return raw.decode("utf-8", "replace") if flags & 0x800 else raw.decode("cp437")


def _local(stream: ByteSource, offset: int, size: int) -> tuple[str | None, int]:
    if offset + 30 > size:
        return None, offset
    stream.seek(offset)
    head = stream.read(30)
    if head[:4] != ZIP_LOCAL:
        return None, offset
    flags = struct.unpack("<H", head[6:8])[0]
    n_name, n_extra = struct.unpack("<HH", head[26:30])
    name = _decode(stream.read(n_name), flags)
    return name, offset + 30 + n_name + n_extra


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_name(name: str) -> str | None:
    """Why ``name`` would land outside the extraction folder, or ``None`` when it is safe."""
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "is an absolute path"
    if ".." in re.split(r"[\\/]", name):
        return "climbs out with '..'"
    if "\x00" in name:
        return "contains a NUL byte"
    return None


def _structure_findings(members: list[Member], size: int, limits: Limits) -> list[Finding]:
    found: list[Finding] = []
    for name, count in Counter(m.name for m in members).items():
        if count > 1:
            found.append(finding("AISEC-ZIP-003", f"member {truncate(name, 120)!r} "
                                 f"appears {count} times; every copy was scanned",
                                 member=truncate(name, 200)))
    ranges: list[tuple[int, int, str]] = []
    for m in members:
        shown = truncate(m.name, 200)
        why = unsafe_name(m.name)
        if why is not None:
            found.append(finding("AISEC-ZIP-004", f"member name {why}", member=shown))
        if m.local_name is None:
            found.append(finding("AISEC-ZIP-008", "no local header at the offset the "
                                 "central directory gives", member=shown, offset=m.header_offset))
            continue
        if m.local_name != m.name:
            found.append(finding("AISEC-ZIP-002", f"local header says "
                                 f"{truncate(m.local_name, 120)!r}; loaders that trust the "
                                 "central directory read this data under the other name",
                                 member=shown, offset=m.header_offset))
        if m.flags & 1:
            found.append(finding("AISEC-ZIP-007", "member is encrypted: not checked",
                                 member=shown))
        elif m.method not in METHODS:
            found.append(finding("AISEC-ZIP-007", f"compression method {m.method} is "
                                 "not supported: not checked", member=shown))
        if m.data_offset + m.compressed_size > size:
            found.append(finding("AISEC-ZIP-008", "member data runs past the end of the "
                                 "file (truncated archive)", member=shown))
        if m.method != 0 and m.size > limits.max_ratio * max(m.compressed_size, 1) and (
            m.size > 1024 * 1024
        ):
            found.append(finding("AISEC-ZIP-005", f"declares {m.size:,} bytes from "
                                 f"{m.compressed_size:,} compressed (over "
                                 f"{limits.max_ratio:g}×)", member=shown))
        ranges.append((m.header_offset, m.data_offset + m.compressed_size, shown))
    ranges.sort()
    for (_, end, _), (start, _, shown) in itertools.pairwise(ranges):
        if start < end:
            found.append(finding("AISEC-ZIP-005", "member data overlaps the previous "
                                 "member (overlapping-file zip bomb or hidden data)",
                                 member=shown))
    return found


def open_member(stream: ByteSource, m: Member, limits: Limits) -> SeekableView:
    """A read-only stream of the member's uncompressed bytes, bounded against bombs."""
    window = Window(stream, m.data_offset, m.compressed_size)
    kind = METHODS.get(m.method)
    if kind is None:
        return window
    limit = min(m.size if m.size else limits.max_decompressed, limits.max_decompressed)
    if kind == ZIP_LZMA:
        return Inflater(window, kind, limit=limit, max_ratio=limits.max_ratio,
                        decompressor=lambda: ZipLzma(limits.max_dictionary, m.size or None))
    return Inflater(window, kind, limit=limit, max_ratio=limits.max_ratio)


def crc_finding(stream: ByteSource, m: Member, limits: Limits) -> Finding | None:
    """A finding when the member's bytes do not match its CRC-32 (members we parse only)."""
    if m.size > MAX_CRC_CHECK:
        return None
    reader = open_member(stream, m, limits)
    crc = 0
    while chunk := reader.read(1024 * 1024):
        crc = zlib.crc32(chunk, crc)
    if crc != m.crc:
        return finding("AISEC-ZIP-001", f"CRC-32 is {crc:08x} but the directory says "
                       f"{m.crc:08x}: the member was altered after zipping",
                       member=truncate(m.name, 200))
    return None


MAX_LISTED = 500
"""Members listed by name in the record; the count is always complete."""
_TENSOR_RECORD = re.compile(r"^[^/]+/data/\d+$")


def _join(outer: str | None, inner: str) -> str:
    return inner if outer is None else f"{outer}/{inner}"


def zip_kind(names: list[str]) -> str:
    """What a zip holds, judged by its member names (the loaders look them up by name)."""
    if any(n == "data.pkl" or n.endswith("/data.pkl") for n in names):
        if any("/code/" in n for n in names) or any(n.endswith("/constants.pkl") for n in names):
            return "torchscript"
        return "pytorch-zip"
    if "config.json" in names and ("metadata.json" in names or "model.weights.h5" in names):
        return "keras"
    if names and all(n.endswith(".npy") for n in names):
        return "npz"
    return "zip"


def scan_zip(stream: ByteSource, ctx: ScanContext, member: str | None = None) -> FormatScan:
    """Scan every member of a zip as the loader would read it, each by its content through the
    context's router (one level deeper)."""
    try:
        directory = read_directory(stream, ctx.limits)
    except (ZipError, OSError) as exc:
        stream.seek(0, os.SEEK_END)
        return broken("zip", "AISEC-ZIP-008", f"not a readable zip: {exc}", member=member)
    names = [m.name for m in directory.members]
    kind = zip_kind(names)
    findings: list[Finding] = [*(_prefixed(f, member) for f in directory.findings)]
    complete = directory.complete
    listed: list[dict[str, Any]] = []
    skipped_records = 0
    details_extra: dict[str, Any] = {}
    for m in directory.members:
        label = _join(member, m.name)
        if not m.readable:
            complete = False
            if m.local_name is None or m.method not in METHODS:
                continue
        if m.name.endswith("/") and m.size == 0:
            continue
        if kind in ("pytorch-zip", "torchscript") and _TENSOR_RECORD.match(m.name):
            # Raw storage bytes: torch copies them into tensors, never unpickles them.
            skipped_records += 1
            continue
        if m.flags & 1:
            result = _encrypted_member(stream, m, directory, ctx, label, kind)
        else:
            result = _scan_member(stream, m, directory, ctx, label, kind)
        findings.extend(result.findings)
        complete = complete and result.complete
        if len(listed) < MAX_LISTED:
            listed.append({"name": truncate(m.name, 200), "format": result.format,
                           "size": m.size})
    if kind in ("pytorch-zip", "torchscript"):
        checked, problems = _storage_sizes(stream, directory, ctx, member)
        findings.extend(problems)
        if checked is not None:
            details_extra["storages_checked"] = checked
    if kind == "torchscript":
        findings.append(finding("AISEC-PT-001", "TorchScript program: its code runs "
                                "when torch.jit.load is called and is not analysed here",
                                member=member))
    stream.seek(0, os.SEEK_END)
    details: dict[str, Any] = {"members": len(directory.members), "listed": listed}
    if skipped_records:
        details["tensor_records"] = skipped_records
    if directory.prefix_bytes:
        details["prefix_bytes"] = directory.prefix_bytes
    details.update(details_extra)
    return FormatScan(kind, tuple(findings), complete=complete, details=details)


def _storage_sizes(stream: ByteSource, directory: Directory, ctx: ScanContext,
                   member: str | None) -> tuple[int | None, list[Finding]]:
    """Compare the storage sizes each ``data.pkl`` declares with its ``data/<key>`` records."""
    checked: int | None = None
    found: list[Finding] = []
    for m in directory.members:
        if not (m.name.endswith("/data.pkl") and m.readable):
            continue
        if m.size > ctx.limits.max_nested_payload:
            continue
        prefix = m.name[: -len("data.pkl")]
        records = {d.name[len(prefix) + 5:]: d.size for d in directory.members
                   if d.name.startswith(prefix + "data/")}
        try:
            data = open_member(stream, m, ctx.limits).read(m.size + 1)
        except (ValueError, OSError, EOFError):
            continue
        declared = storage_declarations(data)
        if declared is None:
            continue
        checked = (checked or 0) + len(declared)
        found.extend(storage_findings(declared, records, _join(member, m.name)))
    return checked, found


SEEKING_FORMATS = frozenset({"zip", "hdf5", "gguf", "safetensors", "protobuf", "tar", "7z"})
"""Formats whose parsers jump around: a compressed member holding one is unpacked to a
(bounded, spooled) temporary file first, instead of re-inflating on every backward seek."""
SPOOL_IN_MEMORY = 64 * 1024 * 1024


@contextlib.contextmanager
def random_access(reader: ByteSource) -> Iterator[ByteSource]:
    """``reader`` itself, or, when it holds a format whose parser seeks around (a zip, HDF5...),
    a bounded spooled copy of it (re-inflating on every backward seek would cost more)."""
    head = reader.read(HEAD_SIZE)
    reader.seek(0)
    if sniff_format(head) not in SEEKING_FORMATS:
        yield reader
        return
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        while chunk := reader.read(1024 * 1024):  # the Inflater bounds the total
            spool.write(chunk)
        spool.seek(0)
        yield spool


def _prefixed(f: Finding, member: str | None) -> Finding:
    if member is None or f.location is None or f.location.member is None:
        return f
    loc = f.location.model_copy(update={"member": _join(member, f.location.member)})
    return f.model_copy(update={"location": loc})


def _encrypted_member(stream: ByteSource, m: Member, directory: Directory, ctx: ScanContext,
                      label: str, kind: str) -> FormatScan:
    """A member flagged as encrypted: "not checked" (AISEC-ZIP-007, from the directory) and
    nothing else, unless its bytes are no ciphertext at all.

    The flag may be a lie to make scanners skip the member while a loader that ignores it
    reads plain bytes, so the bytes are scanned anyway; what real ciphertext produces there
    (an unrecognised format, a broken pickle, a CRC that cannot match: the CRC is of the
    plaintext) says nothing, so it is dropped. Only findings that fail the member on their own
    (a payload named in plain bytes) are kept.
    """
    result = _scan_member(stream, m, directory, ctx, label, kind, check_crc=False)
    if verdict_of(result.findings, result.complete) == "fail" and result.format != "zip-member":
        return FormatScan(result.format, result.findings, complete=False,
                          details=result.details)
    return FormatScan("encrypted", (), complete=False)


def _scan_member(stream: ByteSource, m: Member, directory: Directory, ctx: ScanContext,
                 label: str, kind: str, *, check_crc: bool = True) -> FormatScan:
    try:
        if kind == "keras" and m.name == "config.json":
            result = scan_keras_config(open_member(stream, m, ctx.limits), ctx, label)
        elif m.method != 0:
            with random_access(open_member(stream, m, ctx.limits)) as reader:
                result = ctx.deeper().scan(reader, label)
        else:
            result = ctx.deeper().scan(open_member(stream, m, ctx.limits), label)
        problem = crc_finding(stream, m, ctx.limits) if check_crc else None
    except BombError as exc:
        return broken("zip-member", "AISEC-ZIP-005", f"decompression bomb: {exc}", member=label)
    except (ValueError, OSError, EOFError) as exc:
        return broken("zip-member", "AISEC-SCAN-002", f"member cannot be read: {exc}",
                      member=label)
    if problem is not None:
        problem = problem.model_copy(update={"location": problem.location.model_copy(
            update={"member": label})}) if problem.location else problem
        result = FormatScan(result.format, (*result.findings, problem), result.complete,
                            result.details)
    return result
