"""The model card form: ipywidgets grouped like the Hugging Face card (Details, Uses, Data,
Evaluation, Limitations & failure modes, Security).

Fields that evidence fills show their evidence badge and are locked until the user presses
*Override* (the override is recorded with the value it replaced); list fields have rows to add
and remove; a live list says which required fields are missing; buttons export the card. Every
edit rebuilds the card (:func:`aisec_nb.cards.build_card`) and, debounced, hands its fragment to
``emit`` (the magic updates one display in place with it, so the card lives in the saved
notebook's outputs and ``metadata.aisec.model_card``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..cards import (
    FORMATS,
    AutoFill,
    CardPolicy,
    CardState,
    FieldSpec,
    ModelCard,
    build_card,
    export_card,
    field_specs,
    suggested_name,
)
from ..cards.fields import GROUPS, is_empty
from ..cards.html import source_badge
from ..cards.model import USER
from ..errors import AisecError

DEBOUNCE_S = 0.25
"""Seconds an edit waits for the next before the card is emitted (one update per burst)."""
FORMAT_LABELS = {"hf": "HF README", "cyclonedx": "CycloneDX", "spdx": "SPDX", "html": "HTML"}
LABEL_WIDTH = "15em"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class Layouts:
    """Layouts shared by the form's widgets: a layout is a widget of its own, so one per kind
    (not one per input) keeps the number of widgets, and so the time to render, down."""

    def __init__(self) -> None:
        self._made: dict[str, w.Layout] = {}

    def __getitem__(self, kind: str) -> w.Layout:
        if kind not in self._made:
            self._made[kind] = w.Layout(**LAYOUTS[kind])
        return self._made[kind]


LAYOUTS: dict[str, dict[str, str]] = {
    "full": {"width": "100%"},
    "cell": {"flex": "1 1 8em", "min_width": "5em"},
    "input": {"flex": "1 1 auto", "width": "100%"},
    "area": {"flex": "1 1 auto", "width": "100%", "height": "4.5em"},
    "label": {"width": LABEL_WIDTH, "min_width": LABEL_WIDTH},
    "auto": {"width": "auto"},
    "narrow": {"width": "2.4em"},
    "badge": {"min_width": "8em"},
    "toggle": {"width": "auto", "min_width": "7.5em"},
    "side": {"flex": "0 0 auto"},
    "field": {"width": "100%", "align_items": "flex-start"},
}


class RowsEditor:
    """The rows of a list field: a row per item (a column per field column), *Add row*, and a
    remove button per row. Evidence rows are locked (their evidence columns); the columns
    evidence does not fill stay editable."""

    def __init__(self, spec: FieldSpec, on_change: Callable[[], None],
                 layouts: Layouts | None = None,
                 badge: Callable[[Any], str] | None = None) -> None:
        self.layouts = layouts or Layouts()
        self._badge = badge or (lambda source: _escape(_text(source)))
        self.spec = spec
        self.columns = spec.columns if spec.type == "rows" else ("text",)
        self._on_change = on_change
        self.rows: list[dict[str, Any]] = []
        self.cells: list[dict[str, w.Text]] = []
        self.removers: list[w.Button | None] = []
        self.box = w.VBox(layout=self.layouts["full"])
        self.add_button = w.Button(description="Add row", icon="plus",
                                   layout=self.layouts["auto"],
                                   tooltip=f"add a row to {spec.label}")
        self.add_button.on_click(lambda _: self.add_row())
        self.widget = w.VBox([self.box, self.add_button], layout=self.layouts["full"])
        self.locked = False

    def set_rows(self, rows: list[Any], *, locked: bool) -> None:
        """Show ``rows`` (dicts, or strings for a list field)."""
        self.locked = locked
        self.rows = [dict(r) if isinstance(r, Mapping) else {"text": _text(r)} for r in rows]
        self._render()

    def _render(self) -> None:
        self.cells, self.removers = [], []
        lines = []
        auto_columns = set(self.spec.auto_columns) if self.spec.type == "rows" else set()
        for i, row in enumerate(self.rows):
            from_evidence = row.get("source") not in (None, USER)
            cells: dict[str, w.Text] = {}
            for column in self.columns:
                cell = w.Text(value=_text(row.get(column)), placeholder=column,
                              layout=self.layouts["cell"],
                              disabled=self.locked or (from_evidence and column in auto_columns))
                cell.observe(lambda change, i=i, c=column: self._edit(i, c, change["new"]),
                             names="value")
                cells[column] = cell
            parts: list[w.Widget] = list(cells.values())
            remover: w.Button | None = None
            if from_evidence:
                parts.append(w.HTML(self._badge(row.get("source"))))
            if not self.locked and not from_evidence:
                remover = w.Button(icon="times", tooltip="remove this row",
                                   layout=self.layouts["narrow"])
                remover.on_click(lambda _, i=i: self.remove_row(i))
                parts.append(remover)
            self.cells.append(cells)
            self.removers.append(remover)
            lines.append(w.HBox(parts, layout=self.layouts["full"]))
        self.box.children = lines
        self.add_button.disabled = self.locked

    def _edit(self, index: int, column: str, value: str) -> None:
        self.rows[index][column] = value
        self._on_change()

    def add_row(self) -> None:
        self.rows.append({"source": USER})
        self._render()
        self._on_change()

    def remove_row(self, index: int) -> None:
        del self.rows[index]
        self._render()
        self._on_change()

    def value(self) -> list[Any]:
        if self.spec.type == "list":
            return [r.get("text", "") for r in self.rows if _text(r.get("text")).strip()]
        return [{k: v for k, v in r.items() if not (isinstance(v, str) and not v.strip())}
                for r in self.rows]


class FieldEditor:
    """One field: its label, an editor for its type, the evidence badge and, for a field
    evidence fills, the *Override* toggle."""

    def __init__(self, form: CardForm, spec: FieldSpec) -> None:
        self.form = form
        self.spec = spec
        self.layouts = form.layouts
        self.rows: RowsEditor | None = None
        self.parts: dict[str, w.Text] = {}
        self.badge: w.HTML | None = None
        self.override: w.ToggleButton | None = None
        self.editor = self._make_editor()
        label = w.HTML(f"<b>{_escape(spec.label)}</b>" + (" *" if spec.need == "R" else ""),
                       layout=self.layouts["label"], tooltip=spec.help)
        parts: list[w.Widget] = [label, self.editor]
        if spec.auto:  # evidence fills it: its badge, and the toggle that unlocks it
            self.badge = w.HTML(layout=self.layouts["badge"])
            self.override = w.ToggleButton(description="Override", value=False, icon="unlock",
                                           tooltip="replace the evidence value by hand "
                                                   "(recorded)", layout=self.layouts["toggle"])
            self.override.observe(self._toggle, names="value")
            parts.append(w.VBox([self.badge, self.override], layout=self.layouts["side"]))
        self.widget = w.HBox(parts, layout=self.layouts["field"])
        self.widget.add_class("aisec-card-field")
        self.widget.add_class(f"aisec-card-field-{spec.key}")
        self._quiet = False

    def _make_editor(self) -> w.Widget:
        spec = self.spec
        layout = self.layouts["input"]
        widget: w.Widget
        if spec.type in ("rows", "list"):
            self.rows = RowsEditor(spec, self._changed, self.layouts,
                                   badge=lambda source: source_badge(self.form.card, str(source)))
            return self.rows.widget
        if spec.type == "object":
            for column in spec.columns:
                part = w.Text(placeholder=column, layout=self.layouts["cell"])
                part.observe(lambda _: self._changed(), names="value")
                self.parts[column] = part
            return w.HBox(list(self.parts.values()), layout=layout)
        if spec.type == "longtext":
            widget = w.Textarea(placeholder=spec.help, layout=self.layouts["area"])
        elif spec.type == "choice":
            widget = w.Dropdown(options=["", *spec.options], layout=layout)
        elif spec.type == "flag":
            widget = w.Checkbox(indent=False, description=spec.help)
        else:
            hint = {"duration": "ISO 8601 duration, e.g. P6M", "date": "YYYY-MM-DD"}
            widget = w.Text(placeholder=hint.get(spec.type, spec.help[:80]), layout=layout)
        widget.observe(lambda _: self._changed(), names="value")
        self.input = widget
        return widget

    # -- showing -------------------------------------------------------------------------------

    def show(self, card: ModelCard) -> None:
        """Show the field's value in ``card`` (locked when it is evidence, not overridden)."""
        key = self.spec.key
        item = card.fields.get(key)
        value = item.value if item is not None else None
        evidence = item is not None and item.source != USER
        overridden = key in card.overrides
        self._quiet = True
        try:
            if self.override is not None and self.override.value != overridden:
                self.override.value = overridden
            if self.rows is not None:
                self.rows.set_rows(list(value) if isinstance(value, list) else [],
                                   locked=evidence and self.spec.type != "rows")
            elif self.spec.type == "object":
                for column, part in self.parts.items():
                    part.value = _text(value.get(column) if isinstance(value, Mapping) else None)
                    part.disabled = evidence
            elif self.spec.type == "flag":
                self.input.value = bool(value)
            elif self.spec.type == "choice":
                self.input.value = value if value in self.spec.options else ""
                self.input.disabled = evidence
            else:
                self.input.value = _text(value)
                self.input.disabled = evidence
        finally:
            self._quiet = False
        if self.badge is not None:
            # Evidence rows carry their own badges; the field's badge is for a whole value.
            whole = self.spec.type != "rows" or overridden
            self.badge.value = source_badge(card, item.source) if item is not None and whole \
                and (evidence or overridden) else ""
        if self.override is not None:
            self.override.disabled = not (evidence or overridden)

    # -- reading -------------------------------------------------------------------------------

    def value(self) -> Any:
        if self.rows is not None:
            return self.rows.value()
        if self.spec.type == "object":
            return {c: p.value for c, p in self.parts.items() if p.value.strip()}
        return self.input.value

    def _changed(self) -> None:
        if not self._quiet:
            self.form.edited(self)

    def _toggle(self, change: Mapping[str, Any]) -> None:
        if not self._quiet:
            self.form.set_override(self.spec.key, bool(change["new"]))


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


