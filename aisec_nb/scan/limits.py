"""Bounds on everything a scan reads, and the per-format outcome type.

Every parser takes a :class:`Limits`; hitting one is reported as a finding and makes the scan
incomplete (never silently clean).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..record import Finding

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one scan. Defaults suit multi-GB checkpoints on a laptop."""

    max_parse_bytes: int = 64 * GiB
    """Bytes parsed (not merely hashed) per file."""
    max_depth: int = 16
    """Nesting of containers and of payloads rescanned inside payloads."""
    max_members: int = 100_000
    """Members of one archive, or files in one folder."""
    max_ratio: float = 250.0
    """Decompressed / compressed size of one member before it counts as a bomb."""
    max_decompressed: int = 16 * GiB
    """Total decompressed bytes per file."""
    max_pickle_ops: int = 50_000_000
    max_stack: int = 1_000_000
    max_memo: int = 1_000_000
    max_nested_payload: int = 64 * MiB
    """Largest embedded payload (bytes handed to pickle.loads, marshal, base64) rescanned."""
    max_header: int = 100 * MiB
    """Largest header / metadata block (safetensors JSON, GGUF metadata, ONNX graph) parsed."""
    max_dictionary: int = 1 * GiB
    """Largest LZMA dictionary a 7z coder or a zip LZMA member may make the decoder allocate
    (it is cut to the member's size first)."""


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class FormatScan:
    """What one format parser found in one file or member."""

    format: str
    """Format name as the user would say it: 'pickle', 'pytorch-zip', 'safetensors', ..."""
    findings: tuple[Finding, ...] = ()
    complete: bool = True
    """False when anything could not be parsed or a limit stopped the parser."""
    details: dict[str, Any] = field(default_factory=dict)
    """Format facts worth recording (protocol, members, tensor count, globals seen...)."""
