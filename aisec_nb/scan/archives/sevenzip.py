"""7z archives read by their own structure, and every member scanned by content like a zip member.

The reader follows the format as 7-Zip writes it: the 32-byte signature header (its CRC checked),
the next header (CRC checked), which may itself be packed ("encoded header", decoded here like any
folder), then the streams (pack streams, folders of coders, sub-streams) and the files. A folder's
coders are decoded with the standard library only: Copy, LZMA, LZMA2, Deflate and BZip2, with the
BCJ filters (x86, PowerPC, IA-64, ARM, ARM-Thumb, SPARC) and delta on top; everything is bounded
like a zip member (size, ratio, count, depth, dictionary). A folder encrypted with AES, or using a
coder Python cannot decode (PPMd, BCJ2, Deflate64, zstd...), is reported as not checked, never
passed. Sub-stream and folder CRCs are checked in the same pass that feeds the members to their
parsers.

Why: a 7z-packed PyTorch file (the nullifAI technique) or pickle is opened by peers' scanners
(picklescan with an extra, ModelAudit through py7zr); refusing 7z outright is how scanners get
bypassed, and a scanner that crashes on one 7z aborts a whole folder scan (research notes).

Example::

    >>> import io, py7zr
    >>> from aisec_nb.scan.dispatch import scan_stream
    >>> from aisec_nb.scan.policy import load_policy
    >>> buf = io.BytesIO()
    >>> with py7zr.SevenZipFile(buf, "w") as z: z.writestr(b'{"a": 1}', "config.json")
    >>> _ = buf.seek(0)
    >>> result = scan_7z(buf, ScanContext(load_policy(), rescan=scan_stream))
    >>> result.format, [m["format"] for m in result.details["listed"]], result.findings
    ('7z', ['json'], ())
"""

from __future__ import annotations

import os
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ...record import Finding
from ..context import ScanContext, broken, finding, truncate
from ..limits import FormatScan, Limits
from ..sniff import BZIP2, DEFLATE, SEVEN_ZIP_MAGIC
from ..source import ByteSource, MemorySource, SeekableView, Window
from ..stop import ScanStop
from .inflate import (
    BombError,
    CorruptStream,
    Decompressor,
    DictionaryTooLarge,
    FilterOverBytes,
    Inflater,
    UnsupportedCompression,
    lzma1_filter,
    lzma2_filter,
    new_decompressor,
    raw_lzma,
)
from .zip import MAX_LISTED, random_access, unsafe_name

FORMAT = "7z"
SIGNATURE_SIZE = 32
MAX_ENCODED_HEADERS = 4
"""Headers packed inside headers: 7-Zip writes one level; more is refused as malformed."""
MAX_CODERS = 8
"""Coders in one folder (7-Zip writes at most 4: BCJ2 and its three LZMA streams)."""

# Property ids of the header (7-Zip's 7zFormat.txt).
K_END, K_HEADER, K_ARCHIVE_PROPERTIES, K_ADDITIONAL_STREAMS, K_MAIN_STREAMS = 0, 1, 2, 3, 4
K_FILES_INFO, K_PACK_INFO, K_UNPACK_INFO, K_SUBSTREAMS_INFO, K_SIZE, K_CRC = 5, 6, 7, 8, 9, 10
K_FOLDER, K_CODERS_UNPACK_SIZE, K_NUM_UNPACK_STREAM, K_EMPTY_STREAM = 11, 12, 13, 14
K_EMPTY_FILE, K_ANTI, K_NAME, K_WIN_ATTRIBUTES, K_ENCODED_HEADER, K_DUMMY = 15, 16, 17, 21, 23, 25

_LZMA_FILTERS = {
    b"\x03": "delta",
    b"\x03\x03\x01\x03": "bcj-x86", b"\x04": "bcj-x86",
    b"\x03\x03\x02\x05": "bcj-ppc", b"\x05": "bcj-ppc",
    b"\x03\x03\x04\x01": "bcj-ia64", b"\x06": "bcj-ia64",
    b"\x03\x03\x05\x01": "bcj-arm", b"\x07": "bcj-arm",
    b"\x03\x03\x07\x01": "bcj-armt", b"\x08": "bcj-armt",
    b"\x03\x03\x08\x05": "bcj-sparc", b"\x09": "bcj-sparc",
}
"""Filter coders (one byte in, one byte out, no compression) by 7z method id."""
_FILTER_IDS = {"bcj-x86": 0x04, "bcj-ppc": 0x05, "bcj-ia64": 0x06, "bcj-arm": 0x07,
               "bcj-armt": 0x08, "bcj-sparc": 0x09, "delta": 0x03}
"""liblzma's filter ids (``lzma.FILTER_X86``... and ``lzma.FILTER_DELTA``)."""
_COMPRESSORS = {b"\x00": "copy", b"\x03\x01\x01": "lzma", b"\x21": "lzma2",
                b"\x04\x01\x08": DEFLATE, b"\x04\x02\x02": BZIP2}
