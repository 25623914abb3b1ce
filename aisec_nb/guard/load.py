"""The explicit guarded load: scan a file, load it only when the scan passes.

    >>> import pathlib, pickle, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.pkl"
    >>> _ = p.write_bytes(pickle.dumps({"coef": [1.0]}))
    >>> safe_load(p)
    {'coef': [1.0]}
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import state
from .check import check_path
from .decide import decide


def safe_load(
    path: str | os.PathLike[str],
    loader: Callable[..., Any] | None = None,
    *,
    accept_risk: str | None = None,
    **kwargs: Any,
) -> Any:
    """Scan ``path``; load it with ``loader(path, **kwargs)`` only if the scan passes.

    ``loader`` defaults to unpickling the file; ``pickle.load`` itself is given an open file.
    ``accept_risk="reason"`` loads despite the verdict and records the override.
    """
    result = check_path(path)
    name = _loader_name(loader)
    with state.strict():
        decide(result, name, os.fspath(path), accept_risk=accept_risk)
    if (
        loader is None
        or loader is pickle.load
        or getattr(loader, "__wrapped__", None) is pickle.load
    ):
        chosen = getattr(loader, "__wrapped__", loader) or pickle.load

        def from_file() -> Any:
            with Path(path).open("rb") as fh:
                return chosen(fh, **kwargs)

        return state.run_checked(from_file)
    return state.run_checked(lambda: loader(path, **kwargs))


def _loader_name(loader: Callable[..., Any] | None) -> str:
    if loader is None:
        return "pickle.load"
    module = getattr(loader, "__module__", None) or ""
    name = getattr(loader, "__qualname__", None) or getattr(loader, "__name__", "loader")
    return f"{module}.{name}" if module else str(name)
