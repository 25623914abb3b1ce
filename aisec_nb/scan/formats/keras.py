"""Keras model configs (``config.json`` in ``.keras``, ``model_config`` in ``.h5``).

Keras rebuilds a model from its config by importing the ``module`` each object names and, for
``Lambda`` layers, by unmarshalling Python bytecode. So we walk the *whole* JSON tree (any depth,
also inside ``function`` and nested models) and flag: ``Lambda``-type layers, ``__lambda__``
objects and base64 strings that decode to marshalled code, and any ``module`` outside Keras
(CVE-2024-3660, CVE-2025-1550, CVE-2025-9905/9906).

Example::

    >>> cfg = {"class_name": "Lambda", "module": "keras.layers", "config": {}}
    >>> [f.code for f in keras_config_findings(cfg)]
    ['AISEC-KER-001']
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from typing import Any

from ...record import Finding, Location
from ..context import ScanContext, finding, truncate
from ..limits import FormatScan
from ..policy import Policy
from ..sniff import MARSHAL_CODE_MARKERS
from ..source import ByteSource
from .protobuf import Budget, WireError, walk
from .tables import load_table

FORMAT = "keras-config"
MAX_NODES = 2_000_000
MAX_CONFIG_BYTES = 16 * 1024 * 1024
"""Largest config parsed: real ones are kilobytes, and parsed JSON takes ~10× its size."""
_B64 = re.compile(r"^[A-Za-z0-9+/=\s]{24,}$")


def _walk(node: Any, path: str, budget: list[int]) -> Iterator[tuple[str, Any]]:
    """(path, node) for every node, iteratively so a deep config cannot blow the stack."""
    stack: list[tuple[str, Any]] = [(path, node)]
    while stack:
        where, item = stack.pop()
        budget[0] -= 1
        if budget[0] < 0:
            return
        yield where, item
        if isinstance(item, dict):
            stack.extend((f"{where}.{truncate(str(k), 60)}", v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(item))


def _is_marshalled(text: str) -> bool:
    if not _B64.match(text):
        return False
    try:
        raw = base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        return False
    return raw.startswith(MARSHAL_CODE_MARKERS)


def keras_config_findings(config: Any, member: str | None = None,
                          policy: Policy | None = None) -> list[Finding]:
    """Findings for a parsed Keras config tree (see the module docstring).

    A ``module`` outside Keras is ``info`` instead of ``high`` when ``module.class_name`` is
    on the policy's allowlist (``[tool.aisec-nb.scan] allow``), so a team's own layers pass.
    """
    table = load_table("keras")
    prefixes: list[str] = table["module_prefixes"]
    lambdas = set(table["lambda_classes"])
    found: list[Finding] = []
    budget = [MAX_NODES]
    for where, node in _walk(config, "$", budget):
        if isinstance(node, str):
            if _is_marshalled(node):
                found.append(finding("AISEC-KER-002", "base64 string decodes to "
                                     "marshalled Python bytecode", member=member, path=where))
            continue
        if not isinstance(node, dict):
            continue
        cls = node.get("class_name")
        cls = cls if isinstance(cls, str) else None
        if cls in lambdas:
            found.append(finding("AISEC-KER-001", f"{cls} layer: Keras runs its "
                                 "Python function when the model is loaded or called",
                                 member=member, path=where, evidence=truncate(str(cls), 40)))
        if cls == "__lambda__" or "__lambda__" in node:
            found.append(finding("AISEC-KER-002", "__lambda__ object: marshalled "
                                 "Python bytecode", member=member, path=where))
        if node.get("function_type") == "lambda":
            found.append(finding("AISEC-KER-002", "legacy Lambda with "
                                 "function_type 'lambda': marshalled Python bytecode",
                                 member=member, path=where))
        module = node.get("module")
        if isinstance(module, str) and not any(
            module == p or module.startswith(p + ".") for p in prefixes
        ):
            name = str(node.get("class_name"))
            allowed = policy is not None and policy.is_allowed(module, name)
            found.append(finding(
                "AISEC-KER-003",
                f"module {truncate(module, 80)!r} is outside Keras: Keras imports it to "
                "rebuild the model" + (" (allowed by the project policy)" if allowed else ""),
                member=member, path=f"{where}.module",
                evidence=truncate(f"{module}.{name}", 120), severity="info" if allowed else "high"))
        registered = node.get("registered_name")
        if isinstance(registered, str) and ">" in registered:
            found.append(finding("AISEC-KER-005", f"custom object "
                                 f"{truncate(registered, 80)!r} needs user code to load",
                                 member=member, path=where))
    if budget[0] < 0:
        found.append(finding("AISEC-SCAN-003", f"config has more than {MAX_NODES:,} "
                             "nodes; the rest was not checked", member=member))
    return found


def scan_keras_config(source: ByteSource, ctx: ScanContext, member: str | None = None
                      ) -> FormatScan:
    """Parse a Keras ``config.json`` and check it, with the context's policy."""
    limits, policy = ctx.limits, ctx.policy
    data = source.read(limits.max_header + 1)
    limit = min(limits.max_header, MAX_CONFIG_BYTES)
    if len(data) > limit:
        return FormatScan(FORMAT, (finding("AISEC-SCAN-003", "config.json is over the "
                                           f"{limit:,}-byte limit: not checked",
                                           member=member),), complete=False)
    try:
        config = json.loads(data)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return FormatScan(FORMAT, (finding("AISEC-KER-004", "config is not valid JSON: "
                                           f"{truncate(str(exc), 120)}", member=member),),
                          complete=False)
    found = keras_config_findings(config, member, policy)
    complete = not any(f.code == "AISEC-SCAN-003" for f in found)
    details: dict[str, Any] = {}
    if isinstance(config, dict):
        details["class_name"] = truncate(str(config.get("class_name")), 60)
    return FormatScan(FORMAT, tuple(found), complete=complete, details=details)


