"""Patching the usual loaders of this process so they scan first, and undoing it.

Each guarded loader is wrapped so that its file (or bytes) is scanned first; the wrapper keeps
the original in ``__wrapped__``. Modules not yet imported are patched by an import hook when
they are, so switching the guard on never imports torch or keras itself.

    >>> _ = switch_on(); is_on()
    True
    >>> switch_off(); is_on()
    False
"""

from __future__ import annotations

import contextlib
import functools
import importlib.abc
import importlib.util
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from . import audit, state
from .check import check_path, check_pickle_bytes, check_pickle_stream
from .decide import decide

if TYPE_CHECKING:
    from ..scan import Policy

# module -> {function: (kind, name of the file argument)}
TARGETS: dict[str, dict[str, tuple[str, str]]] = {
    "pickle": {"load": ("file", "file"), "loads": ("bytes", "data")},
    "torch": {"load": ("path", "f")},
    "torch.serialization": {"load": ("path", "f")},
    "joblib": {"load": ("path", "filename")},
    "numpy": {"load": ("numpy", "file")},
    "pandas": {"read_pickle": ("path", "filepath_or_buffer")},
    "keras.models": {"load_model": ("path", "filepath")},
    "keras.saving": {"load_model": ("path", "filepath")},
    "tf_keras.models": {"load_model": ("path", "filepath")},
}


def is_on() -> bool:
    """True while the guard is switched on."""
    return any(isinstance(f, _PatchOnImport) for f in sys.meta_path)


def patched() -> list[str]:
    """The loaders guarded now, as ``module.function``."""
    out = []
    for name, functions in TARGETS.items():
        module = sys.modules.get(name)
        for function in functions:
            if getattr(getattr(module, function, None), "__aisec_guard__", False):
                out.append(f"{name}.{function}")
    return sorted(out)


def _argument(args: Sequence[Any], kwargs: dict[str, Any], name: str) -> Any:
    if args:
        return args[0]
    return kwargs.get(name)


def _replace_first(
    args: tuple[Any, ...], kwargs: dict[str, Any], name: str, value: Any
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    if args:
        return (value, *args[1:]), kwargs
    return args, {**kwargs, name: value}


def spool(fh: Any) -> tuple[Path, int | None]:
    """Copy the rest of a file object to a temporary file, in chunks (flat memory).

    Returns the copy's path (the caller deletes it) and the position ``fh`` was rewound to, or
    None when ``fh`` cannot seek (then the loader must be given the copy instead).
    """
    pos: int | None = None
    try:
        if fh.seekable():
            pos = fh.tell()
    except (AttributeError, OSError, ValueError):
        pos = None
    with tempfile.NamedTemporaryFile(prefix="aisec-guard-", delete=False) as out:
        shutil.copyfileobj(fh, out, 1 << 20)
    if pos is not None:
        fh.seek(pos)
    return Path(out.name), pos


def open_and_forget(path: Path) -> Any:
    """Open a spooled copy for the loader and remove its name (POSIX keeps the data open)."""
    fh = path.open("rb")
    # Windows refuses to unlink an open file; the temp folder is cleaned up there instead.
    with contextlib.suppress(OSError):
        path.unlink()
    return fh


def label_of(target: Any) -> str:
    """How a loader's argument is named in messages and the record."""
    if isinstance(target, (str, os.PathLike)):
        return os.fspath(target) if isinstance(os.fspath(target), str) else repr(target)
    name = getattr(target, "name", None)
    return name if isinstance(name, str) else f"<{type(target).__name__}>"


def _check_stream(target: Any, label: str, loader: str, kind: str) -> Any:
    """Scan what a loader would read from a file object; returns the object to hand it."""
    if kind == "file" and _seekable(target):
        # pickle.load reads one pickle from here: scan it in place, no copy.
        decide(check_pickle_stream(target, label), loader, label)
        return target
    copy, pos = spool(target)
    try:
        if kind == "file":
            with copy.open("rb") as fh:
                result = check_pickle_stream(fh, label)
        else:
            result = check_path(copy)
            result = result.model_copy(
                update={
                    "id": f"model:{label}",
                    "target": result.target.model_copy(
                        update={"kind": "stream", "path": None, "name": label}
                    ),
                }
            )
        decide(result, loader, label)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    if pos is not None:
        copy.unlink(missing_ok=True)
        return target
    return open_and_forget(copy)


def _seekable(fh: Any) -> bool:
    try:
        return bool(fh.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _wrap(module: str, function: str, original: Callable[..., Any]) -> Callable[..., Any]:
    kind, argname = TARGETS[module][function]
    loader = f"{module}.{function}"

    @functools.wraps(original)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if state.in_guarded_call():
            return original(*args, **kwargs)
        target = _argument(args, kwargs, argname)
        if kind == "numpy":
            allow = kwargs.get("allow_pickle", args[2] if len(args) > 2 else False)
            if not allow:
                return original(*args, **kwargs)  # numpy refuses pickles by itself
        label = label_of(target)
        if kind == "bytes":
            if isinstance(target, (bytes, bytearray, memoryview)):
                result = check_pickle_bytes(bytes(target), "<bytes>")
                decide(result, loader, "<bytes>")
        elif isinstance(target, (str, os.PathLike)):
            decide(check_path(target), loader, label)
        elif hasattr(target, "read"):
            handed = _check_stream(target, label, loader, kind)
            if handed is not target:
                args, kwargs = _replace_first(args, kwargs, argname, handed)
        return state.run_checked(lambda: original(*args, **kwargs))

    guarded.__aisec_guard__ = True  # type: ignore[attr-defined]
    return guarded


def _patch_module(name: str, module: ModuleType) -> None:
    for function in TARGETS.get(name, {}):
        current = getattr(module, function, None)
        if current is None or getattr(current, "__aisec_guard__", False):
            continue
        setattr(module, function, _wrap(name, function, current))


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches a guarded module right after it is imported."""

    def __init__(self) -> None:
        self._busy: set[str] = set()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in TARGETS or fullname in self._busy:
            return None
        self._busy.add(fullname)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy.discard(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader = spec.loader
        original_exec = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original_exec(module)
            if is_on():
                _patch_module(fullname, module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def switch_on(policy: Policy | None = None) -> list[str]:
    """Guard the loaders of this process; returns what is patched now (more on import).

    Every other unpickling in this process is judged global by global through the audit hook
    (:mod:`.audit`) while the guard is on.

    ``policy`` is what files are scanned with (default: the shipped policy); a face passes the
    project's, ``load_policy(settings.scan.allow)``.
    """
    state.use_policy(policy)
    if not is_on():
        sys.meta_path.insert(0, _PatchOnImport())
    audit.activate()
    for name in TARGETS:
        module = sys.modules.get(name)
        if module is not None:
            _patch_module(name, module)
    return patched()


def switch_off() -> None:
    """Restore every patched loader, stop patching new imports, refuse ``warn`` files again."""
    state.allow_warn(False)
    state.use_policy(None)
    audit.deactivate()
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _PatchOnImport)]
    # Restore through ``__wrapped__`` rather than the saved originals only: a package that
    # re-exports a patched function (``torch.load`` is ``torch.serialization.load``) holds the
    # wrapper under a second name.
    for name, functions in TARGETS.items():
        module = sys.modules.get(name)
        for function in functions:
            current = getattr(module, function, None) if module is not None else None
            while current is not None and getattr(current, "__aisec_guard__", False):
                current = current.__wrapped__
                setattr(module, function, current)
