"""Route a source to the parser for its format, by content; containers recurse through here.

:func:`scan_stream` reads the first bytes at the source's position, names the format
(:func:`~aisec_nb.scan.sniff.sniff_format`) and hands the source, rewound, to the parser that
:data:`PARSERS` names for it. Two sniffed formats are ambiguous and resolved first
(:data:`RESOLVERS`): bytes that start like a protocol-0 pickle may be prose, and bytes that start
with protobuf field 1 may be ONNX, a SavedModel, Keras metadata or text. Archive members and
payloads nested in pickles come back through :func:`scan_stream` one level deeper (it puts
itself in the context as the rescan callback), so the depth limit covers every kind of nesting.

Example::

    >>> from aisec_nb.scan.policy import load_policy
    >>> from aisec_nb.scan.source import MemorySource
    >>> scan_stream(MemorySource(b'{"a": 1}'), ScanContext(load_policy())).format
    'json'
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from .archives.compressed import scan_compressed
from .archives.sevenzip import scan_7z
from .archives.tar import scan_tar
from .archives.zip import ZipError, read_directory, scan_zip
from .context import Parser, ScanContext, finding, truncate
from .formats.chat_template import (
    MAX_TEMPLATE,
    check_template,
    template_digest,
    templates_in_json,
)
from .formats.gguf import scan_gguf
from .formats.hdf5 import scan_hdf5
from .formats.keras import scan_keras_metadata
from .formats.npy import scan_npy
from .formats.onnx import is_onnx, scan_onnx
from .formats.protobuf import WireError, field_numbers
from .formats.pytorch import scan_legacy
from .formats.safetensors import scan_safetensors
from .formats.savedmodel import is_savedmodel, scan_savedmodel
from .limits import FormatScan
from .pickle.vm import scan_pickle
from .sniff import COMPRESSIONS, HDF5_MAGIC, HEAD_SIZE, PICKLE_PROTO, ZIP_END, sniff_format
from .source import ByteSource

_IDENTIFIERS = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
"""A global a loader could import; "class Foo(Bar):" read as GLOBAL by a text sniff cannot."""
_TEXT_TOLERATED = frozenset({"AISEC-PKL-006", "AISEC-PKL-020", "AISEC-PKL-021"})
"""Pickle findings prose can produce (an unknown non-identifier "global", a parse error, a
limit); any other finding means the bytes do something a loader would act on."""


def scan_stream(stream: ByteSource, ctx: ScanContext, member: str | None = None) -> FormatScan:
    """Scan whatever is at the source's position to its end, by its content."""
    if ctx.rescan is None:
        ctx = replace(ctx, rescan=scan_stream)
    start = stream.tell()
    head = stream.read(HEAD_SIZE)
    size = None
    if head[8:9] == b"{":
        # A safetensors header must fit the file: only then is the size worth a seek (an
        # inflating member decompresses to its end to find it).
        size = stream.seek(0, os.SEEK_END) - start
    stream.seek(start)
    fmt = sniff_format(head, size)
    if ctx.depth > ctx.limits.max_depth:
        return FormatScan(fmt, (finding("AISEC-SCAN-003", f"nested deeper than "
                                        f"{ctx.limits.max_depth} containers; not checked",
                                        member=member),), complete=False)
    result = _route(fmt, head, stream, ctx, member)
    if ctx.depth == 0:
        result = _polyglot(result, stream, start, ctx, member)
    return result


_ZIP_RESULTS = ("zip", "keras", "npz", "pytorch-zip", "torchscript")


