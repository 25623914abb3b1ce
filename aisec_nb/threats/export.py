"""A recorded threat model as CSV (one row per risk: what spreadsheets and pandas open), JSON (the
Record's slice, as written) or Markdown (a report for a pull request or a wiki).

    >>> import datetime as dt
    >>> from .assess import Questionnaire
    >>> model = Questionnaire().assess(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    >>> to_csv(model).splitlines()[0].split(",")[:4]
    ['risk_id', 'title', 'status', 'owner']
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from .bank import STAGES

CSV_COLUMNS = (
    "risk_id", "title", "status", "owner", "response", "controls", "review_date",
    "inherent_likelihood", "inherent_impact", "inherent_severity",
    "residual_likelihood", "residual_impact", "residual_severity",
    "questions", "answers", "category", "refs", "custom", "notes", "description",
)
"""The CSV's header: one row per risk of the register, lists joined with ``"; "``."""
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _rating(risk: Mapping[str, Any], which: str, key: str) -> str:
    rating = risk.get(which)
    return str(rating.get(key) or "") if isinstance(rating, Mapping) else ""


def _joined(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def risk_rows(threats: Mapping[str, Any]) -> list[dict[str, str]]:
    """The register as rows of :data:`CSV_COLUMNS` (all strings)."""
    answers = _obj(threats.get("answers"))
    rows = []
    for risk in threats.get("risks") or []:
        if not isinstance(risk, Mapping):
            continue
        questions = [str(q) for q in risk.get("questions") or []]
        given = []
        for q in questions:
            answer = answers.get(q)
            value = answer.get("value") if isinstance(answer, Mapping) else answer
            given.append(f"{q}={value or 'unanswered'}")
        rows.append({
            "risk_id": str(risk.get("id") or ""),
            "title": str(risk.get("title") or ""),
            "status": str(risk.get("status") or "open"),
            "owner": str(risk.get("owner") or ""),
            "response": str(risk.get("response") or ""),
            "controls": _joined(risk.get("controls")),
            "review_date": str(risk.get("review_date") or ""),
            "inherent_likelihood": _rating(risk, "inherent", "likelihood"),
            "inherent_impact": _rating(risk, "inherent", "impact"),
            "inherent_severity": _rating(risk, "inherent", "severity"),
            "residual_likelihood": _rating(risk, "residual", "likelihood"),
            "residual_impact": _rating(risk, "residual", "impact"),
            "residual_severity": _rating(risk, "residual", "severity"),
            "questions": _joined(questions),
            "answers": _joined(given),
            "category": _joined(risk.get("category")),
            "refs": _joined(risk.get("refs")),
            "custom": "yes" if risk.get("custom") else "no",
            "notes": str(risk.get("notes") or ""),
            "description": str(risk.get("description") or ""),
        })
    return rows


def to_csv(threats: Mapping[str, Any]) -> str:
    """The register as CSV, one row per risk, with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(risk_rows(threats))
    return out.getvalue()


def to_json(threats: Mapping[str, Any]) -> str:
    """The threat model as the Record holds it."""
    return json.dumps(threats, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _cell(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def to_markdown(threats: Mapping[str, Any], title: str = "Threat model") -> str:
    """A Markdown report: profile, coverage per stage, the register worst first, the answers."""
    lines = [f"# {title}", ""]
    bank, summary = _obj(threats.get("bank")), _obj(threats.get("summary"))
    profile = _obj(threats.get("profile"))
    on = [k.replace("_", "-") for k, v in profile.items() if v]
    lines.append(f"Recorded {threats.get('recorded_at', '?')} with the {bank.get('name', '?')} "
                 f"question bank {bank.get('version', '?')} (MITRE ATLAS "
                 f"{threats.get('atlas_version', '?')}). Profile: "
                 f"{', '.join(on) if on else 'none of the flags'}.")
    lines.append("")
    if summary:
        lines.append(f"{summary.get('answered', 0)} of {summary.get('applicable', 0)} applicable "
                     f"questions answered ({summary.get('questions', 0)} in the bank); "
                     f"{summary.get('open', 0)} open risk(s).")
        lines.append("")
    coverage = [c for c in threats.get("coverage") or [] if isinstance(c, Mapping)]
    if coverage:
        lines += ["## Coverage", "", "| stage | subsection | answered |", "|---|---|---|"]
        for c in coverage:
            stage = STAGES.get(str(c.get("stage")), str(c.get("stage")))
            lines.append(f"| {_cell(stage)} | {_cell(c.get('subsection'))} | "
                         f"{c.get('answered', 0)}/{c.get('applicable', 0)} |")
        lines.append("")
    rows = risk_rows(threats)
    rank = {s: n for n, s in enumerate(SEVERITY_ORDER)}
    rows.sort(key=lambda r: (r["status"] == "n/a", rank.get(r["residual_severity"], 9)))
    lines += ["## Risk register", "",
              "| risk | residual | inherent | status | owner | response | review |",
              "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {_cell(r['title'])} (`{r['risk_id']}`) | {r['residual_severity']} "
            f"({r['residual_likelihood']} × {r['residual_impact']}) | {r['inherent_severity']} "
            f"| {r['status']} | {_cell(r['owner'])} | {r['response']} | {r['review_date']} |")
    lines.append("")
    answers = _obj(threats.get("answers"))
    if answers:
        lines += ["## Answers", "", "| question | answer | reason | evidence |",
                  "|---|---|---|---|"]
        for qid in sorted(answers):
            a = answers[qid] if isinstance(answers[qid], Mapping) else {"value": answers[qid]}
            ev = _obj(a.get("evidence"))
            evidence = f"{ev.get('status')}: {ev.get('why')}" if ev.get("why") else \
                str(ev.get("status") or "")
            lines.append(f"| {qid} | {a.get('value') or ''} | {_cell(a.get('reason'))} | "
                         f"{_cell(evidence)} |")
        lines.append("")
    hidden = [h for h in threats.get("hidden") or [] if isinstance(h, Mapping)]
    if hidden:
        lines += ["## Not applicable to this profile", ""]
        lines += [f"- {h.get('id')}: {h.get('why')}" for h in hidden]
        lines.append("")
    return "\n".join(lines)