"""Coders that decompress, by 7z method id."""
_KNOWN_UNSUPPORTED = {
    b"\x06\xf1\x07\x01": "AES-256 encryption", b"\x06\xf1\x01\x01": "ZipCrypto encryption",
    b"\x06\xf1\x03\x03": "RAR AES encryption", b"\x03\x03\x01\x1b": "BCJ2",
    b"\x03\x04\x01": "PPMd", b"\x04\x01\x09": "Deflate64", b"\x04\xf7\x11\x01": "zstd",
    b"\x04\xf7\x11\x02": "Brotli", b"\x04\xf7\x11\x04": "LZ4", b"\x0a": "ARM64 filter",
    b"\x0b": "RISC-V filter",
}
"""Coders named in the "not checked" finding (anything else is "unknown coder <id>")."""
_ATTRIBUTE_UNIX = 0x8000
_ATTRIBUTE_DIRECTORY = 0x10
_S_IFMT, _S_IFLNK, _S_IFDIR, _S_IFREG = 0o170000, 0o120000, 0o040000, 0o100000


class SevenZipError(ScanStop, ValueError):
    """The archive breaks the 7z format (or a bound): it cannot be read as 7-Zip would."""


class NotDecodable(ScanStop):
    """A folder whose coders cannot be decoded here: encrypted, or unsupported."""

    def describe(self) -> str:
        """What was not decoded and why, for a "not checked" finding."""
        what = str(self)
        if "encryption" in what:
            return f"encrypted ({what}): not checked"
        return f"{what}: the scanner cannot decode it: not checked"


# -- the header -------------------------------------------------------------------------------


class _Cursor:
    """Reads a header's bytes; every count is checked against the bytes left before use."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def left(self) -> int:
        return len(self.data) - self.pos

    def byte(self) -> int:
        if self.pos >= len(self.data):
            msg = "the header ends early"
            raise SevenZipError(msg)
        value = self.data[self.pos]
        self.pos += 1
        return value

    def take(self, n: int) -> bytes:
        if n < 0 or n > self.left():
            msg = f"a field of {n:,} bytes runs past the header's end"
            raise SevenZipError(msg)
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def number(self) -> int:
        """7z's variable-length number: the first byte's leading ones count the bytes that
        follow."""
        first = self.byte()
        value = 0
        for i in range(8):
            mask = 0x80 >> i
            if not first & mask:
                return value | ((first & (mask - 1)) << (8 * i))
            value |= self.byte() << (8 * i)
        return value

    def count(self, what: str, limit: int, *, per_item: int = 1) -> int:
        """A count that the header's remaining bytes (at ``per_item`` each) and ``limit``
        can back."""
        n = self.number()
        if n > limit or n * per_item > max(self.left(), 0) + (0 if per_item else 1):
            msg = f"{what}: a count of {n:,} that the header cannot hold"
            raise SevenZipError(msg)
        return n

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "little")

    def bits(self, n: int) -> list[bool]:
        raw = self.take((n + 7) // 8)
        return [bool(raw[i // 8] & (0x80 >> (i % 8))) for i in range(n)]

    def defined(self, n: int) -> list[bool]:
        """An "all defined" byte, or a bit vector."""
        return [True] * n if self.byte() else self.bits(n)

    def expect(self, pid: int, where: str) -> None:
        got = self.byte()
        if got != pid:
            msg = f"{where}: property {got:#x} where {pid:#x} belongs"
            raise SevenZipError(msg)


@dataclass
class Coder:
    """One coder of a folder: its method id, properties and stream counts."""

    method: bytes
    props: bytes
    inputs: int = 1
    outputs: int = 1

    @property
    def name(self) -> str:
        known = _LZMA_FILTERS.get(self.method) or _COMPRESSORS.get(self.method)
        return known or _KNOWN_UNSUPPORTED.get(self.method) or f"coder {self.method.hex()}"


@dataclass
class Folder:
    """Coders chained by bind pairs, from packed streams to one unpacked stream."""

    coders: list[Coder]
    binds: list[tuple[int, int]]
    """(coder input index, coder output index) pairs: that input reads that output."""
    packed: list[int]
    """The coder input indices fed by the folder's pack streams, in order."""
    sizes: list[int] = field(default_factory=list)
    """Unpacked size of every coder output."""
    crc: int | None = None

    def main_output(self) -> int:
        bound = {out for _, out in self.binds}
        free = [i for i in range(sum(c.outputs for c in self.coders)) if i not in bound]
        if len(free) != 1:
            msg = "a folder whose coders do not end in one output"
            raise SevenZipError(msg)
        return free[0]

    @property
    def size(self) -> int:
        return self.sizes[self.main_output()] if self.sizes else 0


@dataclass
class Streams:
    """Pack streams, folders and the sub-streams (files) each folder unpacks to."""

    pack_pos: int = 0
    pack_sizes: list[int] = field(default_factory=list)
    folders: list[Folder] = field(default_factory=list)
    substreams: list[list[tuple[int, int | None]]] = field(default_factory=list)
    """Per folder: (size, CRC or None) of each sub-stream."""


