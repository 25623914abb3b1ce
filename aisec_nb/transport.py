"""How evidence travels from the kernel into the ``.ipynb``, and the one rule that merges it.

The kernel cannot write notebook metadata, so every result is displayed as a MIME bundle whose
``application/vnd.aisec.v1+json`` item is a *fragment*::

    {"schema_version": 1, "kind": "check", "id": "model:model.pkl", "payload": {...}}

Front ends save outputs, so a notebook carries fragments in its outputs and, once synced, a merged
record in ``metadata.aisec``. :func:`read_record` reads both and merges them by one rule:

* entries are keyed by slot and id (``checks[id]``, ``monitors[id]``, ``threat_model``,
  ``model_card``);
* per key the entry with the newest ``payload.recorded_at`` wins;
* equal times are broken by the larger canonical JSON text of the payload, so the result
  does not depend on the order in which sources are read;
* unknown fields inside payloads and unknown top-level keys of ``metadata.aisec`` are kept.

The rule is specified by the JSON vectors in ``tests/fixtures/merge/``.
"""

from __future__ import annotations

import copy
import datetime as _dt
import functools
import html
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .errors import RecordError, UsageError
from .record import (
    SCHEMA_VERSION,
    CheckResult,
    MonitorSummary,
    NotebookRecord,
    check_from_json,
    to_json,
)

MIME_TYPE = "application/vnd.aisec.v1+json"

KEYED_SLOTS = {"check": "checks", "monitor": "monitors"}
"""Fragment kinds stored as ``slot[id]``."""
SINGLE_SLOTS = {"threat_model": "threat_model", "model_card": "model_card"}
"""Fragment kinds of which a notebook holds one."""
FRAGMENT_KINDS = frozenset(KEYED_SLOTS) | frozenset(SINGLE_SLOTS)

_VALIDATORS: dict[str, Callable[[Any], object]] = {
    "checks": check_from_json,
    "monitors": MonitorSummary.model_validate,
}
"""How each slot's payloads are validated (the typed Record models); the payload itself is kept
as read, so fields a newer aisec-nb wrote survive the merge."""


def empty_record() -> dict[str, Any]:
    """The JSON form of a record with nothing in it."""
    return {
        "schema_version": SCHEMA_VERSION,
        "checks": {},
        "threat_model": None,
        "model_card": None,
        "monitors": {},
    }


def check_fragment(result: CheckResult) -> dict[str, Any]:
    """The fragment that carries a check result."""
    return make_fragment("check", result.id, to_json(result))


