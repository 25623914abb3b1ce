"""The opcode loop of the pickle VM: decode each opcode as CPython's C unpickler does.

One function, :func:`run_one`, runs one pickle (to its ``STOP``) on a :class:`.Machine`. Stack,
memo and marks behave as in CPython (``_pickle.c``); where CPython would raise, the scan records a
malformed-pickle finding and goes on with an unknown value when it can (so globals after the
error are still reported), or stops when the byte stream itself no longer makes sense.
"""

from __future__ import annotations

import codecs
import struct
from typing import Any

from .calls import build, call, mutate
from .machine import INLINE, MAX_RETAINED, LimitHit, Machine, Malformed
from .reader import Source
from .values import Blob, Global, Inst, PDict, PList, PSet, Unknown, kind_of

MAX_LINE = 1 << 20
"""Longest text argument (protocol 0 lines) accepted."""
SMALL = 256
"""Arguments up to this size are kept without counting (names, keys, short strings)."""
MAX_LONG_BYTES = 1 << 16
"""LONG1/LONG4 bodies longer than this are skipped: a number cannot be a payload."""

_I4 = struct.Struct("<i")
_U4 = struct.Struct("<I")
_U8 = struct.Struct("<Q")
_U2 = struct.Struct("<H")
_F8 = struct.Struct(">d")
_UNDERFLOW = Unknown("missing value (stack underflow)")


def _int(line: bytes, off: int) -> int:
    try:
        return int(line.rstrip(b"L") or b"x")
    except ValueError:
        # The text itself stays out of the message: findings never quote file content.
        raise Malformed(f"an integer argument of {len(line)} bytes is not a number", off) from None


def _text(data: bytes, off: int) -> str:
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        raise Malformed("a string is not valid UTF-8", off) from None


def _blob_or_bytes(m: Machine, src: Source, n: int, kind: str) -> Any:
    """Keep short (or possibly nested-payload) arguments; skip long ones by seeking.

    Everything longer than :data:`SMALL` counts against one memory budget per scan, so a
    memo full of kilobyte strings cannot grow memory with the file.
    """
    keep = n <= SMALL or (
        m.retained + n <= MAX_RETAINED
        and (n <= INLINE or (m.keep_large and n <= m.limits.max_nested_payload))
    )
    if keep:
        if n > SMALL:
            m.retained += n
        data = src.take(n)
        if kind == "str":
            return _text(data, src.offset - n)
        return bytearray(data) if kind == "bytearray" else data
    blob = Blob(kind, src.offset, n)
    src.skip(n)
    return blob


def _text_budget(m: Machine, text: str) -> Any:
    """A protocol-0 text argument, or an unknown value once the memory budget is spent."""
    if len(text) <= SMALL:
        return text
    if m.retained + len(text) > MAX_RETAINED:
        return Unknown("a long text argument (over the memory budget)")
    m.retained += len(text)
    return text


