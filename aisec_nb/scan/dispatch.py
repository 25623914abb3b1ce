"""Route a stream to the parser for its format, by content; containers recurse through here.

:func:`scan_stream` reads the first bytes at the stream's position, names the format
(:func:`~aisec_nb.scan.sniff.sniff_format`) and hands the stream, rewound, to that parser.
Archive members and nested files come back through :func:`scan_stream` one level deeper, so the
depth limit covers every kind of nesting.

Example::

    >>> import io
    >>> from aisec_nb.scan.policy import load_policy
    >>> scan_stream(io.BytesIO(b'{"a": 1}'), ScanContext(load_policy())).format
    'json'
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, BinaryIO

from .context import ScanContext, finding, truncate
from .limits import FormatScan
from .sniff import COMPRESSIONS, HDF5_MAGIC, HEAD_SIZE, PICKLE_PROTO, ZIP_END, sniff_format

_IDENTIFIERS = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
"""A global a loader could import; "class Foo(Bar):" read as GLOBAL by a text sniff cannot."""
_TEXT_TOLERATED = frozenset({"AISEC-PKL-006", "AISEC-PKL-020", "AISEC-PKL-021"})
"""Pickle findings prose can produce (an unknown non-identifier "global", a parse error, a
limit); any other finding means the bytes do something a loader would act on."""


def scan_stream(stream: BinaryIO, ctx: ScanContext, member: str | None = None) -> FormatScan:
    """Scan whatever is at the stream's position to its end."""
    start = stream.tell()
    head = stream.read(HEAD_SIZE)
    stream.seek(start)
    fmt = sniff_format(head)
    if ctx.depth > ctx.limits.max_depth:
        return FormatScan(fmt, (finding("AISEC-SCAN-003", "high", f"nested deeper than "
                                        f"{ctx.limits.max_depth} containers; not checked",
                                        member=member),), complete=False)
    if fmt == "empty":
        return FormatScan("empty", (finding("AISEC-SCAN-004", "info", "empty file",
                                            member=member),))
    result = _route(fmt, head, stream, ctx, member)
    if ctx.depth == 0:
        result = _polyglot(result, stream, start, ctx, member)
    return result


_ZIP_RESULTS = ("zip", "keras", "npz", "pytorch-zip", "torchscript")


def _polyglot(result: FormatScan, stream: BinaryIO, start: int, ctx: ScanContext,
              member: str | None) -> FormatScan:
    """``result`` plus the scan of a zip or HDF5 hidden in the same bytes: Keras opens any file
    ``zipfile.is_zipfile`` accepts and HDF5 finds a superblock at 512, 1024... bytes, so a
    GGUF, a pickle or even a zip can also be a model of another kind."""
    kinds = tuple(k for k, own in (("hdf5", ("hdf5",)), ("zip", _ZIP_RESULTS))
                  if not result.format.startswith(own))
    end = stream.seek(0, os.SEEK_END)
    hidden = _hidden_container(stream, start, end, kinds)
    if hidden is None:
        stream.seek(end)
        return result
    other = _route(hidden, b"", stream, ctx, member)
    stream.seek(end)
    note = finding("AISEC-ZIP-009", "high", f"the file is also a valid {hidden} "
                   f"({other.format}): loaders that look for one read different content",
                   member=member)
    return FormatScan(f"{result.format}+{other.format}", (*result.findings, note,
                                                          *other.findings),
                      result.complete and other.complete,
                      {**result.details, "polyglot": {"format": other.format,
                                                      "details": other.details}})


