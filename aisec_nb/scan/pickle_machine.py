"""The pickle VM's state and judgement: findings, globals, calls, BUILD and nested payloads.

The opcode loop lives in :mod:`.pickle_ops`; this module decides what each resolved global,
call and state change means under the policy. See :mod:`.pickle_vm` for the finding codes.
"""

from __future__ import annotations

import _compat_pickle
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from ..record import SEVERITY_ORDER, Finding, Location
from .limits import FormatScan, Limits
from .pickle_nested import decode
from .pickle_source import ParseLimit, Source, Truncated
from .pickle_values import (
    CONSTANT_TYPES,
    Blob,
    Global,
    Inst,
    PDict,
    Unknown,
    kind_of,
)
from .policy import _INTERNAL_ATTRS, Danger, Policy

if TYPE_CHECKING:
    from .pickle_vm import NestedScanner

MAX_FINDINGS = 500
MAX_GLOBALS = 1000
INLINE = 4096
"""Bytes/str arguments up to this size are always kept as constants."""
MAX_RETAINED = 64 * 1024 * 1024
"""Total bytes kept for possible nested payloads, per scan."""

_CODE = {
    Danger.CODE_EXECUTION: "AISEC-PKL-001",
    Danger.PROCESS: "AISEC-PKL-002",
    Danger.IMPORT: "AISEC-PKL-003",
    Danger.FILE_SYSTEM: "AISEC-PKL-004",
    Danger.NETWORK: "AISEC-PKL-005",
    Danger.UNKNOWN: "AISEC-PKL-006",
}


class Malformed(Exception):
    """The pickle breaks a rule the real loader enforces; scanning cannot go on."""


class LimitHit(Exception):
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


ScanNested = Callable[[bytes, Policy, Limits, "str | None", int, str, Budget], FormatScan]


