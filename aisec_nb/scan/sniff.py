"""Format detection by content, never by file name, and the scanner's one vocabulary of formats.

Every magic number the scanner matches is defined here, and every format and compression name it
uses. :func:`sniff_format` names the outer format of a file from its first bytes (and its size,
when known); :func:`sniff_compression` names the compression of a stream already known to be
compressed. Containers are told apart later by what they hold (a zip with ``data.pkl`` is
PyTorch, with ``config.json`` Keras...), and protobuf files by their field layout (ONNX vs TF
SavedModel); see the format parsers.

A format is named by its structure, not by a first byte alone: a safetensors file whose header
is 128 bytes long starts with ``80 00``, the opening of a pickle, and is still safetensors
because its length, its ``{`` and its JSON header fit together (and fit the file).

Example::

    >>> sniff_format(b"\\x80\\x04\\x95")
    'pickle'
    >>> head = b'{"w": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}}'.ljust(128)
    >>> sniff_format(len(head).to_bytes(8, "little") + head, 136)
    'safetensors'
    >>> sniff_format(b"GGUF\\x03\\x00\\x00\\x00")
    'gguf'
    >>> sniff_compression(b"BZh91AY&SY"), pickle_label("bzip2")
    ('bzip2', 'bz2')
"""

from __future__ import annotations

import json
import pickletools

HEAD_SIZE = 512
"""Bytes a caller should read for :func:`sniff_format` (tar needs 262)."""

# -- names ------------------------------------------------------------------------------------

GZIP, BZIP2, XZ, LZMA, ZLIB, LZ4 = "gzip", "bzip2", "xz", "lzma", "zlib", "lz4"
COMPRESSIONS = (GZIP, BZIP2, XZ, LZMA, ZLIB, LZ4)
"""The compressed-stream formats, named as :func:`sniff_format` names them."""
DEFLATE = "deflate"
"""Raw deflate, as in zip members: no header, so no magic number of its own."""
ZIP_LZMA = "zip-lzma"
"""LZMA as zip method 14 stores it: a 4-byte header, the properties, raw LZMA1."""

FORMATS = ("empty", "pickle", "pytorch-legacy", "zip", "numpy", "hdf5", "gguf", *COMPRESSIONS,
           "7z", "image", "pdf", "tar", "safetensors", "protobuf", "unknown")
"""Every name :func:`sniff_format` returns."""


def pickle_label(compression: str) -> str:
    """How the record of a compressed pickle spells its compression (``bz2/pickle``).

    Records have always used the name of Python's module for bzip2; every other compression
    keeps its own name, and an unknown one is shown as given.
    """
    return "bz2" if compression == BZIP2 else compression


# -- magic numbers ----------------------------------------------------------------------------

ZIP_LOCAL = b"PK\x03\x04"
"""A zip member's local header (and so the start of most zip files)."""
ZIP_CENTRAL = b"PK\x01\x02"
ZIP_END = b"PK\x05\x06"
"""The end-of-central-directory record (the start of an empty zip)."""
ZIP64_END = b"PK\x06\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
"""The HDF5 superblock signature, at offset 0 or after a user block (512, 1024, 2048... bytes)."""
NUMPY_MAGIC = b"\x93NUMPY"
GGUF_MAGIC = b"GGUF"
GZIP_MAGIC = b"\x1f\x8b"
BZIP2_MAGIC = b"BZh"
XZ_MAGIC = b"\xfd7zXZ\x00"
LZ4_MAGIC = b"\x04\x22\x4d\x18"
"""An lz4 frame."""
LZMA_ALONE_MAGIC = b"\x5d\x00\x00"
"""The LZMA "alone" format (properties byte 0x5D, dictionary size), as joblib writes it."""
SEVEN_ZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
IMAGE_MAGICS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
"""PNG, JPEG and GIF; WebP is a RIFF file with ``WEBP`` at offset 8."""
PDF_MAGIC = b"%PDF-"
TAR_MAGIC = b"ustar"
TAR_MAGIC_AT = 257
PICKLE_PROTO = 0x80
"""The PROTO opcode that starts every protocol 2+ pickle."""
TORCH_LEGACY_MAGIC = b"\x8a\x0a" + (0x1950A86A20F9469CFC6C).to_bytes(10, "little")
"""LONG1 of torch's legacy magic number: the first pickle of a pre-1.6 ``torch.save`` file."""
MARSHAL_CODE_MARKERS = (b"\xe3", b"c\x00\x00\x00")
"""How ``marshal.dumps(code)`` starts: TYPE_CODE ('c'), with FLAG_REF (0x80) set on Python 3."""

# Opcodes a protocol 0/1 pickle can plausibly start with (protocol 2+ starts with PROTO).
_PICKLE_FIRST_OPS = frozenset(b"()]}cILFSVNKJMGUTXBCilgdptP")
_PICKLE_OPS = frozenset(ord(op.code) for op in pickletools.opcodes)
"""Every opcode byte of pickle protocols 0-5 (what may follow PROTO)."""


