"""Format detection by content, never by file name, and the scanner's one vocabulary of formats.

Every magic number the scanner matches is defined here, and every format and compression name it
uses. :func:`sniff_format` names the outer format of a file from its first bytes;
:func:`sniff_compression` names the compression of a stream already known to be compressed.
Containers are told apart later by what they hold (a zip with ``data.pkl`` is PyTorch, with
``config.json`` Keras...), and protobuf files by their field layout (ONNX vs TF SavedModel); see
the format parsers.

Example::

    >>> sniff_format(b"\\x80\\x04\\x95")
    'pickle'
    >>> sniff_format(b"GGUF\\x03\\x00\\x00\\x00")
    'gguf'
    >>> sniff_compression(b"BZh91AY&SY"), pickle_label("bzip2")
    ('bzip2', 'bz2')
"""

from __future__ import annotations

HEAD_SIZE = 512
"""Bytes a caller should read for :func:`sniff_format` (tar needs 262)."""

# -- names ------------------------------------------------------------------------------------

GZIP, BZIP2, XZ, LZMA, ZLIB, LZ4 = "gzip", "bzip2", "xz", "lzma", "zlib", "lz4"
COMPRESSIONS = (GZIP, BZIP2, XZ, LZMA, ZLIB, LZ4)
"""The compressed-stream formats, named as :func:`sniff_format` names them."""
DEFLATE = "deflate"
"""Raw deflate, as in zip members: no header, so no magic number of its own."""

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


def sniff_format(head: bytes) -> str:
    """The format of a file from its first bytes (:data:`HEAD_SIZE` is enough), never its name.

    Returns one of :data:`FORMATS`.
    """
    if not head:
        return "empty"
    if head.startswith((ZIP_LOCAL, ZIP_END)):
        return "zip"
    if TORCH_LEGACY_MAGIC in head[:24] and head[:1] in (b"\x80", b"\x8a"):
        return "pytorch-legacy"
    if head[0] == PICKLE_PROTO and len(head) > 1 and head[1] <= 5:
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
    if len(head) >= 10 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") > 1:
        return "safetensors"
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