@dataclass
class Entry:
    """One file of the archive."""

    name: str
    has_stream: bool = True
    is_dir: bool = False
    is_anti: bool = False
    attributes: int | None = None
    folder: int | None = None
    offset: int = 0
    size: int = 0
    crc: int | None = None

    @property
    def is_link(self) -> bool:
        a = self.attributes
        return a is not None and bool(a & _ATTRIBUTE_UNIX) and (a >> 16) & _S_IFMT == _S_IFLNK

    @property
    def is_special(self) -> bool:
        """A device, FIFO or socket by its Unix mode."""
        a = self.attributes
        if a is None or not a & _ATTRIBUTE_UNIX:
            return False
        kind = (a >> 16) & _S_IFMT
        return kind not in (0, _S_IFREG, _S_IFDIR, _S_IFLNK)


@dataclass
class Archive:
    """What the headers of a 7z archive say."""

    streams: Streams
    entries: list[Entry]
    findings: list[Finding] = field(default_factory=list)
    complete: bool = True
    encoded_header: bool = False


def _archive_properties(cur: _Cursor) -> None:
    while True:
        pid = cur.byte()
        if pid == K_END:
            return
        cur.take(cur.number())


def _pack_info(cur: _Cursor, out: Streams, limits: Limits) -> None:
    out.pack_pos = cur.number()
    n = cur.count("pack streams", limits.max_members)
    pid = cur.byte()
    if pid == K_SIZE:
        out.pack_sizes = [cur.number() for _ in range(n)]
        pid = cur.byte()
    if pid == K_CRC:
        flags = cur.defined(n)
        for is_defined in flags:
            if is_defined:
                cur.u32()
        pid = cur.byte()
    if pid != K_END:
        msg = f"pack info: property {pid:#x} where its end belongs"
        raise SevenZipError(msg)
    if len(out.pack_sizes) != n:
        msg = "pack info without the sizes of its streams"
        raise SevenZipError(msg)


def _folder(cur: _Cursor) -> Folder:
    n = cur.count("coders", MAX_CODERS, per_item=2)
    if n == 0:
        msg = "a folder without coders"
        raise SevenZipError(msg)
    coders = []
    for _ in range(n):
        flags = cur.byte()
        if flags & 0x80:
            msg = "a coder with alternative methods (never written by 7-Zip)"
            raise SevenZipError(msg)
        method = cur.take(flags & 0x0F)
        inputs = outputs = 1
        if flags & 0x10:
            inputs, outputs = cur.count("coder inputs", 32), cur.count("coder outputs", 32)
        props = cur.take(cur.number()) if flags & 0x20 else b""
        coders.append(Coder(method, props, inputs, outputs))
    total_in = sum(c.inputs for c in coders)
    total_out = sum(c.outputs for c in coders)
    if total_out == 0:
        msg = "a folder whose coders have no output"
        raise SevenZipError(msg)
    binds = [(cur.number(), cur.number()) for _ in range(total_out - 1)]
    if any(i >= total_in or o >= total_out for i, o in binds):
        msg = "a bind pair names a stream the folder does not have"
        raise SevenZipError(msg)
    n_packed = total_in - len(binds)
    if n_packed < 1:
        msg = "a folder with no packed stream"
        raise SevenZipError(msg)
    if n_packed == 1:
        bound_in = {i for i, _ in binds}
        packed = [i for i in range(total_in) if i not in bound_in][:1]
    else:
        packed = [cur.number() for _ in range(n_packed)]
    if not packed or any(p >= total_in for p in packed):
        msg = "a folder's packed stream is not one of its inputs"
        raise SevenZipError(msg)
    return Folder(coders, binds, packed)


def _unpack_info(cur: _Cursor, out: Streams, limits: Limits) -> None:
    cur.expect(K_FOLDER, "unpack info")
    n = cur.count("folders", limits.max_members, per_item=2)
    if cur.byte() != 0:
        raise NotDecodable("folders stored outside the header (the 'external' flag)")
    out.folders = [_folder(cur) for _ in range(n)]
    cur.expect(K_CODERS_UNPACK_SIZE, "unpack info")
    for folder in out.folders:
        folder.sizes = [cur.number() for _ in range(sum(c.outputs for c in folder.coders))]
    pid = cur.byte()
    if pid == K_CRC:
        for folder, is_defined in zip(out.folders, cur.defined(n), strict=True):
            if is_defined:
                folder.crc = cur.u32()
        pid = cur.byte()
    if pid != K_END:
        msg = f"unpack info: property {pid:#x} where its end belongs"
        raise SevenZipError(msg)


