"""A folder of model files (a Hugging Face snapshot, a SavedModel, an ONNX model with external
data): every file scanned and hashed, one verdict each, plus the model-signing root digest.

One unreadable file does not stop the others; it gets an ``error`` entry. Links are listed, not
followed. The file count is bounded by ``Limits.max_members``. Hidden folders
(``.ipynb_checkpoints``, ``.cache``) and notebooks are left out of the target
(:func:`~aisec_nb.scan.hashing.left_out`), neither scanned nor in the root digest, and listed as
such (``summary.excluded``); files in no model format (pictures, PDFs) are summed up in one
finding instead of one each.

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
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from ..record import Finding, Target
from .context import ScanContext, finding, truncate, with_member
from .file import scan_file
from .hashing import IGNORED_NAMES, Progress, left_out, root_digest, sha256_file
from .limits import FormatScan
from .signing import compare, find_claims
from .verdict import verdict_of

GIT_NAMES = frozenset({".git", ".github", ".gitignore", ".gitattributes"})


@dataclass
class _Walk:
    files: list[tuple[str, Path]] = field(default_factory=list)
    """(relative name, path) of the target's files."""
    links: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    """What was left out (a folder as ``name/``), not descended into."""
    cut: bool = False


def _walk(folder: Path, max_files: int) -> _Walk:
    """The target's files, sorted, its links, what was left out, and whether the walk was cut.

    Special files (FIFOs, sockets, devices) are listed as files so that the scan reports them
    as unreadable instead of silently leaving them out.
    """
    out = _Walk()
    files, links = out.files, out.links
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
            is_dir = entry.is_dir(follow_symlinks=False)
            if left_out(entry.name, is_dir=is_dir):
                out.excluded.append(rel + "/" if is_dir else rel)
                continue
            if entry.is_symlink():
                links.append(rel)
            elif is_dir:
                stack.append(Path(entry.path))
            else:
                files.append((rel, Path(entry.path)))
                if len(files) >= max_files:
                    out.cut = True
                    break
        if out.cut:
            break
    files.sort()
    links.sort()
    out.excluded.sort()
    return out


def scan_directory(
    folder: Path, given: str, ctx: ScanContext, progress: Progress | None = None
) -> tuple[Target, list[Finding], bool, dict[str, Any]]:
    """Scan every file of ``folder``'s target; returns the target, findings, completeness and
    summary."""
    walk = _walk(folder, ctx.limits.max_members)
    files, links, cut = walk.files, walk.links, walk.cut
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
    non_model: dict[str, list[str]] = {}
    for entry in entries:
        scan = scans[entry["name"]]
        entry["format"] = scan.format
        if entry.get("verdict") != "error":
            entry["verdict"] = verdict_of(scan.findings, scan.complete)
        complete = complete and scan.complete
        if _hashed_only(scan):
            non_model.setdefault(scan.format, []).append(entry["name"])
            continue
        findings.extend(with_member(scan, truncate(entry["name"], 200)).findings)
    if non_model:
        findings.insert(0, _non_model_finding(non_model))
    claims, problems = find_claims(folder)
    findings.extend(problems)
    for claim in claims:
        findings.extend(compare(claim, {**digests, **_claimed_left_out(folder, claim, walk)},
                                whole_folder=True))
    root = root_digest(digests.items())
    summary: dict[str, Any] = {"format": "directory", "files": entries, "root_digest": root,
                               "digest_method": "model-signing v1.0 files/sha256"}
    if walk.excluded:
        summary["excluded"] = [truncate(name, 200) for name in walk.excluded[:MAX_EXCLUDED]]
    if non_model:
        summary["non_model_files"] = {fmt: len(names) for fmt, names in sorted(non_model.items())}
    if claims:
        summary["signatures"] = [c.describe() for c in claims]
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry["verdict"]] = counts.get(entry["verdict"], 0) + 1
    summary["verdicts"] = counts
    target = Target(kind="directory", path=given, size=total, sha256=root)
    return target, findings, complete, summary


MAX_EXCLUDED = 100
"""Left-out paths listed in the summary (the count of files is not walked for)."""
MAX_NAMED = 5
"""Non-model files named in the one finding that sums them up."""


def _hashed_only(scan: FormatScan) -> bool:
    """A file no model loader reads (a picture, a PDF, protobuf data): hashed, not parsed."""
    return bool(scan.findings) and scan.complete and all(
        f.code == "AISEC-SCAN-006" for f in scan.findings)


def _non_model_finding(by_format: dict[str, list[str]]) -> Finding:
    names = sorted(n for names in by_format.values() for n in names)
    kinds = ", ".join(f"{fmt} {len(found)}" for fmt, found in sorted(by_format.items()))
    shown = ", ".join(truncate(n, 80) for n in names[:MAX_NAMED])
    more = f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else ""
    return finding("AISEC-SCAN-006", f"{len(names)} file(s) in no model format ({kinds}): "
                   f"hashed only ({shown}{more})")


def _claimed_left_out(folder: Path, claim: Any, walk: _Walk) -> dict[str, str]:
    """Digests of files a signature lists that the scan left out of its target (a signed
    notebook): hashed for the comparison only, never part of the root digest."""
    if not walk.excluded:
        return {}
    out: dict[str, str] = {}
    for name in sorted(claim.digests)[: 10 * MAX_EXCLUDED]:
        if not any(name == e or name.startswith(e) for e in walk.excluded if e.endswith("/")) \
                and name not in walk.excluded:
            continue
        path = folder / name
        if path.is_file() and not path.is_symlink():
            out[name] = sha256_file(path)[0]
    return out


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
