"""A small validator for the JSON Schema shipped beside the question bank (``bank.schema.json``).

Only the keywords that file uses are interpreted: ``type``, ``enum``, ``required``,
``properties``, ``additionalProperties``, ``minProperties``, ``items``, ``minItems``,
``pattern``, ``minLength``, ``maxLength``, ``anyOf`` and local ``$ref``. The tests check that it
agrees with the reference implementation (``jsonschema``) on the shipped bank and on broken ones.

    >>> errors({"type": "object", "required": ["id"]}, {"x": 1})
    ["(top): 'id' is required"]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_FILE = "bank.schema.json"
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


@cache
def bank_schema() -> Mapping[str, Any]:
    """The shipped schema of the question bank."""
    text = resources.files("aisec_nb.threats").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _where(path: tuple[str | int, ...]) -> str:
    if not path:
        return "(top)"
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    return isinstance(value, _TYPES[name])


def _iter_errors(schema: Mapping[str, Any], value: Any, root: Mapping[str, Any],
                 path: tuple[str | int, ...]) -> Iterator[str]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.removeprefix("#/$defs/")
        yield from _iter_errors(root["$defs"][name], value, root, path)
        return
    where = _where(path)
    if "anyOf" in schema:
        options = schema["anyOf"]
        if not any(not list(_iter_errors(o, value, root, path)) for o in options):
            yield f"{where}: {json.dumps(value)[:80]} is not one of the allowed forms"
        return
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(json.dumps(v) for v in schema["enum"][:8])
        more = ", ..." if len(schema["enum"]) > 8 else ""
        yield f"{where}: {json.dumps(value)[:80]} is not one of {allowed}{more}"
        return
    kind = schema.get("type")
    if isinstance(kind, str) and not _is_type(value, kind):
        yield f"{where}: expected {'an' if kind[0] in 'aeiou' else 'a'} {kind}, found " \
              f"{type(value).__name__}"
        return
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            yield f"{where}: must not be empty" if schema["minLength"] == 1 else \
                f"{where}: shorter than {schema['minLength']} characters"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            yield f"{where}: longer than {schema['maxLength']} characters"
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            yield f"{where}: {value[:80]!r} does not match {schema['pattern']}"
    elif isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            yield f"{where}: needs at least {schema['minItems']} item(s)"
        items = schema.get("items")
        if isinstance(items, Mapping):
            for n, item in enumerate(value):
                yield from _iter_errors(items, item, root, (*path, n))
    elif isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                yield f"{where}: {key!r} is required"
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            yield f"{where}: needs at least {schema['minProperties']} field(s)"
        properties: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                yield from _iter_errors(properties[key], item, root, (*path, key))
            elif extra is False:
                known = ", ".join(properties)
                yield f"{where}: unknown field {key!r} (known: {known})"
            elif isinstance(extra, Mapping):
                yield from _iter_errors(extra, item, root, (*path, key))


def errors(schema: Mapping[str, Any], value: Any, *, definition: str | None = None
           ) -> list[str]:
    """Every error of ``value`` against ``schema`` (or its ``$defs[definition]``), as
    ``path: what is wrong`` lines; an empty list when it is valid."""
    target = schema["$defs"][definition] if definition is not None else schema
    return list(_iter_errors(target, value, schema, ()))
