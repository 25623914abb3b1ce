"""Format detection by content, never by file name.

:func:`sniff_format` names the outer format from the first bytes of a file. Containers are told
apart later by what they hold (a zip with ``data.pkl`` is PyTorch, with ``config.json`` Keras...),
and protobuf files by their field layout (ONNX vs TF SavedModel); see the format modules.

Example::

    >>> sniff_format(b"\\x80\\x04\\x95")
    'pickle'
    >>> sniff_format(b"GGUF\\x03\\x00\\x00\\x00")
    'gguf'
"""

from __future__ import annotations

from pathlib import Path

from .hashing import sha256_file

HEAD_SIZE = 512
"""Bytes a caller should read for :func:`sniff_format` (tar needs 262)."""

TORCH_LEGACY_MAGIC = b"\x8a\x0a" + (0x1950A86A20F9469CFC6C).to_bytes(10, "little")
"""LONG1 of torch's legacy magic number: the first pickle of a pre-1.6 ``torch.save`` file."""

# Opcodes a protocol 0/1 pickle can plausibly start with (protocol 2+ starts with PROTO).
_PICKLE_FIRST_OPS = frozenset(b"()]}cILFSVNKJMGUTXBCilgdptP")


def _is_zlib(head: bytes) -> bool:
    # RFC 1950: CM=8 (deflate), CINFO<=7, and the header is a multiple of 31.
    return (
        len(head) >= 2
        and head[0] & 0x0F == 8
        and head[0] >> 4 <= 7
        and (head[0] * 256 + head[1]) % 31 == 0
    )


def sniff_format(head: bytes) -> str:
    """The format of a file from its first bytes (:data:`HEAD_SIZE` is enough), never its name.

    Returns one of ``empty pickle pytorch-legacy zip numpy hdf5 gguf gzip bzip2 xz lzma zlib
    lz4 7z image pdf tar safetensors protobuf unknown``.
    """
    if not head:
        return "empty"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if TORCH_LEGACY_MAGIC in head[:24] and head[:1] in (b"\x80", b"\x8a"):
        return "pytorch-legacy"
    if head.startswith(b"\x80") and len(head) > 1 and head[1] <= 5:
        return "pickle"
    if head.startswith(b"\x93NUMPY"):
        return "numpy"
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return "hdf5"
    if head.startswith(b"GGUF"):
        return "gguf"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"\x04\x22\x4d\x18"):
        return "lz4"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or (
        head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    ):
        return "image"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if len(head) >= 10 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") > 1:
        return "safetensors"
    if head[0] == 0x5D and head[1:3] == b"\x00\x00":
        return "lzma"
    if head[0] == 0x08 and len(head) > 2:
        # Field 1 as a varint: how both ONNX ModelProto (ir_version) and SavedModel
        # (saved_model_schema_version) begin; the protobuf parsers tell them apart.
        return "protobuf"
    # Pickle before zlib: a protocol-0 pickle starting "(S" is also a valid zlib header.
    if head[0] in _PICKLE_FIRST_OPS:
        return "pickle"
    if _is_zlib(head):
        return "zlib"
    return "unknown"


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 hex digest and size of a file, read in 1 MiB chunks."""
    return sha256_file(path)