def _route(fmt: str, head: bytes, stream: BinaryIO, ctx: ScanContext,
           member: str | None) -> FormatScan:
    lim = ctx.limits
    if fmt == "pickle":
        return _pickle_or_text(head, stream, ctx, member)
    if fmt == "pytorch-legacy":
        from .formats.pytorch import scan_legacy

        return scan_legacy(stream, ctx, member)
    if fmt == "zip":
        from .archives.zip import scan_zip

        return scan_zip(stream, ctx, member)
    if fmt == "tar":
        from .archives.tar import scan_tar

        return scan_tar(stream, ctx, member)
    if fmt == "numpy":
        from .formats.npy import scan_npy_stream

        return scan_npy_stream(stream, policy=ctx.policy, limits=lim, member=member,
                               depth=ctx.depth)
    if fmt in COMPRESSIONS:
        from .archives.compressed import scan_compressed

        return scan_compressed(stream, fmt, ctx, member)
    if fmt == "hdf5":
        from .formats.hdf5 import scan_hdf5

        return scan_hdf5(stream, ctx, member)
    if fmt == "gguf":
        from .formats.gguf import scan_gguf

        return scan_gguf(stream, limits=lim, member=member)
    if fmt == "safetensors":
        from .formats.safetensors import scan_safetensors

        return scan_safetensors(stream, limits=lim, member=member)
    if fmt in ("image", "pdf"):
        # Pictures and documents in a model folder (README assets, papers): no model loader
        # reads them, so they are hashed and listed, not parsed.
        stream.seek(0, os.SEEK_END)
        return FormatScan(fmt, (finding("AISEC-SCAN-006", "info", f"{fmt} file: not a model "
                                        "format, hashed only", member=member),))
    if fmt == "7z":
        stream.seek(0, os.SEEK_END)
        return FormatScan("7z", (finding("AISEC-7Z-001", "high", "7z archives are not "
                                         "supported: extract the archive and scan its files",
                                         member=member),), complete=False)
    return _protobuf_or_text(fmt, head, stream, ctx, member)


def _pickle_or_text(head: bytes, stream: BinaryIO, ctx: ScanContext,
                    member: str | None) -> FormatScan:
    # The joblib-aware scan is the pickle scan plus a BUILD hook that skips arrays joblib
    # writes inline; on any other pickle it behaves exactly like the plain one.
    from .pickle.joblib import scan_joblib_stream

    start = stream.tell()
    result = scan_joblib_stream(stream, policy=ctx.policy, limits=ctx.limits, member=member,
                                depth=ctx.depth)
    if result.complete:
        return result
    if any(_IDENTIFIERS.match(str(g)) for g in result.details.get("globals", [])):
        return result
    if any(f.code not in _TEXT_TOLERATED for f in result.findings):
        return result  # a computed callable, an extension-registry call, a nested payload...
    # The bytes are not a working pickle. They may still be a container a loader finds away
    # from offset 0, or prose: a protocol-0 pickle is ASCII, so a README starting with "This"
    # sniffs as one. Without a single callable resolved, they cannot run code as a pickle.
    end = stream.seek(0, os.SEEK_END)
    hidden = _hidden_container(stream, start, end)
    if hidden is not None:
        return _route(hidden, head, stream, ctx, member)
    if head[:1] == bytes([PICKLE_PROTO]) or not _looks_like_text(head):
        stream.seek(end)
        return result
    stream.seek(start)
    return _text(stream, ctx, member)


def _protobuf_or_text(fmt: str, head: bytes, stream: BinaryIO, ctx: ScanContext,
                      member: str | None) -> FormatScan:
    from .formats.onnx import is_onnx, scan_onnx
    from .formats.protobuf import WireError, field_numbers
    from .formats.savedmodel import is_savedmodel, scan_savedmodel

    # Protobuf first: an ONNX file whose first bytes are a long doc string looks like text.
    start = stream.tell()
    end = stream.seek(0, os.SEEK_END)
    stream.seek(start)
    try:
        fields = field_numbers(stream, end)
    except WireError:
        fields = {}
    stream.seek(start)
    if fields and is_onnx(fields):
        return scan_onnx(stream, limits=ctx.limits, member=member, folder=ctx.folder)
    if fields and is_savedmodel(fields):
        return scan_savedmodel(stream, limits=ctx.limits, member=member)
    if fields and set(fields) == {1} and end - start <= ctx.limits.max_header:
        from .formats.keras import scan_keras_metadata

        keras_meta = scan_keras_metadata(stream, ctx.limits, member, ctx.policy)
        if keras_meta is not None:
            stream.seek(end)
            return keras_meta
        stream.seek(start)
    hidden = _hidden_container(stream, start, end)
    if hidden is not None:
        return _route(hidden, head, stream, ctx, member)
    if _looks_like_text(head):
        return _text(stream, ctx, member)
    stream.seek(end)
    if fields:
        # Well-formed protobuf of another kind (a SentencePiece tokenizer, a SavedModel
        # fingerprint): it has neither a graph nor meta graphs, so no runtime executes it.
        return FormatScan("protobuf-data", (finding("AISEC-SCAN-006", "info", "protobuf "
                                                    "data (not a model format)",
                                                    member=member),))
    return FormatScan(fmt, (finding("AISEC-SCAN-001", "high", "unrecognised format: not "
                                    f"checked (starts with {truncate(head[:8].hex(), 20)})",
                                    member=member),), complete=False)


