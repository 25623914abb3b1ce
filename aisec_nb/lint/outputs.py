"""The output rules: what a notebook's saved outputs reveal.

Secrets (``AISEC-OUT-001``) and personal data (``AISEC-OUT-002``) in stream, result and display
text, found by the data checks' detectors and reported by redacted shape only; tracebacks that
show a credential (``AISEC-OUT-003``: a secret inside a traceback is reported there, once); and
oversized outputs (``AISEC-OUT-004``). aisec-nb's own result bundles are not read (their text
holds redacted shapes already).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..transport import MIME_TYPE
from .detectors import find_sensitive, mask, may_be_sensitive
from .locate import JsonPath

SECRET = "AISEC-OUT-001"  # noqa: S105 - a rule code
PERSONAL = "AISEC-OUT-002"
TRACEBACK = "AISEC-OUT-003"
OVERSIZED = "AISEC-OUT-004"
TEXT_TYPES = ("text/plain", "text/markdown", "application/json", "text/html")
"""The one text form read of a result or display (the first present), so a table shown as
text and as HTML is read once."""
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_URL_CREDENTIAL = re.compile(r"\b[a-z][a-z0-9+.-]*://([^\s:/@]+):([^\s@/]{3,})@", re.I)
_NAMED = re.compile(
    r"(?i)\b(?:api_?key|token|password|passwd|secret|client_secret|access_key)\b\s*[=:]\s*"
    r"[\"']([^\"'\s]{8,})[\"']")


@dataclass(frozen=True)
class OutputHit:
    """One finding in an output: its cell, output index and the JSON path of the text list."""

    code: str
    cell: int
    output: int
    message: str
    path: JsonPath
    element: int | None


def _texts(output: Mapping[str, Any]) -> Iterator[tuple[tuple[str, ...], Sequence[str] | str]]:
    kind = output.get("output_type")
    if kind == "stream":
        yield ("text",), output.get("text") or ""
    elif kind in ("execute_result", "display_data"):
        data = output.get("data") or {}
        if MIME_TYPE in data:
            return
        for mime in TEXT_TYPES:
            if mime in data and isinstance(data[mime], (str, list)):
                yield ("data", mime), data[mime]
                return
    elif kind == "error":
        yield ("traceback",), output.get("traceback") or []


def _size(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(_size(v) for v in value)
    if isinstance(value, Mapping):
        return sum(_size(v) for v in value.values())
    return 0


def _lines(value: Sequence[str] | str) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]


def _traceback_secrets(text: str) -> list[str]:
    shapes = [f.sample for f in find_sensitive(text, categories=("secret",))]
    for match in _URL_CREDENTIAL.finditer(text):
        shapes.append(f"a password in a URL ({match.group(1)[:1]}•••:{mask(match.group(2))})")
    for match in _NAMED.finditer(text):
        shapes.append(mask(match.group(1)))
    return shapes


def output_rules(cells: Sequence[Any], max_output_bytes: int) -> Iterator[OutputHit]:
    """The output findings of a notebook's cells (nbformat v4 cells)."""
    for index, cell in enumerate(cells):
        outputs = cell.get("outputs") if cell.get("cell_type") == "code" else None
        if not outputs:
            continue
        total = 0
        for number, output in enumerate(outputs):
            total += _size(output.get("data")) + _size(output.get("text")) + _size(
                output.get("traceback"))
            is_traceback = output.get("output_type") == "error" or (
                output.get("name") == "stderr"
                and "Traceback (most recent call last)" in "".join(_lines(output.get("text", ""))))
            for keys, value in _texts(output):
                path: JsonPath = ("cells", index, "outputs", number, *keys)
                reported: set[str] = set()
                parts = _lines(value)
                if not is_traceback and not may_be_sensitive("".join(parts)):
                    continue
                for element, line in enumerate(parts):
                    text = _ANSI.sub("", line)
                    where = element if isinstance(value, list) else None
                    if is_traceback:
                        shapes = _traceback_secrets(text)
                        if shapes and TRACEBACK not in reported:
                            reported.add(TRACEBACK)
                            yield OutputHit(TRACEBACK, index, number, "a traceback in the "
                                            f"output shows a credential ({shapes[0]})", path,
                                            where)
                        if shapes:
                            continue
                    for found in find_sensitive(text):
                        code = SECRET if found.category == "secret" else PERSONAL
                        key = f"{code}:{found.kind}"
                        if key in reported:
                            continue
                        reported.add(key)
                        label = found.kind.replace("_", " ")
                        what = "secret" if code == SECRET else "personal data"
                        yield OutputHit(code, index, number, f"the output shows {what}: {label} "
                                        f"({found.sample})", path, where)
        if total > max_output_bytes:
            yield OutputHit(OVERSIZED, index, 0, f"the cell's saved outputs hold {total:,} "
                            f"characters (limit {max_output_bytes:,})", ("cells", index,
                                                                          "outputs"), None)
