"""The pickle VM's state: findings, the globals it resolved and the budgets.

The opcode loop lives in :mod:`.ops`, what calls and state changes mean in :mod:`.calls`, and
the driving loop in :mod:`.vm`; this module judges each resolved global under the policy and
turns the scan into a :class:`~aisec_nb.scan.limits.FormatScan`. The finding codes are in the
rule catalogue (``aisec-nb rules``).
"""

from __future__ import annotations

import _compat_pickle
from collections.abc import Callable
from typing import Any

from ...record import Finding, Location, Severity
from ...rules.findings import make_finding
from ..context import ScanContext
from ..limits import FormatScan
from ..policy import Danger
from ..stop import ScanStop
from .reader import Source
from .values import Global

MAX_FINDINGS = 500
MAX_GLOBALS = 1000
INLINE = 4096
"""Bytes/str arguments up to this size are always kept as constants."""
MAX_RETAINED = 64 * 1024 * 1024
"""Total bytes kept for possible nested payloads, per scan."""

CODES = {
    # the finding code of each danger (the guard's audit hook reports refusals with it too)
    Danger.CODE_EXECUTION: "AISEC-PKL-001",
    Danger.PROCESS: "AISEC-PKL-002",
    Danger.IMPORT: "AISEC-PKL-003",
    Danger.FILE_SYSTEM: "AISEC-PKL-004",
    Danger.NETWORK: "AISEC-PKL-005",
    Danger.UNKNOWN: "AISEC-PKL-006",
    Danger.FRAMEWORK: "AISEC-PKL-015",
}
MAX_FRAMEWORK_LISTED = 12
"""Framework classes named in the one finding that reports them (the count is always whole)."""


class Malformed(ScanStop):
    """The pickle breaks a rule the real loader enforces; scanning cannot go on."""


class LimitHit(ScanStop):
    """A configured bound was reached."""


def fix_imports(module: str, name: str) -> tuple[str, str]:
    """Python 2 names as the loader maps them (``__builtin__.eval`` is ``builtins.eval``)."""
    mapped = _compat_pickle.NAME_MAPPING.get((module, name))
    if mapped is not None:
        return mapped
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


MAX_DECODED_FACTOR = 4
"""Total decoder output per scan tree: this many times ``Limits.max_nested_payload``."""


class Budget:
    """Work shared by a scan and the nested payloads it rescans, so nesting cannot multiply it."""

    __slots__ = ("decoded", "ops", "retained")

    def __init__(self) -> None:
        self.ops = 0
        self.retained = 0
        self.decoded = 0


BuildHook = Callable[["Machine", Any, list[Any]], None]
"""Called after every BUILD with the machine, the object built and the stack (joblib's arrays)."""
RescanPayload = Callable[["Machine", bytes, str], FormatScan]
"""Scans bytes handed to a nested loader (``pickle.loads``...): ``(machine, data, path)``."""


