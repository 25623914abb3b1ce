"""joblib pickles: arrays written inline after their ``NumpyArrayWrapper``.

``joblib.dump`` pickles each NumPy array as a ``joblib.numpy_pickle.NumpyArrayWrapper`` (shape,
dtype, order) and then writes the array's raw bytes straight into the file, outside any opcode
(after a one-byte alignment padding length); an object array is written as a separate inline
pickle instead. ``joblib.load`` reads them after the wrapper's ``BUILD``. This module gives the
pickle VM a BUILD hook that does the same: skip the raw bytes (by seeking), or scan the inline
pickle. The pickle VM uses this hook on every pickle read to its end (``scan_pickle`` with
``single=False``). Example::

    >>> from aisec_nb.scan.pickle.values import Global, Inst
    >>> _dtype_info(Inst(Global("numpy", "dtype", 0, "numpy.dtype"), ("<f8",), 0))
    (8, False)

Its finding code (AISEC-JBL-001) is in the rule catalogue: ``aisec-nb rules``.
"""

from __future__ import annotations

import re
from typing import Any

from ..stop import ScanStop
from .machine import Machine, Malformed
from .ops import run_one
from .values import Inst as _Inst
from .values import PDict, Unknown

WRAPPERS = frozenset(
    {
        "joblib.numpy_pickle.NumpyArrayWrapper",
        "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
    }
)
STRING_DTYPES = frozenset(
    {
        "numpy._core._internal._convert_to_stringdtype_kwargs",
        "numpy.core._internal._convert_to_stringdtype_kwargs",
    }
)
_DTYPE_ARG = re.compile(r"^[<>|=]?([a-zA-Z])(\d*)")


class WrapperError(ScanStop, ValueError):
    """The wrapper's state does not say how many bytes follow."""


def _dtype_info(dtype: Any) -> tuple[int, bool]:
    """``(itemsize, has_object)`` of a pickled ``numpy.dtype`` value."""
    if type(dtype) is _Inst and dtype.callee.full in STRING_DTYPES:
        return 16, True  # StringDType holds references: joblib writes an inline pickle
    if type(dtype) is not _Inst or dtype.callee.full != "numpy.dtype":
        raise WrapperError("dtype is not a numpy.dtype")
    args, state = dtype.args, dtype.state
    if type(args) is not tuple or not args or type(args[0]) is not str:
        raise WrapperError("dtype arguments are not readable")
    match = _DTYPE_ARG.match(args[0])
    if match is None:
        raise WrapperError(f"unknown dtype {args[0][:20]!r}")
    char, digits = match.group(1), match.group(2)
    flags = state[7] if type(state) is tuple and len(state) > 7 and type(state[7]) is int else 0
    if char == "O" or flags & 1:
        return 8, True
    elsize = state[5] if type(state) is tuple and len(state) > 5 and type(state[5]) is int else -1
    if elsize > 0:
        return elsize, False
    if char in "Mm":
        return 8, False
    if digits:
        return int(digits), False
    raise WrapperError(f"dtype {args[0][:20]!r} has no size")


def _count(shape: Any) -> int:
    if type(shape) is not tuple or not all(type(d) is int and d >= 0 for d in shape):
        raise WrapperError("shape is not a tuple of non-negative integers")
    n = 1
    for d in shape:
        n *= d
    return n


def joblib_build_hook(m: Machine, obj: Any, stack: list[Any]) -> None:
    """After BUILD on a ``NumpyArrayWrapper``: consume the inline array as ``joblib.load`` does."""
    if type(obj) is not _Inst or obj.callee.full not in WRAPPERS or m.src is None:
        return
    src = m.src
    state = obj.state
    try:
        if type(state) is not PDict:
            raise WrapperError("the wrapper state is not a dict")
        itemsize, has_object = _dtype_info(state.items.get("dtype"))
        count = _count(state.items.get("shape"))
    except WrapperError as exc:
        m.add(
            "AISEC-JBL-001",
            f"joblib array wrapper: {exc}; the inline array cannot be skipped",
            obj.offset,
            evidence=obj.callee.full,
        )
        raise Malformed("unreadable joblib array wrapper", src.offset) from None
    if has_object:
        run_one(m, src)  # an object array: one pickle written inline in the same stream
        m.pickles += 1
    else:
        if state.items.get("numpy_array_alignment_bytes") is not None:
            src.skip(src.byte())
        src.skip(count * itemsize)
    m.joblib_arrays += 1
    stack[-1] = Unknown("numpy array")
