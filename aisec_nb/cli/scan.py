"""``aisec-nb scan PATH... [--format text|json|sarif] [--expect-sha256 HEX]``

Exit codes: 0 every file passed; 1 a file failed or has findings; 2 a path or file could not be
read or its format is not supported (named on stderr / in the report), and nothing failed.
A detected payload (1) outranks an unreadable neighbour (2), so CI reports the worse news.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..record import ModelCheck

HELP = "scan model files or folders for code-execution payloads and hash them; never loads them"
FORMATS = ("text", "json", "sarif")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="model files or folders")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--expect-sha256", metavar="HEX", default=None,
                        help="fail unless the file's SHA-256 (a folder's model-signing root "
                        "digest) equals HEX; needs a single PATH")


def exit_code(verdicts: Sequence[str], unreadable: int) -> int:
    """0 clean, 1 findings, 2 unreadable/unsupported (see the module docstring)."""
    if "fail" in verdicts:
        return 1
    if unreadable or "error" in verdicts:
        return 2
    if "warn" in verdicts:
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    from ..errors import UnreadableInputError, UsageError
    from ..scan import load_policy, scan_path
    from ..settings import load_settings

    if args.expect_sha256 is not None and len(args.paths) != 1:
        msg = "--expect-sha256 compares one file or folder; give exactly one PATH"
        raise UsageError(msg)
    results: list[ModelCheck] = []
    errors: list[str] = []
    for given in args.paths:
        try:
            # The allowlist of the project the model lives in, as the scan used to find it.
            policy = load_policy(load_settings(Path(given)).scan.allow)
            results.append(scan_path(given, expect_sha256=args.expect_sha256, policy=policy))
        except UnreadableInputError as exc:
            errors.append(str(exc))
            print(f"aisec-nb scan: error: {exc}", file=sys.stderr)
    verdicts: list[str] = [r.verdict for r in results]
    for r in results:
        verdicts.extend(f.verdict for f in r.summary.files or ())
    if args.format == "json":
        sys.stdout.write(render_json(results, errors))
    elif args.format == "sarif":
        sys.stdout.write(render_sarif(results))
    else:
        sys.stdout.write(render_text(results))
    return exit_code(verdicts, len(errors))


def render_text(results: list[ModelCheck]) -> str:
    """One line per file (per file of a folder), then its findings, then a total."""
    lines: list[str] = []
    for r in results:
        t = r.target
        fmt = r.summary.format or "?"
        lines.append(f"{r.verdict.upper():<5} {t.path}  [{fmt}]  sha256 {t.sha256}")
        files = r.summary.files or ()
        names = sorted((e.name for e in files), key=len, reverse=True)
        grouped: dict[str | None, list[str]] = {}
        for f in r.findings:
            member = f.location.member if f.location is not None else None
            owner = next((n for n in names if member is not None
                          and (member == n or member.startswith(n + "/"))), None)
            where = f.location.describe() if f.location is not None else ""
            where = f"  ({where})" if where else ""
            line = f"    {f.severity:<8} {f.code}  {f.message}{where}"
            grouped.setdefault(owner, []).append(line)
        lines.extend(grouped.pop(None, []))
        if r.summary.excluded:
            lines.append(f"  left out: {', '.join(r.summary.excluded)} (hidden folders and "
                         "notebooks are not part of a folder's target)")
        quiet = r.summary.non_model_files or {}
        for entry in files:
            if entry.format in quiet and entry.name not in grouped:
                continue  # summed up in one finding above
            lines.append(f"  {entry.verdict.upper():<5} {entry.name}  [{entry.format}]")
            lines.extend(grouped.get(entry.name, []))
    counts: dict[str, int] = {}
    for r in results:
        listed = r.summary.files
        for v in [e.verdict for e in listed] if listed else [r.verdict]:
            counts[v] = counts.get(v, 0) + 1
    summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
    lines.append(f"scanned {sum(counts.values())} file(s): {summary or 'nothing'}")
    return "\n".join(lines) + "\n"


def render_json(results: list[ModelCheck], errors: list[str]) -> str:
    """``{"results": [CheckResult...], "errors": [...]}`` as indented JSON."""
    from ..record import to_json

    doc = {"results": [to_json(r) for r in results], "errors": errors}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def render_sarif(results: list[ModelCheck]) -> str:
    """SARIF 2.1.0; one result per finding, located at the file (and member inside it). The
    rules of the findings are described from the rule catalogue."""
    from .._version import __version__
    from ..sarif import Result, catalogue_rule, sarif_log

    items: list[Result] = []
    for r in results:
        base = Path(r.target.path or ".")
        names = sorted((e.name for e in r.summary.files or ()), key=len, reverse=True)
        for f in r.findings:
            uri, inside = base.as_posix(), f.location.describe() if f.location else ""
            member = f.location.member if f.location is not None else None
            if r.target.kind == "directory" and f.location is not None and member is not None:
                # The member of a folder finding starts with the file's name inside the folder.
                name = next((n for n in names if member == n or member.startswith(n + "/")),
                            member)
                uri = (base / name).as_posix()
                rest = f.location.model_copy(update={"member": member[len(name) + 1:] or None})
                inside = rest.describe()
            props: dict[str, Any] = {"check": r.id, "verdict": r.verdict}
            if f.evidence:
                props["evidence"] = f.evidence
            items.append(Result(f.code, f.severity, f.message, uri=uri, logical=inside or None,
                                properties=props))
    used = sorted({i.rule_id for i in items})
    rule_list = [catalogue_rule(code) for code in used]
    log = sarif_log("aisec-nb", __version__, rule_list, items)
    return json.dumps(log, indent=2) + "\n"
