"""Formats are named by content, never by extension."""

from __future__ import annotations

import gzip
import io
import lzma
import pickle
import tarfile
import zlib

import pytest

from aisec_nb.scan.sniff import (
    COMPRESSIONS,
    FORMATS,
    TORCH_LEGACY_MAGIC,
    pickle_label,
    sniff_compression,
    sniff_format,
)


def _tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo("a")
        info.size = 1
        t.addfile(info, io.BytesIO(b"x"))
    return buf.getvalue()


@pytest.mark.parametrize(("head", "fmt"), [
    (b"", "empty"),
    (pickle.dumps({"a": 1}, protocol=4), "pickle"),
    (pickle.dumps({"a": 1}, protocol=0), "pickle"),
    (b"(S'text'\np0\n.", "pickle"),  # "(S" is also a valid zlib header: pickle wins
    (b"\x80\x02" + TORCH_LEGACY_MAGIC + b".", "pytorch-legacy"),
    (b"PK\x03\x04rest", "zip"),
    (b"\x93NUMPY\x01\x00", "numpy"),
    (b"\x89HDF\r\n\x1a\nrest", "hdf5"),
    (b"GGUF\x03\x00\x00\x00", "gguf"),
    (gzip.compress(b"x"), "gzip"),
    (b"BZh91AY&SY", "bzip2"),
    (lzma.compress(b"x"), "xz"),
    (lzma.compress(b"x", format=lzma.FORMAT_ALONE), "lzma"),
    (zlib.compress(b"x"), "zlib"),
    (b"\x04\x22\x4d\x18rest", "lz4"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04", "7z"),
    (_tar(), "tar"),
    ((20).to_bytes(8, "little") + b'{"__metadata__":{}}', "safetensors"),
    (b"\x08\x07\x12\x04onnx", "protobuf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image"),
    (b"%PDF-1.7\n%\xe2\xe3", "pdf"),
    (b"\xde\xad\xbe\xef", "unknown"),
])
def test_sniff_by_content(head: bytes, fmt: str) -> None:
    assert sniff_format(head[:512]) == fmt
    assert fmt in FORMATS


@pytest.mark.parametrize("fmt", COMPRESSIONS)
def test_sniff_compression_speaks_the_same_names(fmt: str) -> None:
    data = {"gzip": gzip.compress(b"x"), "bzip2": b"BZh91AY&SY", "xz": lzma.compress(b"x"),
            "lzma": lzma.compress(b"x", format=lzma.FORMAT_ALONE), "zlib": zlib.compress(b"x"),
            "lz4": b"\x04\x22\x4d\x18rest"}[fmt]
    assert sniff_format(data) == sniff_compression(data) == fmt


def test_records_spell_bzip2_as_python_does() -> None:
    assert pickle_label("bzip2") == "bz2"
    assert [pickle_label(c) for c in COMPRESSIONS if c != "bzip2"] == [
        c for c in COMPRESSIONS if c != "bzip2"]