def _substreams(cur: _Cursor, out: Streams, limits: Limits) -> None:
    folders = out.folders
    counts = [1] * len(folders)
    pid = cur.byte()
    if pid == K_NUM_UNPACK_STREAM:
        counts = [cur.count("files in a folder", limits.max_members, per_item=0)
                  for _ in folders]
        if sum(counts) > limits.max_members:
            msg = f"{sum(counts):,} files in folders, over the {limits.max_members:,} limit"
            raise SevenZipError(msg)
        pid = cur.byte()
    sizes: list[list[int]] = []
    for folder, n in zip(folders, counts, strict=True):
        these = [cur.number() for _ in range(n - 1)] if pid == K_SIZE and n else []
        if n and pid != K_SIZE and n > 1:
            msg = "a folder of several files without their sizes"
            raise SevenZipError(msg)
        if n:
            rest = folder.size - sum(these)
            if rest < 0:
                msg = "the files of a folder are larger than the folder"
                raise SevenZipError(msg)
            these.append(rest)
        sizes.append(these)
    if pid == K_SIZE:
        pid = cur.byte()
    crcs: list[list[int | None]] = [[None] * n for n in counts]
    unknown = [(f, i) for f, (folder, n) in enumerate(zip(folders, counts, strict=True))
               for i in range(n) if not (n == 1 and folder.crc is not None)]
    for f, (folder, n) in enumerate(zip(folders, counts, strict=True)):
        if n == 1 and folder.crc is not None:
            crcs[f][0] = folder.crc
    while pid != K_END:
        if pid == K_CRC:
            for (f, i), is_defined in zip(unknown, cur.defined(len(unknown)), strict=True):
                if is_defined:
                    crcs[f][i] = cur.u32()
        else:
            cur.take(cur.number())
        pid = cur.byte()
    out.substreams = [list(zip(s, c, strict=True)) for s, c in zip(sizes, crcs, strict=True)]


def _streams_info(cur: _Cursor, limits: Limits) -> Streams:
    out = Streams()
    pid = cur.byte()
    if pid == K_PACK_INFO:
        _pack_info(cur, out, limits)
        pid = cur.byte()
    if pid == K_UNPACK_INFO:
        _unpack_info(cur, out, limits)
        pid = cur.byte()
    if pid == K_SUBSTREAMS_INFO:
        _substreams(cur, out, limits)
        pid = cur.byte()
    else:
        out.substreams = [[(f.size, f.crc)] for f in out.folders]
    if pid != K_END:
        msg = f"streams info: property {pid:#x} where its end belongs"
        raise SevenZipError(msg)
    return out


def _names(raw: bytes, n: int) -> list[str]:
    if len(raw) % 2:
        msg = "file names are not UTF-16"
        raise SevenZipError(msg)
    text = raw.decode("utf-16-le", "replace")
    names = text.split("\x00")
    if len(names) < n + 1 or any(names[n:]):
        msg = f"{len(names) - 1} file names for {n} files"
        raise SevenZipError(msg)
    return names[:n]


def _files_info(cur: _Cursor, limits: Limits) -> list[Entry]:
    n = cur.count("files", limits.max_members, per_item=0)
    entries = [Entry(name=f"<file {i}>") for i in range(n)]
    empty_stream: list[bool] = [False] * n
    empty_file: list[bool] = []
    anti: list[bool] = []
    while True:
        pid = cur.byte()
        if pid == K_END:
            break
        body = _Cursor(cur.take(cur.number()))
        if pid == K_EMPTY_STREAM:
            empty_stream = body.bits(n)
        elif pid == K_EMPTY_FILE:
            empty_file = body.bits(sum(empty_stream))
        elif pid == K_ANTI:
            anti = body.bits(sum(empty_stream))
        elif pid == K_NAME:
            if body.byte() != 0:
                raise NotDecodable("file names stored outside the header")
            for entry, name in zip(entries, _names(body.take(body.left()), n), strict=True):
                entry.name = name
        elif pid == K_WIN_ATTRIBUTES:
            flags = body.defined(n)
            if body.byte() != 0:
                raise NotDecodable("file attributes stored outside the header")
            for entry, is_defined in zip(entries, flags, strict=True):
                if is_defined:
                    entry.attributes = body.u32()
    empty_index = 0
    for entry, is_empty in zip(entries, empty_stream, strict=True):
        entry.has_stream = not is_empty
        if is_empty:
            file_flag = empty_file[empty_index] if empty_index < len(empty_file) else False
            entry.is_anti = anti[empty_index] if empty_index < len(anti) else False
            entry.is_dir = not file_flag
            empty_index += 1
        elif entry.attributes is not None and entry.attributes & _ATTRIBUTE_DIRECTORY:
            entry.is_dir = False  # a stream holds data whatever the attribute says
    return entries


def _header(cur: _Cursor, limits: Limits) -> tuple[Streams, list[Entry]]:
    streams, entries = Streams(), []
    pid = cur.byte()
    if pid == K_ARCHIVE_PROPERTIES:
        _archive_properties(cur)
        pid = cur.byte()
    if pid == K_ADDITIONAL_STREAMS:
        _streams_info(cur, limits)  # never written by 7-Zip; read to stay in step
        pid = cur.byte()
    if pid == K_MAIN_STREAMS:
        streams = _streams_info(cur, limits)
        pid = cur.byte()
    if pid == K_FILES_INFO:
        entries = _files_info(cur, limits)
        pid = cur.byte()
    if pid != K_END:
        msg = f"header: property {pid:#x} where its end belongs"
        raise SevenZipError(msg)
    return streams, entries


