"""``%aisec card [--name NAME] [--model PATH...] [--data DF...] [--metrics VAR] [--fields VAR]``:
a model card that fills itself from the notebook's evidence, as a form, recorded in the notebook.

What the notebook already proves is filled in: model files (``--model``; a file no check covers
yet is scanned first) with their hashes and scan verdicts, and an OpenSSF ``model.sig`` beside
them compared with those hashes (recorded as a check); datasets from the data checks (``--data``
picks them by DataFrame name); open risks
from the threat model; library versions from this kernel. ``--metrics VAR`` takes evaluation
results from a variable (``{"accuracy": 0.93}``), ``--fields VAR`` any field from a dict (so a
notebook can fill its card from code and run headless).

The card is one output that every edit updates in place (debounced), so it is saved with the
notebook and lands in ``metadata.aisec.model_card``. Re-running the cell (after a restart, or in
a reopened notebook) restores what was typed, from the notebook's record as the JupyterLab
extension sends it or, without the extension, from the saved file (so save first there).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import UsageError

HELP = "a model card that fills itself from the notebook's evidence; exports HF, CycloneDX, SPDX"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", help="the model's name (kept from an earlier card otherwise)")
    parser.add_argument("--model", nargs="+", default=None, metavar="PATH",
                        help="the model's files or folders (default: every model check)")
    parser.add_argument("--data", nargs="+", default=None, metavar="DF",
                        help="the data checks of the model's datasets, by DataFrame name "
                             "(default: every data check)")
    parser.add_argument("--metrics", metavar="VAR",
                        help="a variable holding metrics: {name: value} or a list of rows")
    parser.add_argument("--fields", metavar="VAR",
                        help="a variable holding card fields: {field: value}")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="where the export buttons write (default: the notebook's folder)")


def _variable(shell: Any, name: str, option: str) -> Any:
    namespace = getattr(shell, "user_ns", None) or {}
    if name not in namespace:
        raise UsageError(f"{option} {name}: no variable of that name in the notebook")
    return namespace[name]


def plain_text(card: Any) -> str:
    status = "complete" if card.complete else f"{len(card.missing)} required field(s) missing"
    lines = [f"aisec model card {card.name or '(unnamed)'}: {status}"]
    if card.missing:
        lines.append("  missing: " + ", ".join(card.missing))
    return "\n".join(lines)


def run(args: argparse.Namespace, shell: Any) -> Any:
    from IPython.display import display

    from ..cards import (
        CardState,
        ModelCard,
        autofill,
        card_policy_from_table,
        environment_libraries,
        metrics_rows,
        signature_check,
    )
    from ..cards.evidence import model_checks
    from ..cards.html import card_html
    from ..record import NotebookRecord
    from ..settings import load_settings
    from ..transport import check_fragment, make_fragment, plain_summary
    from .card_form import CardForm
    from .frontend import notebook_record
    from .session import publish, publish_live, recorded

    settings = load_settings()
    policy = card_policy_from_table(settings.tables.get("card"))
    view = notebook_record(shell)
    record = recorded(view.record)
    wanted = list(args.model) if args.model else None
    for path in wanted or ():
        if not model_checks(NotebookRecord.model_validate(record), [path]):
            from . import check_model

            check_model.run(argparse.Namespace(path=path, expect_sha256=None), shell)
    record = recorded(view.record)
    typed = NotebookRecord.model_validate(record)
    for check in model_checks(typed, wanted):
        signed = signature_check(check)
        if signed is not None:
            from .html import check_result_html

            publish(check_fragment(signed), html_text=check_result_html(signed, ""),
                    plain_text=plain_summary(signed))
    record = recorded(view.record)
    typed = NotebookRecord.model_validate(record)
    auto = autofill(typed, models=wanted, data=args.data,
                    libraries=environment_libraries(list(sys.modules)))
    state = CardState.from_card(record.get("model_card"))
    if args.fields:
        given = _variable(shell, args.fields, "--fields")
        if not isinstance(given, Mapping):
            raise UsageError(f"--fields {args.fields}: expected a dict of field -> value")
        from ..cards import field_specs

        unknown = sorted(set(map(str, given)) - set(field_specs()))
        if unknown:
            raise UsageError(f"--fields {args.fields}: unknown card field {unknown[0]!r}")
        state.user.update({str(k): v for k, v in given.items()})
    if args.metrics:
        try:
            state.user["metrics"] = metrics_rows(_variable(shell, args.metrics, "--metrics"))
        except ValueError as exc:
            raise UsageError(f"--metrics {args.metrics}: {exc}") from None
    if args.name:
        state.user["name"] = args.name
    threats = record.get("threat_model") if isinstance(record.get("threat_model"),
                                                       Mapping) else None
    live: dict[str, Any] = {}

    def emit(card: ModelCard) -> None:
        from ..record import to_json

        live["handle"] = publish_live(make_fragment("model_card", "model_card", to_json(card)),
                                      html_text=card_html(card), plain_text=plain_text(card),
                                      handle=live.get("handle"))

    out = Path(args.out) if args.out else Path.cwd()
    form = CardForm(state=state, auto=auto, emit=emit, threats=threats, policy=policy,
                    out_dir=out)
    display(form.widget)  # type: ignore[no-untyped-call]
    form.flush()  # the display handle is made while the cell runs, so callbacks update it
    if view.error:
        print(f"aisec card: {view.note}", file=sys.stderr)
    return None
