"""Whether a scanned load may go on: the verdict, the user's allowances, and the refusal.

    >>> import pickle
    >>> from aisec_nb.guard.check import check_pickle_bytes
    >>> clean = check_pickle_bytes(pickle.dumps({"coef": 1.0}), "<bytes>")
    >>> decide(clean, "pickle.loads", "<bytes>")  # returns: the load may go on
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..errors import GuardRefusal, UsageError
from . import state
from .check import check_path

if TYPE_CHECKING:
    from ..record import CheckResult


def refusal_message(result: CheckResult, loader: str, label: str) -> str:
    """One paragraph saying what was refused, why, and how to go on."""
    from ..record import SEVERITY_ORDER

    bad = sorted(result.findings, key=lambda f: -SEVERITY_ORDER[f.severity])
    lines = [f"aisec guard refused {loader}({label!r}): scan verdict {result.verdict!r}"]
    for f in bad[:3]:
        where = f" [{f.location.describe()}]" if f.location and f.location.describe() else ""
        lines.append(f"  {f.severity} {f.code}: {f.message}{where}")
    if len(bad) > 3:
        lines.append(f"  ... and {len(bad) - 3} more finding(s)")
    lines.append(state.how_to_go_on(label))
    return "\n".join(lines)


def decide(result: CheckResult, loader: str, label: str, *, accept_risk: str | None = None) -> None:
    """Return when the load may go on; raise :class:`GuardRefusal` otherwise.

    Listeners hear of every refusal and of every load allowed despite its verdict.
    """
    if result.verdict not in state.REFUSED_VERDICTS:
        return
    reason = accept_risk or state.trusted_reason(result.target.sha256)
    if (
        not reason
        and result.verdict == "warn"
        and state.warn_allowed()
        and not state.in_safe_load()
    ):
        reason = state.WARN_OPT_OUT
    if reason:
        state.notify(state.GuardEvent("override", loader, label, result, reason))
        return
    state.notify(state.GuardEvent("refused", loader, label, result))
    raise GuardRefusal(refusal_message(result, loader, label))


def trust(path: str | os.PathLike[str], reason: str) -> CheckResult:
    """Let guarded loads of this exact content go on; the override is recorded now."""
    if not reason.strip():
        raise UsageError("reason: say why this file may be loaded despite its scan")
    result = check_path(path)
    if result.target.sha256:
        state.remember_trusted(result.target.sha256, reason)
    state.notify(state.GuardEvent("override", "trust", os.fspath(path), result, reason))
    return result