def _assign(streams: Streams, entries: list[Entry]) -> None:
    """Give each file with data its folder, offset and size (files take sub-streams in
    order)."""
    queue = [(f, offset, size, crc) for f, subs in enumerate(streams.substreams)
             for offset, (size, crc) in zip(_offsets(subs), subs, strict=True)]
    with_data = [e for e in entries if e.has_stream]
    if len(with_data) != len(queue):
        msg = f"{len(with_data)} files with data but {len(queue)} streams to hold them"
        raise SevenZipError(msg)
    for entry, (f, offset, size, crc) in zip(with_data, queue, strict=True):
        entry.folder, entry.offset, entry.size, entry.crc = f, offset, size, crc


def _offsets(subs: list[tuple[int, int | None]]) -> list[int]:
    out, at = [], 0
    for size, _ in subs:
        out.append(at)
        at += size
    return out


def read_archive(stream: ByteSource, limits: Limits) -> Archive:
    """Parse the signature header and the (possibly encoded) next header of a 7z archive at
    the stream's position. Raises :class:`SevenZipError` or :class:`NotDecodable`."""
    start = stream.tell()
    size = stream.seek(0, os.SEEK_END) - start
    stream.seek(start)
    head = stream.read(SIGNATURE_SIZE)
    if len(head) < SIGNATURE_SIZE or not head.startswith(SEVEN_ZIP_MAGIC):
        msg = "no 7z signature header"
        raise SevenZipError(msg)
    if head[6] != 0:
        msg = f"7z format version {head[6]}.{head[7]} (only 0.x exists)"
        raise SevenZipError(msg)
    if zlib.crc32(head[12:32]) != int.from_bytes(head[8:12], "little"):
        msg = "the signature header's CRC does not match"
        raise SevenZipError(msg)
    offset = int.from_bytes(head[12:20], "little")
    length = int.from_bytes(head[20:28], "little")
    header_crc = int.from_bytes(head[28:32], "little")
    if length == 0:
        return Archive(Streams(), [])
    if SIGNATURE_SIZE + offset + length > size:
        msg = (f"the next header ({length:,} bytes at {SIGNATURE_SIZE + offset:,}) runs past "
               f"the end of the file ({size:,})")
        raise SevenZipError(msg)
    if length > limits.max_header:
        msg = f"a header of {length:,} bytes, over the {limits.max_header:,}-byte limit"
        raise SevenZipError(msg)
    stream.seek(start + SIGNATURE_SIZE + offset)
    data = stream.read(length)
    if zlib.crc32(data) != header_crc:
        msg = "the next header's CRC does not match"
        raise SevenZipError(msg)
    encoded = False
    for _ in range(MAX_ENCODED_HEADERS + 1):
        cur = _Cursor(data)
        pid = cur.byte()
        if pid == K_HEADER:
            streams, entries = _header(cur, limits)
            _assign(streams, entries)
            return Archive(streams, entries, encoded_header=encoded)
        if pid != K_ENCODED_HEADER:
            msg = f"the next header starts with property {pid:#x}"
            raise SevenZipError(msg)
        packed = _streams_info(cur, limits)
        if len(packed.folders) != 1:
            msg = "an encoded header that is not one folder"
            raise SevenZipError(msg)
        folder = packed.folders[0]
        if folder.size > limits.max_header:
            msg = f"an encoded header of {folder.size:,} bytes, over the limit"
            raise SevenZipError(msg)
        reader = open_folder(stream, start, packed, 0, limits)
        data = reader.read(folder.size + 1)
        if len(data) != folder.size:
            msg = "the encoded header does not decode to its declared size"
            raise SevenZipError(msg)
        if folder.crc is not None and zlib.crc32(data) != folder.crc:
            msg = "the decoded header's CRC does not match"
            raise SevenZipError(msg)
        encoded = True
    msg = f"headers encoded more than {MAX_ENCODED_HEADERS} times"
    raise SevenZipError(msg)


# -- decoding folders -------------------------------------------------------------------------


def _chain(folder: Folder) -> list[Coder]:
    """The coders from the packed stream to the folder's output, for a folder of simple coders
    (one input, one output each) bound one after the other; NotDecodable otherwise."""
    for coder in folder.coders:
        if coder.inputs != 1 or coder.outputs != 1:
            raise NotDecodable(f"{coder.name} (a coder of {coder.inputs} inputs)")
    if len(folder.packed) != 1:
        raise NotDecodable("a folder of several packed streams")
    feeds = dict(folder.binds)  # input index -> the output feeding it
    order = [folder.main_output()]  # coder index == its output index == its input index
    while order[-1] in feeds:
        order.append(feeds[order[-1]])
        if len(order) > len(folder.coders):
            msg = "coders bound in a loop"
            raise SevenZipError(msg)
    if order[-1] != folder.packed[0] or len(order) != len(folder.coders):
        raise NotDecodable("coders not bound one after the other")
    return [folder.coders[i] for i in reversed(order)]


