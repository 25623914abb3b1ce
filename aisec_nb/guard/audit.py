"""The guard's second line: the interpreter's audit hook on ``pickle.find_class``.

The patched loaders (:mod:`.patch`) scan a file before it is loaded, but an unpickling that does
not go through them slips past: ``pickle.Unpickler(f).load()``, a ``load`` bound before the guard
was switched on (``from pickle import load``), a library that unpickles by itself
(``joblib.numpy_pickle.load``, ``torch.serialization`` through a name bound earlier). Every one of
them resolves its globals through ``find_class``, and both the C and the Python unpickler raise
the audit event ``pickle.find_class(module, name)`` before importing anything (PEP 578). While the
guard is on, :func:`_hook` judges each such global with the guard's policy and refuses one the
policy does not allow, by raising :class:`~aisec_nb.errors.GuardRefusal` out of the event: the
unpickling stops before the global is imported, so nothing it names runs.

- An allowed global or a framework class (``torch.nn``) goes on; a global off the allowlist that
  no danger rule grades is refused unless the guard was switched on with ``allow_warn`` (then it
  is loaded and recorded as an override); a dangerous one is always refused.
- Inside a load a patched loader or :func:`~aisec_nb.guard.safe_load` already scanned and
  approved, the hook stands aside: that decision (a pass, a trusted file, an accepted risk)
  covers the file's globals.
- Off, the hook does nothing. An audit hook cannot be removed, so it is installed the first time
  the guard is switched on, never on import, and then costs one string comparison per audited
  event. A process forked from this one (``multiprocessing`` workers) does not inherit an active
  guard: the hook only acts in the process that switched it on.
- Not seen: an ``Unpickler`` subclass whose ``find_class`` imports by itself without calling
  pickle's (torch's ``weights_only`` unpickler is one, and it refuses by itself), and code that
  calls a callable without unpickling.

    >>> import io, pickle
    >>> activate(); is_active()
    True
    >>> pickle.Unpickler(io.BytesIO(pickle.dumps({"a": [1.0]}))).load()
    {'a': [1.0]}
    >>> deactivate(); is_active()
    False
"""

from __future__ import annotations

import contextvars
import os
import sys
from typing import TYPE_CHECKING, Any

from . import state

if TYPE_CHECKING:
    from ..record import GuardCheck

EVENT = "pickle.find_class"
LOADER = "unpickler (audit hook)"
"""How a refusal names the loader: whatever unpickled, the guard saw it through the hook."""

_INSTALLED: list[bool] = [False]
_OWNER: list[int | None] = [None]
"""The process id of the process that switched the guard on, or None while it is off."""
_BUSY: contextvars.ContextVar[bool] = contextvars.ContextVar("aisec_audit_busy", default=False)


def install() -> None:
    """Add the audit hook to this interpreter (once; it cannot be removed again)."""
    if not _INSTALLED[0]:
        sys.addaudithook(_hook)
        _INSTALLED[0] = True


def activate() -> None:
    """Judge every global an unpickling in this process resolves (the guard is on)."""
    install()
    _OWNER[0] = os.getpid()


def deactivate() -> None:
    """Let the hook do nothing again (the guard is off)."""
    _OWNER[0] = None


def is_active() -> bool:
    """True while the hook judges unpicklings in this process."""
    return _OWNER[0] is not None and _OWNER[0] == os.getpid()


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event != EVENT or _OWNER[0] is None:
        return
    if _OWNER[0] != os.getpid() or state.in_guarded_call() or _BUSY.get():
        return
    if len(args) != 2 or not all(isinstance(a, str) for a in args):
        return
    token = _BUSY.set(True)  # what judging imports or reads is not judged again
    try:
        judge(args[0], args[1])
    finally:
        _BUSY.reset(token)


def judge(module: str, name: str) -> None:
    """Return when an unpickling may resolve ``module.name``; raise ``GuardRefusal`` (after
    telling the listeners) otherwise."""
    from ..errors import GuardRefusal
    from ..scan.pickle.machine import fix_imports
    from ..scan.policy import Danger, load_policy

    # The event names the global as written; the unpickler maps Python 2 names (protocol 0-2
    # pickles say __builtin__.set) before importing, as the scanner does.
    module, name = fix_imports(module, name)
    policy = state.policy() or load_policy()
    danger = policy.classify(module, name)
    if danger is None or danger is Danger.FRAMEWORK:
        return
    full = f"{module}.{name}"
    result = _result(module, name, danger, policy)
    if danger is Danger.UNKNOWN and state.warn_allowed() and not state.in_safe_load():
        state.notify(state.GuardEvent("override", LOADER, full, result, state.WARN_OPT_OUT))
        return
    state.notify(state.GuardEvent("refused", LOADER, full, result))
    raise GuardRefusal(
        f"aisec guard refused to unpickle {full} ({danger.value}: {policy.why(danger)}): an "
        "unpickling that no guarded loader scanned first (a pickle.Unpickler, a load bound "
        "before the guard was switched on, or a library's own) asked for it. Scan the file "
        "with aisec_nb.scan_path(...) and load it with aisec_nb.guard.safe_load(...), or, if "
        f"the global is yours, allow it by name: [tool.aisec-nb.scan] allow = [{full!r}]."
    )


def _result(module: str, name: str, danger: Any, policy: Any) -> GuardCheck:
    """The record of one refused (or allowed) global, as the guard's listeners receive it."""
    from ..record import GuardCheck, Target, Timing, make_check
    from ..scan.context import finding
    from ..scan.pickle.machine import CODES
    from ..scan.verdict import verdict_of

    timing = Timing.start()
    full = f"{module}.{name}"
    found = finding(CODES[danger], f"an unpickling resolved {full}: {danger.value}: "
                    f"{policy.why(danger)}", evidence=full)
    return make_check(
        GuardCheck,
        id=f"guard:{full}",
        target=Target(kind="stream", name=full),
        verdict=verdict_of([found], True),
        findings=[found],
        timing=timing,
        parameters={"policy": policy.describe()},
        summary={"format": "pickle", "complete": True, "details": {"globals": [full]}},
    )
