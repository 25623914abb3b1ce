"""The ``%aisec threats`` form: ipywidgets over a :class:`~aisec_nb.threats.assess.Questionnaire`.

One tab for the system profile (which questions apply, and why the others are hidden), one per
guideline stage (each question with yes / partial / no / n/a, a reason, and a badge when a check
recorded in this notebook supports or contradicts a yes), and the risk register (owner,
response, controls, review date, likelihood and impact by hand, risks of one's own). Below it,
two outputs updated in place: the likelihood × impact heat map (inherent against residual) and
the threat model's record, the fragment that puts the answers in ``metadata.aisec.threat_model``.

Every change schedules one emission (:class:`Debouncer`, on the kernel's event loop); a cell
that changes the form from code (``form.answer(...)``) emits when it ends. The outputs are
displayed while the cell runs, so later updates from widget callbacks go to them (JupyterLab
sends output displayed from a callback to the log console otherwise).

Speed: hundreds of ipywidgets render slowly (each is a model, with a layout and a style model of
its own, created in the kernel and again in the browser). A stage is therefore one widget
(``threats_form.js`` on anywidget, which the ``widgets`` extra installs) drawing all its
questions; without anywidget it falls back to three shared-style ipywidgets a question. A
stage is built when its tab is first opened (the first one at once).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..threats.assess import Questionnaire
from ..threats.bank import PROFILE_FLAGS, STAGES, Question, describe
from ..threats.evidence import Evidence
from ..threats.refs import resolve
from ..threats.vocab import ANSWERS, NEEDS_REASON, RESPONSES
from ..transport import escape

DEBOUNCE_S = 0.3
"""Seconds of quiet after a change before the record is emitted."""
ANSWER_OPTIONS = [(a, a) for a in ANSWERS]
LEVEL_OPTIONS = [("auto", ""), ("low", "low"), ("medium", "medium"), ("high", "high")]
RESPONSE_OPTIONS = [("—", ""), *((r, r) for r in RESPONSES)]
"""A dropdown's ``None`` is no selection at all, so "not given" is the empty string."""
BADGE = {
    "fresh": ("#1a7f37", "✓ evidence"),
    "stale": ("#9a6700", "! stale evidence"),
    "failed": ("#cf222e", "✗ contradicted"),
    "none": ("#57606a", "no check yet"),
}
NAMESPACE_LABELS = {"atlas": "ATLAS", "owasp-ml": "OWASP ML", "owasp-llm": "OWASP LLM",
                    "nist-ai-rmf": "NIST AI RMF"}

MISSING = "aisec-threats-missing"
"""The class of a reason box whose partial or n/a answer still needs its reason."""
STYLE = ("<style>.aisec-threats-missing input{border-color:#cf222e!important;"
         "box-shadow:0 0 0 1px #cf222e}"
         ".aisec-threats .lm-TabBar-tab{flex:0 1 auto!important;max-width:none!important}"
         "</style>")

Scheduler = Callable[[float, Callable[[], None]], Any]


def loop_call_later(delay: float, callback: Callable[[], None]) -> Any:
    """``callback`` after ``delay`` seconds on the running event loop (the kernel's); with no
    loop running (a plain script), at once."""
    loop = None
    with contextlib.suppress(RuntimeError):
        loop = asyncio.get_running_loop()
    if loop is None:
        callback()
        return None
    return loop.call_later(delay, callback)


