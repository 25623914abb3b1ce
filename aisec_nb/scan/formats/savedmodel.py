"""TF SavedModel: list the ops of ``saved_model.pb`` and flag file-system and Python ops.

A SavedModel graph runs when the model is loaded and called. Ops such as ``ReadFile``,
``WriteFile`` and ``MatchingFiles`` touch the file system; ``PyFunc`` calls back into Python;
``PrintV2`` can write to ``file://``. Checkpoint ops (``SaveV2``/``RestoreV2``) are normal inside
the saver functions and reported only elsewhere. The op lists live in ``savedmodel.toml``.

Example::

    >>> from aisec_nb.scan.policy import load_policy
    >>> from aisec_nb.scan.source import MemorySource
    >>> # SavedModel{schema_version: 1, meta_graphs: [MetaGraphDef{}]}
    >>> ctx = ScanContext(load_policy())
    >>> scan_savedmodel(MemorySource(b"\\x08\\x01\\x12\\x00"), ctx).details["ops"]
    {}
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

from ...record import Finding, Severity
from ..context import ScanContext, finding, truncate
from ..limits import FormatScan
from ..source import ByteSource
from .protobuf import Budget, Message, WireError, walk
from .tables import load_table

FORMAT = "tf-savedmodel"

SCHEMA: dict[str, dict[int, str]] = {
    "SavedModel": {1: "int", 2: "MetaGraph"},
    "MetaGraph": {1: "MetaInfo", 2: "Graph"},
    "MetaInfo": {4: "str", 5: "str"},
    "Graph": {1: "Node", 2: "Library"},
    "Library": {1: "Function"},
    "Function": {1: "OpDef", 3: "Node"},
    "OpDef": {1: "str"},
    "Node": {1: "str", 2: "str", 5: "AttrEntry"},
    "AttrEntry": {1: "str", 2: "AttrValue"},
    "AttrValue": {2: "str"},
}


def is_savedmodel(fields: dict[int, int]) -> bool:
    """Whether top-level field numbers look like a SavedModel (schema version + meta graphs)."""
    return set(fields) <= {1, 2} and fields.get(2) == 2 and fields.get(1, 0) == 0


def scan_savedmodel(stream: ByteSource, ctx: ScanContext, member: str | None = None
                    ) -> FormatScan:
    """List every op of every graph and function in a ``saved_model.pb``."""
    limits = ctx.limits
    try:
        saved = walk(stream, SCHEMA, "SavedModel",
                     budget=Budget(max_messages=limits.max_members * 20))
    except WireError as exc:
        return FormatScan(FORMAT, (finding("AISEC-SCAN-002", "not a valid SavedModel: "
                                           f"{exc}", member=member, offset=exc.offset),),
                          complete=False)
    stream.seek(0, os.SEEK_END)
    findings: list[Finding] = []
    ops: Counter[str] = Counter()
    tags: list[str] = []
    for i, meta in enumerate(saved.msgs(2)):
        for info in meta.msgs(1):
            tags.extend(truncate(t, 40) for t in info.strs(4))
        for graph in meta.msgs(2):
            for node in graph.msgs(1):
                _node(node, f"meta_graphs[{i}].graph_def", "", findings, ops, member)
            for library in graph.msgs(2):
                for fn in library.msgs(1):
                    name = next(iter(s.first_str(1) for s in fn.msgs(1)), "")
                    where = f"meta_graphs[{i}].library.{truncate(name, 80)}"
                    for node in fn.msgs(3):
                        _node(node, where, name, findings, ops, member)
    details: dict[str, Any] = {
        "meta_graphs": len(saved.msgs(2)),
        "tags": sorted(set(tags))[:20],
        "ops": dict(ops.most_common(60)),
        "nodes": sum(ops.values()),
    }
    return FormatScan(FORMAT, tuple(findings), complete=True, details=details)


def _node(node: Message, where: str, function: str, findings: list[Finding],
          ops: Counter[str], member: str | None) -> None:
    table = load_table("savedmodel")
    op = node.first_str(2)
    name = node.first_str(1)
    ops[truncate(op, 60)] += 1
    path = f"{where}.{truncate(name, 80)}"
    file_ops: dict[str, Severity] = table["file_ops"]
    if op in file_ops:
        findings.append(finding("AISEC-TF-001", f"op {op} touches the file system",
                                member=member, path=path, evidence=op, severity=file_ops[op]))
    elif op in table["python_ops"]:
        findings.append(finding("AISEC-TF-002", f"op {op} runs Python code",
                                member=member, path=path, evidence=op))
    elif op == "PrintV2":
        for entry in node.msgs(5):
            if entry.first_str(1) != "output_stream":
                continue
            target = next(iter(v.first_str(2) for v in entry.msgs(2)), "")
            if target.startswith("file://"):
                findings.append(finding("AISEC-TF-003", "PrintV2 writes to "
                                        f"{truncate(target, 120)!r}", member=member, path=path))
    elif op in table["checkpoint_ops"]:
        context = f"{function} {name}".lower()
        if not any(marker in context for marker in table["saver_markers"]):
            findings.append(finding("AISEC-TF-004", f"checkpoint op {op} outside the "
                                    "saver functions", member=member, path=path, evidence=op))
