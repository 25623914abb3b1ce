"""Static pickle analysis by simulating the pickle virtual machine; nothing is unpickled.

Opcodes are decoded from the stream and run over symbolic values (:mod:`.values`) with a real
stack, memo and mark stack, so a global is seen however its name reaches ``STACK_GLOBAL`` (memo,
frames, computed strings). Every global is checked against the
:class:`~aisec_nb.scan.policy.Policy`. Payloads handed to a nested loader are rescanned: a pickle
here, with the same budgets; anything else (a torch zip given to
``torch.storage._load_from_bytes``) through the router the scan context carries.

    >>> from aisec_nb.scan.context import ScanContext
    >>> from aisec_nb.scan.policy import load_policy
    >>> from aisec_nb.scan.source import MemorySource
    >>> data = b"cos\\nsystem\\n(S'echo x'\\ntR."
    >>> scan = scan_pickle(MemorySource(data), ScanContext(load_policy()))
    >>> [(f.code, f.severity, f.evidence) for f in scan.findings]
    [('AISEC-PKL-002', 'critical', 'os.system')]

The finding codes (AISEC-PKL-*) are in the rule catalogue: ``aisec-nb rules``.
"""

from __future__ import annotations

import io

from ..context import ScanContext
from ..limits import FormatScan
from ..sniff import HEAD_SIZE, sniff_format
from ..source import ByteSource
from .joblib import joblib_build_hook
from .machine import Budget, BuildHook, LimitHit, Machine, Malformed
from .ops import run_one
from .reader import ParseLimit, Source, Truncated


def scan_pickle(source: ByteSource, ctx: ScanContext, member: str | None = None, *,
                single: bool = False) -> FormatScan:
    """Scan the pickle(s) from the source's current position.

    ``single=False`` keeps reading stacked pickles to the end of the source (a raw ``.pkl``), and
    skips joblib's inline arrays (see :mod:`.joblib`: ``joblib.load`` is the superset loader);
    ``single=True`` stops right after the first ``STOP`` and never reads past it. Findings carry
    ``Location(member=member, offset=<opcode offset>)``; ``complete`` is False after any parse
    error or limit, with everything found before it still reported.
    """
    return run_scan(source, ctx, member, single=single)


def run_scan(
    source: ByteSource,
    ctx: ScanContext,
    member: str | None,
    *,
    single: bool,
    on_build: BuildHook | None = None,
    fmt: str = "pickle",
    path: str | None = None,
    budget: Budget | None = None,
) -> FormatScan:
    """The engine behind :func:`scan_pickle`; ``on_build`` lets joblib skip inline arrays.

    A raw pickle read to the end (``single=False``) may be a joblib file, so it gets joblib's
    inline-array handling unless another hook is given.
    """
    if on_build is None and not single:
        on_build = joblib_build_hook
    machine = Machine(ctx, member=member, path=path, on_build=on_build, rescan=_rescan_payload,
                      budget=budget)
    run(machine, source, single=single)
    return machine.result(fmt)


def run(m: Machine, stream: ByteSource, *, single: bool) -> None:
    """Scan one pickle (``single``) or stacked pickles to the end of ``stream``."""
    src = Source(stream, exact=single, max_bytes=m.limits.max_parse_bytes)
    m.src = src
    try:
        if src.at_end():
            m.malformed("no pickle data (empty input)", src.offset)
            return
        while True:
            run_one(m, src)
            m.pickles += 1
            m.settle_pending()
            if single or src.at_end():
                return
    except Truncated:
        m.malformed("the data ends inside an opcode or its argument (truncated)", src.offset)
    except Malformed as exc:
        m.malformed(str(exc.args[0]), exc.args[1] if len(exc.args) > 1 else src.offset)
    except (LimitHit, ParseLimit) as exc:
        m.limit(str(exc.args[0]), src.offset)
    except MemoryError:
        m.limit("out of memory while scanning", src.offset)
    except Exception as exc:  # a scanner crash must never read as "clean"
        m.malformed(f"internal error {type(exc).__name__} while parsing", src.offset)
    finally:
        m.settle_pending()
        m.budget.ops = m.ops


def _rescan_payload(m: Machine, data: bytes, path: str) -> FormatScan:
    """The scan of bytes handed to a nested loader, one level deeper.

    A pickle is scanned here with the same opcode and memory budgets, so nesting cannot multiply
    them; anything else goes to the router (without one, it is read as a pickle and fails as one).
    """
    ctx = m.ctx.for_payload()
    if ctx.rescan is not None and sniff_format(data[:HEAD_SIZE], len(data)) != "pickle":
        return ctx.scan(io.BytesIO(data), m.member)
    m.budget.ops = m.ops
    result = run_scan(io.BytesIO(data), ctx, m.member, single=True, path=path, budget=m.budget)
    m.ops = m.budget.ops
    return result


__all__ = ["run_scan", "scan_pickle"]
