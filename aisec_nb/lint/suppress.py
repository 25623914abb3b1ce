"""Per-line suppressions: ``# aisec: ignore[CODE, ...] reason`` in a code cell.

A suppression hides the findings of the codes it names on its own line (or, for a finding
about a whole cell, such as a failed check, anywhere in that cell). The reason is required: one
without a reason suppresses nothing and is reported (``AISEC-SUP-001``), and one that matches no
finding, or names an unknown code, is reported too (``AISEC-SUP-002``). Codes are matched by the
rule catalogue, so an earlier code of a rule (an alias) still works.

    >>> [(s.line, s.codes, s.reason)
    ...  for s in suppressions(0, "x = 1  # aisec: ignore[aisec-code-006] fixture")]
    [(1, ('AISEC-CODE-006',), 'fixture')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PATTERN = re.compile(r"#\s*aisec:\s*ignore\[([^\]]*)\]\s*(.*?)\s*$", re.IGNORECASE)
NO_REASON = "AISEC-SUP-001"
UNUSED = "AISEC-SUP-002"


@dataclass(frozen=True)
class Suppression:
    cell: int
    line: int
    codes: tuple[str, ...]
    """Canonical codes (a code the catalogue does not know is kept as written, upper case)."""
    reason: str
    unknown: tuple[str, ...] = ()
    column: int = 1


def suppressions(cell: int, source: str) -> list[Suppression]:
    """The suppression comments of one code cell's source."""
    if "aisec" not in source:
        return []
    from ..rules import find

    out = []
    for number, line in enumerate(source.split("\n"), start=1):
        match = PATTERN.search(line)
        if match is None:
            continue
        codes, unknown = [], []
        for raw in re.split(r"[,\s]+", match.group(1).strip()):
            if not raw:
                continue
            known = find(raw)
            if known is None:
                unknown.append(raw.upper())
            else:
                codes.append(known.code)
        out.append(Suppression(cell, number, tuple(codes), match.group(2).strip(),
                               tuple(unknown), match.start() + 1))
    return out
