"""A folder of model files (a Hugging Face snapshot, a SavedModel, an ONNX model with external
data): every file scanned and hashed, one verdict each, plus the model-signing root digest.

One unreadable file does not stop the others; it gets an ``error`` entry. Links are listed, not
followed. The file count is bounded by ``Limits.max_members``.

Example::

    >>> import tempfile
    >>> from aisec_nb.scan.policy import load_policy
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "config.json").write_text("{}")
    >>> target, findings, complete, summary = scan_directory(d, str(d), ScanContext(load_policy()))
    >>> [f["verdict"] for f in summary["files"]]
    ['pass']
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

from ..record import Finding, Target
from .context import ScanContext, finding, truncate, with_member
from .file import scan_file
from .hashing import IGNORED_NAMES, Progress, root_digest
from .limits import FormatScan
from .signing import compare, find_claims
from .verdict import verdict_of

GIT_NAMES = frozenset({".git", ".github", ".gitignore", ".gitattributes"})


def _walk(folder: Path, max_files: int) -> tuple[list[tuple[str, Path]], list[str], bool]:
    """(relative name, path) of files, sorted; links; whether the walk was cut short.

    Special files (FIFOs, sockets, devices) are listed as files so that the scan reports them
    as unreadable instead of silently leaving them out.
    """
    files: list[tuple[str, Path]] = []
    links: list[str] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            rel = Path(entry.path).relative_to(folder).as_posix()
            if entry.name in GIT_NAMES:
                continue
            if entry.is_symlink():
                links.append(rel)
            elif entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            else:
                files.append((rel, Path(entry.path)))
                if len(files) >= max_files:
                    return sorted(files), sorted(links), True
    return sorted(files), sorted(links), False


def scan_directory(
    folder: Path, given: str, ctx: ScanContext, progress: Progress | None = None
) -> tuple[Target, list[Finding], bool, dict[str, Any]]:
    """Scan every file in ``folder``; returns the target, findings, completeness and summary."""
    files, links, cut = _walk(folder, ctx.limits.max_members)
    findings: list[Finding] = []
    complete = not cut
    if cut:
        findings.append(finding("AISEC-DIR-002", f"more than {ctx.limits.max_members:,}"
                                " files; the rest were not checked"))
    for rel in links:
        link = str((folder / rel).readlink())
        inside = not Path(link).is_absolute() and ".." not in PurePosixPath(link).parts
        findings.append(finding("AISEC-DIR-001",
                                f"symbolic link to {truncate(link, 120)!r} (not followed)",
                                member=truncate(rel, 200), severity="medium" if inside else "high"))
    entries: list[dict[str, Any]] = []
    scans: dict[str, FormatScan] = {}
    digests: dict[str, str] = {}
    total = 0
    for rel, path in files:
        sub = replace(ctx, depth=0, folder=path.parent, file=path)
        try:
            if not path.is_file():
                raise OSError(0, "not a regular file (FIFO, socket or device)")
            outcome = scan_file(path, sub, progress)
        except OSError as exc:
            scan = FormatScan("unreadable", (finding("AISEC-SCAN-005", "cannot be "
                                                     f"read: {exc.strerror or exc}"),),
                              complete=False)
            scans[rel] = scan
            entries.append({"name": rel, "format": "unreadable", "verdict": "error"})
            continue
        scans[rel] = outcome.scan
        total += outcome.size
        if not any(part in IGNORED_NAMES for part in PurePosixPath(rel).parts):
            digests[rel] = outcome.sha256
        entries.append({"name": rel, "format": outcome.scan.format, "size": outcome.size,
                        "sha256": outcome.sha256})
    _accept_external_data(scans)
    for entry in entries:
        scan = scans[entry["name"]]
        entry["format"] = scan.format
        if entry.get("verdict") != "error":
            entry["verdict"] = verdict_of(scan.findings, scan.complete)
        complete = complete and scan.complete
        findings.extend(with_member(scan, truncate(entry["name"], 200)).findings)
    claims, problems = find_claims(folder)
    findings.extend(problems)
    for claim in claims:
        findings.extend(compare(claim, digests, whole_folder=True))
    root = root_digest(digests.items())
    summary: dict[str, Any] = {"format": "directory", "files": entries, "root_digest": root,
                               "digest_method": "model-signing v1.0 files/sha256"}
    if claims:
        summary["signatures"] = [c.describe() for c in claims]
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry["verdict"]] = counts.get(entry["verdict"], 0) + 1
    summary["verdicts"] = counts
    target = Target(kind="directory", path=given, size=total, sha256=root)
    return target, findings, complete, summary


def _accept_external_data(scans: dict[str, FormatScan]) -> None:
    """Raw files an ONNX model in the folder names as external data are tensor bytes, not an
    unknown format: they are read as numbers, never executed."""
    referenced: set[str] = set()
    for rel, scan in scans.items():
        if scan.format != "onnx":
            continue
        base = PurePosixPath(rel).parent
        for location in scan.details.get("external_data_files", []):
            referenced.add(os.path.normpath(str(base / location)).replace(os.sep, "/"))
    for rel in referenced & set(scans):
        scan = scans[rel]
        if scan.format in _RAW_LOOKING and not _has_callables(scan):
            scans[rel] = FormatScan("onnx-external-data", (), complete=True,
                                    details={"referenced_by_onnx": True})
    # A SavedModel's variables/ hold a TensorBundle: an index table and raw shards of numbers.
    for rel, scan in list(scans.items()):
        if scan.format != "tf-savedmodel":
            continue
        parent = str(PurePosixPath(rel).parent)
        prefix = "" if parent == "." else parent + "/"
        for other, found in list(scans.items()):
            if (_TF_VARIABLES.match(other[len(prefix):]) and other.startswith(prefix)
                    and found.format in _RAW_LOOKING and not _has_callables(found)):
                scans[other] = FormatScan("tf-variables", (), complete=True)


_RAW_LOOKING = frozenset({"unknown", "binary", "text", "pickle", "protobuf-data"})
_TF_VARIABLES = re.compile(r"^variables/variables\.(index|data-\d{5}-of-\d{5})$")


def _has_callables(scan: FormatScan) -> bool:
    return bool(scan.details.get("globals"))
