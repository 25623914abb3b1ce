"""The Hugging Face ``README.md``: YAML front matter and the HF card's headings.

The front matter holds only the Hub's standard keys, in a fixed order (``license``,
``license_name``, ``library_name``, ``tags``, ``datasets``, ``base_model``, ``pipeline_tag``,
``metrics``, ``language``, ``model-index``), then one ``aisec:`` block with the whole card: its
fields, their sources, overrides, evidence and what is missing. ``model-index`` is generated from
the card's metrics, one result per dataset. The template's placeholder strings are never written:
a field without a value is left out. The same card gives the same bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from ..record import to_json
from .fields import field_specs
from .licenses import hf_id
from .model import ModelCard
from .text import items, rows, text, usable
from .yamlout import dump

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
NOT_RECORDED = "Not recorded in this card."


def aisec_block(card: ModelCard) -> dict[str, Any]:
    """The ``aisec:`` block of the front matter: the card as the Record keeps it."""
    data = to_json(card)
    return {k: data[k] for k in ("card_version", "recorded_at", "name", "complete", "verdict",
                                 "required", "missing", "problems", "review_due", "fields",
                                 "overrides", "evidence", "tool") if k in data}


def _number(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        return float(str(value))
    except ValueError:
        return str(value)


def model_index(card: ModelCard) -> list[dict[str, Any]] | None:
    """``model-index`` from the card's metrics: one result per dataset, metrics in card order."""
    metrics = [m for m in rows(card, "metrics") if m.get("type") and "value" in m]
    if not metrics:
        return None
    evaluation = [d.get("name") for d in rows(card, "datasets") if d.get("role") == "evaluation"]
    fallback = str(evaluation[0]) if evaluation and evaluation[0] else "evaluation data"
    task = str(usable(card, "task") or "other")
    results: dict[str, list[dict[str, Any]]] = {}
    for m in metrics:
        dataset = str(m.get("dataset") or fallback)
        entry: dict[str, Any] = {"type": str(m["type"]), "value": _number(m["value"])}
        label = str(m["type"]) + (f" ({m['slice']})" if m.get("slice") else "")
        if label != entry["type"]:
            entry["name"] = label
        results.setdefault(dataset, []).append(entry)
    return [{"name": str(usable(card, "name") or "model"), "results": [
        {"task": {"type": task}, "dataset": {"type": name, "name": name}, "metrics": found}
        for name, found in results.items()]}]


def front_matter(card: ModelCard) -> dict[str, Any]:
    """The front matter, keys in their fixed order."""
    out: dict[str, Any] = {}
    licence = usable(card, "license")
    if licence:
        out["license"] = hf_id(str(licence))
        if out["license"] == "other":
            out["license_name"] = str(licence)
    libraries = rows(card, "library")
    if libraries and libraries[0].get("name"):
        out["library_name"] = str(libraries[0]["name"])
    if items(card, "tags"):
        out["tags"] = items(card, "tags")
    hub = [str(d["uri"]) for d in rows(card, "datasets") if _HUB_ID.match(str(d.get("uri", "")))]
    if hub:
        out["datasets"] = hub
    base = usable(card, "base_model")
    if isinstance(base, Mapping) and base.get("id"):
        out["base_model"] = str(base["id"])
    if usable(card, "task"):
        out["pipeline_tag"] = str(usable(card, "task"))
    metric_types = list(dict.fromkeys(str(m["type"]) for m in rows(card, "metrics")
                                      if m.get("type")))
    if metric_types:
        out["metrics"] = metric_types
    if items(card, "language"):
        out["language"] = items(card, "language")
    index = model_index(card)
    if index is not None:
        out["model-index"] = index
    out["aisec"] = aisec_block(card)
    return out


def md(value: Any) -> str:
    """User text for Markdown: HTML escaped, one line, nothing that starts a block."""
    line = " ".join(html.escape(text(value), quote=False).split())
    line = line.replace("|", "\\|")
    if re.match(r"^(#|>|-{3,}|[-*+] |\d+[.)] |=+$)", line):
        line = "\\" + line
    return line


def _paragraph(value: Any) -> list[str]:
    out = []
    for para in re.split(r"\n\s*\n", str(value)):
        line = md(para)
        if line:
            out.extend([line, ""])
    return out


def _bullets(values: list[str]) -> list[str]:
    return [f"- {md(v)}" for v in values] + [""] if values else [NOT_RECORDED, ""]


def _table(columns: list[str], data: list[dict[str, Any]]) -> list[str]:
    if not data:
        return [NOT_RECORDED, ""]
    head = "| " + " | ".join(columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(md(r.get(c, "")) for c in columns) + " |" for r in data]
    return [head, rule, *body, ""]


def _row(row: Any) -> str:
    """A row as its first value with the others in brackets: ``numpy (2.4.1)``."""
    if not isinstance(row, Mapping):
        return text(row)
    values = [text(v) for k, v in row.items() if k != "source" and text(v)]
    return f"{values[0]} ({', '.join(values[1:])})" if len(values) > 1 else "".join(values)


