"""``%aisec check model PATH [--expect-sha256 HEX]``: scan a model file or folder, show a
readable report (format, hashes, policy, findings by severity) and record the result.

Files above :data:`PROGRESS_FROM` bytes get a ``tqdm.auto`` progress bar while they are hashed
and parsed.
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import Any

from ..record import SEVERITY_ORDER, ModelCheck

HELP = "scan a model file (or folder) for code-execution payloads and hash it; never loads it"
PROGRESS_FROM = 64 * 1024 * 1024
MAX_FILE_ROWS = 200


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="model file or folder, relative to the notebook's folder")
    parser.add_argument("--expect-sha256", metavar="HEX", default=None,
                        help="fail unless the SHA-256 (a folder's root digest) equals HEX")


def _size(path: Path, max_files: int = 100_000) -> int:
    """Bytes to scan, for the progress bar (links not followed, file count bounded)."""
    import os

    try:
        if not path.is_dir():
            return path.stat().st_size
        total, seen = 0, 0
        for folder, _dirs, files in os.walk(path):
            for name in files:
                seen += 1
                if seen > max_files:
                    return total
                with contextlib.suppress(OSError):
                    total += Path(folder, name).lstat().st_size
        return total
    except OSError:
        return 0


def run(args: argparse.Namespace, shell: Any) -> None:
    from ..scan import load_policy, scan_path
    from ..settings import load_settings
    from ..transport import check_fragment, plain_summary
    from .html import check_result_html
    from .session import publish

    total = _size(Path(args.path))
    bar = None
    if total >= PROGRESS_FROM:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="B", unit_scale=True, desc=f"scanning {args.path}")
    try:
        result = scan_path(args.path, expect_sha256=args.expect_sha256,
                           policy=load_policy(load_settings().scan.allow),
                           progress=bar.update if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    # The report lists findings worst first; the record keeps the scanner's order.
    shown = result.model_copy(update={"findings": tuple(sorted(
        result.findings, key=lambda f: -SEVERITY_ORDER[f.severity]))})
    publish(
        check_fragment(result),
        html_text=check_result_html(shown, report_html(result)),
        plain_text=plain_summary(result),
    )


def _row(label: str, value: str) -> str:
    return f"<tr><th style='text-align:left;padding-right:1em'>{label}</th><td>{value}</td></tr>"


def report_html(result: ModelCheck) -> str:
    """The model-specific part of the report (goes under the generic header and findings)."""
    from ..transport import escape
    from .html import VERDICT_COLOURS, badge, code

    s = result.summary
    facts = [_row("format", code(s.format or "?"))]
    details = s.details
    if details:
        for key in ("members", "tensor_records", "storages_checked", "tensors", "nodes",
                    "version", "ir_version", "architecture", "producer"):
            if key in details and details[key] not in (None, ""):
                facts.append(_row(escape(key.replace("_", " ")), escape(details[key])))
    if s.bytes_parsed is not None and result.target.size:
        facts.append(_row("read", escape(read_text(
            s.bytes_parsed, int(result.target.size), s.format or "?"))))
    facts.append(_row("fully parsed", "yes" if s.complete else
                      "<b>no</b> (never reported as clean)"))
    if s.non_model_files:
        facts.append(_row("no model format", escape(", ".join(
            f"{n} {fmt}" for fmt, n in s.non_model_files.items())) + " file(s), hashed only"))
    if s.excluded:
        facts.append(_row("left out", ", ".join(code(n) for n in s.excluded)
                          + " (hidden folders and notebooks are not part of a folder's target)"))
    hashes = []
    if result.target.kind == "directory":
        hashes.append(_row("root digest", f"{code(result.target.sha256)} "
                           "(OpenSSF model-signing v1.0, sha256 per file)"))
    else:
        hashes.append(_row("sha256", code(result.target.sha256)))
    if s.expected_sha256 is not None:
        ok = s.expected_sha256 == result.target.sha256
        hashes.append(_row("expected", f"{code(s.expected_sha256)} "
                           + ("matches" if ok else "<b>does not match</b>")))
    for sig in s.signatures or ():
        hashes.append(_row(escape(sig.get("path", "signature")),
                           f"{escape(sig.get('format'))}, {sig.get('files', 0)} file(s); "
                           f"{escape(sig.get('reason', ''))}"))
    policy = result.parameters.policy
    added = policy.get("user_allow") or []
    policy_text = (f"{escape(policy.get('name', '?'))} {escape(policy.get('version', ''))}; "
                   + (f"user additions: <code>{escape(', '.join(added))}</code>" if added
                      else "no user additions"))
    counts: dict[str, int] = {}
    for f in result.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    by_severity = " ".join(
        f"{badge(f'{n} {sev}', _severity_colour(sev))}"
        for sev, n in sorted(counts.items(), key=lambda kv: -SEVERITY_ORDER[kv[0]])
    ) or "none"
    parts = [
        "<h4 style='margin:0.6em 0 0.2em'>Model</h4><table>", *facts, "</table>",
        "<h4 style='margin:0.6em 0 0.2em'>Hashes and signatures</h4><table>", *hashes, "</table>",
        "<h4 style='margin:0.6em 0 0.2em'>Policy</h4>", f"<p>{policy_text}</p>",
        "<h4 style='margin:0.6em 0 0.2em'>Findings by severity</h4>", f"<p>{by_severity}</p>",
    ]
    listed = details.get("listed", [])
    if listed:
        rows = "".join(
            f"<tr><td>{code(m.get('name'))}</td><td>{escape(m.get('format'))}"
            f"</td><td style='text-align:right'>{int(m.get('size') or 0):,}</td></tr>"
            for m in listed[:MAX_FILE_ROWS]
        )
        parts.append("<details><summary>Members read from the archive "
                     f"({details.get('members', len(listed))})</summary><table><tr><th>member"
                     f"</th><th>format</th><th>bytes</th></tr>{rows}</table></details>")
    files = s.files or ()
    if files:
        rows = "".join(
            f"<tr><td>{badge(e.verdict, VERDICT_COLOURS.get(e.verdict, '#57606a'))}</td>"
            f"<td>{code(e.name)}</td><td>{escape(e.format)}</td></tr>"
            for e in files[:MAX_FILE_ROWS]
        )
        more = (f"<tr><td colspan='3'>… and {len(files) - MAX_FILE_ROWS} more files</td></tr>"
                if len(files) > MAX_FILE_ROWS else "")
        parts.append(f"<h4 style='margin:0.6em 0 0.2em'>Files ({len(files)})</h4>"
                     f"<table><tr><th>verdict</th><th>file</th><th>format</th></tr>{rows}{more}"
                     "</table>")
    return "".join(parts)


def read_text(parsed: int, size: int, fmt: str) -> str:
    """What the scanner read of a file and how, never more bytes than the file has.

    The scanner's count adds up every read, and format probes read the start of a small file
    again, so it can pass the size; all of the file was parsed then.

    >>> read_text(273, 91, "pickle")
    'all 91 bytes, parsed as pickle and hashed'
    >>> read_text(1_200, 48_000, "pytorch-zip")
    '1,200 of 48,000 bytes parsed as pytorch-zip (2.5%); all 48,000 hashed (the rest is data the format parser skips: tensor and array bytes)'
    """  # noqa: E501
    if parsed >= size:
        return f"all {size:,} bytes, parsed as {fmt} and hashed"
    return (
        f"{parsed:,} of {size:,} bytes parsed as {fmt} ({parsed / size:.1%}); all {size:,} "
        "hashed (the rest is data the format parser skips: tensor and array bytes)"
    )


def _severity_colour(severity: str) -> str:
    from .html import SEVERITY_COLOURS

    return SEVERITY_COLOURS.get(severity, "#57606a")
