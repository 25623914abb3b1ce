"""Static pickle analysis by simulating the pickle virtual machine; nothing is unpickled.

Opcodes are decoded from the stream and run over symbolic values (:mod:`.pickle_values`) with a
real stack, memo and mark stack, so a global is seen however its name reaches ``STACK_GLOBAL``
(memo, frames, computed strings). Every global is checked against the :class:`~.policy.Policy`.

    >>> from aisec_nb.scan.policy import load_policy
    >>> scan = scan_pickle_bytes(b"cos\\nsystem\\n(S'echo x'\\ntR.", policy=load_policy())
    >>> [(f.code, f.severity, f.evidence) for f in scan.findings]
    [('AISEC-PKL-002', 'critical', 'os.system')]

Finding codes (severity, meaning):

============= ======== =========================================================================
AISEC-PKL-001 critical global that evaluates code or turns strings into callables (also a nested
                       loader such as ``pickle.loads`` whose payload is not shown clean)
AISEC-PKL-002 critical global that starts or controls processes
AISEC-PKL-003 critical global that imports modules by name (import machinery)
AISEC-PKL-004 high     global that touches the file system
AISEC-PKL-005 high     global that opens network connections
AISEC-PKL-006 medium   global not on the allowlist (unknown danger)
AISEC-PKL-007 critical ``STACK_GLOBAL`` whose module or name is not a constant string
AISEC-PKL-008 critical a call whose callable is not a named global (computed while loading)
AISEC-PKL-009 critical ``BUILD``/append/setitem that changes an imported object, or state that
                       reaches interpreter internals (``__class__``, ``__reduce__``...)
AISEC-PKL-010 high     ``FRAME`` rule broken (opcode straddles a frame, frame inside a frame):
                       C and Python unpicklers disagree on such files
AISEC-PKL-011 medium   extension-registry opcode (``EXT1/2/4``): a callable chosen at load time
AISEC-PKL-012 info     nested payload (bytes given to a loader) rescanned and found clean
AISEC-PKL-013 medium   nested payload that could not be rescanned (too large, too deep, undecodable)
AISEC-PKL-014 high     ``SETITEM(S)`` on a value that is not a dict (weights_only memory corruption)
AISEC-PKL-020 medium   malformed or truncated pickle; the scan stops there (complete=False)
AISEC-PKL-021 medium   a scan limit was reached (ops, stack, memo, bytes, depth; complete=False)
============= ======== =========================================================================
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, BinaryIO

from ...record import Finding, Location
from ..limits import DEFAULT_LIMITS, FormatScan, Limits
from ..policy import Policy
from .machine import Budget, Machine, fix_imports

NestedScanner = Callable[[bytes, Policy, Limits, "str | None", int], "FormatScan | None"]
"""``(data, policy, limits, member, depth) -> FormatScan | None`` for payloads that are not plain
pickles (a torch zip handed to ``torch.storage._load_from_bytes``). None means "not mine"."""


def _by_format(
    data: bytes, policy: Policy, limits: Limits, member: str | None, depth: int
) -> FormatScan | None:
    """Non-pickle payloads (a torch zip given to ``_load_from_bytes``) go to the format router."""
    from ..sniff import sniff_format

    if sniff_format(data[:512]) == "pickle":
        return None
    try:
        from ..context import ScanContext
        from ..dispatch import scan_stream
    except ImportError:  # pragma: no cover - the router ships with the package
        return None
    return scan_stream(io.BytesIO(data), ScanContext(policy, limits, depth), member)


_NESTED_SCANNERS: list[NestedScanner] = [_by_format]


def register_nested_scanner(scanner: NestedScanner) -> None:
    """Let a container parser (zip, legacy torch) rescan nested payloads it recognises."""
    if scanner not in _NESTED_SCANNERS:
        _NESTED_SCANNERS.append(scanner)


def nested_scanners() -> tuple[NestedScanner, ...]:
    """The registered nested-payload scanners, in registration order."""
    return tuple(_NESTED_SCANNERS)


BuildHook = Callable[[Machine, Any, list[Any]], None]


def scan_pickle_stream(
    stream: BinaryIO,
    *,
    policy: Policy,
    limits: Limits = DEFAULT_LIMITS,
    member: str | None = None,
    single: bool = False,
    depth: int = 0,
) -> FormatScan:
    """Scan the pickle(s) from the stream's current position.

    ``single=False`` keeps reading stacked pickles to the end of the stream (a raw ``.pkl``);
    ``single=True`` stops right after the first ``STOP`` and never reads past it. Raw streams
    (``single=False``) also get joblib's inline arrays skipped (see :mod:`.joblib`). Findings carry
    ``Location(member=member, offset=<opcode offset>)``; ``complete`` is False after any parse
    error or limit, with everything found before it still reported.
    """
    return run_scan(stream, policy=policy, limits=limits, member=member, single=single, depth=depth)


def scan_pickle_bytes(
    data: bytes,
    *,
    policy: Policy,
    limits: Limits = DEFAULT_LIMITS,
    member: str | None = None,
    single: bool = False,
    depth: int = 0,
) -> FormatScan:
    """:func:`scan_pickle_stream` over bytes in memory."""
    return run_scan(
        io.BytesIO(data), policy=policy, limits=limits, member=member, single=single, depth=depth
    )


def run_scan(
    stream: BinaryIO,
    *,
    policy: Policy,
    limits: Limits,
    member: str | None,
    single: bool,
    depth: int,
    on_build: BuildHook | None = None,
    fmt: str = "pickle",
    path: str | None = None,
    budget: Budget | None = None,
) -> FormatScan:
    """The engine behind the public functions; ``on_build`` lets joblib skip inline arrays.

    A raw pickle read to the end (``single=False``) may be a joblib file, so it gets joblib's
    inline-array handling unless another hook is given: ``joblib.load`` is the superset loader.
    """
    if on_build is None and not single:
        from .joblib import joblib_build_hook

        on_build = joblib_build_hook
    machine = Machine(
        policy,
        limits,
        member=member,
        depth=depth,
        path=path,
        on_build=on_build,
        nested=nested_scanners,
        scan_nested=_scan_nested,
        budget=budget,
    )
    machine.run(stream, single=single)
    return machine.result(fmt)


def _scan_nested(
    data: bytes,
    policy: Policy,
    limits: Limits,
    member: str | None,
    depth: int,
    path: str,
    budget: Budget,
) -> FormatScan:
    return run_scan(
        io.BytesIO(data),
        policy=policy,
        limits=limits,
        member=member,
        single=True,
        depth=depth,
        path=path,
        budget=budget,
    )


__all__ = [
    "Finding",
    "Location",
    "NestedScanner",
    "fix_imports",
    "register_nested_scanner",
    "scan_pickle_bytes",
    "scan_pickle_stream",
]
