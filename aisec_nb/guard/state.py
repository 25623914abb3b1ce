"""What the load guard remembers in this process: settings, trusted content and listeners.

Nothing here scans or patches; the other guard modules read and change this state. A listener
is any callable taking a :class:`GuardEvent`; the notebook face adds one while its extension is
loaded, and nothing is added on import.

    >>> seen = []
    >>> add_listener(seen.append)
    >>> listeners() == (seen.append,)
    True
    >>> remove_listener(seen.append); listeners()
    ()
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ..record import CheckResult
    from ..scan import Policy

REFUSED_VERDICTS = frozenset({"warn", "fail", "error"})
"""Anything but ``pass`` is refused by default: ``warn`` means a global outside the allowlist,
which can still run code. Users allow it by name in ``[tool.aisec-nb.scan]``, accept the risk
for one file, or switch the guard on with ``allow_warn`` (every such load is then recorded as an
override, so the opt-out is visible in the record)."""

WARN_OPT_OUT = "guard switched on with allow_warn: globals off the allowlist are loaded"
"""The reason recorded for a ``warn`` file loaded because of :func:`allow_warn`."""

Action = Literal["refused", "override"]


@dataclass(frozen=True)
class GuardEvent:
    """A guarded load that was refused, or allowed despite its verdict."""

    action: Action
    loader: str
    label: str
    result: CheckResult
    reason: str | None = None


Listener = Callable[[GuardEvent], None]

_LISTENERS: list[Listener] = []
_TRUSTED: dict[str, str] = {}
"""sha256 of content the user chose to load anyway -> their reason."""
_SETTINGS = {"allow_warn": False}
_POLICY: list[Policy] = []
"""The policy the guard scans with, when a face set one (the project's allowlist)."""
_INSIDE: contextvars.ContextVar[bool] = contextvars.ContextVar("aisec_guard_inside", default=False)
_INSIDE_SAFE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "aisec_safe_load", default=False
)
"""safe_load loads only on pass whatever the guard settings."""


def add_listener(listener: Listener) -> None:
    """Receive every refusal and override (idempotent)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def remove_listener(listener: Listener) -> None:
    """Stop sending events to ``listener`` (nothing happens if it was not added)."""
    if listener in _LISTENERS:
        _LISTENERS.remove(listener)


def listeners() -> tuple[Listener, ...]:
    """The listeners added now, in the order they are called."""
    return tuple(_LISTENERS)


def notify(event: GuardEvent) -> None:
    """Call every listener with ``event``."""
    for listener in list(_LISTENERS):
        listener(event)


def _python_hint(label: str) -> str:
    return (f"Inspect it with aisec_nb.scan_path({label!r}); to load it anyway (recorded) call "
            f"aisec_nb.guard.trust({label!r}, reason='...') or "
            "safe_load(..., accept_risk='...').")


_HINT: list[Callable[[str], str]] = []
"""How a refusal tells the user to go on, in the words of the front end they use."""


def set_hint(hint: Callable[[str], str] | None) -> None:
    """Word the last line of refusals for a front end (``None``: the Python API's words)."""
    _HINT[:] = [hint] if hint is not None else []


def how_to_go_on(label: str) -> str:
    """The last line of a refusal of ``label``."""
    return (_HINT[0] if _HINT else _python_hint)(label)


def use_policy(policy: Policy | None) -> None:
    """Scan with ``policy`` from now on (``None``: the shipped policy)."""
    _POLICY[:] = [policy] if policy is not None else []


def policy() -> Policy | None:
    """The policy set by :func:`use_policy`, or ``None`` for the shipped one."""
    return _POLICY[0] if _POLICY else None


def allow_warn(value: bool) -> None:
    """Let guarded loads of ``warn`` files go on (each one is still recorded as an override)."""
    _SETTINGS["allow_warn"] = value


def warn_allowed() -> bool:
    """True after ``allow_warn(True)``."""
    return _SETTINGS["allow_warn"]


def remember_trusted(sha256: str, reason: str) -> None:
    """Let loads of the content with this digest go on, for ``reason``."""
    _TRUSTED[sha256] = reason


def trusted_reason(sha256: str | None) -> str | None:
    """Why content with this digest may be loaded, or None when it was not trusted."""
    return _TRUSTED.get(sha256) if sha256 else None


def forget_trusted() -> None:
    """Drop every :func:`~aisec_nb.guard.trust` allowance of this process."""
    _TRUSTED.clear()


def in_guarded_call() -> bool:
    """True inside a load the guard already checked (nested loader calls pass through)."""
    return _INSIDE.get()


def run_checked(call: Callable[[], Any]) -> Any:
    """Run a loader call the guard has approved (nested guarded calls pass through)."""
    token = _INSIDE.set(True)
    try:
        return call()
    finally:
        _INSIDE.reset(token)


def in_safe_load() -> bool:
    """True while :func:`~aisec_nb.guard.safe_load` decides (settings do not loosen it)."""
    return _INSIDE_SAFE.get()


@contextlib.contextmanager
def strict() -> Iterator[None]:
    """Decide as :func:`~aisec_nb.guard.safe_load` does: load on ``pass`` only."""
    token = _INSIDE_SAFE.set(True)
    try:
        yield
    finally:
        _INSIDE_SAFE.reset(token)
