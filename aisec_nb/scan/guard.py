"""Guarded loading: scan a model file first, load it only when the scan passes.

:func:`safe_load` is the explicit form; :func:`switch_on` patches the usual loaders in this
process (``pickle.load``/``loads``, ``torch.load``, ``joblib.load``, ``numpy.load`` with
``allow_pickle=True``, ``pandas.read_pickle``, ``keras.models.load_model``) so they scan first
and raise :class:`~aisec_nb.errors.GuardRefusal` unless the verdict is ``pass``. Loaders of modules
imported later are patched when they are imported. Example::

    >>> import pathlib, pickle, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.pkl"
    >>> _ = p.write_bytes(pickle.dumps({"coef": [1.0]}))
    >>> safe_load(p)
    {'coef': [1.0]}

Loading anyway is possible and always recorded: ``safe_load(path, accept_risk="why")``, or
:func:`trust` for a file's exact content. Listeners (the notebook face registers one) receive a
:class:`GuardEvent` for every refusal and override so it lands in the notebook's record.

Limits: a name bound before the guard was switched on (``from torch import load``) keeps the
unguarded function, and ``pickle.Unpickler(f).load()`` is not intercepted.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import os
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..errors import GuardRefusal
from ..record import CheckResult, Target

REFUSED_VERDICTS = frozenset({"warn", "fail", "error"})
"""Anything but ``pass`` is refused by default: ``warn`` means a global outside the allowlist,
which can still run code. Users allow it by name in ``[tool.aisec-nb.scan]``, accept the risk
for one file, or switch the guard on with ``allow_warn`` (every such load is then recorded as an
override, so the opt-out is visible in the record)."""

Action = Literal["refused", "override"]


@dataclass(frozen=True)
class GuardEvent:
    """A guarded load that was refused, or allowed despite its verdict."""

    action: Action
    loader: str
    label: str
    result: CheckResult
    reason: str | None = None


_LISTENERS: list[Callable[[GuardEvent], None]] = []
_TRUSTED: dict[str, str] = {}
"""sha256 of content the user chose to load anyway -> their reason."""
_INSIDE: contextvars.ContextVar[bool] = contextvars.ContextVar("aisec_guard_inside", default=False)
_INSIDE_SAFE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "aisec_safe_load", default=False
)
"""safe_load loads only on pass whatever the guard settings."""


def add_listener(listener: Callable[[GuardEvent], None]) -> None:
    """Receive every refusal and override (idempotent)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def remove_listener(listener: Callable[[GuardEvent], None]) -> None:
    if listener in _LISTENERS:
        _LISTENERS.remove(listener)


def _notify(event: GuardEvent) -> None:
    if not _LISTENERS and "IPython" in sys.modules:
        # In a notebook the record must show overrides even when only safe_load was used:
        # the face registers its listener on import (IPython is already loaded, so it is cheap).
        try:
            import importlib

            importlib.import_module("aisec_nb.jupyter.guard")
        except ImportError:  # pragma: no cover - IPython without the jupyter extras
            pass
    for listener in list(_LISTENERS):
        listener(event)


def refusal_message(result: CheckResult, loader: str, label: str) -> str:
    """One paragraph saying what was refused, why, and how to go on."""
    bad = sorted(result.findings, key=lambda f: -_rank(f.severity))
    lines = [f"aisec guard refused {loader}({label!r}): scan verdict {result.verdict!r}"]
    for f in bad[:3]:
        where = f" [{f.location.describe()}]" if f.location and f.location.describe() else ""
        lines.append(f"  {f.severity} {f.code}: {f.message}{where}")
    if len(bad) > 3:
        lines.append(f"  ... and {len(bad) - 3} more finding(s)")
    lines.append(
        f"Inspect it with `%aisec check model {label}`; to load it anyway (recorded in the "
        f"notebook) use `%aisec guard allow {label} --reason ...` or "
        "safe_load(..., accept_risk='...')."
    )
    return "\n".join(lines)


def _rank(severity: str) -> int:
    from ..record import SEVERITY_ORDER

    return SEVERITY_ORDER[severity]


_SETTINGS = {"allow_warn": False}
WARN_OPT_OUT = "guard switched on with --allow-warn: globals off the allowlist are loaded"


def allow_warn(value: bool) -> None:
    """Let guarded loads of ``warn`` files go on (each one is still recorded as an override)."""
    _SETTINGS["allow_warn"] = value


def warn_allowed() -> bool:
    """True after ``allow_warn(True)`` (``%aisec guard on --allow-warn``)."""
    return _SETTINGS["allow_warn"]


def decide(result: CheckResult, loader: str, label: str, *, accept_risk: str | None = None) -> None:
    """Return when the load may go on; raise :class:`GuardRefusal` otherwise."""
    if result.verdict not in REFUSED_VERDICTS:
        return
    sha = result.target.sha256
    reason = accept_risk or (_TRUSTED.get(sha) if sha else None)
    if (
        not reason
        and result.verdict == "warn"
        and _SETTINGS["allow_warn"]
        and not _INSIDE_SAFE.get()
    ):
        reason = WARN_OPT_OUT
    if reason:
        _notify(GuardEvent("override", loader, label, result, reason))
        return
    _notify(GuardEvent("refused", loader, label, result))
    raise GuardRefusal(refusal_message(result, loader, label))


