"""ONNX: walk the ModelProto wire format and check every external-data reference.

ONNX runtimes read tensor bytes from files named in ``TensorProto.external_data["location"]``.
A location that is absolute, climbs out of the model folder, or is a symbolic/hard link lets a
model read (or, on save, write) files elsewhere (CVE-2022-25882, CVE-2025-51480). Operators
from custom domains need a custom runtime library: reported as info.

Example::

    >>> from aisec_nb.scan.policy import load_policy
    >>> from aisec_nb.scan.source import MemorySource
    >>> ctx = ScanContext(load_policy())
    >>> scan_onnx(MemorySource(b"\\x08\\x07\\x3a\\x00"), ctx).details["ir_version"]
    7
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from ...record import Finding
from ..context import ScanContext, finding, truncate
from ..limits import FormatScan
from ..source import ByteSource
from .protobuf import Budget, Message, WireError, walk

FORMAT = "onnx"
STANDARD_DOMAINS = frozenset({"", "ai.onnx", "ai.onnx.ml", "ai.onnx.training",
                              "ai.onnx.preview.training", "com.microsoft"})

SCHEMA: dict[str, dict[int, str]] = {
    "Model": {1: "int", 2: "str", 7: "Graph", 8: "OpSet", 20: "Training", 25: "Function"},
    "OpSet": {1: "str", 2: "int"},
    "Training": {1: "Graph", 2: "Graph"},
    "Graph": {1: "Node", 2: "str", 5: "Tensor", 15: "Sparse"},
    "Node": {3: "str", 4: "str", 5: "Attribute", 7: "str"},
    "Attribute": {1: "str", 5: "Tensor", 6: "Graph", 10: "Tensor", 11: "Graph", 22: "Sparse",
                  23: "Sparse"},
    "Sparse": {1: "Tensor", 2: "Tensor"},
    "Tensor": {8: "str", 13: "Entry", 14: "int"},
    "Entry": {1: "str", 2: "str"},
    "Function": {1: "str", 7: "Node", 10: "str"},
}
EXTERNAL = 1


def is_onnx(fields: dict[int, int]) -> bool:
    """Whether top-level field numbers (see :func:`.protobuf.field_numbers`) look like ONNX."""
    return 7 in fields and fields.get(7) == 2 and fields.get(1, 0) == 0


def scan_onnx(stream: ByteSource, ctx: ScanContext, member: str | None = None) -> FormatScan:
    """Parse an ONNX model; external data is looked up in the context's ``folder``."""
    limits, folder = ctx.limits, ctx.folder
    try:
        model = walk(stream, SCHEMA, "Model", budget=Budget(max_messages=limits.max_members * 20))
    except WireError as exc:
        return FormatScan(FORMAT, (finding("AISEC-SCAN-002", f"not a valid ONNX model: "
                                           f"{exc}", member=member, offset=exc.offset),),
                          complete=False)
    stream.seek(0, os.SEEK_END)
    findings: list[Finding] = []
    ops: Counter[str] = Counter()
    domains: set[str] = set()
    locations: set[str] = set()
    for graph in model.msgs(7):
        _graph(graph, "graph", findings, ops, domains, locations, member)
    for i, training in enumerate(model.msgs(20)):
        for g in (*training.msgs(1), *training.msgs(2)):
            _graph(g, f"training_info[{i}]", findings, ops, domains, locations, member)
    for fn in model.msgs(25):
        domains.add(fn.first_str(10))
        for node in fn.msgs(7):
            _node(node, f"functions.{fn.first_str(1)}", findings, ops, domains, locations, member)
    for domain in sorted(domains - STANDARD_DOMAINS):
        findings.append(finding("AISEC-ONNX-005", f"operators from custom domain "
                                f"{truncate(domain, 80)!r}", member=member))
    for location in sorted(locations):
        findings.extend(check_location(location, folder, member))
    ir = model.ints(1)
    details: dict[str, Any] = {
        "ir_version": ir[0] if ir else None,
        "producer": truncate(model.first_str(2), 80),
        "opsets": {truncate(o.first_str(1) or "ai.onnx", 60): (o.ints(2) or [0])[0]
                   for o in model.msgs(8)},
        "nodes": sum(ops.values()),
        "op_types": dict(ops.most_common(40)),
        "external_data_files": sorted(truncate(loc, 200) for loc in locations)[:100],
    }
    return FormatScan(FORMAT, tuple(findings), complete=True, details=details)


