"""Assemble a card: evidence values (locked unless a user overrode them), the user's values, what
is required under the policy and what is missing.

:func:`build_card` is the one way a :class:`~aisec_nb.cards.model.ModelCard` is made; the widget
calls it after every edit and ``aisec-nb card`` reads its result from the notebook.

Example::

    >>> card = build_card(user={"name": "clf", "retention_time": "P2Y"})
    >>> card.name, card.complete, "retention_time" in card.missing, "version" in card.missing
    ('clf', False, False, True)
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .._version import __version__
from ..record import utc_now, worst_verdict
from .evidence import AutoFill, design_reviewed
from .fields import (
    add_duration,
    field_specs,
    is_empty,
    is_placeholder,
    normalise,
    parse_date,
    plain,
    value_problem,
)
from .model import USER, CardValue, ModelCard, Override, ToolInfo, Verdict
from .policy import DEFAULT_POLICY, CardPolicy


@dataclass
class CardState:
    """What a user gave a card: values (for evidence fields that were overridden too) and the
    evidence fields overridden. Rows of an evidence list field carry their own source; a row a
    user added has ``source: "user"``, and columns a user filled in an evidence row stay with it.
    """

    user: dict[str, Any] = field(default_factory=dict)
    overridden: set[str] = field(default_factory=set)
    override_at: dict[str, _dt.datetime] = field(default_factory=dict)

    @classmethod
    def from_card(cls, card: ModelCard | Mapping[str, Any] | None) -> CardState:
        """The user's part of a stored card: what re-running the cell restores."""
        if card is None:
            return cls()
        try:
            typed = card if isinstance(card, ModelCard) else ModelCard.model_validate(card)
        except ValidationError:  # a card this version cannot read: start afresh
            return cls()
        specs = field_specs()
        user: dict[str, Any] = {}
        for key, value in typed.fields.items():
            spec = specs.get(key)
            if value.source == USER or key in typed.overrides:
                user[key] = value.value
            elif spec is not None and spec.type == "rows" and isinstance(value.value, list):
                user[key] = value.value  # user rows and the columns a user filled in
        return cls(user=user, overridden=set(typed.overrides),
                   override_at={k: o.at for k, o in typed.overrides.items()})


def conditions(values: Mapping[str, Any], threats: Mapping[str, Any] | None) -> dict[str, bool]:
    """The conditions of the ``C`` fields, from the card's flags and the threat model."""
    flag = {k: bool(values.get(k)) for k in ("fine_tuned", "generative", "user_facing", "llm",
                                             "distributed", "release")}
    return {
        "fine_tuned": flag["fine_tuned"],
        "design_reviewed": design_reviewed(threats),
        "user_facing": flag["user_facing"],
        "generative_or_user_facing": flag["generative"] or flag["user_facing"],
        "llm": flag["llm"],
        "distributed": flag["distributed"],
        "release": flag["release"],
    }