def check_path(path: str | os.PathLike[str]) -> CheckResult:
    """The scan result for a file or folder, with the project's policy."""
    from .api import scan_path

    return scan_path(os.fspath(path))


def check_pickle_bytes(data: bytes, label: str) -> CheckResult:
    """A scan result for one in-memory pickle (what ``pickle.loads`` reads)."""
    return check_pickle_stream(io.BytesIO(data), label)


def check_pickle_stream(fh: Any, label: str) -> CheckResult:
    """A scan result for the one pickle at ``fh``'s position (what ``pickle.load`` reads).

    ``fh`` must be seekable; it is left where it was.
    """
    import hashlib
    import time

    from .._version import __version__
    from ..record import ToolInfo, utc_now
    from .api import verdict_of
    from .pickle_vm import scan_pickle_stream
    from .policy import project_policy

    started, clock = utc_now(), time.perf_counter()
    policy = project_policy()
    start = fh.tell()
    scan = scan_pickle_stream(fh, policy=policy, single=True)
    size = fh.tell() - start
    fh.seek(start)
    digest = hashlib.sha256()
    left = size
    while left > 0:
        chunk = fh.read(min(left, 1 << 20))
        if not chunk:
            break
        digest.update(chunk)
        left -= len(chunk)
    fh.seek(start)  # the loader reads the same bytes next
    return CheckResult(
        id=f"model:{label}",
        kind="model",
        target=Target(kind="stream", name=label, size=size, sha256=digest.hexdigest()),
        verdict=verdict_of(scan.findings, scan.complete),
        findings=scan.findings,
        tool=ToolInfo(name="aisec-nb", version=__version__),
        started_at=started,
        duration_s=round(time.perf_counter() - clock, 6),
        recorded_at=utc_now(),
        parameters={"policy": policy.describe()},
        summary={"format": scan.format, "details": scan.details, "complete": scan.complete},
    )


def trust(path: str | os.PathLike[str], reason: str) -> CheckResult:
    """Let guarded loads of this exact content go on; the override is recorded now."""
    if not reason.strip():
        from ..errors import UsageError

        raise UsageError("--reason: say why this file may be loaded despite its scan")
    result = check_path(path)
    if result.target.sha256:
        _TRUSTED[result.target.sha256] = reason
    _notify(GuardEvent("override", "trust", os.fspath(path), result, reason))
    return result


def forget_trusted() -> None:
    """Drop every :func:`trust` allowance of this process."""
    _TRUSTED.clear()


def _run_unguarded(call: Callable[[], Any]) -> Any:
    token = _INSIDE.set(True)
    try:
        return call()
    finally:
        _INSIDE.reset(token)


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
    token = _INSIDE_SAFE.set(True)
    try:
        decide(result, name, os.fspath(path), accept_risk=accept_risk)
    finally:
        _INSIDE_SAFE.reset(token)
    if (
        loader is None
        or loader is pickle.load
        or getattr(loader, "__wrapped__", None) is pickle.load
    ):
        chosen = getattr(loader, "__wrapped__", loader) or pickle.load

        def from_file() -> Any:
            with Path(path).open("rb") as fh:
                return chosen(fh, **kwargs)

        return _run_unguarded(from_file)
    return _run_unguarded(lambda: loader(path, **kwargs))


def _loader_name(loader: Callable[..., Any] | None) -> str:
    if loader is None:
        return "pickle.load"
    module = getattr(loader, "__module__", None) or ""
    name = getattr(loader, "__qualname__", None) or getattr(loader, "__name__", "loader")
    return f"{module}.{name}" if module else str(name)


def spool(fh: Any) -> tuple[Path, int | None]:
    """Copy the rest of a file object to a temporary file, in chunks (flat memory).

    Returns the copy's path (the caller deletes it) and the position ``fh`` was rewound to, or
    None when ``fh`` cannot seek (then the loader must be given the copy instead).
    """
    import shutil
    import tempfile

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


def in_guarded_call() -> bool:
    """True inside a load the guard already checked (nested loader calls pass through)."""
    return _INSIDE.get()


def run_checked(call: Callable[[], Any]) -> Any:
    """Run a loader call the guard has approved (nested guarded calls pass through)."""
    return _run_unguarded(call)


def switch_on() -> list[str]:
    """Guard ``pickle``/``torch``/``joblib``/``numpy``/``keras`` loaders in this process."""
    from .guard_patch import switch_on as on

    return on()


def switch_off() -> None:
    """Restore the original loaders (and the strict default for ``warn`` files)."""
    from .guard_patch import switch_off as off

    allow_warn(False)
    off()


def is_on() -> bool:
    """True while the guard is on."""
    from .guard_patch import is_on as on

    return on()


def patched() -> list[str]:
    """The loaders patched so far (``module.function``)."""
    from .guard_patch import patched as names

    return names()


__all__ = [
    "REFUSED_VERDICTS",
    "GuardEvent",
    "add_listener",
    "check_path",
    "check_pickle_bytes",
    "decide",
    "is_on",
    "patched",
    "refusal_message",
    "remove_listener",
    "safe_load",
    "switch_off",
    "switch_on",
    "trust",
]