class Machine:
    """State of one scan (possibly several stacked pickles and nested payloads)."""

    def __init__(
        self,
        ctx: ScanContext,
        *,
        member: str | None,
        path: str | None,
        on_build: BuildHook | None,
        rescan: RescanPayload,
        budget: Budget | None = None,
    ) -> None:
        self.ctx = ctx
        self.policy = ctx.policy
        self.limits = ctx.limits
        self.member = member
        self.depth = ctx.depth
        self.path = path
        self.on_build = on_build
        self.rescan = rescan
        self.findings: list[Finding] = []
        self._keys: set[tuple[str, str]] = set()
        self._suppressed = 0
        self.globals: dict[str, None] = {}
        self.protocols: set[int] = set()
        self.pickles = 0
        self.budget = budget if budget is not None else Budget()
        self.ops = self._ops_start = self.budget.ops
        self.nested_payloads = 0
        self.joblib_arrays = 0
        self.complete = True
        self.keep_large = False
        self.pending: list[Global] = []
        self.src: Source | None = None
        self._danger: dict[tuple[str, str], Danger | None] = {}
        self.framework: dict[str, int] = {}
        """Framework classes the pickle loads (name -> first offset): one finding at the end."""

    @property
    def retained(self) -> int:
        """Bytes of arguments kept in memory so far (shared with nested scans)."""
        return self.budget.retained

    @retained.setter
    def retained(self, value: int) -> None:
        self.budget.retained = value

    # -- findings -----------------------------------------------------------------------------

    def add(
        self,
        code: str,
        message: str,
        offset: int | None,
        evidence: str | None = None,
        key: str | None = None,
        path: str | None = None,
        *,
        severity: Severity | None = None,
    ) -> None:
        """Record a finding once per (code, key); its severity is the rule's default unless
        ``severity`` grades this case otherwise."""
        dedupe = (code, key if key is not None else message)
        if dedupe in self._keys:
            return
        if len(self.findings) >= MAX_FINDINGS:
            self._suppressed += 1
            return
        self._keys.add(dedupe)
        location = Location(member=self.member, offset=offset, path=path or self.path)
        self.findings.append(make_finding(code, message, severity=severity, location=location,
                                          evidence=evidence))

    def malformed(self, message: str, offset: int | None) -> None:
        self.complete = False
        self.add("AISEC-PKL-020", f"malformed pickle: {message}", offset, key="malformed")

    def limit(self, message: str, offset: int | None) -> None:
        self.complete = False
        self.add("AISEC-PKL-021", f"scan limit reached: {message}", offset, key="limit")

    # -- globals ------------------------------------------------------------------------------

    def global_ref(self, module: str, name: str, offset: int) -> Global:
        """Resolve a global as the loader would, judge it, and return its symbolic value."""
        written = f"{module}.{name}"
        module, name = fix_imports(module, name)
        g = Global(module, name, offset, written)
        if len(self.globals) < MAX_GLOBALS:
            self.globals[g.full] = None
        policy = self.policy
        if (
            g.full in policy.nested_decoders
            or g.full in policy.attribute_getters
            or g.full in policy.wrappers
        ):
            # Judged when called: a clean constant payload, or getattr on a global with a constant
            # name, is fine; any other use (or none) is code execution.
            g.pending = True
            self.pending.append(g)
            self.keep_large = True
            return g
        if g.full in self.policy.pure_decoders:
            self.keep_large = True
        key = (module, name)
        if key in self._danger:
            danger = self._danger[key]
        else:
            danger = self._danger[key] = self.policy.classify(module, name)
        if danger is not None:
            self.flag_global(g, danger)
        return g

    def flag_global(self, g: Global, danger: Danger, extra: str = "") -> None:
        if danger is Danger.FRAMEWORK:
            self.framework.setdefault(g.full, g.offset)
            return
        as_written = f" (written as {g.written})" if g.written != g.full else ""
        self.add(
            CODES[danger],
            f"pickle imports {g.full}{as_written}: {danger.value}: "
            f"{self.policy.why(danger)}{extra}",
            g.offset,
            evidence=g.full,
            key=g.full,
        )

    def settle_pending(self) -> None:
        """Flag loaders (``pickle.loads``...) not shown to get only clean payloads."""
        for g in self.pending:
            if g.pending:
                self.flag_global(g, Danger.CODE_EXECUTION, self.why_pending(g))
        self.pending = []

    def why_pending(self, g: Global) -> str:
        if g.full in self.policy.attribute_getters:
            return "; not called on a named global with a constant attribute name"
        if g.full in self.policy.wrappers:
            return "; it does not wrap an allowed global"
        return "; its payload is not a constant that scans clean"

    def _framework_finding(self) -> None:
        names = sorted(self.framework, key=self.framework.__getitem__)
        shown = ", ".join(names[:MAX_FRAMEWORK_LISTED])
        more = f" and {len(names) - MAX_FRAMEWORK_LISTED} more" if len(
            names) > MAX_FRAMEWORK_LISTED else ""
        self.add("AISEC-PKL-015", f"not weights-only: loads framework classes ({len(names)}): "
                 f"{shown}{more}; a whole model, not a state dict "
                 "(torch.load(weights_only=True) refuses it)", self.framework[names[0]],
                 evidence=shown, key="framework")

    def result(self, fmt: str) -> FormatScan:
        if self.framework:
            self._framework_finding()
        if self._suppressed:
            self.findings.append(make_finding(
                "AISEC-PKL-021", f"{self._suppressed} more findings not listed",
                severity="info", location=Location(member=self.member)))
        return FormatScan(
            format="joblib" if fmt == "pickle" and self.joblib_arrays else fmt,
            findings=tuple(self.findings),
            complete=self.complete,
            details={
                "protocols": sorted(self.protocols),
                "pickles": self.pickles,
                "globals": list(self.globals),
                "opcodes": self.ops - self._ops_start,
                "nested_payloads": self.nested_payloads,
                "joblib_arrays": self.joblib_arrays,
                "policy": self.policy.describe(),
            },
        )