def _merge_rows(auto: list[Any], given: Any, auto_columns: Iterable[str],
                key_columns: Iterable[str]) -> list[Any]:
    """Evidence rows with the columns a user filled in kept, then the rows a user added."""
    locked = set(auto_columns) | {"source"}
    keys = [c for c in key_columns if c in locked]
    previous = [r for r in given if isinstance(r, Mapping)] if isinstance(given, list) else []

    def ident(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return (row.get("source"), *(row.get(k) for k in keys[:1]))

    extra = {ident(r): r for r in previous if r.get("source") not in (None, USER)}
    out: list[Any] = []
    for row in auto:
        merged = dict(row)
        before = extra.get(ident(row))
        if before is not None:
            for column, value in before.items():
                if column not in locked and not is_empty(value):
                    merged[column] = value
        out.append(merged)
    out.extend(dict(r, source=USER) for r in previous if r.get("source") in (None, USER))
    return out


def _row_gaps(key: str, value: Any, columns: Iterable[str]) -> list[str]:
    gaps: list[str] = []
    needed = list(columns)
    if isinstance(value, list):
        for i, row in enumerate(value, 1):
            if isinstance(row, Mapping):
                gaps.extend(f"{key}[{i}].{c}" for c in needed if is_empty(row.get(c)))
    elif isinstance(value, Mapping):
        gaps.extend(f"{key}.{c}" for c in needed if is_empty(value.get(c)))
    return gaps


def review_due(values: Mapping[str, Any]) -> _dt.date | None:
    """When the next review is due (``last_reviewed + review_frequency``), if both are usable."""
    try:
        return add_duration(parse_date(values.get("last_reviewed")),
                            str(values.get("review_frequency")))
    except (ValueError, TypeError, OverflowError):
        return None


def build_card(
    *,
    state: CardState | None = None,
    user: Mapping[str, Any] | None = None,
    auto: AutoFill | None = None,
    threats: Mapping[str, Any] | None = None,
    policy: CardPolicy = DEFAULT_POLICY,
    now: _dt.datetime | None = None,
) -> ModelCard:
    """The card from the user's values (``state``, plus ``user`` on top) and the evidence values
    (``auto``); ``threats`` is the threat model (for the conditional fields)."""
    state = state or CardState()
    given = {**state.user, **(user or {})}
    auto = auto or AutoFill()
    when = now or utc_now()
    specs = field_specs()
    fields: dict[str, CardValue] = {}
    overrides: dict[str, Override] = {}
    for key, spec in specs.items():
        evidence = auto.fields.get(key)
        if evidence is not None and key not in state.overridden:
            if spec.type == "rows" and isinstance(evidence.value, list):
                value = _merge_rows(evidence.value, given.get(key), spec.auto_columns,
                                    spec.key_columns)
                fields[key] = CardValue(value=value, source=evidence.source)
            else:
                fields[key] = evidence
            continue
        mine = given.get(key)
        if spec.auto and spec.type == "rows" and key not in state.overridden and \
                isinstance(mine, list):
            # Evidence rows whose evidence is gone are not kept as if a user had typed them.
            mine = [r for r in mine if not isinstance(r, Mapping) or
                    r.get("source") in (None, USER)]
        if not is_empty(mine) or (spec.type == "flag" and key in given):
            value = normalise(spec, mine)
            if spec.type == "rows" and isinstance(value, list):
                value = [{k: v for k, v in r.items() if k != "source"} for r in value]
            fields[key] = CardValue(value=value, source=USER)
            if evidence is not None:
                overrides[key] = Override(at=state.override_at.get(key, when),
                                          source=evidence.source, replaced=evidence.value)
    values = {k: v.value for k, v in fields.items()}
    required = policy.required_fields(conditions(values, threats))
    missing: list[str] = []
    problems: dict[str, str] = {}
    for key, value in values.items():
        spec = specs[key]
        problem = value_problem(spec, value)
        if problem is None and is_placeholder(value):
            problem = "holds placeholder text of the Hugging Face template"
        if problem is not None:
            problems[key] = problem
    for key in required:
        needed = values.get(key)
        if is_empty(needed) or key in problems:
            missing.append(key)
        elif specs[key].type in ("rows", "object"):
            missing.extend(_row_gaps(key, needed, specs[key].key_columns))
    refs = {cid: ref for cid, ref in auto.evidence.items()
            if any(cid in _sources(v) for v in fields.values())}
    verdicts: list[Verdict] = [v for v in (r.verdict for r in refs.values()) if v is not None]
    worst: Verdict | None = worst_verdict(list(verdicts)) if verdicts else None
    name = values.get("name")
    return ModelCard(
        recorded_at=when, name=str(name) if name is not None else None, fields=fields,
        overrides=overrides, required=required, missing=tuple(missing), problems=problems,
        complete=not missing and not problems, verdict=worst, evidence=refs,
        review_due=review_due(values), tool=ToolInfo(name="aisec-nb", version=__version__),
    )


def _sources(value: CardValue) -> set[str]:
    found = {value.source[6:]} if value.source.startswith("check:") else set()
    if isinstance(value.value, list):
        for row in value.value:
            src = row.get("source") if isinstance(row, Mapping) else None
            if isinstance(src, str) and src.startswith("check:"):
                found.add(src[6:])
    if isinstance(value.value, Mapping):
        check = value.value.get("check")
        if isinstance(check, str):
            found.add(check)
    return found


def metrics_rows(metrics: Any) -> list[dict[str, Any]]:
    """Card metric rows from what a user passes: ``{"accuracy": 0.93}``,
    ``{"f1": {"value": 0.9, "dataset": "test", "slice": "age>60"}}`` or a list of such rows.

    >>> metrics_rows({"accuracy": 0.93})
    [{'type': 'accuracy', 'value': 0.93}]
    """
    rows: list[dict[str, Any]] = []
    if isinstance(metrics, Mapping):
        for name, value in metrics.items():
            if isinstance(value, Mapping):
                rows.append({"type": str(name), **{str(k): plain(v) for k, v in value.items()}})
            else:
                rows.append({"type": str(name), "value": plain(value)})
    elif isinstance(metrics, (list, tuple)):
        for row in metrics:
            if not isinstance(row, Mapping) or ("type" not in row and "name" not in row):
                raise ValueError("each metric row needs a 'type' (the metric's name)")
            entry = {str(k): plain(v) for k, v in row.items()}
            entry.setdefault("type", entry.pop("name", None))
            rows.append(entry)
    else:
        raise ValueError(f"metrics must be a dict of name -> value or a list of rows, not "
                         f"{type(metrics).__name__}")
    return rows
