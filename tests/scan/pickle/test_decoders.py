"""The pure decoders the pickle VM evaluates on constant arguments."""

from __future__ import annotations

import base64
import bz2
import gzip
import lzma
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.pickle.decoders import decode

DATA = b"\x80\x04N."


@pytest.mark.parametrize(
    ("full", "args"),
    [
        ("base64.b64decode", (base64.b64encode(DATA).decode(),)),
        ("base64.urlsafe_b64decode", (base64.urlsafe_b64encode(DATA),)),
        ("base64.b32decode", (base64.b32encode(DATA),)),
        ("base64.b16decode", (base64.b16encode(DATA),)),
        ("base64.a85decode", (base64.a85encode(DATA),)),
        ("base64.b85decode", (base64.b85encode(DATA),)),
        ("binascii.unhexlify", (DATA.hex(),)),
        ("zlib.decompress", (zlib.compress(DATA),)),
        ("gzip.decompress", (gzip.compress(DATA),)),
        ("bz2.decompress", (bz2.compress(DATA),)),
        ("lzma.decompress", (lzma.compress(DATA),)),
        ("_codecs.encode", (DATA.decode("latin-1"), "latin1")),
        ("codecs.decode", (base64.b64encode(DATA), "base64")),
        ("builtins.bytes.fromhex", (DATA.hex(),)),
    ],
)
def test_decoders_reveal_the_payload(full: str, args: tuple[object, ...]) -> None:
    assert decode(full, args, 1024) == DATA


def test_output_is_bounded() -> None:
    bomb = zlib.compress(b"\x00" * 10**6)
    assert decode("zlib.decompress", (bomb,), 1000) is None
    assert decode("lzma.decompress", (lzma.compress(b"\x00" * 10**6),), 1000) is None
    assert decode("zlib.decompress", (bomb,), 2 * 10**6) == b"\x00" * 10**6


def test_unknown_or_non_constant_arguments_are_not_evaluated() -> None:
    assert decode("base64.b64decode", (), 100) is None
    assert decode("base64.b64decode", (object(),), 100) is None
    assert decode("_codecs.encode", ("é", "rot13"), 100) is None
    assert decode("os.system", ("x",), 100) is None


@given(
    st.sampled_from(
        [
            "base64.b64decode",
            "zlib.decompress",
            "bz2.decompress",
            "lzma.decompress",
            "_codecs.encode",
            "binascii.a2b_hex",
        ]
    ),
    st.one_of(st.binary(max_size=64), st.text(max_size=64)),
)
def test_decoders_never_raise(full: str, value: object) -> None:
    out = decode(full, (value, "latin1"), 4096)
    assert out is None or isinstance(out, bytes)