KERAS_METADATA_SCHEMA: dict[str, dict[int, str]] = {
    "SavedMetadata": {1: "SavedObject"},
    "SavedObject": {2: "str", 3: "str", 4: "str"},
}
"""``keras_metadata.pb`` of a Keras 2 SavedModel: one JSON config per saved layer."""


def scan_keras_metadata(stream: ByteSource, ctx: ScanContext, member: str | None = None
                        ) -> FormatScan | None:
    """Findings for a ``keras_metadata.pb`` (``keras.models.load_model`` rebuilds layers from
    it, Lambda bytecode included), or ``None`` when the protobuf is not one."""
    limits, policy = ctx.limits, ctx.policy
    start = stream.tell()
    try:
        meta = walk(stream, KERAS_METADATA_SCHEMA, "SavedMetadata",
                    budget=Budget(max_messages=limits.max_members))
    except WireError:
        stream.seek(start)
        return None
    objects = meta.msgs(1)
    if not objects or not any(o.first_str(3).startswith("_tf_keras") for o in objects):
        stream.seek(start)
        return None
    found: list[Finding] = []
    for obj in objects:
        try:
            config = json.loads(obj.first_str(4) or "null")
        except (ValueError, RecursionError):
            found.append(finding("AISEC-KER-004", "layer metadata is not valid JSON",
                                 member=member, path=truncate(obj.first_str(2), 120)))
            continue
        for f in keras_config_findings(config, member, policy):
            loc = f.location
            path = f"{truncate(obj.first_str(2), 120)} {loc.path if loc and loc.path else ''}"
            found.append(f.model_copy(update={"location": (loc or Location()).model_copy(
                update={"path": path.strip()})}))
    complete = not any(f.code in ("AISEC-KER-004", "AISEC-SCAN-003") for f in found)
    return FormatScan("keras-metadata", tuple(found), complete=complete,
                      details={"layers": len(objects)})