def _filter_spec(coder: Coder) -> dict[str, int]:
    name = _LZMA_FILTERS[coder.method]
    spec = {"id": _FILTER_IDS[name]}
    if name == "delta":
        spec["dist"] = (coder.props[0] + 1) if coder.props else 1
    elif len(coder.props) == 4:
        spec["start_offset"] = int.from_bytes(coder.props, "little")
    return spec


def _stages(folder: Folder, limits: Limits) -> list[tuple[str, Any, int]]:
    """The decode stages, packed side first: ``(label, factory, output size)`` where
    ``factory`` makes a decompressor (None for Copy). LZMA with filters over it is one ``lzma``
    chain."""
    coders = _chain(folder)
    sizes = [folder.sizes[folder.coders.index(c)] for c in coders]
    stages: list[tuple[str, Any, int]] = []
    i = 0
    while i < len(coders):
        coder = coders[i]
        method = coder.method
        if method in _COMPRESSORS:
            kind = _COMPRESSORS[method]
            if kind in ("lzma", "lzma2"):
                make = lzma1_filter if kind == "lzma" else lzma2_filter
                chain = [make(coder.props, size=sizes[i], max_dictionary=limits.max_dictionary)]
                names = [kind]
                # LZMA2 ends in an end marker, so filters over it are one lzma chain that
                # flushes; LZMA1 in 7z has none, so its filters run after it, on its output.
                while (kind == "lzma2" and i + 1 < len(coders)
                       and coders[i + 1].method in _LZMA_FILTERS):
                    i += 1
                    chain.insert(0, _filter_spec(coders[i]))
                    names.append(_LZMA_FILTERS[coders[i].method])
                stages.append(("+".join(names), _raw_factory(chain), sizes[i]))
            elif kind == "copy":
                stages.append(("copy", None, sizes[i]))
            else:
                stages.append((kind, _kind_factory(kind), sizes[i]))
        elif method in _LZMA_FILTERS:
            stages.append((_LZMA_FILTERS[method], _over_bytes_factory(_filter_spec(coder)),
                           sizes[i]))
        elif method in _KNOWN_UNSUPPORTED:
            raise NotDecodable(_KNOWN_UNSUPPORTED[method])
        else:
            raise NotDecodable(f"unknown coder {method.hex() or '(empty id)'}")
        i += 1
    return stages


def _raw_factory(chain: list[dict[str, int]]) -> Any:
    raw_lzma(chain)  # fail now, while the folder is planned, for a chain lzma refuses

    def make() -> Decompressor:
        return raw_lzma(chain)

    return make


def _kind_factory(kind: str) -> Any:
    def make() -> Decompressor:
        return new_decompressor(kind)

    return make


def _over_bytes_factory(spec: dict[str, int]) -> Any:
    FilterOverBytes(spec)

    def make() -> Decompressor:
        return FilterOverBytes(spec)

    return make


def open_folder(stream: ByteSource, start: int, streams: Streams, index: int, limits: Limits,
                tap: Any = None) -> SeekableView:
    """A bounded, seekable stream of folder ``index``'s unpacked bytes. Raises NotDecodable
    for coders that cannot be decoded here, SevenZipError for pack data outside the file."""
    folder = streams.folders[index]
    first = sum(len(f.packed) for f in streams.folders[:index])
    if first >= len(streams.pack_sizes):
        msg = "a folder without its pack stream"
        raise SevenZipError(msg)
    at = start + SIGNATURE_SIZE + streams.pack_pos + sum(streams.pack_sizes[:first])
    packed_size = streams.pack_sizes[first]
    end = stream.seek(0, os.SEEK_END)
    if at + packed_size > end:
        msg = f"packed data ({packed_size:,} bytes at {at:,}) runs past the end of the file"
        raise SevenZipError(msg)
    stages = _stages(folder, limits)
    view: SeekableView = Window(stream, at, packed_size)
    for n, (label, make, out_size) in enumerate(stages):
        if make is None:
            continue
        last = n == len(stages) - 1
        if out_size > limits.max_decompressed:
            msg = f"a folder of {out_size:,} bytes, over the {limits.max_decompressed:,} limit"
            raise BombError(msg)
        view = Inflater(view, label, limit=out_size, max_ratio=limits.max_ratio,
                        decompressor=make, tap=tap if last else None, exact=True)
    if isinstance(view, Window) and tap is not None:
        view = _Tapped(view, tap)
    return view


def _finish(reader: SeekableView, crcs: _Crcs) -> int:
    """Decode (or read) what no parser read, so that every CRC is known; the bytes the folder
    holds."""
    if isinstance(reader, Inflater):
        return reader.seek(0, os.SEEK_END)
    reader.seek(crcs.done)
    while reader.read(1024 * 1024):
        pass
    return reader.tell()


class _Tapped(SeekableView):
    """A Copy folder (stored bytes) that shows what is read to a tap, as an Inflater does."""

    def __init__(self, base: Window, tap: Any) -> None:
        super().__init__()
        self._base = base
        self._tap = tap
        self.size = base.size

    def seek(self, offset: int, whence: int = os.SEEK_SET, /) -> int:
        self._pos = self._base.seek(offset, whence)
        return self._pos

    def read(self, size: int = -1, /) -> bytes:
        at = self._base.tell()
        data = self._base.read(size)
        if data:
            self._tap(at, data)
        self._pos = self._base.tell()
        return data


