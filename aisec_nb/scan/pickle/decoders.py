"""Pure byte transforms the pickle VM evaluates so payloads hidden behind them are rescanned.

A pickle can hand ``pickle.loads`` the output of ``base64.b64decode`` or ``zlib.decompress`` of a
constant. The VM evaluates these decoders (and only these: each is a pure function of its bytes)
on constant arguments, with bounded output, so the hidden payload is scanned like any other::

    >>> decode("base64.b64decode", (b"aGk=",), 1024)
    b'hi'
    >>> decode("zlib.decompress", (b"not zlib",), 1024) is None
    True
"""

from __future__ import annotations

import base64
import binascii
import bz2
import lzma
import zlib
from collections.abc import Callable

_LATIN = frozenset({"latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1", "ascii", "us-ascii"})
_UTF8 = frozenset({"utf-8", "utf8", "u8"})


def _as_bytes(value: object) -> bytes | None:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        try:
            return value.encode("ascii")
        except UnicodeEncodeError:
            return None
    return None


def _bounded_zlib(data: bytes, wbits: int, max_out: int) -> bytes | None:
    d = zlib.decompressobj(wbits)
    out = d.decompress(data, max_out)
    return None if d.unconsumed_tail else out


def _bounded(
    decompressor: bz2.BZ2Decompressor | lzma.LZMADecompressor, data: bytes, max_out: int
) -> bytes | None:
    out = decompressor.decompress(data, max_out)
    # Not at the end of the stream after max_out bytes: too large (or truncated) to evaluate.
    return out if decompressor.eof else None


_B64: dict[str, Callable[[bytes], bytes]] = {
    "base64.b64decode": base64.b64decode,
    "base64.standard_b64decode": base64.standard_b64decode,
    "base64.urlsafe_b64decode": base64.urlsafe_b64decode,
    "base64.b32decode": base64.b32decode,
    "base64.b16decode": base64.b16decode,
    "base64.a85decode": base64.a85decode,
    "base64.b85decode": base64.b85decode,
    "base64.decodebytes": base64.decodebytes,
    "base64.decodestring": base64.decodebytes,
    "binascii.a2b_base64": binascii.a2b_base64,
    "binascii.a2b_hex": binascii.a2b_hex,
    "binascii.unhexlify": binascii.unhexlify,
}


def _codec(value: object, encoding: object, max_out: int) -> bytes | None:
    enc = encoding.lower().replace("_", "-") if isinstance(encoding, str) else "utf-8"
    if isinstance(value, str):
        if enc in _LATIN:
            try:
                return value.encode("latin-1")
            except UnicodeEncodeError:
                return None
        if enc in _UTF8:
            return value.encode("utf-8", "surrogatepass")
        return None
    data = _as_bytes(value)
    if data is None:
        return None
    if enc in ("base64", "base-64", "base64-codec"):
        return base64.b64decode(data)
    if enc in ("hex", "hex-codec"):
        return binascii.unhexlify(data)
    if enc in ("zlib", "zip", "zlib-codec"):
        return _bounded_zlib(data, 15, max_out)
    if enc in ("bz2", "bz2-codec"):
        return _bounded(bz2.BZ2Decompressor(), data, max_out)
    return None


def decode(full: str, args: tuple[object, ...], max_out: int) -> bytes | None:
    """The output of decoder ``full`` on constant ``args``, or None when it cannot be evaluated."""
    if not args:
        return None
    first = args[0]
    try:
        if full in _B64:
            data = _as_bytes(first)
            if data is None or len(data) > 2 * max_out:
                return None
            return _B64[full](data)
        if full in ("zlib.decompress", "gzip.decompress"):
            data = _as_bytes(first)
            if data is None:
                return None
            wbits = 31 if full == "gzip.decompress" else 15
            if len(args) > 1 and isinstance(args[1], int):
                wbits = args[1]
            return _bounded_zlib(data, wbits, max_out)
        if full == "bz2.decompress":
            data = _as_bytes(first)
            return None if data is None else _bounded(bz2.BZ2Decompressor(), data, max_out)
        if full == "lzma.decompress":
            data = _as_bytes(first)
            return None if data is None else _bounded(lzma.LZMADecompressor(), data, max_out)
        if full in ("_codecs.encode", "codecs.encode", "codecs.decode", "_codecs.decode"):
            out = _codec(first, args[1] if len(args) > 1 else None, max_out)
            return out if out is None or len(out) <= max_out else None
        if full.endswith(".fromhex") and isinstance(first, str):
            return bytes.fromhex(first)
    except (ValueError, TypeError, binascii.Error, zlib.error, OSError, lzma.LZMAError, EOFError):
        return None
    return None
