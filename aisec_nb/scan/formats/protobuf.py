"""A streaming protobuf wire-format reader: just enough to walk ONNX and SavedModel files.

We parse the wire format ourselves (no ``onnx``/``tensorflow``/``protobuf`` import) and keep only
the fields a :data:`Schema` names. Every other field is skipped with ``seek``, so a multi-GB ONNX
file with inline weights costs a hash pass, not memory.

Example::

    >>> import io
    >>> schema = {"M": {1: "int", 2: "str"}}
    >>> msg = walk(io.BytesIO(b"\\x08\\x07\\x12\\x02hi\\x1a\\x01z"), schema, "M")
    >>> msg.values
    {1: [7], 2: ['hi']}
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Union

from ..source import ByteSource
from ..stop import ScanStop

VARINT, FIXED64, LEN, SGROUP, EGROUP, FIXED32 = 0, 1, 2, 3, 4, 5

Schema = dict[str, dict[int, str]]
"""Message name -> field number -> ``"int"``, ``"str"`` or the name of a message type."""

MAX_STRING = 1024 * 1024
"""Longest string field kept; longer ones are an error (names and paths are short)."""


class WireError(ScanStop, ValueError):
    """The bytes are not a well-formed protobuf message of the expected shape."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at byte {offset}")
        self.offset = offset


Value = Union[int, str, "Message"]


@dataclass
class Message:
    """The kept fields of one message: field number -> values in file order."""

    type: str
    offset: int
    values: dict[int, list[Value]] = field(default_factory=dict)

    def ints(self, number: int) -> list[int]:
        return [v for v in self.values.get(number, []) if isinstance(v, int)]

    def strs(self, number: int) -> list[str]:
        return [v for v in self.values.get(number, []) if isinstance(v, str)]

    def msgs(self, number: int) -> list[Message]:
        return [v for v in self.values.get(number, []) if isinstance(v, Message)]

    def first_str(self, number: int, default: str = "") -> str:
        found = self.strs(number)
        return found[0] if found else default


@dataclass
class Budget:
    """Counts shared by one walk: messages kept and nesting depth."""

    max_messages: int = 2_000_000
    max_depth: int = 64
    messages: int = 0


def read_varint(stream: ByteSource) -> int | None:
    """A base-128 varint, or ``None`` at a clean end of stream. At most 10 bytes."""
    start = stream.tell()
    result = 0
    for i in range(10):
        b = stream.read(1)
        if not b:
            if i == 0:
                return None
            raise WireError("truncated varint", start)
        result |= (b[0] & 0x7F) << (7 * i)
        if not b[0] & 0x80:
            return result
    raise WireError("varint longer than 10 bytes", start)


def field_numbers(stream: ByteSource, end: int) -> dict[int, int]:
    """Top-level field number -> wire type of a message, skipping every value."""
    seen: dict[int, int] = {}
    for number, wire, _start, _length in _FieldIter(stream, end):
        seen.setdefault(number, wire)
        if len(seen) > 64:
            break
    return seen


class _FieldIter:
    """Yields ``(number, wire type, value start, value length-or-int)``; skips LEN payloads."""

    def __init__(self, stream: ByteSource, end: int) -> None:
        self.stream = stream
        self.end = end

    def __iter__(self) -> _FieldIter:
        return self

    def __next__(self) -> tuple[int, int, int, int]:
        s = self.stream
        at = s.tell()
        if at >= self.end:
            if at > self.end:
                raise WireError("field runs past the end of its message", at)
            raise StopIteration
        key = read_varint(s)
        if key is None:
            raise WireError("message ends early", at)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise WireError("field number 0", at)
        start = s.tell()
        if wire == VARINT:
            value = read_varint(s)
            if value is None:
                raise WireError("truncated varint", start)
            return number, wire, start, value
        if wire == FIXED64:
            s.seek(8, os.SEEK_CUR)
            return number, wire, start, 8
        if wire == FIXED32:
            s.seek(4, os.SEEK_CUR)
            return number, wire, start, 4
        if wire == LEN:
            length = read_varint(s)
            if length is None:
                raise WireError("truncated length", start)
            begin = s.tell()
            if begin + length > self.end:
                raise WireError(f"field {number} claims {length} bytes past its message", start)
            s.seek(begin + length)
            return number, wire, begin, length
        raise WireError(f"unsupported wire type {wire} (groups are not used by these formats)", at)


def walk(
    stream: ByteSource,
    schema: Schema,
    root: str,
    *,
    end: int | None = None,
    budget: Budget | None = None,
) -> Message:
    """Parse the message of type ``root`` from the stream's position to ``end`` (default: EOF)."""
    if end is None:
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(here)
    return _walk(stream, schema, root, end, budget or Budget(), 0)


def _walk(
    stream: ByteSource, schema: Schema, kind: str, end: int, budget: Budget, depth: int
) -> Message:
    if depth > budget.max_depth:
        raise WireError(f"messages nested deeper than {budget.max_depth}", stream.tell())
    budget.messages += 1
    if budget.messages > budget.max_messages:
        raise WireError(f"more than {budget.max_messages} messages", stream.tell())
    msg = Message(kind, stream.tell())
    wanted = schema.get(kind, {})
    for number, wire, start, size in _FieldIter(stream, end):
        want = wanted.get(number)
        if want is None:
            continue
        if want == "int":
            if wire == VARINT:
                msg.values.setdefault(number, []).append(size)
            continue
        if wire != LEN:
            raise WireError(f"{kind} field {number} should be length-delimited", start)
        resume = stream.tell()
        if want == "str":
            if size > MAX_STRING:
                raise WireError(f"{kind} field {number} string of {size} bytes", start)
            stream.seek(start)
            raw = stream.read(size)
            msg.values.setdefault(number, []).append(raw.decode("utf-8", "replace"))
        else:
            stream.seek(start)
            child = _walk(stream, schema, want, start + size, budget, depth + 1)
            msg.values.setdefault(number, []).append(child)
        stream.seek(resume)
    return msg