class Debouncer:
    """Calls ``callback`` once, ``delay`` seconds after the last :meth:`trigger`.

    ``call_later(delay, fn)`` schedules (the kernel's event loop by default, see
    :func:`loop_call_later`) and returns a handle with ``cancel()``; tests pass a clock of
    their own.

    >>> calls, pending = [], []
    >>> d = Debouncer(lambda: calls.append(1), 0.3, call_later=lambda s, f: pending.append(f))
    >>> d.trigger(); d.trigger(); calls, len(pending), d.pending
    ([], 2, True)
    >>> d.flush(), calls, d.pending
    (True, [1], False)
    """

    def __init__(self, callback: Callable[[], None], delay: float = DEBOUNCE_S, *,
                 call_later: Scheduler | None = None) -> None:
        self.callback = callback
        self.delay = delay
        self._call_later = call_later or loop_call_later
        self._handle: Any = None
        self._generation = 0
        self._pending = False

    @property
    def pending(self) -> bool:
        return self._pending

    def trigger(self) -> None:
        self._cancel()
        self._pending = True
        self._generation += 1
        generation = self._generation

        def fire() -> None:
            if self._pending and generation == self._generation:
                self._handle = None
                self._pending = False
                self.callback()

        self._handle = self._call_later(self.delay, fire)

    def _cancel(self) -> None:
        if self._handle is not None and hasattr(self._handle, "cancel"):
            self._handle.cancel()
        self._handle = None

    def flush(self) -> bool:
        """Run a pending call now; ``False`` when none was pending."""
        if not self._pending:
            return False
        self._cancel()
        self._pending = False
        self.callback()
        return True

    def cancel(self) -> None:
        self._cancel()
        self._pending = False


def _ref_text(ref: str) -> str:
    try:
        found = resolve(ref)
    except KeyError:
        return ref
    label = NAMESPACE_LABELS.get(found.namespace, found.namespace)
    return f"{label} {found.id} ({found.name})" if found.namespace != "nist-ai-rmf" else \
        f"{label} {found.id}"


def evidence_badge(evidence: Evidence) -> str:
    """The badge a question shows for its evidence (nothing for manual evidence)."""
    if evidence.status not in BADGE:
        return ""
    colour, label = BADGE[evidence.status]
    return (f'<span class="aisec-threats-evidence aisec-threats-evidence-{evidence.status}" '
            f'style="border:1px solid {colour};color:{colour};border-radius:3px;'
            f'padding:0 4px;font-size:85%;white-space:nowrap" title="{escape(evidence.why)}">'
            f"{escape(label)}</span>")


def question_html(q: Question, evidence: Evidence) -> str:
    refs = " · ".join(_ref_text(r) for r in q.refs[:6])
    badge = evidence_badge(evidence)
    why = (f'<div style="opacity:0.8;font-size:85%">{escape(evidence.why)}</div>'
           if evidence.status in ("fresh", "stale", "failed") else "")
    return (f'<div class="aisec-threats-q" data-question="{escape(q.id)}" '
            f'style="line-height:1.35;padding:2px 0">'
            f"<b>{escape(q.id)}</b> {escape(q.text)} {badge}"
            f'<div style="opacity:0.75;font-size:85%">{escape(q.help)}</div>{why}'
            f'<div style="opacity:0.6;font-size:80%">{escape(refs)}</div></div>')


_STAGE_CLASS: list[type] = []


def compact_available() -> bool:
    """Whether a stage can be one widget (anywidget installed), rather than three a question."""
    import importlib.util

    return importlib.util.find_spec("anywidget") is not None


def stage_widget_class() -> type:
    """The one-widget stage (an ``anywidget.AnyWidget`` drawn by ``threats_form.js``): its
    ``questions`` are sent once, its ``answers`` (``{id: {value, reason}}``) go both ways."""
    if not _STAGE_CLASS:
        from pathlib import Path

        import anywidget
        import traitlets

        class StageQuestions(anywidget.AnyWidget):
            _esm = Path(__file__).with_name("threats_form.js").read_text(encoding="utf-8")
            questions: Any = traitlets.List().tag(sync=True)
            answers: Any = traitlets.Dict().tag(sync=True)

        _STAGE_CLASS.append(StageQuestions)
    return _STAGE_CLASS[0]


def question_data(q: Question, evidence: Evidence) -> dict[str, Any]:
    """What the one-widget stage shows of a question (text only, never markup)."""
    return {"id": q.id, "text": q.text, "help": q.help,
            "refs": " · ".join(_ref_text(r) for r in q.refs[:6]),
            "evidence": {"status": evidence.status, "why": evidence.why}}


