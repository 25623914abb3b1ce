"""Static pickle analysis by simulating the pickle virtual machine (interface; engine follows).

Nothing is unpickled: opcodes are decoded and run over symbolic values.
"""

from __future__ import annotations

import io
from typing import Any, BinaryIO

from .limits import DEFAULT_LIMITS, FormatScan, Limits
from .policy import Policy


def scan_pickle_stream(
    stream: BinaryIO,
    *,
    policy: Policy,
    limits: Limits = DEFAULT_LIMITS,
    member: str | None = None,
    single: bool = False,
    depth: int = 0,
) -> FormatScan:
    """Scan the pickle(s) at the stream's current position (stacked pickles to EOF unless single)."""
    return FormatScan(format="pickle", complete=False, details={})


def scan_pickle_bytes(data: bytes, **kwargs: Any) -> FormatScan:
    """:func:`scan_pickle_stream` over bytes in memory."""
    return scan_pickle_stream(io.BytesIO(data), **kwargs)
