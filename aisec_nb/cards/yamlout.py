"""A small deterministic YAML writer for the front matter of a Hugging Face ``README.md``.

Mappings keep the order they are given in; a string is written plain only when no YAML 1.1
reader can take it for anything but that string (``no``, ``on``, ``1.10``, ``2024-01-01``,
``null`` and anything with punctuation are double-quoted, JSON-style); floats always carry a
dot, so PyYAML reads them back as floats. The output of one value is always the same text.

Example::

    >>> print(dump({"license": "apache-2.0", "language": ["no", "en"], "v": "1.10", "x": 1e-05}),
    ...       end="")
    license: apache-2.0
    language:
    - "no"
    - en
    v: "1.10"
    x: 1.0e-05
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./+-]*$")
_SPECIAL = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf"})
_UNSAFE = re.compile("[\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff]")


def _escape_unsafe(match: re.Match[str]) -> str:
    char = match.group(0)
    if "\ud800" <= char <= "\udfff":
        return "\\ufffd"
    return f"\\u{ord(char):04x}"


def scalar(value: Any) -> str:
    """One scalar as YAML text.

    >>> [scalar(v) for v in ("yes", "tabular-classification", 'say "hi"', None, True, 3)]
    ['"yes"', 'tabular-classification', '"say \\\\"hi\\\\""', 'null', 'true', '3']
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        if "e" in text and "." not in text.split("e")[0]:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _SPECIAL and not text.endswith("."):
        return text
    return _UNSAFE.sub(_escape_unsafe, json.dumps(text, ensure_ascii=False))


def _is_block(value: Any) -> bool:
    return (isinstance(value, Mapping) or (isinstance(value, Sequence) and not isinstance(
        value, (str, bytes)))) and len(value) > 0


def _inline(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return "[]"
    return scalar(value)


def _mapping(value: Mapping[Any, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, item in value.items():
        name = scalar(str(key))
        if _is_block(item):
            lines.append(f"{pad}{name}:")
            lines.extend(_mapping(item, indent + 2) if isinstance(item, Mapping)
                         else _sequence(item, indent))
        else:
            lines.append(f"{pad}{name}: {_inline(item)}")
    return lines


def _sequence(value: Sequence[Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in value:
        if _is_block(item):
            inner = (_mapping(item, indent + 2) if isinstance(item, Mapping)
                     else _sequence(item, indent + 2))
            lines.append(f"{pad}- {inner[0][indent + 2:]}")
            lines.extend(inner[1:])
        else:
            lines.append(f"{pad}- {_inline(item)}")
    return lines


def dump(value: Mapping[str, Any]) -> str:
    """A mapping as block YAML (no document markers), one trailing newline."""
    return "\n".join(_mapping(value, 0)) + "\n"