def _close_tree(widget: Any) -> None:
    for child in getattr(widget, "children", ()) or ():
        _close_tree(child)
    widget.close()


class ThreatForm:
    """The questionnaire's widgets, bound to ``questionnaire``.

    ``emit(payload)`` is called with the threat model after every (debounced) change; the
    face passes one that updates the record and heat map outputs in place.
    """

    def __init__(self, questionnaire: Questionnaire, *, emit: Callable[[dict[str, Any]], None],
                 note: str = "", call_later: Scheduler | None = None,
                 delay: float = DEBOUNCE_S, compact: bool | None = None) -> None:
        import ipywidgets as w

        self.compact = compact_available() if compact is None else compact
        """Each stage one widget (anywidget), or ipywidgets controls (three a question)."""
        self.stage_views: dict[int, Any] = {}
        self.q = questionnaire
        self.note = note
        self._emit_to = emit
        self._debounce = Debouncer(self.flush_now, delay, call_later=call_later)
        self._syncing = False
        self.changed_by_user = False
        self.emitted = 0
        self.last: dict[str, Any] | None = None
        self._controls: dict[str, tuple[Any, Any]] = {}
        self._built: set[int] = set()
        self._register_rows: dict[str, Any] = {}
        self._register_built = False
        self._stages = list(STAGES)

        # One layout and one style model shared by all widgets of a kind: every widget has a
        # layout and a style model of its own otherwise, which triples what the browser builds.
        from ipywidgets.widgets.widget_description import DescriptionStyle
        from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

        self._auto = w.Layout(width="auto")
        self._html_style = HTMLStyle()
        self._text_style = TextStyle()
        self._toggle_style = w.ToggleButtonsStyle(button_width="5.4em")
        self._description_style = DescriptionStyle()
        self.header = w.HTML()
        from ipywidgets.widgets.widget_bool import CheckboxStyle

        flag_layout, flag_style = w.Layout(width="15em"), CheckboxStyle()
        self.profile_boxes = {
            flag: w.Checkbox(value=flag in self.q.profile, description=label, indent=False,
                             tooltip=clause, layout=flag_layout, style=flag_style)
            for flag, (label, clause) in PROFILE_FLAGS.items()
        }
        for flag, box in self.profile_boxes.items():
            box.observe(self._on_profile(flag), names="value")
        self.hidden = w.HTML()
        profile_tab = w.VBox([
            w.HTML("<b>1. Describe the system.</b> The profile decides which questions apply; "
                   "the questions it hides, and why, are listed below."),
            w.GridBox(list(self.profile_boxes.values()),
                      layout=w.Layout(grid_template_columns="repeat(auto-fill, 15em)")),
            self.hidden])
        padded = w.Layout(padding="4px 0")
        self.stage_boxes = [w.VBox(layout=padded) for _ in self._stages]
        self.register_box = w.VBox(layout=padded)
        self.tabs = w.Tab(children=[profile_tab, *self.stage_boxes, self.register_box])
        self.tabs.observe(self._on_tab, names="selected_index")
        self.widget = w.VBox([self.header, self.tabs])
        self.widget.add_class("aisec-threats")
        start = 0 if not self.q.profile and not self.q.answers else 1
        self._build_stage(0)
        self._refresh_hidden()
        self._refresh_titles()
        self.tabs.selected_index = start

    # --- building ---------------------------------------------------------------------------

    def _on_tab(self, change: Mapping[str, Any]) -> None:
        index = change.get("new")
        if isinstance(index, int):
            self._ensure(index)

    def _ensure(self, index: int) -> None:
        if 1 <= index <= len(self._stages):
            self._build_stage(index - 1)
        elif index == len(self._stages) + 1:
            self._build_register()

    def _build_stage(self, n: int) -> None:
        import ipywidgets as w

        if n in self._built:
            return
        self._built.add(n)
        stage = self._stages[n]
        questions = [q for q in self.q.applicable() if q.stage == stage]
        hidden = [q for q in self.q.bank.questions if q.stage == stage and
                  q not in questions]
        intro = (f"<b>{escape(STAGES[stage])}</b>: {len(questions)} question(s) apply"
                 + (f"; {len(hidden)} hidden by the profile" if hidden else "")
                 + ". Yes means the control is in place.")
        if self.compact:
            view = stage_widget_class()(
                questions=[question_data(q, self.q.evidence_for(q)) for q in questions],
                answers=self._answers_of(questions))
            view.observe(self._on_answers, names="answers")
            self.stage_views[n] = view
            self.stage_boxes[n].children = [w.HTML(intro, layout=self._auto,
                                                   style=self._html_style), view]
            return
        cells: list[Any] = []
        for q in questions:
            given = self.q.answers.get(q.id)
            toggles = w.ToggleButtons(options=ANSWER_OPTIONS,
                                      value=given.value if given else None,
                                      style=self._toggle_style, layout=self._auto)
            toggles.add_class("aisec-threats-answer")
            reason = w.Text(value=given.reason if given else "", continuous_update=False,
                            placeholder="reason (needed for partial and n/a)",
                            layout=self._auto, style=self._text_style)
            reason.add_class("aisec-threats-reason")
            toggles.observe(self._on_answer(q.id), names="value")
            reason.observe(self._on_reason(q.id), names="value")
            self._controls[q.id] = (toggles, reason)
            self._mark(q.id)
            text = w.HTML(question_html(q, self.q.evidence_for(q)), layout=self._auto,
                          style=self._html_style)
            cells += [text, toggles, reason]
        grid = w.GridBox(cells, layout=w.Layout(
            grid_template_columns="minmax(18em, 1fr) auto minmax(10em, 18em)",
            grid_gap="6px 10px", align_items="center"))
        self.stage_boxes[n].children = [w.HTML(intro, layout=self._auto,
                                               style=self._html_style), grid]

    def _answers_of(self, questions: Iterable[Question]) -> dict[str, dict[str, Any]]:
        out = {}
        for q in questions:
            given = self.q.answers.get(q.id)
            if given is not None:
                out[q.id] = {"value": given.value, "reason": given.reason}
        return out

    def _on_answers(self, change: Mapping[str, Any]) -> None:
        """A one-widget stage's answers changed (a click or a reason typed in the browser)."""
        if self._syncing:
            return
        changed = False
        for qid, entry in (change.get("new") or {}).items():
            if not self.q.bank.has(str(qid)) or not isinstance(entry, Mapping):
                continue
            value = entry.get("value")
            reason = str(entry.get("reason") or "")
            given = self.q.answers.get(str(qid))
            if given is None and value is None and not reason:
                continue
            if given is None or (given.value, given.reason) != (value, reason):
                self.q.answer(str(qid), value, reason=reason)
                changed = True
        if changed:
            self._changed()

    def _rebuild_questions(self) -> None:
        for n in list(self._built):
            for q in self.q.bank.questions:
                if q.stage == self._stages[n]:
                    self._controls.pop(q.id, None)
            old = self.stage_views.pop(n, None)
            if old is not None:
                old.close()
            self.stage_boxes[n].children = []
        self._built.clear()
        selected = self.tabs.selected_index
        self._build_stage(0)
        if isinstance(selected, int):
            self._ensure(selected)
        self._register_built = False
        self.register_box.children = []
        if selected == len(self._stages) + 1:
            self._build_register()

    def _build_register(self) -> None:
        import ipywidgets as w

        if self._register_built:
            return
        self._register_built = True
        model = self.q.assess()
        head = ["risk (inherent → residual)", "owner", "response", "controls (;)",
                "review by", "likelihood", "impact"]
        auto, text_style = self._auto, self._text_style
        cells: list[Any] = [w.HTML(f"<b>{h}</b>", layout=auto, style=self._html_style)
                            for h in head]
        self._register_rows = {}
        for risk in model["risks"]:
            rid = risk["id"]
            given = self.q.register.get(rid)
            plain = self._description_style
            label = w.HTML(self._risk_html(risk), layout=auto, style=self._html_style)
            owner = w.Text(value=risk["owner"], continuous_update=False, layout=auto,
                           style=text_style)
            response = w.Dropdown(options=RESPONSE_OPTIONS, value=risk["response"] or "",
                                  layout=auto, style=plain)
            controls = w.Text(value="; ".join(risk["controls"]), continuous_update=False,
                              layout=auto, style=text_style)
            review = w.DatePicker(value=_dt.date.fromisoformat(risk["review_date"])
                                  if risk["review_date"] else None, layout=auto, style=plain)
            likelihood = w.Dropdown(options=LEVEL_OPTIONS,
                                    value=(given.likelihood if given else None) or "",
                                    layout=auto, style=plain)
            impact = w.Dropdown(options=LEVEL_OPTIONS,
                                value=(given.impact if given else None) or "",
                                layout=auto, style=plain)
            for name, box in (("owner", owner), ("response", response),
                              ("controls", controls), ("review_date", review),
                              ("likelihood", likelihood), ("impact", impact)):
                box.observe(self._on_risk(rid, name), names="value")
                box.add_class(f"aisec-threats-risk-{name.replace('_', '-')}")
            self._register_rows[rid] = label
            cells += [label, owner, response, controls, review, likelihood, impact]
        grid = w.GridBox(cells, layout=w.Layout(
            grid_template_columns="minmax(18em, 2fr) minmax(7em, 1fr) 8.5em minmax(8em, 1.5fr) "
                                  "10em 6.5em 6.5em", grid_gap="4px 8px", align_items="center"))
        self.new_title = w.Text(placeholder="a risk of your own: its title",
                                layout=w.Layout(width="24em"))
        self.new_likelihood = w.Dropdown(options=LEVEL_OPTIONS[1:], value="medium",
                                         description="likelihood", layout=w.Layout(width="14em"))
        self.new_impact = w.Dropdown(options=LEVEL_OPTIONS[1:], value="medium",
                                     description="impact", layout=w.Layout(width="13em"))
        self.add_button = w.Button(description="Add risk", icon="plus")
        self.add_button.on_click(self._on_add)
        self.register_message = w.HTML()
        intro = w.HTML("<b>Risk register.</b> Likelihood starts from the ATLAS maturity of the "
                       "risk's techniques and impact from the bank; each control answered yes "
                       "lowers the residual likelihood one level unless its evidence failed or "
                       "went stale. A high or critical residual risk needs an owner and a "
                       "response.")
        self.register_box.children = [intro, grid, w.HBox([self.new_title, self.new_likelihood,
                                                          self.new_impact, self.add_button]),
                                      self.register_message]

    @staticmethod
    def _risk_html(risk: Mapping[str, Any]) -> str:
        from .html import SEVERITY_COLOURS, badge

        def rated(which: str) -> str:
            r = risk[which]
            return badge(f"{r['severity']}", SEVERITY_COLOURS.get(r["severity"], "#57606a"))

        notes = "".join(f"<li>{escape(x['note'])}</li>" for x in risk.get("reductions") or [])
        more = (f'<details style="font-size:85%"><summary>how the controls count</summary>'
                f"<ul style='margin:0'>{notes}</ul></details>") if notes else ""
        status = "" if risk["status"] == "open" else \
            f' <span style="opacity:0.75">({escape(risk["status"])})</span>'
        return (f'<div class="aisec-threats-risk" data-risk="{escape(risk["id"])}">'
                f"{escape(risk['title'])}{status}<br>{rated('inherent')} → {rated('residual')} "
                f'<span style="opacity:0.75;font-size:85%">{escape(risk["residual"]["likelihood"])}'
                f" × {escape(risk['residual']['impact'])}</span>{more}</div>")

    # --- callbacks -------------------------------------------------------------------------

    def _on_answer(self, qid: str) -> Callable[[Mapping[str, Any]], None]:
        def handler(change: Mapping[str, Any]) -> None:
            if self._syncing:
                return
            self.q.answer(qid, change.get("new"))
            self._mark(qid)
            self._changed()

        return handler

    def _on_reason(self, qid: str) -> Callable[[Mapping[str, Any]], None]:
        def handler(change: Mapping[str, Any]) -> None:
            if self._syncing:
                return
            current = self.q.answers.get(qid)
            self.q.answer(qid, current.value if current else None, reason=str(change["new"]))
            self._mark(qid)
            self._changed()

        return handler

    def _on_profile(self, flag: str) -> Callable[[Mapping[str, Any]], None]:
        def handler(change: Mapping[str, Any]) -> None:
            if self._syncing:
                return
            flags = set(self.q.profile)
            (flags.add if change.get("new") else flags.discard)(flag)
            self.q.set_profile(flags)
            self._rebuild_questions()
            self._refresh_hidden()
            self._changed()

        return handler

    def _on_risk(self, rid: str, name: str) -> Callable[[Mapping[str, Any]], None]:
        def handler(change: Mapping[str, Any]) -> None:
            if self._syncing:
                return
            value = change.get("new")
            if name == "controls":
                value = [c for c in str(value or "").split(";") if c.strip()]
            elif value == "":
                value = None
            self.q.set_risk(rid, **{name: value})
            self._changed()

        return handler

    def _on_add(self, _button: Any = None) -> None:
        title = self.new_title.value.strip()
        if not title:
            self.register_message.value = "Give the risk a title first."
            return
        rid = self.q.add_risk(title, likelihood=self.new_likelihood.value,
                              impact=self.new_impact.value)
        self.new_title.value = ""
        self.register_message.value = f"Added {escape(rid)}."
        self._register_built = False
        self._build_register()
        self._changed()

    def _mark(self, qid: str) -> None:
        """Show that a partial or n/a answer still needs its reason."""
        controls = self._controls.get(qid)
        given = self.q.answers.get(qid)
        if controls is None:
            return
        missing = given is not None and given.value in NEEDS_REASON and not given.reason.strip()
        if missing:
            controls[1].add_class(MISSING)
        else:
            controls[1].remove_class(MISSING)

    def _changed(self) -> None:
        self.changed_by_user = True
        self._refresh_titles()
        self._debounce.trigger()

    # --- showing ---------------------------------------------------------------------------

    def _progress(self) -> dict[str, tuple[int, int]]:
        out = {stage: [0, 0] for stage in self._stages}
        for q in self.q.applicable():
            given = self.q.answers.get(q.id)
            out[q.stage][1] += 1
            if given is not None and given.complete:
                out[q.stage][0] += 1
        return {k: (v[0], v[1]) for k, v in out.items()}

    def _refresh_titles(self, model: Mapping[str, Any] | None = None) -> None:
        progress = self._progress()
        titles = ["Profile"]
        for stage in self._stages:
            done, total = progress[stage]
            titles.append(f"{stage.capitalize()} {done}/{total}")
        summary = (model or {}).get("summary") or {}
        unowned = len(summary.get("unowned_high") or [])
        titles.append(f"Register: {unowned} unowned" if unowned else "Register")
        self.tabs.titles = titles
        answered = sum(d for d, _ in progress.values())
        total = sum(t for _, t in progress.values())
        bar = round(100 * answered / total) if total else 100
        note = f' <span style="opacity:0.7;font-size:85%">{escape(self.note)}</span>' \
            if self.note else ""
        self.header.value = (
            f'{STYLE}<div class="aisec-threats-header"><b>Threat model</b> · '
            f'<span class="aisec-threats-progress">{answered} of {total}</span> applicable '
            f"questions answered ({len(self.q.bank.questions)} in the "
            f"{escape(self.q.bank.name)} bank {escape(self.q.bank.version)})"
            f'<div style="height:4px;background:rgba(128,128,128,0.25);margin:3px 0">'
            f'<div style="height:4px;width:{bar}%;background:#1a7f37"></div></div>{note}</div>')

    def _refresh_hidden(self) -> None:
        shown = {q.id for q in self.q.applicable()}
        groups: dict[str, list[str]] = {}
        for q in self.q.bank.questions:
            if q.id not in shown:
                groups.setdefault(describe(q.applies_if), []).append(q.id)
        if not groups:
            self.hidden.value = "<p>Every question of the bank applies to this profile.</p>"
            return
        items = "".join(f"<li>{escape(', '.join(ids))}: apply only if {escape(why)}</li>"
                        for why, ids in groups.items())
        count = sum(len(v) for v in groups.values())
        self.hidden.value = (f'<div class="aisec-threats-hidden"><b>{count} question(s) '
                             f"hidden</b> by this profile:<ul>{items}</ul></div>")

    def _sync_controls(self) -> None:
        """Put the questionnaire's state into the widgets (after a change made from code)."""
        self._syncing = True
        try:
            for flag, box in self.profile_boxes.items():
                box.value = flag in self.q.profile
            for qid, (toggles, reason) in self._controls.items():
                given = self.q.answers.get(qid)
                toggles.value = given.value if given else None
                reason.value = given.reason if given else ""
                self._mark(qid)
            for n, view in self.stage_views.items():
                stage = self._stages[n]
                view.answers = self._answers_of(q for q in self.q.applicable()
                                                if q.stage == stage)
        finally:
            self._syncing = False

    # --- emitting --------------------------------------------------------------------------

    def flush_now(self) -> None:
        """Assess and emit the threat model now."""
        self._debounce.cancel()
        model = self.q.assess()
        self.last = model
        self.emitted += 1
        self._refresh_titles(model)
        for risk in model["risks"]:
            label = self._register_rows.get(risk["id"])
            if label is not None:
                label.value = self._risk_html(risk)
        self._emit_to(model)

    def flush(self) -> bool:
        """Emit now if a change is waiting (the end of a cell calls it); ``False`` if none."""
        return self._debounce.flush()

    @property
    def pending(self) -> bool:
        return self._debounce.pending

    def close(self) -> None:
        """Emit what is waiting, then close this form's widgets."""
        self.flush()
        _close_tree(self.widget)

    # --- the same from code ----------------------------------------------------------------

    def answer(self, question_id: str, value: str | None, reason: str | None = None) -> None:
        """Answer a question from code (the buttons follow)."""
        self.q.answer(question_id, value, reason)
        self._after_code()

    def answers(self, values: Mapping[str, Any]) -> None:
        """Answer many: ``{"DV1.1": "yes", "DE3.6": ("partial", "reason")}``."""
        for qid, given in values.items():
            if isinstance(given, tuple | list):
                self.q.answer(qid, given[0], given[1] if len(given) > 1 else None)
            else:
                self.q.answer(qid, given)
        self._after_code()

    def set_profile(self, flags: Iterable[str]) -> None:
        from ..threats.bank import parse_profile

        self.q.set_profile(parse_profile(flags))
        self._rebuild_questions()
        self._refresh_hidden()
        self._after_code()

    def set_risk(self, risk_id: str, **fields: Any) -> None:
        """Set a register entry's fields (see :meth:`Questionnaire.set_risk`)."""
        self.q.set_risk(risk_id, **fields)
        if self._register_built:
            self._register_built = False
            self._build_register()
        self._after_code()

    def add_risk(self, title: str, **fields: Any) -> str:
        rid = self.q.add_risk(title, **fields)
        if self._register_built:
            self._register_built = False
            self._build_register()
        self._after_code()
        return rid

    @property
    def threat_model(self) -> dict[str, Any]:
        """The threat model as it stands (not emitted)."""
        return self.q.assess()

    def _after_code(self) -> None:
        self._sync_controls()
        self._changed()

    def restore(self, questionnaire: Questionnaire) -> None:
        """Show another questionnaire's state (the front end's record arrived late)."""
        self.q = questionnaire
        self._rebuild_questions()
        self._sync_controls()
        self._refresh_hidden()
        self._refresh_titles()
