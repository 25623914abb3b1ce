"""What calls, BUILD and container changes mean in the pickle VM, and nested payload rescans.

Each function takes the :class:`~.machine.Machine` of the scan: the opcode loop (:mod:`.ops`)
hands it a resolved callable and arguments, and gets back the symbolic result.
"""

from __future__ import annotations

from typing import Any

from ...record import SEVERITY_ORDER, Location
from ..policy import _INTERNAL_ATTRS, Danger
from .decoders import decode
from .machine import MAX_DECODED_FACTOR, MAX_GLOBALS, Machine
from .values import CONSTANT_TYPES, Blob, Global, Inst, PDict, Unknown, kind_of


def call(m: Machine, callee: Any, args: Any, offset: int) -> Any:
    """The symbolic result of calling ``callee(*args)`` (REDUCE, NEWOBJ, OBJ, INST)."""
    if type(callee) is Global:
        full = callee.full
        if full in m.policy.pure_decoders and type(args) is tuple:
            out = decode(
                full,
                tuple(payload_arg(m, a) for a in args[:2]),
                m.limits.max_nested_payload,
            )
            if out is not None:
                m.budget.decoded += len(out)
                if m.budget.decoded > MAX_DECODED_FACTOR * m.limits.max_nested_payload:
                    m.limit("too many bytes produced by decoders in nested payloads", offset)
                    return Unknown(f"result of {full}")
                return out
        if full in m.policy.attribute_getters:
            return resolve_getattr(m, callee, args, offset)
        if full in m.policy.wrappers:
            if type(args) is tuple and args and allowed_callable(m, args[0]):
                callee.pending = False
                return Inst(callee, args, offset)
            m.flag_global(callee, Danger.CODE_EXECUTION, m.why_pending(callee))
            return Unknown(f"result of {full}")
        if full in m.policy.nested_decoders:
            if nested_payload(m, callee, args, offset):
                callee.pending = False
            else:
                m.flag_global(callee, Danger.CODE_EXECUTION, m.why_pending(callee))
            return Unknown(f"result of {full}")
        if full in m.policy.allowed or m.policy.is_inert(callee.module, callee.name):
            return Inst(callee, args, offset)
        return Unknown(f"result of {full}")
    if isinstance(callee, CONSTANT_TYPES) or type(callee) is tuple:
        m.malformed(f"calls a {kind_of(callee)}, which is not callable", offset)
        return Unknown("failed call")
    m.add(
        "AISEC-PKL-008",
        f"calls {kind_of(callee)}: a callable computed while loading, not a named global "
        "(the indirection used to hide eval/exec behind allowed names)",
        offset,
        evidence=kind_of(callee),
    )
    return Unknown("result of a computed call")


def allowed_callable(m: Machine, value: Any) -> bool:
    """An allowed global, or a framework class or function (inert to bind arguments to)."""
    return type(value) is Global and m.policy.is_inert(value.module, value.name)


def resolve_getattr(m: Machine, callee: Global, args: Any, offset: int) -> Any:
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
        if len(m.globals) < MAX_GLOBALS:
            m.globals[resolved.full] = None
        danger = m.policy.classify(resolved.module, resolved.name)
        if danger is not None:
            m.flag_global(resolved, danger)
        return resolved
    m.flag_global(callee, Danger.CODE_EXECUTION, m.why_pending(callee))
    return Unknown(f"result of {callee.full}")


def payload_arg(m: Machine, value: Any) -> Any:
    """A constant argument, reading a skipped :class:`Blob` back when that is possible."""
    if type(value) is Blob and m.src is not None:
        if value.length > m.limits.max_nested_payload:
            return value
        data = m.src.read_at(value.offset, value.length)
        if data is None:
            return value
        if value.kind == "str":
            return data.decode("utf-8", "surrogatepass")
        return data
    return value


def nested_payload(m: Machine, g: Global, args: Any, offset: int) -> bool:
    """Rescan the bytes handed to a loader such as ``pickle.loads``; True when clean."""
    first = payload_arg(m, args[0]) if type(args) is tuple and args else None
    if isinstance(first, bytearray):
        first = bytes(first)
    where = f"payload@{offset}"
    path = f"{m.path}/{where}" if m.path else where
    if g.full == "marshal.loads":
        return False  # marshalled code objects cannot be checked statically
    if type(first) is not bytes:
        if type(first) is Blob:
            m.complete = False
            m.add(
                "AISEC-PKL-013",
                f"{g.full} is given {kind_of(first)} that could not be read back to rescan",
                offset,
                evidence=g.full,
            )
        return False
    if m.depth + 1 > m.limits.max_depth:
        m.limit(f"nested payloads deeper than {m.limits.max_depth}", offset)
        return False
    m.nested_payloads += 1
    result = m.rescan(m, first, path)
    for f in result.findings:
        loc = f.location or Location()
        inner = (
            loc.path
            if loc.path and loc.path.startswith(path)
            else (f"{path}/{loc.path}" if loc.path else path)
        )
        m.add(
            f.code,
            f.message,
            loc.offset,
            evidence=f.evidence,
            key=f"{inner}:{f.evidence or f.message}",
            path=inner,
            severity=f.severity,
        )
    if not result.complete:
        m.complete = False
    worst = max((SEVERITY_ORDER[f.severity] for f in result.findings), default=0)
    if not (result.complete and worst <= SEVERITY_ORDER["low"]):
        return False
    m.add(
        "AISEC-PKL-012",
        f"{g.full} loads a nested {result.format} payload of {len(first)} bytes; "
        "rescanned and found clean",
        offset,
        evidence=g.full,
        path=path,
    )
    return True


# -- state changes ------------------------------------------------------------------------


def build(m: Machine, obj: Any, state: Any, offset: int, stack: list[Any]) -> None:
    """BUILD: sets ``state`` on ``obj`` (the stack top)."""
    if type(obj) is Global:
        m.add(
            "AISEC-PKL-009",
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
                m.add(
                    "AISEC-PKL-009",
                    f"BUILD state sets interpreter internals {', '.join(bad)} on {kind_of(obj)}",
                    offset,
                    evidence=",".join(bad),
                )
    if (
        type(obj) is Inst
        and obj.callee.full in m.policy.wrappers
        and type(state) is tuple
        and state
        and not allowed_callable(m, state[0])
    ):
        # partial.__setstate__ replaces the wrapped function: it must be allowed as well.
        m.flag_global(obj.callee, Danger.CODE_EXECUTION, m.why_pending(obj.callee))
    if type(obj) is Inst:
        obj.state = state
    if m.on_build is not None:
        m.on_build(m, obj, stack)


def mutate(m: Machine, target: Any, what: str, offset: int, *, needs_dict: bool = False) -> None:
    """APPEND/SETITEM/ADDITEMS on ``target``."""
    if type(target) is Global:
        m.add(
            "AISEC-PKL-009",
            f"{what} mutates the imported object {target.full}",
            offset,
            evidence=target.full,
            key=f"mutate:{target.full}",
        )
    elif needs_dict and not isinstance(target, (PDict, Inst, Unknown)):
        m.add(
            "AISEC-PKL-014",
            f"{what} on {kind_of(target)}, which is not a dict (memory corruption in "
            "torch weights_only loaders, CVE-2026-24747)",
            offset,
            evidence=kind_of(target),
        )
