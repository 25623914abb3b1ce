"""The card's fields (``fields.toml``): their group, type, whether they are required, and the
small value rules every face and exporter shares (empty, placeholder, ISO 8601 durations).

Example::

    >>> spec = field_spec("retention_time")
    >>> spec.group, spec.type, spec.need, spec.guideline
    ('Security', 'duration', 'R', True)
    >>> add_duration(datetime.date(2026, 1, 31), "P1M")
    datetime.date(2026, 2, 28)
    >>> is_empty({"name": "", "contact": None}), is_empty([{"name": "a"}])
    (True, False)
"""

from __future__ import annotations

import calendar
import datetime
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from ..errors import AisecError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

GROUPS = ("Details", "Uses", "Data", "Evaluation", "Limitations & failure modes", "Security")
"""The form's sections, grouped like the Hugging Face card, in order."""
TYPES = ("text", "longtext", "choice", "date", "duration", "flag", "list", "rows", "object")
NEEDS = ("R", "C", "O")
DATA_ROLES = ("training", "fine-tuning", "human-feedback", "operational-feedback", "evaluation")
"""What a dataset was used for: the guideline's sources of data, fine-tuning and feedback
included (no model-card format has this field; the exports carry it as an extension)."""
PROMPT_ROLES = ("system", "meta", "template", "chat-template")

PLACEHOLDERS = ("[More Information Needed]", "Model Card for Model ID", "More Information Needed")
"""Text the Hugging Face template prints for a missing value; never a value of the card."""

MAX_TEXT = 20_000
"""Characters kept of one text value (longer text is cut, and the cut is said)."""
MAX_ROWS = 500

CONDITIONS: Mapping[str, str] = MappingProxyType({
    "fine_tuned": "the model is fine-tuned from another (or an adapter)",
    "design_reviewed": "the threat model answered the model-selection questions",
    "user_facing": "users see the model's output directly",
    "generative_or_user_facing": "the model is generative or users see its output",
    "llm": "the system is an LLM with system or meta prompts",
    "distributed": "the model is distributed outside the team",
    "release": "the model is being released",
})
"""What makes a conditional (``C``) field required."""


@dataclass(frozen=True)
class FieldSpec:
    """One field of the card."""

    key: str
    group: str
    type: str
    need: str
    label: str
    help: str
    guideline: bool = False
    auto: bool = False
    when: str | None = None
    columns: tuple[str, ...] = ()
    key_columns: tuple[str, ...] = ()
    auto_columns: tuple[str, ...] = ()
    options: tuple[str, ...] = ()

    @property
    def is_list(self) -> bool:
        return self.type in ("list", "rows")