TAB_STYLE = ("<style>.aisec-card-form .lm-TabBar-tab{flex:0 1 auto!important;"
             "max-width:none!important}</style>")
"""Tabs as wide as their titles: the fixed width ipywidgets gives them cuts "Limitations &
failure modes" short."""


class CardForm:
    """The whole form; ``emit(card)`` receives every new card (debounced by ``debounce``
    seconds when an event loop runs, at once otherwise)."""

    def __init__(self, *, state: CardState, auto: AutoFill, emit: Callable[[ModelCard], None],
                 threats: Mapping[str, Any] | None = None, policy: CardPolicy | None = None,
                 out_dir: Path | None = None, debounce: float = DEBOUNCE_S) -> None:
        self.state = state
        self.auto = auto
        self.threats = threats
        self.policy = policy or CardPolicy()
        self.out_dir = out_dir or Path.cwd()
        self.debounce = debounce
        self._emit = emit
        self._timer: asyncio.TimerHandle | None = None
        self.card = self._build()
        self.layouts = Layouts()
        self.header = w.HTML()
        self.missing = w.HTML()
        self.message = w.HTML()
        self.editors: dict[str, FieldEditor] = {}
        self.sections: dict[str, w.Accordion] = {}
        # A group's editors are made when its tab is first shown: the form is usable sooner.
        self.pages = [w.VBox(layout=self.layouts["full"]) for _ in GROUPS]
        self.tabs = w.Tab(children=self.pages, titles=GROUPS)
        self.tabs.observe(lambda change: self._open(change["new"]), names="selected_index")
        self.export_buttons: dict[str, w.Button] = {}
        for fmt in FORMATS:
            button = w.Button(description=FORMAT_LABELS[fmt], icon="download",
                              tooltip=f"write {suggested_name(self.card, fmt)} in {self.out_dir}")
            button.on_click(lambda _, fmt=fmt: self.export(fmt))
            self.export_buttons[fmt] = button
        exports = w.HBox([w.HTML("<b>Export:</b>&nbsp;"), *self.export_buttons.values()])
        self.widget = w.VBox([self.header, self.missing, self.tabs, exports, self.message],
                             layout=w.Layout(width="100%"))
        self.widget.add_class("aisec-card-form")
        self._open(0)
        self._refresh()

    def _make(self, specs: list[FieldSpec]) -> list[w.Widget]:
        editors = [FieldEditor(self, spec) for spec in specs]
        self.editors.update((e.spec.key, e) for e in editors)
        for editor in editors:
            editor.show(self.card)
        return [e.widget for e in editors]

    def _open(self, index: int | None) -> None:
        """Make a tab's editors: the required and conditional fields at once, the optional ones
        when their section is opened."""
        if index is None or self.pages[index].children:
            return
        group = GROUPS[index]
        specs = [spec for spec in field_specs().values() if spec.group == group]
        needed = [spec for spec in specs if spec.need != "O" or spec.key in self.card.fields]
        optional = [spec for spec in specs if spec not in needed]
        children = self._make(needed)
        if optional:
            more = w.VBox(layout=self.layouts["full"])
            section = w.Accordion(children=[more], titles=[
                f"Optional fields and conditions ({len(optional)})"], selected_index=None)

            def unfold(change: Mapping[str, Any], more: w.VBox = more,
                       optional: list[FieldSpec] = optional) -> None:
                if change["new"] is not None and not more.children:
                    more.children = self._make(optional)

            section.observe(unfold, names="selected_index")
            self.sections[group] = section
            children.append(section)
        self.pages[index].children = children

    def editor(self, key: str) -> FieldEditor:
        """The editor of field ``key`` (its tab's editors, and its optional section, are made
        if they were not yet)."""
        spec = field_specs()[key]
        if key not in self.editors:
            self._open(GROUPS.index(spec.group))
        if key not in self.editors:
            self.sections[spec.group].selected_index = 0
        return self.editors[key]

    # -- state ---------------------------------------------------------------------------------

    def _build(self) -> ModelCard:
        return build_card(state=self.state, auto=self.auto, threats=self.threats,
                          policy=self.policy)

    def edited(self, editor: FieldEditor) -> None:
        """An editor changed: take its value, rebuild the card, emit it (debounced)."""
        key = editor.spec.key
        value = editor.value()
        if is_empty(value) and editor.spec.type != "flag":
            self.state.user.pop(key, None)
        else:
            self.state.user[key] = value
        self.card = self._build()
        self._refresh(skip=key)
        self._schedule()

    def set_override(self, key: str, on: bool) -> None:
        """Unlock (``on``) a field evidence fills, starting from the evidence value, or give it
        back to the evidence."""
        if on:
            self.state.overridden.add(key)
            current = self.card.value(key)
            if isinstance(current, list):
                current = [{k: v for k, v in r.items() if k != "source"}
                           if isinstance(r, Mapping) else r for r in current]
            self.state.user[key] = copy.deepcopy(current)
        else:
            self.state.overridden.discard(key)
            self.state.override_at.pop(key, None)
            self.state.user.pop(key, None)
        self.card = self._build()
        self._refresh()
        self._schedule()

    def _refresh(self, skip: str | None = None) -> None:
        card = self.card
        name = _escape(card.name or "unnamed model")
        if card.complete:
            status = "<span style='color:#1a7f37'>✓ complete</span>"
        else:
            status = (f"<span style='color:#9a6700'>{len(card.missing)} required field(s) "
                      "missing</span>")
        verdict = (f" · evidence <b>{card.verdict.upper()}</b>" if card.verdict else "")
        self.header.value = (f"{TAB_STYLE}<h3 style='margin:0.2em 0'>Model card: {name}</h3>"
                             f"{status}{verdict}")
        if card.missing or card.problems:
            names = ", ".join(f"<code>{_escape(m)}</code>" for m in card.missing)
            problems = "".join(f"<div><code>{_escape(k)}</code>: {_escape(v)}</div>"
                               for k, v in card.problems.items())
            self.missing.value = ("<div class='aisec-card-missing' style='line-height:1.6'>"
                                  f"<b>Missing required fields ({len(card.missing)}):</b> "
                                  f"{names}{problems}</div>")
        else:
            self.missing.value = "<div class='aisec-card-missing'>No required field is " \
                                 "missing.</div>"
        for key, editor in getattr(self, "editors", {}).items():
            if key != skip:
                editor.show(card)

    # -- emitting ------------------------------------------------------------------------------

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        loop = None
        if self.debounce > 0:
            with contextlib.suppress(RuntimeError):
                loop = asyncio.get_running_loop()
        if loop is None:
            self.flush()
        else:
            # call_later runs the flush in this callback's context, so the update is sent as a
            # reply to the message that made the edit.
            self._timer = loop.call_later(self.debounce, self.flush)

    def flush(self) -> None:
        """Emit the current card now (and cancel a pending debounced emit)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._emit(self.card)

    # -- exporting -----------------------------------------------------------------------------

    def export(self, fmt: str) -> Path | None:
        """Write the card in ``fmt`` next to the notebook; the message says where or why not."""
        self.flush()
        target = self.out_dir / suggested_name(self.card, fmt)
        try:
            text = export_card(self.card, fmt)
            target.write_text(text, encoding="utf-8")
        except (AisecError, OSError) as exc:
            self.message.value = (f"<span style='color:#cf222e'>{_escape(FORMAT_LABELS[fmt])} "
                                  f"export not written: {_escape(str(exc))}</span>")
            return None
        note = "" if self.card.complete else f" (the card still lacks {len(self.card.missing)} " \
                                             "required field(s))"
        self.message.value = (f"Wrote <code>{_escape(str(target))}</code>{_escape(note)}")
        return target
