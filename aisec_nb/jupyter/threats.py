"""``%aisec threats [--profile FLAGS] [--as NAME] [--notebook PATH]``: the guidelines' threat
questionnaire and a risk register as a form, saved in the notebook.

The answers live in ``metadata.aisec.threat_model``: every change re-emits the threat model's
fragment into one output updated in place (and the heat map beside it), which the JupyterLab /
Notebook 7 extension merges into the notebook's metadata as it appears, and ``aisec-nb sync``
merges elsewhere. Widget state is not what is kept (JupyterLab saves none by default).

Running the cell again, after a kernel restart or in a reopened notebook, restores the answers:

* JupyterLab and Notebook 7 with the extension: from the open notebook's record, saved or not.
  With *Run All* the front end's record reaches the kernel only after the cell has run; the
  form then restores from the saved file first and catches up when the record arrives, unless
  something was changed in between;
* VS Code, and JupyterLab without the extension: from the saved notebook file (what is not
  saved yet is missing);
* nbclient and papermill: from the file named with ``--notebook PATH`` (or ``JPY_SESSION_NAME``),
  since the kernel is not told which notebook it runs; answers given from code
  (``--as NAME``, then ``NAME.answer("DV1.1", "yes")``) are emitted when their cell ends.

A restored threat model is shown as it was recorded unless the notebook's evidence changed it
and the record came from the open notebook or this kernel (then it is recorded anew); with
nothing to restore nothing is recorded until the first answer, so an empty form never replaces
answers that are recorded elsewhere.
"""

from __future__ import annotations

import argparse
import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import UsageError

HELP = "the guidelines' threat questionnaire and a risk register, saved in the notebook"
HEATMAP_DELAY_S = 1.0
"""With a live front end: the heat map is drawn this long after the form is shown..."""
HEATMAP_AFTER_S = 2.0
"""... and once the answers pause this long (the first plotly.js load blocks the browser for a
while: the records of answers given in quick succession must not wait for it)."""
HEATMAP_PENDING = {"text/plain": "<the risk heat map is drawn once the form is shown>"}
_CURRENT: dict[str, Any] = {}
"""The live form of this kernel and how to stop it (one questionnaire per notebook)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", metavar="FLAGS",
                        help="the system profile, comma-separated: generative, user-facing, "
                             "external-api, third-party-model, personal-data, agentic, "
                             "trains-on-feedback, or all (default: the recorded one, else "
                             "[tool.aisec-nb.threats] profile)")
    parser.add_argument("--as", dest="name", metavar="NAME",
                        help="bind the form to a notebook variable, to answer from code")
    parser.add_argument("--notebook", metavar="PATH",
                        help="the saved notebook to restore from when no front end extension "
                             "answers (nbclient, papermill)")


def _flags(text: str) -> frozenset[str]:
    from ..threats.bank import PROFILE_FLAGS, parse_profile

    if text.strip().lower() == "all":
        return frozenset(PROFILE_FLAGS)
    try:
        return parse_profile([text])
    except UsageError as exc:
        raise UsageError(f"%aisec threats --profile: {exc}") from None


def _view(shell: Any, notebook: str | None) -> tuple[dict[str, Any], str, bool]:
    """The notebook's record, where it came from, and whether the front end may still send a
    newer one."""
    from . import frontend

    if notebook:
        from ..notebook_io import read_notebook
        from ..transport import read_record

        path = Path(notebook).expanduser()
        if not path.exists():  # the first run, before the notebook is saved
            from ..transport import empty_record

            return empty_record(), f"{path} is not saved yet", False
        return (read_record(read_notebook(path), str(path)).record,
                f"answers restored from {path}", False)
    view = frontend.notebook_record(shell)
    if view.error:
        raise UsageError(f"%aisec threats: {view.note}")
    late = view.source != "front end" and frontend._BRIDGE.comm is not None
    note = {"front end": "answers restored from the open notebook",
            "saved file": f"answers restored from the saved file {view.path}",
            "none": "no notebook record was found (run %load_ext aisec_nb; outside Jupyter "
                    "pass --notebook PATH)"}[view.source]
    return view.record, note, late


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return {k: v for k, v in a.items() if k != "recorded_at"} == \
        {k: v for k, v in b.items() if k != "recorded_at"}


def close_current() -> None:
    """Close the kernel's live form (its pending change is emitted first)."""
    form = _CURRENT.pop("form", None)
    for stop in _CURRENT.pop("stops", []):
        stop()
    if form is not None:
        form.close()