JSON_PARSE_LIMIT = 8 * 1024 * 1024


def _hidden_container(stream: BinaryIO, start: int, end: int,
                      kinds: tuple[str, ...] = ("hdf5", "zip")) -> str | None:
    """A container whose loader finds it away from offset 0: HDF5 after a user block (the
    superblock may sit at 512, 1024, 2048... bytes) or a zip after prepended bytes (located from
    its end, as ``zipfile.is_zipfile`` and Keras do). ``None`` when there is neither."""
    offset = 512
    while "hdf5" in kinds and start + offset + 8 <= end:
        stream.seek(start + offset)
        if stream.read(8) == HDF5_MAGIC:
            stream.seek(start)
            return "hdf5"
        offset *= 2
    if "zip" not in kinds:
        stream.seek(start)
        return None
    tail = min(end - start, 22 + 65535)
    stream.seek(end - tail)
    found = ZIP_END in stream.read(tail)
    stream.seek(start)
    if found:
        from .archives.zip import ZipError, read_directory

        try:
            read_directory(stream)
        except (ZipError, OSError, ValueError):
            found = False
        stream.seek(start)
    return "zip" if found else None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample's end is still text.
        if exc.start < len(head) - 4:
            return False
    printable = sum(1 for b in head if b >= 32 or b in (9, 10, 13))
    return printable >= 0.95 * len(head)


def _text(stream: BinaryIO, ctx: ScanContext, member: str | None) -> FormatScan:
    """A text file: JSON when it parses as JSON, otherwise plain text. Never executed by a
    model loader, but Python source in a model folder runs under ``trust_remote_code``."""
    start = stream.tell()
    end = stream.seek(0, os.SEEK_END)
    size = end - start
    stream.seek(start)
    hidden = _hidden_container(stream, start, end)
    if hidden == "hdf5":
        from .formats.hdf5 import scan_hdf5

        return scan_hdf5(stream, ctx, member)
    if hidden == "zip":
        from .archives.zip import scan_zip

        return scan_zip(stream, ctx, member)
    findings = []
    if member is None and ctx.file is not None and ctx.file.name.endswith(".py"):
        findings.append(finding("AISEC-DIR-003", "medium", "Python source: runs when the model "
                                "is loaded with trust_remote_code=True; review it",
                                member=member))
    details: dict[str, Any] = {"size": size}
    fmt = "text"
    binary = False
    first = b""
    while chunk := stream.read(1024 * 1024):
        first = first or chunk.lstrip()[:1]
        binary = binary or b"\x00" in chunk
    if not binary and size <= JSON_PARSE_LIMIT:
        # The JSON/text label is only a fact for the record: parse small files to be exact,
        # and keep memory flat for big ones (a parsed 100 MB JSON takes gigabytes).
        stream.seek(start)
        try:
            json.loads(stream.read(size))
            fmt = "json"
        except (ValueError, RecursionError):
            pass
    elif not binary and first in (b"{", b"["):
        fmt = "json"
    stream.seek(end)
    if binary:
        return FormatScan("binary", (finding("AISEC-SCAN-001", "high", "binary data after a "
                                             "text-like start: not checked", member=member),),
                          complete=False)
    return FormatScan(fmt, tuple(findings), details=details)