def _spec(key: str, table: Mapping[str, Any]) -> FieldSpec:
    where = f"cards/fields.toml [{key}]"
    known = {"group", "type", "need", "label", "help", "guideline", "auto", "when", "columns",
             "key", "auto_columns", "options"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise AisecError(f"{where}: unknown keys {unknown}")
    if table.get("group") not in GROUPS or table.get("type") not in TYPES or \
            table.get("need") not in NEEDS:
        raise AisecError(f"{where}: group, type or need is not one of the known values")
    if table["need"] == "C" and table.get("when") not in CONDITIONS:
        raise AisecError(f"{where}: a conditional field needs `when`, one of {list(CONDITIONS)}")
    columns = tuple(table.get("columns", ()))
    if table["type"] in ("rows", "object") and not columns:
        raise AisecError(f"{where}: a {table['type']} field needs columns")
    return FieldSpec(
        key=key, group=table["group"], type=table["type"], need=table["need"],
        label=str(table.get("label", key)), help=str(table.get("help", "")),
        guideline=bool(table.get("guideline", False)), auto=bool(table.get("auto", False)),
        when=table.get("when"), columns=columns, key_columns=tuple(table.get("key", ())),
        auto_columns=tuple(table.get("auto_columns", ())),
        options=tuple(table.get("options", ())),
    )


@cache
def field_specs() -> Mapping[str, FieldSpec]:
    """Every field, in the card's order."""
    text = resources.files("aisec_nb.cards").joinpath("fields.toml").read_text(encoding="utf-8")
    return MappingProxyType({k: _spec(k, v) for k, v in tomllib.loads(text).items()})


def field_spec(key: str) -> FieldSpec:
    """The spec of field ``key`` (raises :class:`KeyError` naming it)."""
    return field_specs()[key]


# --- values ----------------------------------------------------------------------------------


def is_placeholder(value: Any) -> bool:
    """Whether ``value`` (any JSON) holds a placeholder of the Hugging Face template.

    >>> is_placeholder("[More Information Needed]"), is_placeholder({"a": ["ok"]})
    (True, False)
    """
    if isinstance(value, str):
        return any(p.lower() in value.lower() for p in PLACEHOLDERS)
    if isinstance(value, Mapping):
        return any(is_placeholder(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_placeholder(v) for v in value)
    return False


def is_empty(value: Any) -> bool:
    """Nothing there: ``None``, blank text, or a list / mapping of nothing but empties. A flag
    set to ``False`` is a value; so is the number 0."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping):
        return all(is_empty(v) for k, v in value.items() if k != "source")
    if isinstance(value, (list, tuple)):
        return all(is_empty(v) for v in value)
    return False


_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def parse_duration(text: str) -> dict[str, int]:
    """An ISO 8601 duration (``P1Y6M``, ``P90D``, ``P2W``, ``PT12H``) as its parts; raises
    :class:`ValueError` saying what the form is.

    >>> parse_duration("P1Y6M")["months"]
    6
    """
    match = _DURATION.match(text.strip().upper()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P6M, P1Y or P90D")
    return {k: int(v) for k, v in match.groupdict(default="0").items()}


def add_duration(start: datetime.date, duration: str) -> datetime.date:
    """``start`` plus ``duration``, months and years by the calendar (31 Jan + P1M = 28 Feb)."""
    parts = parse_duration(duration)
    months = start.month - 1 + parts["months"] + 12 * parts["years"]
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    seconds = parts["hours"] * 3600 + parts["minutes"] * 60 + parts["seconds"]
    return datetime.date(year, month, day) + datetime.timedelta(
        days=parts["days"] + 7 * parts["weeks"] + seconds // 86_400)


def parse_date(text: Any) -> datetime.date:
    """A ``YYYY-MM-DD`` date (a longer ISO time is cut to its date); :class:`ValueError`
    otherwise."""
    if isinstance(text, datetime.date):
        return text
    if not isinstance(text, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", text.strip()):
        raise ValueError(f"{text!r} is not a date of the form YYYY-MM-DD")
    return datetime.date.fromisoformat(text.strip()[:10])


def value_problem(spec: FieldSpec, value: Any) -> str | None:
    """Why ``value`` is not a usable value of ``spec`` (wrong form), or ``None``."""
    if is_empty(value):
        return None
    try:
        if spec.type == "duration":
            parse_duration(str(value))
        elif spec.type == "date":
            parse_date(value)
    except ValueError as exc:
        return str(exc)
    if spec.type == "choice" and spec.options and str(value) not in spec.options:
        return f"{value!r} is not one of {', '.join(spec.options)}"
    if spec.key == "datasets" and isinstance(value, list):
        for i, row in enumerate(value, 1):
            role = row.get("role") if isinstance(row, Mapping) else None
            if not is_empty(role) and role not in DATA_ROLES:
                return f"dataset {i}: role {role!r} is not one of {', '.join(DATA_ROLES)}"
    return None


def plain(value: Any) -> Any:
    """A JSON value from what a user passes: numpy and other number-likes become ``int`` or
    ``float``, text stays text, anything else becomes its text.

    >>> import decimal
    >>> plain(decimal.Decimal("0.5")), plain(True), plain([1, "a"])
    (0.5, True, [1, 'a'])
    """
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    item = getattr(value, "item", None)
    if callable(item):
        try:
            got = item()
        except (TypeError, ValueError):
            got = None
        if type(got) in (bool, int, float, str):
            return got
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def clean_text(value: Any) -> Any:
    """Text cut to :data:`MAX_TEXT` characters; anything else as it is."""
    value = plain(value)
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + " … (cut)"
    return value


def normalise(spec: FieldSpec, value: Any) -> Any:
    """A value of ``spec``'s type from what a user or a variable gave (a string for a list is
    split into lines; a row given as a plain value fills the first column)."""
    if value is None:
        return None
    if spec.type == "flag":
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "y", "on")
        return bool(value)
    if spec.type == "list":
        items = value.splitlines() if isinstance(value, str) else list(value)
        return [clean_text(str(v).strip()) for v in items if str(v).strip()][:MAX_ROWS]
    if spec.type == "rows":
        rows = [value] if isinstance(value, Mapping) else list(value)
        out = []
        for row in rows[:MAX_ROWS]:
            if isinstance(row, Mapping):
                out.append({str(k): clean_text(v) for k, v in row.items() if v is not None})
            else:
                out.append({spec.columns[0]: clean_text(row)})
        return out
    if spec.type == "object":
        if isinstance(value, Mapping):
            return {str(k): clean_text(v) for k, v in value.items() if v is not None}
        return {spec.columns[0]: clean_text(value)}
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    return clean_text(value if isinstance(value, (int, float, bool)) else str(value))
