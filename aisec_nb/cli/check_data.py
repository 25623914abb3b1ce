"""``aisec-nb check-data FILE``: the data checks of ``%aisec check data`` on a CSV, TSV, Parquet or
JSON-lines file. Exit 0 when nothing is found, 1 with findings, 2 for bad usage or unreadable files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import UnreadableInputError
from .data_options import add_check_options

HELP = "check a CSV/TSV/Parquet/JSONL file like %%aisec check data (0 clean, 1 findings, 2 error)"
READERS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
COMPRESSED = (".gz", ".bz2", ".xz", ".zst", ".zip")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="data file: .csv .tsv .parquet .jsonl")
    add_check_options(parser, noun="file", metavar="FILE")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )


def file_format(path: Path) -> str:
    """The reader for ``path`` by its suffix (a compression suffix may follow the format's)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSED:
        suffixes = suffixes[:-1]
    kind = READERS.get(suffixes[-1]) if suffixes else None
    if kind is None:
        raise UnreadableInputError(
            str(path), "unsupported file type; use .csv, .tsv, .parquet or .jsonl"
        )
    return kind


def read_frame(path: Path) -> Any:
    """A DataFrame from a data file, or an UnreadableInputError naming the file and the problem."""
    import pandas as pd

    kind = file_format(path)
    if not path.is_file():
        raise UnreadableInputError(str(path), "no such file" if not path.exists() else "not a file")
    try:
        if kind == "parquet":
            return pd.read_parquet(path)
        if kind == "jsonl":
            return pd.read_json(path, lines=True)
        return pd.read_csv(path, sep="\t" if kind == "tsv" else ",", low_memory=False)
    except ImportError as exc:
        needed = exc.name or "pyarrow"
        raise UnreadableInputError(str(path), f"reading {kind} needs {needed}") from None
    except (ValueError, UnicodeDecodeError, OSError, pd.errors.ParserError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UnreadableInputError(str(path), f"cannot be read as {kind}: {first}") from None
    except Exception as exc:  # pyarrow raises its own types for corrupt Parquet files
        if type(exc).__module__.startswith("pyarrow"):
            raise UnreadableInputError(str(path), f"cannot be read as {kind}: {exc}") from None
        raise


def run(args: argparse.Namespace) -> int:
    from ..data import check_dataframe
    from ..data.thresholds import parse_overrides
    from ..record import to_json
    from ..settings import load_settings
    from ..transport import plain_summary

    path = Path(args.file)
    frame = read_frame(path)
    test = read_frame(Path(args.test)) if args.test else None
    reference = read_frame(Path(args.reference)) if args.reference else None
    result = check_dataframe(
        frame,
        label=args.label,
        test=test,
        reference=reference,
        source=path,
        role=args.role,
        policy=parse_overrides(args.set),
        name=args.file,
        thresholds=load_settings(path).data,
    )
    if args.format == "json":
        print(json.dumps(to_json(result), indent=2, ensure_ascii=False))
    else:
        print(plain_summary(result))
        print(f"  content hash {result.target.content_hash}  sha256 {result.target.sha256}")
    sys.stdout.flush()
    # info findings (a few missing values below the threshold) do not fail a run
    return 0 if result.verdict == "pass" else 1
