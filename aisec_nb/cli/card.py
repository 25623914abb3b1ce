"""``aisec-nb card NOTEBOOK --format hf|cyclonedx|spdx|html [-o FILE]``: export the notebook's
model card (``metadata.aisec.model_card``, or the newest card its outputs carry) as a Hugging
Face ``README.md``, a CycloneDX ML-BOM, SPDX 3.0.1 JSON-LD or a self-contained HTML page.

Without ``-o`` the export goes to standard output. An incomplete card is exported all the same,
with its missing fields named on standard error; ``--strict`` exits 1 for it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "export a notebook's model card: Hugging Face README, CycloneDX ML-BOM, SPDX 3.0.1, HTML"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    parser.add_argument("--format", choices=("hf", "cyclonedx", "spdx", "html"), default="hf",
                        help="hf: README.md with YAML front matter (default); cyclonedx: ML-BOM "
                             "JSON; spdx: SPDX 3.0.1 JSON-LD; html: one self-contained page")
    parser.add_argument("--spec", choices=("1.5", "1.6", "1.7"), default="1.6",
                        help="CycloneDX spec version (default 1.6)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write here (default: standard output)")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when the card lacks required fields")


def run(args: argparse.Namespace) -> int:
    from ..cards.export import export_card
    from ..cards.model import ModelCard
    from ..errors import UsageError
    from ..notebook_io import read_notebook
    from ..transport import read_record

    record = read_record(read_notebook(args.notebook), str(args.notebook)).record
    payload = record.get("model_card")
    if not isinstance(payload, dict):
        raise UsageError(f"{args.notebook} has no model card: run %aisec card in it (and save), "
                         "or aisec-nb sync it first")
    card = ModelCard.model_validate(payload)
    text = export_card(card, args.format, spec=args.spec)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"{args.output}: {args.format} export of the model card {card.name or ''}".rstrip(),
              file=sys.stderr)
    if card.missing:
        print(f"aisec-nb card: the card lacks {len(card.missing)} required field(s): "
              f"{', '.join(card.missing)}", file=sys.stderr)
        return 1 if args.strict else 0
    return 0