def is_zlib(head: bytes) -> bool:
    """Whether ``head`` starts with a zlib header (RFC 1950).

    >>> is_zlib(b"x\\x9c"), is_zlib(b"x\\x00")
    (True, False)
    """
    # CM=8 (deflate), CINFO<=7, and the two header bytes are a multiple of 31.
    return (
        len(head) >= 2
        and head[0] & 0x0F == 8
        and head[0] >> 4 <= 7
        and (head[0] * 256 + head[1]) % 31 == 0
    )


def safetensors_header(head: bytes, size: int | None = None) -> bool:
    """Whether ``head`` opens a safetensors file by its structure: an 8-byte little-endian
    length, then ``{`` and JSON text that runs to that length, within ``size`` bytes when the
    size is known. A header that fits in ``head`` must parse as a JSON object.

    >>> safetensors_header((2).to_bytes(8, "little") + b"{}", 10)
    True
    >>> safetensors_header((2).to_bytes(8, "little") + b"{}", 9)   # longer than the file
    False
    """
    if len(head) < 10 or head[8:9] != b"{":
        return False
    n = int.from_bytes(head[:8], "little")
    if n < 2 or (size is not None and n + 8 > size):
        return False
    text = head[8 : 8 + n]
    if len(text) == n:
        try:
            return isinstance(json.loads(text), dict)
        except (ValueError, RecursionError):
            return False
    return _json_text(text)


def _json_text(text: bytes) -> bool:
    """Whether ``text`` (the start of a longer header) reads as a JSON object: a key or the
    object's end after the brace, UTF-8 without control characters but whitespace."""
    if text[1:2].strip() not in (b'"', b"}", b""):
        return False
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(text) - 4:  # only a character cut by the sample's end may fail
            return False
    return all(b >= 32 or b in (9, 10, 13) for b in text)


def _pickle_start(head: bytes) -> bool:
    """A protocol 2+ pickle: PROTO with a known protocol, then an opcode (not a NUL byte)."""
    return (len(head) > 1 and head[0] == PICKLE_PROTO and head[1] <= 5
            and (len(head) == 2 or head[2] in _PICKLE_OPS))


def sniff_format(head: bytes, size: int | None = None) -> str:
    """The format of a file from its first bytes (:data:`HEAD_SIZE` is enough), never its name.

    ``size`` is the number of bytes from the start of ``head`` to the end of the file, when the
    caller knows it: a safetensors header must fit it. Returns one of :data:`FORMATS`.
    """
    if not head:
        return "empty"
    if safetensors_header(head, size):
        # Before every magic number: the length's first bytes can be anything (80 00 is a
        # pickle's PROTO, 1f 8b gzip, 08 protobuf, 5d 00 00 LZMA), the structure cannot.
        return "safetensors"
    if head.startswith((ZIP_LOCAL, ZIP_END)):
        return "zip"
    if TORCH_LEGACY_MAGIC in head[:24] and head[:1] in (b"\x80", b"\x8a"):
        return "pytorch-legacy"
    if _pickle_start(head):
        return "pickle"
    if head.startswith(NUMPY_MAGIC):
        return "numpy"
    if head.startswith(HDF5_MAGIC):
        return "hdf5"
    if head.startswith(GGUF_MAGIC):
        return "gguf"
    if head.startswith(GZIP_MAGIC):
        return GZIP
    if head.startswith(BZIP2_MAGIC):
        return BZIP2
    if head.startswith(XZ_MAGIC):
        return XZ
    if head.startswith(LZ4_MAGIC):
        return LZ4
    if head.startswith(SEVEN_ZIP_MAGIC):
        return "7z"
    if head.startswith(IMAGE_MAGICS) or (head.startswith(b"RIFF") and head[8:12] == b"WEBP"):
        return "image"
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if len(head) >= TAR_MAGIC_AT + 5 and head[TAR_MAGIC_AT : TAR_MAGIC_AT + 5] == TAR_MAGIC:
        return "tar"
    if (len(head) >= 10 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") > 1
            and _json_text(head[8:].split(b"\x00", 1)[0])):
        return "safetensors"  # a header that lies about its length: the parser says so
    if head.startswith(LZMA_ALONE_MAGIC):
        return LZMA
    if head[0] == 0x08 and len(head) > 2:
        # Field 1 as a varint: how both ONNX ModelProto (ir_version) and SavedModel
        # (saved_model_schema_version) begin; the protobuf parsers tell them apart.
        return "protobuf"
    # Pickle before zlib: a protocol-0 pickle starting "(S" is also a valid zlib header.
    if head[0] in _PICKLE_FIRST_OPS:
        return "pickle"
    if is_zlib(head):
        return ZLIB
    return "unknown"


def sniff_compression(head: bytes) -> str | None:
    """The compression of a stream known to be compressed, from its first bytes, or None.

    >>> [sniff_compression(h) for h in (b"\\x1f\\x8b\\x08", b"x\\x9c", b"\\x80")]
    ['gzip', 'zlib', None]
    """
    for name, magic in ((GZIP, GZIP_MAGIC), (BZIP2, BZIP2_MAGIC), (XZ, XZ_MAGIC),
                        (LZ4, LZ4_MAGIC), (LZMA, LZMA_ALONE_MAGIC)):
        if head.startswith(magic):
            return name
    return ZLIB if is_zlib(head) else None