def _graph(graph: Message, where: str, findings: list[Finding], ops: Counter[str],
           domains: set[str], locations: set[str], member: str | None) -> None:
    for tensor in graph.msgs(5):
        _tensor(tensor, locations)
    for sparse in graph.msgs(15):
        for tensor in (*sparse.msgs(1), *sparse.msgs(2)):
            _tensor(tensor, locations)
    for node in graph.msgs(1):
        _node(node, where, findings, ops, domains, locations, member)


def _node(node: Message, where: str, findings: list[Finding], ops: Counter[str],
          domains: set[str], locations: set[str], member: str | None) -> None:
    ops[truncate(node.first_str(4), 60)] += 1
    domains.add(node.first_str(7))
    for attr in node.msgs(5):
        for tensor in (*attr.msgs(5), *attr.msgs(10)):
            _tensor(tensor, locations)
        for sparse in (*attr.msgs(22), *attr.msgs(23)):
            for tensor in (*sparse.msgs(1), *sparse.msgs(2)):
                _tensor(tensor, locations)
        for sub in (*attr.msgs(6), *attr.msgs(11)):
            _graph(sub, f"{where}.{node.first_str(3)}.{attr.first_str(1)}", findings, ops,
                   domains, locations, member)


def _tensor(tensor: Message, locations: set[str]) -> None:
    for entry in tensor.msgs(13):
        if entry.first_str(1) == "location":
            locations.add(entry.first_str(2))


def check_location(location: str, folder: Path | None, member: str | None) -> list[Finding]:
    """Findings for one external-data ``location`` relative to the model's ``folder``."""
    shown = truncate(location, 200)
    if "\x00" in location:
        return [finding("AISEC-ONNX-002", f"external data location {shown!r} "
                        "contains a NUL byte (truncated by C loaders)", member=member,
                        path="external_data.location")]
    if (PurePosixPath(location).is_absolute() or PureWindowsPath(location).is_absolute()
            or PureWindowsPath(location).drive):
        return [finding("AISEC-ONNX-001", f"external data location {shown!r} is "
                        "absolute", member=member, path="external_data.location")]
    parts = PurePosixPath(location.replace("\\", "/")).parts
    depth = 0
    for part in parts:
        depth += -1 if part == ".." else (0 if part == "." else 1)
        if depth < 0:
            return [finding("AISEC-ONNX-002", f"external data location {shown!r} "
                            "escapes the model folder", member=member,
                            path="external_data.location")]
    if folder is None:
        return []
    target = folder / location
    try:
        # Walk each component: a link anywhere on the way redirects the read.
        probe = folder
        for part in parts:
            probe = probe / part
            if probe.is_symlink():
                return [finding("AISEC-ONNX-003", f"external data location {shown!r}"
                                " is a symbolic link", member=member,
                                path="external_data.location")]
        info = target.stat()
    except FileNotFoundError:
        return [finding("AISEC-ONNX-004", f"external data file {shown!r} is missing",
                        member=member, path="external_data.location")]
    except OSError as exc:
        return [finding("AISEC-ONNX-004", f"external data file {shown!r} cannot be "
                        f"read: {exc.strerror}", member=member, path="external_data.location")]
    if info.st_nlink > 1:
        return [finding("AISEC-ONNX-003", f"external data file {shown!r} is a hard link "
                        f"({info.st_nlink} names)", member=member, path="external_data.location",
                        severity="high")]
    return []
