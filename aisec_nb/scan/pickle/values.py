"""Symbolic values on the pickle VM's stack and memo.

The VM never builds real objects. Constants (numbers, short strings and bytes) are kept as Python
values; everything else is one of the small classes below. None of them defines ``__eq__`` or
``__hash__`` beyond identity, and nothing walks them recursively, so a hostile pickle nesting a
million tuples cannot make the scanner recurse.
"""

from __future__ import annotations

from typing import Any


class Global:
    """A global the pickle imports: ``module.name`` as the loader would resolve it."""

    __slots__ = ("full", "module", "name", "offset", "pending", "written")

    def __init__(self, module: str, name: str, offset: int, written: str) -> None:
        self.module = module
        self.name = name
        self.full = f"{module}.{name}"
        self.offset = offset
        self.written = written
        self.pending = False
        """A nested loader (``pickle.loads``...) not yet shown to load only clean bytes."""


class Blob:
    """A long bytes/str argument that was skipped, remembered by where it is in the stream."""

    __slots__ = ("kind", "length", "offset")

    def __init__(self, kind: str, offset: int, length: int) -> None:
        self.kind = kind
        self.offset = offset
        self.length = length


class Inst:
    """The result of calling an allowed global: data, with its call arguments and state."""

    __slots__ = ("args", "callee", "offset", "state")

    def __init__(self, callee: Global, args: Any, offset: int) -> None:
        self.callee = callee
        self.args = args
        self.offset = offset
        self.state: Any = None


class Unknown:
    """A value the scanner cannot know (result of a non-allowed call, persistent id, ...)."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why


class PList:
    """A list; only its length is kept (items are dropped to keep memory flat)."""

    __slots__ = ("n",)

    def __init__(self, n: int = 0) -> None:
        self.n = n


MAX_DICT_ITEMS = 64
"""Items a dict keeps (joblib's array wrapper state needs a handful); later items are counted."""


class PDict:
    """A dict; keeps up to :data:`MAX_DICT_ITEMS` items whose keys are plain constants."""

    __slots__ = ("items", "n")

    def __init__(self) -> None:
        self.items: dict[Any, Any] = {}
        self.n = 0

    def put(self, key: Any, value: Any) -> None:
        self.n += 1
        # Only str/int/bytes/bool/None keys are hashed: hashing a deep tuple would recurse.
        if len(self.items) < MAX_DICT_ITEMS and (key is None or type(key) in _SCALAR_KEYS):
            self.items[key] = value


_SCALAR_KEYS = (str, int, bytes, bool, float)


class PSet:
    """A set or frozenset; only its size is kept."""

    __slots__ = ("n",)

    def __init__(self, n: int = 0) -> None:
        self.n = n


CONSTANT_TYPES = (type(None), bool, int, float, complex, str, bytes, bytearray)


def kind_of(value: Any) -> str:
    """A short name for a value, for messages (never its content)."""
    if isinstance(value, Global):
        return f"global {value.full}"
    if isinstance(value, Inst):
        return f"{value.callee.full}(...)"
    if isinstance(value, Unknown):
        return value.why
    if isinstance(value, Blob):
        return f"{value.kind} of {value.length} bytes"
    if isinstance(value, tuple):
        return f"tuple of {len(value)}"
    return type(value).__name__