def make_fragment(kind: str, fragment_id: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """A fragment of ``kind`` (see :data:`FRAGMENT_KINDS`); ``payload`` needs ``recorded_at``."""
    if kind not in FRAGMENT_KINDS:
        msg = f"unknown fragment kind {kind!r}; expected one of {sorted(FRAGMENT_KINDS)}"
        raise UsageError(msg)
    return {"schema_version": SCHEMA_VERSION, "kind": kind, "id": fragment_id, "payload": payload}


def build_bundle(
    fragment: Mapping[str, Any], *, html_text: str, plain_text: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``(data, metadata)`` pair to hand to ``IPython.display.display(..., raw=True)``."""
    data = {"text/plain": plain_text, "text/html": html_text, MIME_TYPE: dict(fragment)}
    return data, {}


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One keyed piece of evidence found in a notebook, and where it was found."""

    slot: str
    id: str | None
    payload: Mapping[str, Any]
    cell: int | None = None
    """0-based index of the cell whose output carried it; ``None`` for ``metadata.aisec``."""

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.slot, self.id)


@dataclass(frozen=True)
class NotebookEvidence:
    """A notebook's merged record and, per key, the cell that shows the winning entry."""

    record: dict[str, Any]
    cells: dict[tuple[str, str | None], int] = field(default_factory=dict)

    @functools.cached_property
    def typed(self) -> NotebookRecord:
        """The merged record as the typed Record (checks by kind, monitors), validated on first
        use and kept (a linter's rules all read it).

        >>> read_record({"metadata": {}, "cells": []}).typed.checks
        {}
        """
        return NotebookRecord.model_validate(self.record)

    def cell_of_check(self, check_id: str) -> int | None:
        """0-based index of the cell that displayed check ``check_id``, if any does."""
        return self.cells.get(("checks", check_id))


def _parse_time(value: Any, where: str, notebook: str) -> _dt.datetime:
    if not isinstance(value, str):
        raise RecordError(notebook, f"{where}: recorded_at is missing or not a string")
    try:
        parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(
            notebook, f"{where}: recorded_at {value!r} is not an ISO 8601 time"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.timezone.utc)
    return parsed


def _canonical(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _validate_payload(slot: str, payload: Any, where: str, notebook: str) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise RecordError(
            notebook, f"{where}: expected a JSON object, found {type(payload).__name__}"
        )
    validate = _VALIDATORS.get(slot)
    if validate is not None:
        _parse_time(payload.get("recorded_at"), where, notebook)  # the merge key, checked first
        try:
            validate(payload)
        except ValidationError as exc:
            first = exc.errors()[0]
            # The first element of a tagged union's path is the tag: not a field of the payload.
            parts = [str(p) for p in first["loc"]]
            if slot == "checks" and parts and parts[0] in ("model", "guard", "data", "other"):
                parts = parts[1:]
            raise RecordError(notebook, f"{where}: {'.'.join(parts)}: {first['msg']}") from None
    return payload


def _check_version(version: Any, where: str, notebook: str) -> None:
    if not isinstance(version, int) or isinstance(version, bool):
        raise RecordError(
            notebook, f"{where}: schema_version must be an integer, found {version!r}"
        )
    if version > SCHEMA_VERSION:
        raise RecordError(
            notebook,
            f"{where}: written by a newer aisec-nb (schema {version}, this one reads up to "
            f"{SCHEMA_VERSION}); upgrade aisec-nb",
        )


def metadata_entries(aisec: Any, notebook: str = "<notebook>") -> Iterator[Entry]:
    """The entries of a ``metadata.aisec`` value (which may be absent: ``None``)."""
    if aisec is None:
        return
    if not isinstance(aisec, Mapping):
        raise RecordError(
            notebook, f"metadata.aisec is a {type(aisec).__name__}, not an aisec-nb record object"
        )
    if "schema_version" not in aisec:
        raise RecordError(notebook, "metadata.aisec has no schema_version: not an aisec-nb record")
    _check_version(aisec["schema_version"], "metadata.aisec", notebook)
    for slot in KEYED_SLOTS.values():
        items = aisec.get(slot) or {}
        if not isinstance(items, Mapping):
            raise RecordError(notebook, f"metadata.aisec.{slot} must be an object keyed by id")
        for key, payload in items.items():
            where = f"metadata.aisec.{slot}[{key!r}]"
            yield Entry(slot, str(key), _validate_payload(slot, payload, where, notebook))
    for slot in SINGLE_SLOTS.values():
        payload = aisec.get(slot)
        if payload is not None:
            yield Entry(
                slot, None, _validate_payload(slot, payload, f"metadata.aisec.{slot}", notebook)
            )


def fragment_entry(fragment: Any, where: str, notebook: str, cell: int | None) -> Entry | None:
    """The entry a fragment carries; ``None`` for a kind this version does not know."""
    if isinstance(fragment, str):  # some front ends store JSON MIME data as a string
        try:
            fragment = json.loads(fragment)
        except json.JSONDecodeError:
            raise RecordError(notebook, f"{where}: {MIME_TYPE} output is not valid JSON") from None
    if not isinstance(fragment, Mapping):
        raise RecordError(notebook, f"{where}: {MIME_TYPE} output is not a JSON object")
    _check_version(fragment.get("schema_version"), where, notebook)
    kind = fragment.get("kind")
    if kind not in FRAGMENT_KINDS:
        return None
    slot = KEYED_SLOTS.get(kind) or SINGLE_SLOTS[kind]
    fid = fragment.get("id")
    if kind in KEYED_SLOTS and not isinstance(fid, str):
        raise RecordError(notebook, f"{where}: a {kind} fragment needs a string id")
    payload = _validate_payload(slot, fragment.get("payload"), where, notebook)
    return Entry(slot, fid if kind in KEYED_SLOTS else None, payload, cell)


def output_entries(cells: Any, notebook: str = "<notebook>") -> Iterator[Entry]:
    """The entries carried by the outputs of a notebook's cells (nbformat v4 dicts)."""
    if not isinstance(cells, list):
        raise RecordError(notebook, "the notebook has no list of cells")
    for index, cell in enumerate(cells):
        outputs = cell.get("outputs") if isinstance(cell, Mapping) else None
        for out_index, output in enumerate(outputs or []):
            data = output.get("data") if isinstance(output, Mapping) else None
            if isinstance(data, Mapping) and MIME_TYPE in data:
                where = f"cell {index + 1}, output {out_index + 1}"
                entry = fragment_entry(data[MIME_TYPE], where, notebook, index)
                if entry is not None:
                    yield entry


def merge_entries(
    entries: Iterable[Entry], base: Mapping[str, Any] | None = None, notebook: str = "<notebook>"
) -> NotebookEvidence:
    """Merge entries by the newest-wins rule into a record (JSON form).

    ``base`` is the existing ``metadata.aisec``; its unknown top-level keys are carried over.
    """
    best: dict[tuple[str, str | None], tuple[_dt.datetime, str, Entry]] = {}
    shown_in: dict[tuple[str, str | None], list[Entry]] = {}
    for entry in entries:
        where = f"{entry.slot}[{entry.id!r}]" if entry.id is not None else entry.slot
        when = _parse_time(entry.payload.get("recorded_at"), where, notebook)
        rank = (when, _canonical(entry.payload), entry)
        current = best.get(entry.key)
        if current is None or rank[:2] > current[:2]:
            best[entry.key] = rank
        if entry.cell is not None:
            shown_in.setdefault(entry.key, []).append(entry)

    record = empty_record()
    if base is not None:
        for name, value in base.items():
            if name not in record:
                record[name] = copy.deepcopy(value)
    cells: dict[tuple[str, str | None], int] = {}
    for key in sorted(best, key=lambda k: (k[0], k[1] or "")):
        winner = best[key][2]
        slot, fid = key
        # A copy: the record is the caller's to change, the notebook it came from is not.
        payload = copy.deepcopy(dict(winner.payload))
        if fid is None:
            record[slot] = payload
        else:
            record[slot][fid] = payload
        carriers = shown_in.get(key, [])
        same = [e for e in carriers if e.payload == winner.payload]
        chosen = (same or carriers)[-1:] if carriers else []
        if chosen and chosen[0].cell is not None:
            cells[key] = chosen[0].cell
    return NotebookEvidence(record=record, cells=cells)


def read_record(nb: Mapping[str, Any], notebook: str = "<notebook>") -> NotebookEvidence:
    """The merged record of a notebook (an nbformat v4 dict), from metadata and outputs.

    >>> read_record({"metadata": {}, "cells": []}).record["checks"]
    {}
    """
    metadata = nb.get("metadata")
    if not isinstance(metadata, Mapping):
        raise RecordError(notebook, "the notebook has no metadata object")
    aisec = metadata.get("aisec")
    entries = [*metadata_entries(aisec, notebook), *output_entries(nb.get("cells"), notebook)]
    base = aisec if isinstance(aisec, Mapping) else None
    return merge_entries(entries, base, notebook)


def plain_summary(result: CheckResult) -> str:
    """A few lines of plain text for a check result (the ``text/plain`` of its bundle)."""
    lines = [f"aisec {result.kind} check {result.id}: {result.verdict.upper()}"]
    for f in result.findings[:20]:
        where = f" [{f.location.describe()}]" if f.location is not None else ""
        lines.append(f"  {f.severity:<8} {f.code} {f.message}{where}")
    if len(result.findings) > 20:
        lines.append(f"  ... and {len(result.findings) - 20} more findings")
    return "\n".join(lines)


def escape(value: object) -> str:
    """HTML-escape anything for inclusion in a report."""
    return html.escape(str(value), quote=True)


__all__ = [
    "FRAGMENT_KINDS", "KEYED_SLOTS", "MIME_TYPE", "SINGLE_SLOTS", "Entry", "NotebookEvidence",
    "build_bundle", "check_fragment", "empty_record", "escape", "fragment_entry",
    "make_fragment", "merge_entries", "metadata_entries", "output_entries", "plain_summary",
    "read_record",
]