class _Crcs:
    """CRC-32 of every sub-stream of a folder, computed from the bytes as they are decoded (the
    first time each byte is produced, in order), so checking costs no second pass. Sub-streams
    are visited in order with a moving index: linear in chunks plus files."""

    def __init__(self, entries: list[Entry]) -> None:
        self.ranges = sorted(((e.offset, e.offset + e.size, e) for e in entries),
                             key=lambda r: (r[0], r[1]))
        self.crc = {id(e): 0 for e in entries}
        self.done = 0
        self._first = 0

    def __call__(self, offset: int, data: bytes) -> None:
        end = offset + len(data)
        if offset > self.done or end <= self.done:
            return
        at = self.done
        part = memoryview(data)[at - offset :]
        ranges = self.ranges
        while self._first < len(ranges) and ranges[self._first][1] <= at:
            self._first += 1
        i = self._first
        while i < len(ranges) and ranges[i][0] < end:
            lo, hi, entry = ranges[i]
            a, b = max(lo, at), min(hi, end)
            if a < b:
                self.crc[id(entry)] = zlib.crc32(part[a - at : b - at], self.crc[id(entry)])
            i += 1
        self.done = end


# -- scanning ---------------------------------------------------------------------------------


def _join(outer: str | None, inner: str) -> str:
    return inner if outer is None else f"{outer}/{inner}"


def scan_7z(stream: ByteSource, ctx: ScanContext, member: str | None = None) -> FormatScan:
    """Scan every member of a 7z archive as 7-Zip would extract it, each by its content through
    the context's router (one level deeper)."""
    start = stream.tell()
    try:
        archive = read_archive(stream, ctx.limits)
    except NotDecodable as exc:
        stream.seek(0, os.SEEK_END)
        return broken(FORMAT, "AISEC-7Z-001", f"the archive's header is {exc.describe()}; "
                      "no member was checked", member=member)
    except DictionaryTooLarge as exc:
        stream.seek(0, os.SEEK_END)
        return broken(FORMAT, "AISEC-SCAN-003", f"the archive's header: {exc}: not checked",
                      member=member)
    except (SevenZipError, UnsupportedCompression) as exc:
        stream.seek(0, os.SEEK_END)
        return broken(FORMAT, "AISEC-7Z-002", f"not a readable 7z archive: {exc}",
                      member=member)
    except BombError as exc:
        stream.seek(0, os.SEEK_END)
        return broken(FORMAT, "AISEC-ZIP-005", f"the archive's header is a decompression bomb: "
                      f"{exc}", member=member)
    except CorruptStream as exc:
        stream.seek(0, os.SEEK_END)
        return broken(FORMAT, "AISEC-7Z-002", f"the archive's header cannot be decoded: {exc}",
                      member=member)
    findings: list[Finding] = [*_structure(archive, ctx.limits, member)]
    complete = archive.complete
    listed: list[dict[str, Any]] = []
    entries = [e for e in archive.entries if not e.is_dir and not e.is_anti]
    if len(entries) > ctx.limits.max_members:
        findings.append(finding("AISEC-ZIP-006", f"more than {ctx.limits.max_members:,} "
                                "members; the rest were not checked", member=member))
        entries = entries[: ctx.limits.max_members]
        complete = False
    scanned = {id(e) for e in entries}
    for entry in entries:
        if not entry.has_stream:
            _list(listed, entry, _scan_member(MemorySource(b""), ctx, _join(member, entry.name)))
    coders: list[str] = []
    for index, folder in enumerate(archive.streams.folders):
        members = [e for e in archive.entries if e.folder == index and id(e) in scanned]
        coders.append(" ".join(c.name for c in _safe_chain(folder)))
        result = _scan_folder(stream, start, archive.streams, index, members, ctx, member)
        for entry, scan in result[0]:
            _list(listed, entry, scan)
            findings.extend(scan.findings)
            complete = complete and scan.complete
        findings.extend(result[1])
        complete = complete and result[2]
    stream.seek(0, os.SEEK_END)
    details: dict[str, Any] = {"members": len(entries), "listed": listed,
                               "folders": len(archive.streams.folders), "coders": coders}
    if archive.encoded_header:
        details["encoded_header"] = True
    return FormatScan(FORMAT, tuple(findings), complete=complete, details=details)


def _safe_chain(folder: Folder) -> list[Coder]:
    try:
        return _chain(folder)
    except (NotDecodable, SevenZipError):
        return folder.coders


def _list(listed: list[dict[str, Any]], entry: Entry, scan: FormatScan) -> None:
    if len(listed) < MAX_LISTED:
        listed.append({"name": truncate(entry.name, 200), "format": scan.format,
                       "size": entry.size})