def run_one(m: Machine, src: Source) -> None:
    """Run one pickle from ``src`` up to and including its STOP."""
    stack: list[Any] = []
    marks: list[int] = []
    memo: dict[int, Any] = {}
    limits = m.limits
    max_ops, max_stack, max_memo = limits.max_pickle_ops, limits.max_stack, limits.max_memo
    frame_end = -1
    prev = src.offset
    push = stack.append

    def pop() -> Any:
        if len(stack) > (marks[-1] if marks else 0):
            return stack.pop()
        m.malformed("an opcode pops from an empty stack", off)
        return _UNDERFLOW

    def top() -> Any:
        if len(stack) > (marks[-1] if marks else 0):
            return stack[-1]
        m.malformed("an opcode needs a value but the stack is empty", off)
        return _UNDERFLOW

    def pop_mark() -> list[Any]:
        if not marks:
            m.malformed("an opcode needs a MARK but there is none", off)
            items = stack[:]
            stack.clear()
            return items
        k = marks.pop()
        items = stack[k:]
        del stack[k:]
        return items

    while True:
        # The hot path reads the source's buffer directly: a property and a method call per
        # opcode cost a third of the scan time on opcode-dense pickles.
        i = src._i
        off = src._base + i
        if frame_end >= 0:
            if off > frame_end:
                m.add(
                    "AISEC-PKL-010",
                    "an opcode straddles the end of its FRAME (the Python unpickler refuses "
                    "this file, the C unpickler reads it: scanners and loaders can disagree)",
                    prev,
                    key="frame",
                )
                frame_end = -1
            elif off == frame_end:
                frame_end = -1
        prev = off
        m.ops += 1
        if m.ops > max_ops:
            raise LimitHit(f"more than {max_ops} opcodes")
        if len(stack) > max_stack:
            raise LimitHit(f"stack deeper than {max_stack}")
        buf = src._buf
        if i < len(buf):
            op = buf[i]
            src._i = i + 1
        else:
            op = src.byte()

        # Most frequent opcodes first.
        if op == 0x94:  # MEMOIZE
            if len(memo) >= max_memo:
                raise LimitHit(f"more than {max_memo} memo entries")
            memo[len(memo)] = top()
        elif op == 0x71:  # BINPUT
            if len(memo) >= max_memo:
                raise LimitHit(f"more than {max_memo} memo entries")
            memo[src.byte()] = top()
        elif op == 0x72:  # LONG_BINPUT
            if len(memo) >= max_memo:
                raise LimitHit(f"more than {max_memo} memo entries")
            memo[_U4.unpack(src.take(4))[0]] = top()
        elif op == 0x68 or op == 0x6A:  # BINGET, LONG_BINGET
            key = src.byte() if op == 0x68 else _U4.unpack(src.take(4))[0]
            if key in memo:
                push(memo[key])
            else:
                m.malformed(f"memo key {key} is read before it is written", off)
                push(Unknown("missing memo entry"))
        elif op == 0x8C:  # SHORT_BINUNICODE
            push(_text(src.take(src.byte()), off))
        elif op == 0x58 or op == 0x8D:  # BINUNICODE, BINUNICODE8
            n = _U4.unpack(src.take(4))[0] if op == 0x58 else _U8.unpack(src.take(8))[0]
            push(_blob_or_bytes(m, src, n, "str"))
        elif op == 0x4B:  # BININT1
            push(src.byte())
        elif op == 0x4D:  # BININT2
            push(_U2.unpack(src.take(2))[0])
        elif op == 0x4A:  # BININT
            push(_I4.unpack(src.take(4))[0])
        elif op == 0x47:  # BINFLOAT
            push(_F8.unpack(src.take(8))[0])
        elif op == 0x28:  # MARK
            if len(marks) >= max_stack:
                raise LimitHit(f"stack deeper than {max_stack}")
            marks.append(len(stack))
        elif op == 0x29:  # EMPTY_TUPLE
            push(())
        elif op == 0x5D:  # EMPTY_LIST
            push(PList())
        elif op == 0x7D:  # EMPTY_DICT
            push(PDict())
        elif op == 0x4E:  # NONE
            push(None)
        elif op == 0x88 or op == 0x89:  # NEWTRUE, NEWFALSE
            push(op == 0x88)
        elif op == 0x85:  # TUPLE1
            push((pop(),))
        elif op == 0x86:  # TUPLE2
            b = pop()
            push((pop(), b))
        elif op == 0x87:  # TUPLE3
            c = pop()
            b = pop()
            push((pop(), b, c))
        elif op == 0x74:  # TUPLE
            push(tuple(pop_mark()))
        elif op == 0x61:  # APPEND
            value = pop()
            target = top()
            mutate(m, target, "APPEND", off)
            if type(target) is PList:
                target.n += 1
        elif op == 0x65:  # APPENDS
            items = pop_mark()
            target = top()
            mutate(m, target, "APPENDS", off)
            if type(target) is PList:
                target.n += len(items)
        elif op == 0x73:  # SETITEM
            value = pop()
            key = pop()
            target = top()
            mutate(m, target, "SETITEM", off, needs_dict=True)
            if type(target) is PDict:
                target.put(key, value)
        elif op == 0x75:  # SETITEMS
            items = pop_mark()
            target = top()
            mutate(m, target, "SETITEMS", off, needs_dict=True)
            if len(items) % 2:
                m.malformed("SETITEMS with an odd number of items", off)
            if type(target) is PDict:
                for i in range(0, len(items) - 1, 2):
                    target.put(items[i], items[i + 1])
        elif op == 0x52:  # REDUCE
            args = pop()
            callee = pop()
            if type(args) is not tuple and not isinstance(args, Unknown):
                m.malformed(f"REDUCE arguments are a {kind_of(args)}, not a tuple", off)
            push(call(m, callee, args, off))
        elif op == 0x62:  # BUILD
            state = pop()
            # Settle the frame now: joblib's BUILD hook consumes raw array bytes written after
            # the frame was committed, which are not opcodes and not part of any frame.
            if frame_end >= 0 and src.offset >= frame_end:
                if src.offset > frame_end:
                    m.add(
                        "AISEC-PKL-010",
                        "BUILD straddles the end of its FRAME",
                        off,
                        key="frame",
                    )
                frame_end = -1
            build(m, top(), state, off, stack)
        elif op == 0x81:  # NEWOBJ
            args = pop()
            push(call(m, pop(), args, off))
        elif op == 0x92:  # NEWOBJ_EX
            pop()  # kwargs: judged through the class, which must itself be allowed
            args = pop()
            push(call(m, pop(), args, off))
        elif op == 0x93:  # STACK_GLOBAL
            name = pop()
            module = pop()
            if type(module) is str and type(name) is str:
                push(m.global_ref(module, name, off))
            else:
                m.add(
                    "AISEC-PKL-007",
                    f"STACK_GLOBAL imports a name built while loading ({kind_of(module)} . "
                    f"{kind_of(name)}), not constant strings: the target cannot be known",
                    off,
                    evidence=f"{kind_of(module)}.{kind_of(name)}",
                )
                push(Unknown("computed global"))
        elif op == 0x63:  # GLOBAL
            module = _text(src.line(MAX_LINE), off)
            push(m.global_ref(module, _text(src.line(MAX_LINE), off), off))
        elif op == 0x69:  # INST
            module = _text(src.line(MAX_LINE), off)
            g = m.global_ref(module, _text(src.line(MAX_LINE), off), off)
            push(call(m, g, tuple(pop_mark()), off))
        elif op == 0x6F:  # OBJ
            items = pop_mark()
            if not items:
                m.malformed("OBJ without a class", off)
                push(Unknown("failed call"))
            else:
                push(call(m, items[0], tuple(items[1:]), off))
        elif op == 0x43:  # SHORT_BINBYTES
            push(src.take(src.byte()))
        elif op == 0x42:  # BINBYTES
            push(_blob_or_bytes(m, src, _U4.unpack(src.take(4))[0], "bytes"))
        elif op == 0x8E or op == 0x96:  # BINBYTES8, BYTEARRAY8
            n = _U8.unpack(src.take(8))[0]
            push(_blob_or_bytes(m, src, n, "bytes" if op == 0x8E else "bytearray"))
        elif op == 0x95:  # FRAME
            n = _U8.unpack(src.take(8))[0]
            if frame_end >= 0 and off < frame_end:
                m.add(
                    "AISEC-PKL-010",
                    "a FRAME starts before the current frame ends (the C and Python "
                    "unpicklers read such files differently)",
                    off,
                    key="frame",
                )
            frame_end = src.offset + n if n else -1
        elif op == 0x80:  # PROTO
            proto = src.byte()
            if proto > 5:
                raise Malformed(f"unsupported pickle protocol {proto}", off)
            m.protocols.add(proto)
        elif op == 0x2E:  # STOP
            if frame_end >= 0 and src.offset > frame_end:
                m.add(
                    "AISEC-PKL-010", "STOP straddles the end of its FRAME", off, key="frame"
                )
            pop()
            if marks:
                m.malformed("STOP with an open MARK", off)
            return
        elif op == 0x30:  # POP
            if marks and marks[-1] == len(stack):
                marks.pop()
            else:
                pop()
        elif op == 0x31:  # POP_MARK
            pop_mark()
        elif op == 0x32:  # DUP
            push(top())
        elif op == 0x6C:  # LIST
            push(PList(len(pop_mark())))
        elif op == 0x64:  # DICT
            items = pop_mark()
            d = PDict()
            for i in range(0, len(items) - 1, 2):
                d.put(items[i], items[i + 1])
            push(d)
        elif op == 0x8F:  # EMPTY_SET
            push(PSet())
        elif op == 0x90:  # ADDITEMS
            items = pop_mark()
            target = top()
            mutate(m, target, "ADDITEMS", off)
            if type(target) is PSet:
                target.n += len(items)
        elif op == 0x91:  # FROZENSET
            push(PSet(len(pop_mark())))
        elif op == 0x70:  # PUT
            if len(memo) >= max_memo:
                raise LimitHit(f"more than {max_memo} memo entries")
            memo[_int(src.line(MAX_LINE), off)] = top()
        elif op == 0x67:  # GET
            key = _int(src.line(MAX_LINE), off)
            if key in memo:
                push(memo[key])
            else:
                m.malformed(f"memo key {key} is read before it is written", off)
                push(Unknown("missing memo entry"))
        elif op == 0x49:  # INT
            line = src.line(MAX_LINE)
            push(True if line == b"01" else False if line == b"00" else _int(line, off))
        elif op == 0x4C:  # LONG
            push(_int(src.line(MAX_LINE), off))
        elif op == 0x46:  # FLOAT
            try:
                push(float(src.line(MAX_LINE)))
            except ValueError:
                raise Malformed("bad float text", off) from None
        elif op == 0x8A or op == 0x8B:  # LONG1, LONG4
            n = src.byte() if op == 0x8A else _I4.unpack(src.take(4))[0]
            if n < 0:
                raise Malformed("LONG4 with a negative length", off)
            if n > MAX_LONG_BYTES:
                src.skip(n)
                push(Unknown("a very long integer"))
            else:
                push(int.from_bytes(src.take(n), "little", signed=True))
        elif op == 0x53:  # STRING
            line = src.line(MAX_LINE)
            if len(line) < 2 or line[0] != line[-1] or line[0] not in b"'\"":
                raise Malformed("STRING argument is not quoted", off)
            try:
                push(_text_budget(m, codecs.escape_decode(line[1:-1])[0].decode("latin-1")))
            except ValueError:
                raise Malformed("bad escape in STRING", off) from None
        elif op == 0x54 or op == 0x55:  # BINSTRING, SHORT_BINSTRING
            n = _I4.unpack(src.take(4))[0] if op == 0x54 else src.byte()
            if n < 0:
                raise Malformed("BINSTRING with a negative length", off)
            value = _blob_or_bytes(m, src, n, "bytes")
            push(value.decode("latin-1") if type(value) is bytes else value)
        elif op == 0x56:  # UNICODE
            try:
                push(_text_budget(m, src.line(MAX_LINE).decode("raw-unicode-escape")))
            except UnicodeDecodeError:
                raise Malformed("bad UNICODE text", off) from None
        elif op == 0x50:  # PERSID
            src.line(MAX_LINE)
            push(Unknown("persistent id"))
        elif op == 0x51:  # BINPERSID
            pop()
            push(Unknown("persistent id"))
        elif op == 0x97:  # NEXT_BUFFER
            push(Unknown("out-of-band buffer"))
        elif op == 0x98:  # READONLY_BUFFER
            top()
        elif op in (0x82, 0x83, 0x84):  # EXT1, EXT2, EXT4
            code = (
                src.byte()
                if op == 0x82
                else _U2.unpack(src.take(2))[0]
                if op == 0x83
                else _I4.unpack(src.take(4))[0]
            )
            m.add(
                "AISEC-PKL-011",
                f"extension code {code} names a callable chosen by the loading process's "
                "copyreg registry, which the file does not show",
                off,
                evidence=f"EXT {code}",
                key=f"ext{code}",
            )
            push(Unknown("extension object"))
        else:
            raise Malformed(f"unknown opcode 0x{op:02x}", off)


__all__ = ["Global", "Inst", "run_one"]