def _polyglot(result: FormatScan, stream: ByteSource, start: int, ctx: ScanContext,
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
    note = finding("AISEC-ZIP-009", f"the file is also a valid {hidden} "
                   f"({other.format}): loaders that look for one read different content",
                   member=member)
    return FormatScan(f"{result.format}+{other.format}", (*result.findings, note,
                                                          *other.findings),
                      result.complete and other.complete,
                      {**result.details, "polyglot": {"format": other.format,
                                                      "details": other.details}})


def _route(fmt: str, head: bytes, stream: ByteSource, ctx: ScanContext,
           member: str | None) -> FormatScan:
    resolve = RESOLVERS.get(fmt)
    if resolve is not None:
        return resolve(fmt, head, stream, ctx, member)
    return PARSERS[fmt](stream, ctx, member)


def _empty(stream: ByteSource, ctx: ScanContext, member: str | None) -> FormatScan:
    return FormatScan("empty", (finding("AISEC-SCAN-004", "empty file", member=member),))


def _hashed_only(fmt: str) -> Parser:
    """Pictures and documents in a model folder (README assets, papers): no model loader reads
    them, so they are hashed and listed, not parsed."""

    def parse(stream: ByteSource, ctx: ScanContext, member: str | None) -> FormatScan:
        stream.seek(0, os.SEEK_END)
        return FormatScan(fmt, (finding("AISEC-SCAN-006", f"{fmt} file: not a model "
                                        "format, hashed only", member=member),))

    return parse


def _pickle_or_text(fmt: str, head: bytes, stream: ByteSource, ctx: ScanContext,
                    member: str | None) -> FormatScan:
    """A pickle, unless the bytes fail as one and read as text (or hide a container)."""
    # The pickle scan read to the end is joblib-aware: a BUILD hook skips the arrays joblib
    # writes inline; on any other pickle it behaves exactly like the plain one.
    start = stream.tell()
    result = PARSERS["pickle"](stream, ctx, member)
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


def _protobuf_or_text(fmt: str, head: bytes, stream: ByteSource, ctx: ScanContext,
                      member: str | None) -> FormatScan:
    """ONNX, a SavedModel or Keras metadata by their field layout; else a hidden container,
    text, other protobuf data, or an unrecognised format."""
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
        return PARSERS["onnx"](stream, ctx, member)
    if fields and is_savedmodel(fields):
        return PARSERS["tf-savedmodel"](stream, ctx, member)
    if fields and set(fields) == {1} and end - start <= ctx.limits.max_header:
        keras_meta = scan_keras_metadata(stream, ctx, member)
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
        return FormatScan("protobuf-data", (finding("AISEC-SCAN-006", "protobuf "
                                                    "data (not a model format)",
                                                    member=member),))
    return FormatScan(fmt, (finding("AISEC-SCAN-001", "unrecognised format: not "
                                    f"checked (starts with {truncate(head[:8].hex(), 20)})",
                                    member=member),), complete=False)


JSON_PARSE_LIMIT = 8 * 1024 * 1024


def _hidden_container(stream: ByteSource, start: int, end: int,
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


def _text(stream: ByteSource, ctx: ScanContext, member: str | None) -> FormatScan:
    """A text file: JSON when it parses as JSON, otherwise plain text. Never executed by a
    model loader, but Python source in a model folder runs under ``trust_remote_code``, and a
    chat template (a JSON document's ``chat_template``, a ``.jinja`` file) runs on every
    prompt: those are checked as code."""
    start = stream.tell()
    end = stream.seek(0, os.SEEK_END)
    size = end - start
    stream.seek(start)
    hidden = _hidden_container(stream, start, end)
    if hidden is not None:
        return PARSERS[hidden](stream, ctx, member)
    findings = []
    if member is None and ctx.file is not None and ctx.file.name.endswith(".py"):
        findings.append(finding("AISEC-DIR-003", "Python source: runs when the model "
                                "is loaded with trust_remote_code=True; review it",
                                member=member))
    details: dict[str, Any] = {"size": size}
    fmt = "text"
    binary = False
    first = b""
    template_key = jinja = False
    tail = b""
    while chunk := stream.read(1024 * 1024):
        first = first or chunk.lstrip()[:1]
        binary = binary or b"\x00" in chunk
        window = tail + chunk
        template_key = template_key or _TEMPLATE_KEY in window
        jinja = jinja or b"{{" in window or b"{%" in window
        tail = chunk[-len(_TEMPLATE_KEY):]
    parsed: Any = None
    limit = ctx.limits.max_header if template_key else JSON_PARSE_LIMIT
    if not binary and size <= limit:
        # The JSON/text label is only a fact for the record: parse small files to be exact,
        # and keep memory flat for big ones (a parsed 100 MB JSON takes gigabytes).
        stream.seek(start)
        try:
            parsed = json.loads(stream.read(size))
            fmt = "json"
        except (ValueError, RecursionError):
            pass
    elif not binary and first in (b"{", b"["):
        fmt = "json"
    templates: list[tuple[str, str, bool]] = []
    if fmt == "json" and template_key:
        templates = [(where, text, True) for where, text in templates_in_json(parsed)]
    elif fmt == "text" and not binary:
        named = _template_name(member, ctx)
        if (named or jinja) and size <= MAX_TEMPLATE * 4:
            stream.seek(start)
            text = stream.read(size).decode("utf-8", "replace")
            templates = [(_file_label(member, ctx), text, named)]
    digests = {}
    for where, text, required in templates:
        found = check_template(text, code="AISEC-TPL-001", where=where, member=member,
                               required=required)
        findings.extend(found)
        if required or found:
            digests[where] = template_digest(text)
    if digests:
        details["chat_templates_sha256"] = digests
    stream.seek(end)
    if binary:
        return FormatScan("binary", (finding("AISEC-SCAN-001", "binary data after a "
                                             "text-like start: not checked", member=member),),
                          complete=False)
    complete = not any(f.code in ("AISEC-SCAN-003", "AISEC-TPL-002") for f in findings)
    return FormatScan(fmt, tuple(findings), complete=complete, details=details)


_TEMPLATE_KEY = b'"chat_template"'
_TEMPLATE_SUFFIXES = (".jinja", ".jinja2", ".j2")


def _file_label(member: str | None, ctx: ScanContext) -> str:
    if member is not None:
        return member.rsplit("/", 1)[-1]
    return ctx.file.name if ctx.file is not None else "<template>"


def _template_name(member: str | None, ctx: ScanContext) -> bool:
    """Whether the file is named as a template (``chat_template.jinja``, ``*.j2``): runtimes
    find them by name, so a template that does not parse is reported there."""
    name = _file_label(member, ctx).lower()
    return name.endswith(_TEMPLATE_SUFFIXES) or name.startswith("chat_template")


PARSERS: Mapping[str, Parser] = MappingProxyType({
    "empty": _empty,
    "pickle": scan_pickle,
    "pytorch-legacy": scan_legacy,
    "zip": scan_zip,
    "tar": scan_tar,
    "numpy": scan_npy,
    **{kind: functools.partial(scan_compressed, kind=kind) for kind in COMPRESSIONS},
    "hdf5": scan_hdf5,
    "gguf": scan_gguf,
    "safetensors": scan_safetensors,
    "onnx": scan_onnx,
    "tf-savedmodel": scan_savedmodel,
    "image": _hashed_only("image"),
    "pdf": _hashed_only("pdf"),
    "7z": scan_7z,
    "text": _text,
})
"""Format name -> its parser: every name :func:`~aisec_nb.scan.sniff.sniff_format` returns that
is not in :data:`RESOLVERS`, plus the formats a resolver tells apart (``onnx``,
``tf-savedmodel``, ``text``)."""

Resolver = Callable[[str, bytes, ByteSource, ScanContext, "str | None"], FormatScan]
RESOLVERS: Mapping[str, Resolver] = MappingProxyType({
    "pickle": _pickle_or_text,
    "protobuf": _protobuf_or_text,
    "unknown": _protobuf_or_text,
})
"""Sniffed names whose bytes may be several formats: ``(name, head, source, context, member)``
to the parser that fits, or a finding."""