def open_form(shell: Any, *, profile: str | None = None, notebook: str | None = None,
              call_later: Any = None, delay: float | None = None,
              now: _dt.datetime | None = None, compact: bool | None = None) -> Any:
    """Show the questionnaire and return its :class:`~.threats_widget.ThreatForm`."""
    from IPython.display import display

    from ..settings import load_settings
    from ..threats.assess import Questionnaire
    from ..threats.evidence import collect
    from ..threats.settings import from_settings
    from ..transport import make_fragment
    from . import frontend
    from .session import publish_live, recorded
    from .threats_figures import heatmap_bundle, placeholder_bundle, summary_html, summary_text
    from .threats_widget import DEBOUNCE_S, Debouncer, ThreatForm, loop_call_later

    settings = from_settings(load_settings())
    bank = settings.bank()
    close_current()  # its pending change is emitted first, so it is restored below
    base_record, note, late = _view(shell, notebook)
    merged = recorded(base_record)
    restored = merged.get("threat_model")
    restored = restored if isinstance(restored, Mapping) else None
    mine = _CURRENT.get("emitted")
    trusted = not late or (restored is not None and mine is not None and
                           restored.get("recorded_at") == mine)
    clock = now or _dt.datetime.now(_dt.timezone.utc)
    evidence = collect(merged, Path.cwd(), clock, settings.evidence_max_age_days,
                       trust_mtime=True)
    q = Questionnaire.restore(restored, bank, settings.profile, evidence)
    if profile is not None:
        q.set_profile(_flags(profile))
    if restored is None:
        note = "a new questionnaire" + ("" if "no notebook record" not in note else f"; {note}")

    live: dict[str, Any] = {}
    # A live front end (it has sent the record) gets the heat map a moment after the form and
    # after each record: loading plotly.js in the browser blocks it for a while, and must not
    # delay the form or the record reaching the notebook's metadata. A run without one
    # (nbclient, papermill) gets it at once, while the cell's outputs are still kept.
    deferred = frontend._BRIDGE.received > 0
    schedule = call_later or loop_call_later

    def draw(model: Mapping[str, Any]) -> None:
        live["heat"].update(heatmap_bundle(model), raw=True)
        live["drawn"] = True

    heat = Debouncer(lambda: draw(live["model"]), HEATMAP_AFTER_S, call_later=schedule)

    def show(model: Mapping[str, Any], initial: bool = False) -> None:
        fragment = make_fragment("threat_model", "threats", model)
        live["record"] = publish_live(fragment, html_text=summary_html(model, note),
                                      plain_text=summary_text(model), handle=live.get("record"))
        _CURRENT["emitted"] = model.get("recorded_at")
        live["model"] = model
        if initial:
            return
        if deferred:
            heat.trigger()
        else:
            draw(model)

    form = ThreatForm(q, emit=show, note=note, call_later=call_later,
                      delay=DEBOUNCE_S if delay is None else delay, compact=compact)
    display(form.widget)  # type: ignore[no-untyped-call]
    current = q.assess(clock)
    live["heat"] = display(HEATMAP_PENDING, raw=True,  # type: ignore[no-untyped-call]
                           display_id=True)
    if restored is None:
        live["record"] = display(placeholder_bundle(note), raw=True,  # type: ignore[no-untyped-call]
                                 display_id=True)
    elif trusted and not _same(current, restored):
        show(current, initial=True)  # the evidence changed what the recorded answers give
    else:
        show(restored, initial=True)  # as recorded: the merge keeps it as it is

    def draw_first() -> None:
        if not live.get("drawn") and not form.pending and not heat.pending:
            draw(live.get("model") or current)

    if deferred:
        schedule(HEATMAP_DELAY_S, draw_first)

    def after_cell(*_: Any) -> None:
        form.flush()
        if not deferred:
            draw_first()

    shell.events.register("post_run_cell", after_cell)
    stops = [lambda: shell.events.unregister("post_run_cell", after_cell)]

    if late:
        def catch_up() -> None:
            stop()
            if form.changed_by_user:
                return
            view = frontend.notebook_record(shell)
            newer = view.record.get("threat_model")
            if view.source != "front end" or not isinstance(newer, Mapping) or (
                    restored is not None and newer == restored):
                return
            form.restore(Questionnaire.restore(newer, bank, settings.profile, evidence))
            show(newer)

        stop = frontend.on_record(catch_up)
        stops.append(stop)
    _CURRENT.update(form=form, stops=stops)
    return form


def run(args: argparse.Namespace, shell: Any) -> None:
    form = open_form(shell, profile=args.profile, notebook=args.notebook)
    if args.name:
        if not args.name.isidentifier():
            raise UsageError(f"%aisec threats --as: {args.name!r} is not a Python name")
        shell.user_ns[args.name] = form