def _structure(archive: Archive, limits: Limits, member: str | None) -> list[Finding]:
    found: list[Finding] = []
    names = Counter(e.name for e in archive.entries if not e.is_anti)
    for name, count in names.items():
        if count > 1:
            found.append(finding("AISEC-ZIP-003", f"member {truncate(name, 120)!r} appears "
                                 f"{count} times; every copy was scanned",
                                 member=_join(member, truncate(name, 200))))
    for entry in archive.entries:
        shown = _join(member, truncate(entry.name, 200))
        why = unsafe_name(entry.name)
        if why is not None:
            found.append(finding("AISEC-ZIP-004", f"member name {why}", member=shown))
        if entry.is_link:
            found.append(finding("AISEC-7Z-004", "member is a symbolic link (7-Zip and py7zr "
                                 "extract it as one)", member=shown))
        elif entry.is_special:
            found.append(finding("AISEC-7Z-004", "member is a device, FIFO or socket",
                                 member=shown))
    first = 0
    for folder in archive.streams.folders:
        packed = sum(archive.streams.pack_sizes[first : first + len(folder.packed)])
        first += len(folder.packed)
        if folder.size > 1024 * 1024 and folder.size > limits.max_ratio * max(packed, 1):
            found.append(finding("AISEC-ZIP-005", f"a folder declares {folder.size:,} bytes "
                                 f"from {packed:,} packed (over {limits.max_ratio:g}×)",
                                 member=member))
    return found


def _scan_folder(stream: ByteSource, start: int, streams: Streams, index: int,
                 members: list[Entry], ctx: ScanContext, outer: str | None
                 ) -> tuple[list[tuple[Entry, FormatScan]], list[Finding], bool]:
    """Scan the members of one folder in the order they are stored; then finish the pass and
    check their CRCs. Returns (member scans, folder findings, complete)."""
    folder = streams.folders[index]
    out: list[tuple[Entry, FormatScan]] = []
    findings: list[Finding] = []
    crcs = _Crcs(members)
    try:
        reader = open_folder(stream, start, streams, index, ctx.limits, tap=crcs)
    except NotDecodable as exc:
        for entry in members:
            out.append((entry, broken("7z-member", "AISEC-7Z-001", exc.describe(),
                                      member=_join(outer, entry.name))))
        if not members:
            findings.append(finding("AISEC-7Z-001", f"folder {index}: {exc.describe()}",
                                    member=outer))
        return out, findings, False
    except DictionaryTooLarge as exc:
        for entry in members:
            out.append((entry, broken("7z-member", "AISEC-SCAN-003", f"{exc}: not checked",
                                      member=_join(outer, entry.name))))
        return out, findings, False
    except (SevenZipError, UnsupportedCompression, BombError) as exc:
        code = "AISEC-ZIP-005" if isinstance(exc, BombError) else "AISEC-7Z-002"
        for entry in members:
            out.append((entry, broken("7z-member", code, f"{exc}: not checked",
                                      member=_join(outer, entry.name))))
        return out, findings, False
    stopped: FormatScan | None = None
    for entry in sorted(members, key=lambda e: e.offset):
        label = _join(outer, entry.name)
        if stopped is not None:
            out.append((entry, broken("7z-member", stopped.findings[0].code,
                                      "not checked: " + stopped.findings[0].message,
                                      member=label)))
            continue
        try:
            with random_access(Window(reader, entry.offset, entry.size)) as view:
                scan = _scan_member(view, ctx, label)
        except BombError as exc:
            stopped = broken("7z-member", "AISEC-ZIP-005", f"decompression bomb: {exc}",
                             member=label)
            scan = stopped
        except (ValueError, OSError, EOFError) as exc:
            stopped = broken("7z-member", "AISEC-SCAN-002", f"member cannot be read: {exc}",
                             member=label)
            scan = stopped
        out.append((entry, scan))
    if stopped is not None:
        return out, findings, False
    complete = True
    try:
        produced = _finish(reader, crcs)
    except BombError as exc:
        findings.append(finding("AISEC-ZIP-005", f"folder {index}: decompression bomb: {exc}",
                                member=outer))
        return out, findings, False
    except (ValueError, OSError, EOFError) as exc:
        findings.append(finding("AISEC-SCAN-002", f"folder {index} cannot be read to its "
                                f"end: {exc}", member=outer))
        return out, findings, False
    if produced < folder.size:
        findings.append(finding("AISEC-7Z-002", f"folder {index} decodes to {produced:,} "
                                f"bytes, not the {folder.size:,} its header declares",
                                member=outer))
        complete = False
    elif crcs.done >= folder.size:
        for entry in members:
            if entry.crc is not None and crcs.crc[id(entry)] != entry.crc:
                findings.append(finding(
                    "AISEC-7Z-003", f"CRC-32 is {crcs.crc[id(entry)]:08x} but the header "
                    f"says {entry.crc:08x}: the member was altered after archiving",
                    member=_join(outer, truncate(entry.name, 200))))
    return out, findings, complete


def _scan_member(view: ByteSource, ctx: ScanContext, label: str) -> FormatScan:
    return ctx.deeper().scan(view, label)
