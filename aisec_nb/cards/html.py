"""The card as one self-contained HTML page: inline CSS (style attributes, which survive the
sanitiser of untrusted notebook outputs), no JavaScript, every user string escaped. The same
HTML is the ``text/html`` of the card's output in the notebook.

Example::

    >>> from .build import build_card
    >>> page = export_html(build_card(user={"name": "<img src=x onerror=alert(1)>"}))
    >>> "<img" in page, "&lt;img src=x onerror=alert(1)&gt;" in page, "<script" in page
    (False, True, False)
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from .fields import GROUPS, FieldSpec, field_specs, is_empty
from .model import USER, ModelCard, source_check
from .text import text

FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;line-height:1.45"
BADGE = ("display:inline-block;padding:0 6px;border-radius:8px;font-size:11px;"
         "border:1px solid {c};color:{c};white-space:nowrap")
COLOURS = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e", "error": "#8250df"}


def esc(value: Any) -> str:
    """Any value as escaped HTML text."""
    return html.escape(text(value) if not isinstance(value, str) else value, quote=True)


def _badge(label: str, colour: str = "#57606a", title: str = "") -> str:
    tip = f" title='{esc(title)}'" if title else ""
    return f"<span style='{BADGE.format(c=colour)}'{tip}>{esc(label)}</span>"


def source_badge(card: ModelCard, source: str | None) -> str:
    """The evidence badge of a value: the check, when it was recorded, and its hash prefix."""
    if not source or source == USER:
        return _badge("user")
    check = source_check(source)
    if check is None:
        return _badge(source.replace("_", " "), "#0969da")
    ref = card.evidence.get(check)
    parts = [f"check {check}"]
    colour = "#0969da"
    if ref is not None:
        if ref.recorded_at is not None:
            parts.append(ref.recorded_at.date().isoformat())
        digest = ref.sha256 or ref.content_hash
        if digest:
            parts.append(f"{digest[:12]}…")
        colour = COLOURS.get(ref.verdict or "", colour)
    label = " · ".join(parts)
    # The whole label as the tooltip too: a narrow form cuts the badge short.
    return _badge(label, colour, f"{label} (verdict {ref.verdict})" if ref else label)


def _cell(value: Any) -> str:
    return esc(value) if not is_empty(value) else ""


def _value(card: ModelCard, spec: FieldSpec, value: Any) -> str:
    if spec.type == "rows" and isinstance(value, list):
        columns = list(spec.columns)
        head = "".join(f"<th style='text-align:left;padding:1px 6px'>{esc(c)}</th>"
                       for c in columns)
        body = []
        for row in value:
            if not isinstance(row, Mapping):
                continue
            cells = "".join(f"<td style='padding:1px 6px;word-break:break-all'>"
                            f"{_cell(row.get(c))}</td>" for c in columns)
            badge = source_badge(card, row.get("source")) if "source" in row else ""
            body.append(f"<tr>{cells}<td>{badge}</td></tr>")
        return (f"<table style='border-collapse:collapse'><tr>{head}<th></th></tr>"
                f"{''.join(body)}</table>")
    if spec.type == "list" and isinstance(value, list):
        return "<ul style='margin:0;padding-left:1.2em'>" + "".join(
            f"<li>{esc(v)}</li>" for v in value) + "</ul>"
    if spec.type == "longtext":
        return "<br>".join(esc(line) for line in str(value).splitlines())
    return esc(value)


def card_html(card: ModelCard) -> str:
    """The card as an HTML fragment (one ``<div>``)."""
    specs = field_specs()
    name = card.name or "unnamed model"
    status = ("complete" if card.complete else f"{len(card.missing)} required field(s) missing")
    colour = "#1a7f37" if card.complete else "#9a6700"
    parts = [f"<div style=\"{FONT};max-width:60em\" data-aisec-card='1'>",
             f"<h3 style='margin:0.2em 0'>Model card: {esc(name)} {_badge(status, colour)}"]
    if card.verdict is not None:
        parts.append(" " + _badge(f"evidence {card.verdict.upper()}",
                                  COLOURS.get(card.verdict, "#57606a")))
    parts.append("</h3>")
    if card.missing or card.problems:
        names = ", ".join(f"<code>{esc(m)}</code>" for m in card.missing)
        problems = "".join(f"<div><code>{esc(k)}</code>: {esc(v)}</div>"
                           for k, v in card.problems.items())
        parts.append("<div style='border:1px solid #d4a72c;background:#fff8c5;color:#3b2300;"
                     "padding:4px 8px;margin:4px 0;line-height:1.6'><b>Missing required fields "
                     f"({len(card.missing)}):</b> {names}{problems}</div>")
    if card.review_due is not None:
        parts.append(f"<p style='margin:2px 0'>Next review due: {esc(card.review_due)}</p>")
    for group in GROUPS:
        rows = []
        for key, spec in specs.items():
            if spec.group != group or key not in card.fields:
                continue
            value = card.fields[key]
            if is_empty(value.value) and spec.type != "flag":
                continue
            note = ""
            if key in card.overrides:
                was = card.overrides[key]
                note = (f"<div style='font-size:11px;color:#57606a'>overrides the value from "
                        f"{esc(was.source)} ({esc(was.replaced)})</div>")
            badge = source_badge(card, value.source) if spec.type != "rows" or \
                value.source == USER else ""
            rows.append(f"<tr><th style='text-align:left;vertical-align:top;padding:2px 8px 2px "
                        f"0;white-space:nowrap'>{esc(spec.label)}</th><td style='padding:2px 0'>"
                        f"{_value(card, spec, value.value)}{note}</td>"
                        f"<td style='vertical-align:top;padding:2px 0 2px 8px'>{badge}</td></tr>")
        if rows:
            parts.append(f"<h4 style='margin:0.6em 0 0.2em'>{esc(group)}</h4>"
                         f"<table style='border-collapse:collapse'>{''.join(rows)}</table>")
    if card.evidence:
        listed = "".join(
            f"<li>{_badge(ref.verdict or '?', COLOURS.get(ref.verdict or '', '#57606a'))} "
            f"<code>{esc(cid)}</code> ({esc(ref.kind)})</li>"
            for cid, ref in sorted(card.evidence.items()))
        parts.append(f"<h4 style='margin:0.6em 0 0.2em'>Evidence</h4><ul style='margin:0;"
                     f"padding-left:1.2em'>{listed}</ul>")
    tool = f"aisec-nb {esc(card.tool.version)}" if card.tool else "aisec-nb"
    parts.append(f"<p style='font-size:11px;color:#57606a;margin-top:6px'>{tool}, recorded "
                 f"{esc(card.recorded_at.isoformat(timespec='seconds'))}</p></div>")
    return "".join(parts)


def export_html(card: ModelCard) -> str:
    """A whole HTML document for the card."""
    title = esc(f"Model card: {card.name or 'unnamed model'}")
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title}</title></head><body style='margin:1.5em'>"
            f"{card_html(card)}</body></html>\n")
