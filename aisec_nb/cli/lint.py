"""``aisec-nb lint PATH...``"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..lint.engine import LintReport
    from ..settings import LintSettings

HELP = ("check notebooks for pull requests: unsafe code in cells, secrets in outputs, and their "
        "recorded evidence (failed, errored or stale checks, required evidence)")
SEVERITIES = ("info", "low", "medium", "high", "critical")


def _write_step_summary(report: LintReport) -> None:
    """GitHub shows only a few annotations per step; the full list goes to the job summary."""
    import os

    from ..lint.report import render_summary

    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as fh:  # noqa: PTH123 - append to a runner file
        fh.write(render_summary(report))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..lint.formats import FORMATS

    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="notebooks or folders")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE",
                        help="write the report to FILE instead of standard output")
    parser.add_argument(
        "--ignore", action="append", default=[], metavar="CODE", help="skip a rule (repeatable)"
    )
    parser.add_argument("--fail-on", choices=SEVERITIES, default=None, metavar="SEVERITY",
                        help="exit 1 only for findings of this severity or worse "
                             f"({', '.join(SEVERITIES)}; default: [tool.aisec-nb.lint] fail_on, "
                             "else info)")
    parser.add_argument("--require", action="append", default=[], metavar="EVIDENCE",
                        help="evidence every notebook must carry, added to the project's "
                             "(model-scan, data-check, threat-model, model-card, monitoring)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="read [tool.aisec-nb] from FILE instead of the nearest "
                             "pyproject.toml")
    parser.add_argument("--recheck", action="store_true",
                        help="scan recorded model files again, so hand-edited evidence cannot "
                             "pass")
    parser.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                        help="lint in N processes (default 1)")


def _read_config(path: Path) -> LintSettings:
    """``[tool.aisec-nb]`` of ``path`` (a ``pyproject.toml``, or a file of the same tables
    at its top level)."""
    from ..errors import UsageError
    from ..settings import TOOL_KEY, settings_from_table

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the configuration: {exc}") from None
    tables = data.get("tool", {}).get(TOOL_KEY, data) if "tool" in data else data
    if not isinstance(tables, dict):
        raise UsageError(f"{path}: [tool.{TOOL_KEY}] must be a table")
    return settings_from_table(tables, path).lint


def _settings(args: argparse.Namespace) -> LintSettings:
    """The project's lint settings, with the command line's additions."""
    from dataclasses import replace

    from ..errors import UsageError
    from ..rules import rule
    from ..settings import LINT_REQUIREMENTS, load_settings

    if args.config is not None:
        lint = _read_config(args.config)
    else:
        start = args.paths[0] if args.paths[0].exists() else Path.cwd()
        lint = load_settings(start).lint
    wrong = [r for r in args.require if r not in LINT_REQUIREMENTS]
    if wrong:
        raise UsageError(f"--require {wrong[0]!r}: not one of {', '.join(LINT_REQUIREMENTS)}")
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: must be 1 or more")
    ignore = frozenset(rule(code).code for code in args.ignore)
    return replace(lint, fail_on=args.fail_on or lint.fail_on, ignore=lint.ignore | ignore,
                   require=lint.require | frozenset(args.require))


def run(args: argparse.Namespace) -> int:
    from ..lint.engine import lint_paths
    from ..lint.report import render

    settings = _settings(args)
    report = lint_paths(args.paths, settings=settings, recheck=args.recheck, jobs=args.jobs)
    text = render(report, args.format)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if args.format == "github":
        _write_step_summary(report)
    for error in report.errors:
        print(f"aisec-nb lint: error: {error}", file=sys.stderr)
    return report.exit_code
