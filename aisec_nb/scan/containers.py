"""Containers: zip (PyTorch, Keras, NumPy .npz, plain), tar (incl. legacy PyTorch) and
compressed streams. Each member is scanned by content through the dispatcher, one level deeper.

Example::

    >>> import io, zipfile
    >>> from aisec_nb.scan.policy import load_policy
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z: z.writestr("notes.txt", "hello")
    >>> scan_zip(buf, ScanContext(load_policy())).format
    'zip'
"""

from __future__ import annotations

import contextlib
import os
import re
import tarfile
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

from ..record import Finding, Severity
from .context import ScanContext, broken, finding, truncate, with_member
from .limits import FormatScan
from .sniff import pickle_label
from .streams import BombError, Inflater
from .zipfile_scan import (
    METHODS,
    Directory,
    Member,
    ZipError,
    crc_finding,
    open_member,
    read_directory,
)

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


def scan_zip(stream: BinaryIO, ctx: ScanContext, member: str | None = None) -> FormatScan:
    """Scan every member of a zip as the loader would read it."""
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
            # An "encrypted" flag may be a lie to make scanners skip the member: read the bytes
            # anyway; real ciphertext just ends as an unparsable member.
            if m.local_name is None or m.method not in METHODS:
                continue
        if m.name.endswith("/") and m.size == 0:
            continue
        if kind in ("pytorch-zip", "torchscript") and _TENSOR_RECORD.match(m.name):
            # Raw storage bytes: torch copies them into tensors, never unpickles them.
            skipped_records += 1
            continue
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
        findings.append(finding("AISEC-PT-001", "medium", "TorchScript program: its code runs "
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


def _storage_sizes(stream: BinaryIO, directory: Directory, ctx: ScanContext,
                   member: str | None) -> tuple[int | None, list[Finding]]:
    """Compare the storage sizes each ``data.pkl`` declares with its ``data/<key>`` records."""
    from .pytorch import storage_declarations, storage_findings

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
def _random_access(reader: BinaryIO, ctx: ScanContext) -> Iterator[BinaryIO]:
    from .sniff import HEAD_SIZE, sniff_format

    head = reader.read(HEAD_SIZE)
    reader.seek(0)
    if sniff_format(head) not in SEEKING_FORMATS:
        yield reader
        return
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        while chunk := reader.read(1024 * 1024):  # the Inflater bounds the total
            spool.write(chunk)
        spool.seek(0)
        yield cast(BinaryIO, spool)


def _prefixed(f: Finding, member: str | None) -> Finding:
    if member is None or f.location is None or f.location.member is None:
        return f
    loc = f.location.model_copy(update={"member": _join(member, f.location.member)})
    return f.model_copy(update={"location": loc})


def _scan_member(stream: BinaryIO, m: Member, directory: Directory, ctx: ScanContext,
                 label: str, kind: str) -> FormatScan:
    from .dispatch import scan_stream

    try:
        if kind == "keras" and m.name == "config.json":
            from .keras import scan_keras_config

            reader = open_member(stream, m, ctx.limits)
            data = reader.read(ctx.limits.max_header + 1)
            result = scan_keras_config(data, ctx.limits, label, ctx.policy)
        elif m.method != 0:
            with _random_access(open_member(stream, m, ctx.limits), ctx) as reader:
                result = scan_stream(reader, ctx.deeper(), label)
        else:
            result = scan_stream(open_member(stream, m, ctx.limits), ctx.deeper(), label)
        problem = crc_finding(stream, m, ctx.limits)
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


def scan_tar(stream: BinaryIO, ctx: ScanContext, member: str | None = None,
             *, mode: str = "r:") -> FormatScan:
    """Scan every regular member of a tar; links, devices and unsafe names are findings."""
    from .dispatch import scan_stream
    from .zipfile_scan import unsafe_name

    findings: list[Finding] = []
    complete = True
    names: list[str] = []
    listed: list[dict[str, Any]] = []
    try:
        with tarfile.open(fileobj=stream, mode=mode) as archive:  # type: ignore[call-overload]
            for info in archive:
                label = _join(member, info.name)
                shown = truncate(label, 200)
                names.append(info.name)
                if len(names) > ctx.limits.max_members:
                    findings.append(finding("AISEC-ZIP-006", "high", f"more than "
                                            f"{ctx.limits.max_members:,} members; the rest "
                                            "were not checked", member=member))
                    complete = False
                    break
                why = unsafe_name(info.name)
                if why is not None:
                    findings.append(finding("AISEC-ZIP-004", "high", f"member name {why}",
                                            member=shown))
                if info.issym() or info.islnk():
                    target = truncate(info.linkname, 120)
                    severity: Severity = "high" if unsafe_name(info.linkname) else "medium"
                    findings.append(finding("AISEC-TAR-001", severity, f"link to {target!r}",
                                            member=shown))
                    continue
                if info.isdir():
                    continue
                if not info.isfile():
                    findings.append(finding("AISEC-TAR-001", "high", "device, FIFO or other "
                                            "special member", member=shown))
                    continue
                handle = archive.extractfile(info)
                if handle is None:
                    continue
                if info.name in ("storages", "tensors"):
                    from .pytorch import scan_tar_records

                    result = scan_tar_records(handle, ctx.deeper(), label, info.name)
                else:
                    result = scan_stream(handle, ctx.deeper(), label)
                findings.extend(result.findings)
                complete = complete and result.complete
                if len(listed) < MAX_LISTED:
                    listed.append({"name": truncate(info.name, 200), "format": result.format,
                                   "size": info.size})
    except BombError as exc:
        findings.append(finding("AISEC-ZIP-005", "high", f"decompression bomb: {exc}",
                                member=member))
        complete = False
    except (tarfile.TarError, ValueError, OSError, EOFError) as exc:
        findings.append(finding("AISEC-SCAN-002", "high", f"tar cannot be read: "
                                f"{truncate(str(exc), 160)}", member=member))
        complete = False
    kind = "pytorch-tar" if {"sys_info", "pickle", "storages"} <= set(names) else "tar"
    stream.seek(0, os.SEEK_END)
    return FormatScan(kind, tuple(findings), complete=complete,
                      details={"members": len(names), "listed": listed})


def scan_compressed(stream: BinaryIO, kind: str, ctx: ScanContext,
                    member: str | None = None) -> FormatScan:
    """gzip/bzip2/xz/lzma/zlib/lz4: a compressed tar is unpacked here, anything else goes to
    the compressed-pickle scanner (or, inside, back through the dispatcher)."""
    from .dispatch import scan_stream
    from .sniff import HEAD_SIZE, sniff_format

    start = stream.tell()
    lim = ctx.limits
    inner = "unknown"
    if kind != "lz4":
        try:
            inner = sniff_format(Inflater(stream, kind, limit=lim.max_decompressed,
                                          max_ratio=lim.max_ratio).read(HEAD_SIZE))
        except (ValueError, OSError, EOFError):
            inner = "unknown"
        stream.seek(start)
    try:
        if inner == "tar":
            reader = Inflater(stream, kind, limit=lim.max_decompressed, max_ratio=lim.max_ratio)
            result = scan_tar(reader, ctx.deeper(), member)  # type: ignore[arg-type]
        elif kind != "lz4" and inner not in ("pickle", "pytorch-legacy", "unknown"):
            reader = Inflater(stream, kind, limit=lim.max_decompressed, max_ratio=lim.max_ratio)
            result = scan_stream(reader, ctx.deeper(), member)  # type: ignore[arg-type]
        else:
            from .compressed import scan_compressed_stream

            result = scan_compressed_stream(stream, kind, policy=ctx.policy, limits=lim,
                                            member=member, depth=ctx.depth + 1)
    except BombError as exc:
        result = broken(kind, "AISEC-ZIP-005", f"decompression bomb: {exc}", member=member)
    except (ValueError, OSError, EOFError) as exc:
        result = broken(kind, "AISEC-SCAN-002", f"corrupt {kind} data: {exc}", member=member)
    stream.seek(0, os.SEEK_END)
    named = result.format.startswith((kind, pickle_label(kind)))
    fmt = result.format if named else f"{kind}+{result.format}"
    return FormatScan(fmt, result.findings, result.complete, result.details)


__all__ = ["scan_compressed", "scan_tar", "scan_zip", "with_member", "zip_kind"]