class Machine:
    """State of one scan (possibly several stacked pickles and nested payloads)."""

    def __init__(
        self,
        policy: Policy,
        limits: Limits,
        *,
        member: str | None,
        depth: int,
        path: str | None,
        on_build: Callable[[Machine, Any, list[Any]], None] | None,
        nested: Callable[[], tuple[NestedScanner, ...]],
        scan_nested: ScanNested,
        budget: Budget | None = None,
    ) -> None:
        self.policy = policy
        self.limits = limits
        self.member = member
        self.depth = depth
        self.path = path
        self.on_build = on_build
        self._nested = nested
        self._scan_nested = scan_nested
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
        severity: str,
        message: str,
        offset: int | None,
        evidence: str | None = None,
        key: str | None = None,
        path: str | None = None,
    ) -> None:
        """Record a finding once per (code, key)."""
        dedupe = (code, key if key is not None else message)
        if dedupe in self._keys:
            return
        if len(self.findings) >= MAX_FINDINGS:
            self._suppressed += 1
            return
        self._keys.add(dedupe)
        self.findings.append(
            Finding(
                code=code,
                severity=severity,
                message=message,
                location=Location(member=self.member, offset=offset, path=path or self.path),
                evidence=evidence,
            )
        )

    def malformed(self, message: str, offset: int | None) -> None:
        self.complete = False
        self.add("AISEC-PKL-020", "medium", f"malformed pickle: {message}", offset, key="malformed")

    def limit(self, message: str, offset: int | None) -> None:
        self.complete = False
        self.add("AISEC-PKL-021", "medium", f"scan limit reached: {message}", offset, key="limit")

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
        as_written = f" (written as {g.written})" if g.written != g.full else ""
        self.add(
            _CODE[danger],
            danger.severity,
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
                self.flag_global(g, Danger.CODE_EXECUTION, self._why_pending(g))
        self.pending = []

    def _why_pending(self, g: Global) -> str:
        if g.full in self.policy.attribute_getters:
            return "; not called on a named global with a constant attribute name"
        if g.full in self.policy.wrappers:
            return "; it does not wrap an allowed global"
        return "; its payload is not a constant that scans clean"

    # -- calls --------------------------------------------------------------------------------

    def call(self, callee: Any, args: Any, offset: int) -> Any:
        """The symbolic result of calling ``callee(*args)`` (REDUCE, NEWOBJ, OBJ, INST)."""
        if type(callee) is Global:
            full = callee.full
            if full in self.policy.pure_decoders and type(args) is tuple:
                out = decode(
                    full,
                    tuple(self.payload_arg(a) for a in args[:2]),
                    self.limits.max_nested_payload,
                )
                if out is not None:
                    self.budget.decoded += len(out)
                    if self.budget.decoded > MAX_DECODED_FACTOR * self.limits.max_nested_payload:
                        self.limit("too many bytes produced by decoders in nested payloads", offset)
                        return Unknown(f"result of {full}")
                    return out
            if full in self.policy.attribute_getters:
                return self.resolve_getattr(callee, args, offset)
            if full in self.policy.wrappers:
                if type(args) is tuple and args and self._allowed_callable(args[0]):
                    callee.pending = False
                    return Inst(callee, args, offset)
                self.flag_global(callee, Danger.CODE_EXECUTION, self._why_pending(callee))
                return Unknown(f"result of {full}")
            if full in self.policy.nested_decoders:
                if self.nested_payload(callee, args, offset):
                    callee.pending = False
                else:
                    self.flag_global(callee, Danger.CODE_EXECUTION, self._why_pending(callee))
                return Unknown(f"result of {full}")
            if full in self.policy.allowed:
                return Inst(callee, args, offset)
            return Unknown(f"result of {full}")
        if isinstance(callee, CONSTANT_TYPES) or type(callee) is tuple:
            self.malformed(f"calls a {kind_of(callee)}, which is not callable", offset)
            return Unknown("failed call")
        self.add(
            "AISEC-PKL-008",
            "critical",
            f"calls {kind_of(callee)}: a callable computed while loading, not a named global "
            "(the indirection used to hide eval/exec behind allowed names)",
            offset,
            evidence=kind_of(callee),
        )
        return Unknown("result of a computed call")

    def _allowed_callable(self, value: Any) -> bool:
        return type(value) is Global and value.full in self.policy.allowed

    def resolve_getattr(self, callee: Global, args: Any, offset: int) -> Any:
        """``getattr(<global>, "<name>")`` is the global ``module.name.attr``: judge that."""
        if (
            type(args) is tuple
            and len(args) == 2
            and type(args[0]) is Global
            and type(args[1]) is str
            and args[1]
        ):
            owner, attr = args
            callee.pending = False
            resolved = Global(
                owner.module, f"{owner.name}.{attr}", offset, f"getattr({owner.full}, {attr!r})"
            )
            if len(self.globals) < MAX_GLOBALS:
                self.globals[resolved.full] = None
            danger = self.policy.classify(resolved.module, resolved.name)
            if danger is not None:
                self.flag_global(resolved, danger)
            return resolved
        self.flag_global(callee, Danger.CODE_EXECUTION, self._why_pending(callee))
        return Unknown(f"result of {callee.full}")

    def payload_arg(self, value: Any) -> Any:
        """A constant argument, reading a skipped :class:`Blob` back when that is possible."""
        if type(value) is Blob and self.src is not None:
            if value.length > self.limits.max_nested_payload:
                return value
            data = self.src.read_at(value.offset, value.length)
            if data is None:
                return value
            if value.kind == "str":
                return data.decode("utf-8", "surrogatepass")
            return data
        return value

    def nested_payload(self, g: Global, args: Any, offset: int) -> bool:
        """Rescan the bytes handed to a loader such as ``pickle.loads``; True when clean."""
        first = self.payload_arg(args[0]) if type(args) is tuple and args else None
        if isinstance(first, bytearray):
            first = bytes(first)
        where = f"payload@{offset}"
        path = f"{self.path}/{where}" if self.path else where
        if g.full == "marshal.loads":
            return False  # marshalled code objects cannot be checked statically
        if type(first) is not bytes:
            if type(first) is Blob:
                self.complete = False
                self.add(
                    "AISEC-PKL-013",
                    "medium",
                    f"{g.full} is given {kind_of(first)} that could not be read back to rescan",
                    offset,
                    evidence=g.full,
                )
            return False
        if self.depth + 1 > self.limits.max_depth:
            self.limit(f"nested payloads deeper than {self.limits.max_depth}", offset)
            return False
        self.nested_payloads += 1
        result: FormatScan | None = None
        for scanner in self._nested():
            result = scanner(first, self.policy, self.limits, self.member, self.depth + 1)
            if result is not None:
                break
        if result is None:
            self.budget.ops = self.ops
            result = self._scan_nested(
                first, self.policy, self.limits, self.member, self.depth + 1, path, self.budget
            )
            self.ops = self.budget.ops
        for f in result.findings:
            loc = f.location or Location()
            inner = (
                loc.path
                if loc.path and loc.path.startswith(path)
                else (f"{path}/{loc.path}" if loc.path else path)
            )
            self.add(
                f.code,
                f.severity,
                f.message,
                loc.offset,
                evidence=f.evidence,
                key=f"{inner}:{f.evidence or f.message}",
                path=inner,
            )
        if not result.complete:
            self.complete = False
        worst = max((SEVERITY_ORDER[f.severity] for f in result.findings), default=0)
        if not (result.complete and worst <= SEVERITY_ORDER["low"]):
            return False
        self.add(
            "AISEC-PKL-012",
            "info",
            f"{g.full} loads a nested {result.format} payload of {len(first)} bytes; "
            "rescanned and found clean",
            offset,
            evidence=g.full,
            path=path,
        )
        return True

    # -- state changes ------------------------------------------------------------------------

    def build(self, obj: Any, state: Any, offset: int, stack: list[Any]) -> None:
        """BUILD: sets ``state`` on ``obj`` (the stack top)."""
        if type(obj) is Global:
            self.add(
                "AISEC-PKL-009",
                "critical",
                f"BUILD changes attributes of the imported object {obj.full} itself; later "
                "names resolved through it can reach anything",
                offset,
                evidence=obj.full,
                key=f"build:{obj.full}",
            )
        for part in (state, *(state if type(state) is tuple and len(state) == 2 else ())):
            if type(part) is PDict:
                bad = sorted(k for k in part.items if isinstance(k, str) and k in _INTERNAL_ATTRS)
                if bad:
                    self.add(
                        "AISEC-PKL-009",
                        "critical",
                        f"BUILD state sets interpreter internals {', '.join(bad)} on "
                        f"{kind_of(obj)}",
                        offset,
                        evidence=",".join(bad),
                    )
        if (
            type(obj) is Inst
            and obj.callee.full in self.policy.wrappers
            and type(state) is tuple
            and state
            and not self._allowed_callable(state[0])
        ):
            # partial.__setstate__ replaces the wrapped function: it must be allowed as well.
            self.flag_global(obj.callee, Danger.CODE_EXECUTION, self._why_pending(obj.callee))
        if type(obj) is Inst:
            obj.state = state
        if self.on_build is not None:
            self.on_build(self, obj, stack)

    def mutate(self, target: Any, what: str, offset: int, *, needs_dict: bool = False) -> None:
        """APPEND/SETITEM/ADDITEMS on ``target``."""
        if type(target) is Global:
            self.add(
                "AISEC-PKL-009",
                "critical",
                f"{what} mutates the imported object {target.full}",
                offset,
                evidence=target.full,
                key=f"mutate:{target.full}",
            )
        elif needs_dict and not isinstance(target, (PDict, Inst, Unknown)):
            self.add(
                "AISEC-PKL-014",
                "high",
                f"{what} on {kind_of(target)}, which is not a dict (memory corruption in "
                "torch weights_only loaders, CVE-2026-24747)",
                offset,
                evidence=kind_of(target),
            )

    # -- driving ------------------------------------------------------------------------------

    def run(self, stream: BinaryIO, *, single: bool) -> None:
        """Scan one pickle (``single``) or stacked pickles to the end of ``stream``."""
        from .pickle_ops import run_one

        src = Source(stream, exact=single, max_bytes=self.limits.max_parse_bytes)
        self.src = src
        try:
            if src.at_end():
                self.malformed("no pickle data (empty input)", src.offset)
                return
            while True:
                run_one(self, src)
                self.pickles += 1
                self.settle_pending()
                if single or src.at_end():
                    return
        except Truncated:
            self.malformed("the data ends inside an opcode or its argument (truncated)", src.offset)
        except Malformed as exc:
            self.malformed(str(exc.args[0]), exc.args[1] if len(exc.args) > 1 else src.offset)
        except (LimitHit, ParseLimit) as exc:
            self.limit(str(exc.args[0]), src.offset)
        except MemoryError:
            self.limit("out of memory while scanning", src.offset)
        except Exception as exc:  # a scanner crash must never read as "clean"
            self.malformed(f"internal error {type(exc).__name__} while parsing", src.offset)
        finally:
            self.settle_pending()
            self.budget.ops = self.ops

    def run_embedded(self, src: Source) -> None:
        """Scan one pickle written inline in the same stream (joblib object arrays)."""
        from .pickle_ops import run_one

        run_one(self, src)
        self.pickles += 1

    def result(self, fmt: str) -> FormatScan:
        if self._suppressed:
            self.findings.append(
                Finding(
                    code="AISEC-PKL-021",
                    severity="info",
                    message=f"{self._suppressed} more findings not listed",
                    location=Location(member=self.member),
                )
            )
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