def _facts(card: ModelCard, keys: list[str]) -> list[str]:
    specs = field_specs()
    out = []
    for key in keys:
        value = usable(card, key)
        if value is None:
            continue
        shown = (", ".join(_row(r) for r in value) if isinstance(value, list) else text(value))
        out.append(f"- **{specs[key].label}:** {md(shown)}")
    return [*out, ""] if out else []


def body(card: ModelCard) -> str:
    """The Markdown below the front matter."""
    name = usable(card, "name") or "Model card"
    lines = [f"# {md(name)}", ""]
    if usable(card, "summary"):
        lines += _paragraph(usable(card, "summary"))
    lines += ["## Model Details", "", "### Model Description", ""]
    lines += _facts(card, ["version", "owners", "security_contact", "license", "task",
                           "approach", "architecture", "library", "base_model",
                           "download_location", "release_time"]) or [NOT_RECORDED, ""]
    if usable(card, "selection_rationale"):
        lines += ["### Why this model", "", *_paragraph(usable(card, "selection_rationale"))]
    lines += ["## Uses", "", "### Direct Use", "", *_bullets(items(card, "intended_uses"))]
    if items(card, "intended_users"):
        lines += ["### Intended Users", "", *_bullets(items(card, "intended_users"))]
    lines += ["### Out-of-Scope Use", "", *_bullets(items(card, "out_of_scope_uses"))]
    if usable(card, "user_data_usage"):
        lines += ["### Use of User Data", "", *_paragraph(usable(card, "user_data_usage"))]
    lines += ["## Bias, Risks, and Limitations", "", *_bullets(items(card, "limitations"))]
    lines += ["### Failure Modes", "", *_bullets(items(card, "failure_modes"))]
    if rows(card, "guardrails"):
        lines += ["### Guardrails", "", *_table(["name", "type", "where"], rows(card,
                                                                               "guardrails"))]
    if rows(card, "open_risks"):
        lines += ["### Open Risks (threat model)", "",
                  *_table(["id", "title", "severity", "status"], rows(card, "open_risks"))]
    for key, title in (("fairness", "Fairness and Ethical Considerations"),
                       ("tradeoffs", "Trade-offs")):
        if items(card, key):
            lines += [f"### {title}", "", *_bullets(items(card, key))]
    lines += ["## Training Details", "", "### Training Data", "",
              *_table(["name", "role", "rows", "sha256", "contains_pii", "pii_cells", "uri",
                       "license"], rows(card, "datasets"))]
    lines += _facts(card, ["uses_sensitive_personal_data"])
    if usable(card, "preprocessing") or rows(card, "hyperparameters"):
        lines += ["### Training Procedure", ""]
        if usable(card, "preprocessing"):
            lines += _paragraph(usable(card, "preprocessing"))
        if rows(card, "hyperparameters"):
            lines += _table(["name", "value"], rows(card, "hyperparameters"))
    lines += ["## Evaluation", "", "### Results", "",
              *_table(["type", "value", "dataset", "slice", "ci"], rows(card, "metrics"))]
    if rows(card, "security_evaluation"):
        lines += ["### Security Evaluation", "",
                  *_table(["kind", "tool", "result", "date"], rows(card, "security_evaluation"))]
    if usable(card, "explainability"):
        lines += ["### Model Examination", "", *_paragraph(usable(card, "explainability"))]
    if usable(card, "environment"):
        lines += ["## Environmental Impact", "", *_paragraph(usable(card, "environment"))]
    if usable(card, "inputs") or usable(card, "outputs"):
        lines += ["## Technical Specifications", "", *_facts(card, ["inputs", "outputs"])]
    lines += ["## Security", "", "### Model Files", "",
              *_table(["path", "sha256", "size", "format", "scan_verdict"],
                      rows(card, "artifacts"))]
    lines += _facts(card, ["signature", "retention_time", "review_frequency", "last_reviewed",
                           "threat_model"])
    if card.review_due is not None:
        lines += [f"- **Next review due:** {card.review_due.isoformat()}", ""]
    if rows(card, "prompts"):
        lines += ["### Prompts", "", *_table(["name", "role", "sha256", "version"],
                                             rows(card, "prompts"))]
    if card.evidence:
        lines += ["### Evidence", ""]
        lines += [f"- `{md(cid)}`: {md(ref.kind)} check, verdict {md(ref.verdict or '?')}, "
                  f"recorded {ref.recorded_at.isoformat() if ref.recorded_at else '?'}"
                  for cid, ref in sorted(card.evidence.items())] + [""]
    if card.missing:
        lines += ["### Missing Required Fields", "", *[f"- {md(m)}" for m in card.missing], ""]
    if items(card, "references") or usable(card, "citation"):
        lines += ["## Citation", ""]
        if items(card, "references"):
            lines += _bullets(items(card, "references"))
        if usable(card, "citation"):
            lines += _paragraph(usable(card, "citation"))
    contact = usable(card, "security_contact")
    if contact:
        lines += ["## Model Card Contact", "", md(contact), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def export_hf(card: ModelCard) -> str:
    """The whole ``README.md``."""
    return f"---\n{dump(front_matter(card))}---\n\n{body(card)}"
