"""Which checks recorded in the notebook support an answer, and whether they still hold.

A question names the evidence kinds that can support a *yes* (``model.scan``, ``data.hash``,
``monitor.drift``, ...). :func:`collect` reads the notebook's merged record once and judges
every kind by the checks of that kind:

* ``fresh``: at least one check of the kind, none failed, none stale;
* ``failed``: a check of the kind failed or ended in error, or found what the kind is about
  (personal data for ``data.pii``, a poisoning sign for ``data.poisoning``, missing fields for
  ``card.complete``). What a check recorded (a hash: ``model.hash``, ``data.hash``; the
  personal data counted: ``data.classified``) is evidence whatever else it found, and a monitor
  is evidence that inputs are measured whatever drift it found; a failed scan of a file the
  load guard refused is not held against ``model.scan`` (the file was not loaded), a load
  allowed by hand despite its scan is;
* ``stale``: a checked file changed or vanished since (re-hashed, as the linter does), or the
  check is older than the age limit;
* ``none``: no check of the kind is recorded.

A question's evidence (:func:`for_question`) is failed if any of its kinds failed, else stale if
any is stale, else fresh if any is fresh; ``manual`` when it names no automated kind.

    >>> now = _dt.datetime(2026, 1, 10, tzinfo=_dt.timezone.utc)
    >>> record = {"checks": {"model:m.pkl": {"kind": "model", "verdict": "pass",
    ...           "target": {"kind": "file"}, "recorded_at": "2026-01-09T00:00:00Z"}}}
    >>> e = for_question(["model.scan"], collect(record, None, now))
    >>> e.status, e.checks, e.why
    ('fresh', ('model:m.pkl',), 'check model:m.pkl passed')
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Status = Literal["fresh", "stale", "failed", "none", "manual"]

KINDS: dict[str, str] = {
    "model.scan": "a scan of the model files (%aisec check model, or the load guard)",
    "model.hash": "model files hashed by a scan",
    "model.signature": "a signature manifest found by a scan",
    "data.check": "a data check (%aisec check data)",
    "data.hash": "a data check of a source file, hashed (--source PATH)",
    "data.classified": "a data check, which counts the personal data and secrets it holds",
    "data.quality": "a data check's quality rules",
    "data.poisoning": "a data check's poisoning signs",
    "data.leakage": "a data check's leakage rules",
    "data.pii": "a data check's personal-data scan",
    "data.secrets": "a data check's secrets scan",
    "monitor.drift": "a drift monitor (%aisec monitor)",
    "monitor.ood": "a drift monitor's out-of-distribution share",
    "card.complete": "a complete model card (%aisec card)",
}
"""Every automated evidence kind a bank may name, and what provides it."""

_BAD = {"fail": "failed", "error": "ended in error"}
_FINDINGS: dict[str, tuple[tuple[str, ...], int]] = {
    # kind -> (the data rules whose findings contradict it, the mildest severity rank that does)
    "data.quality": (("AISEC-DATA-Q01", "AISEC-DATA-Q02", "AISEC-DATA-Q03", "AISEC-DATA-Q04",
                      "AISEC-DATA-Q05", "AISEC-DATA-Q06", "AISEC-DATA-Q07", "AISEC-DATA-Q08"), 3),
    "data.poisoning": (("AISEC-DATA-P01", "AISEC-DATA-P02", "AISEC-DATA-P03", "AISEC-DATA-P04",
                        "AISEC-DATA-P05"), 2),
    "data.leakage": (("AISEC-DATA-L01", "AISEC-DATA-L02", "AISEC-DATA-L03"), 3),
    "data.pii": (("AISEC-DATA-S01", "AISEC-DATA-S03", "AISEC-DATA-S04"), 2),
    "data.secrets": (("AISEC-DATA-S02",), 0),
}
HASHES = frozenset({"model.hash", "data.hash", "data.classified"})
"""Kinds about what a check recorded (a hash, the personal data found): a failed check still
recorded it."""
VERBS = {
    "data.quality": "found no quality problem of high severity",
    "data.poisoning": "found no sign of poisoning",
    "data.leakage": "found no leakage of high severity",
    "data.pii": "found no personal data",
    "data.secrets": "found no secret",
    "data.classified": "counted the personal data and secrets it holds",
}
"""What a fresh check of a data kind says (it may have failed on something else)."""
_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


@dataclass(frozen=True)
class KindEvidence:
    """One evidence kind, judged over the record."""

    kind: str
    status: Status
    checks: tuple[str, ...] = ()
    why: str = ""


@dataclass(frozen=True)
class Evidence:
    """The evidence for one question's answer."""

    status: Status
    kinds: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    why: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "kinds": list(self.kinds), "checks": list(self.checks),
                "why": self.why}

    @property
    def supports(self) -> bool:
        return self.status == "fresh"


def _time(value: Any) -> _dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=_dt.timezone.utc)


def _age_problem(label: str, payload: Mapping[str, Any], now: _dt.datetime,
                 max_age_days: int) -> str | None:
    when = _time(payload.get("recorded_at"))
    if when is None:
        return None
    days = (now - when).days
    if days > max_age_days:
        return f"{label} was recorded {days} days ago (evidence counts for {max_age_days})"
    return None


def _modified_since(path: Path, when: _dt.datetime) -> bool:
    """Whether ``path`` (a file, or any file in a folder) was modified after ``when``."""
    import os

    stamp = when.timestamp()
    if path.is_file():
        return path.stat().st_mtime > stamp
    for root, _, files in os.walk(path):
        for name in files:
            if Path(root, name).stat().st_mtime > stamp:
                return True
    return False


def _stale(check_id: str, check: Mapping[str, Any], base: Path | None,
           trust_mtime: bool) -> str | None:
    if base is None:
        return None
    from ..lint.evidence import _resolve, stale_message

    target = check.get("target") or {}
    given = target.get("path")
    when = _time(check.get("recorded_at"))
    if trust_mtime and isinstance(given, str) and when is not None:
        path = _resolve(base, given)
        size = target.get("size")
        try:
            same_size = not (path.is_file() and isinstance(size, int)
                             and path.stat().st_size != size)
            if path.exists() and same_size and not _modified_since(path, when):
                return None  # not touched since it was checked: not hashed again
        except OSError:
            pass
    message = stale_message(target, base, data=check.get("kind") == "data")
    return f"check {check_id}: {message}" if message else None


def _file_key(payload: Mapping[str, Any]) -> str | None:
    target = payload.get("target") or {}
    if not isinstance(target, Mapping):
        return None
    digest, path = target.get("sha256"), target.get("path") or target.get("name")
    return f"sha256:{digest}" if isinstance(digest, str) else (
        f"path:{path}" if isinstance(path, str) else None)


def _refused(items: Sequence[tuple[str, Mapping[str, Any]]]) -> set[str]:
    """The files the load guard refused: a failed scan of one of them was never loaded."""
    out = set()
    for _, payload in items:
        parameters = payload.get("parameters") or {}
        if payload.get("kind") == "guard" and isinstance(parameters, Mapping) and \
                parameters.get("action") == "refused":
            key = _file_key(payload)
            if key is not None:
                out.add(key)
    return out


def _contradiction(kind: str, label: str, verdict: str, found: list[Mapping[str, Any]],
                   payload: Mapping[str, Any], by_codes: bool,
                   refused: set[str] | None = None) -> str | None:
    """Why a check contradicts evidence of ``kind``, or ``None`` (a hash kind never does: a
    failed check still hashed its target). For ``model.scan`` a file the load guard refused
    is not held against the answer (it was not loaded), and the guard's refusal is the
    control working; a load allowed by hand despite its scan is."""
    if kind == "model.scan" and payload.get("kind") == "guard":
        parameters = payload.get("parameters") or {}
        action = parameters.get("action") if isinstance(parameters, Mapping) else None
        if action == "override" and verdict in ("fail", "warn", "error"):
            reason = parameters.get("reason") if isinstance(parameters, Mapping) else None
            return (f"{label}: the file was loaded despite its scan (verdict {verdict!r})"
                    + (f", allowed by hand: {reason}" if reason else ""))
        return None
    if kind.startswith("monitor."):  # measuring is the control: drift found is its finding
        return f"{label} ended in error" if verdict == "error" else None
    if kind == "model.scan" and verdict == "fail" and refused and \
            _file_key(payload) in refused:
        return None
    if verdict == "error" or (verdict == "fail" and not by_codes):
        return f"{label} {_BAD[verdict]}"
    if found:
        first = found[0]
        return f"{label} found {first.get('code')}: {first.get('message', '')}".rstrip(": ")
    if kind == "card.complete" and (payload.get("complete") is False or payload.get("missing")):
        missing = payload.get("missing") or []
        detail = f": missing {', '.join(map(str, missing))}" if missing else ""
        return f"the model card is not complete{detail}"
    return None


def _judge(kind: str, items: Sequence[tuple[str, Mapping[str, Any]]],
           stale_of: Callable[[str, Mapping[str, Any]], str | None], now: _dt.datetime,
           max_age_days: int, what: str = "check") -> KindEvidence:
    if not items:
        return KindEvidence(kind, "none", (), f"no {KINDS[kind]} is recorded in this notebook")
    failed: list[tuple[str, str]] = []
    stale: list[tuple[str, str]] = []
    fresh: list[str] = []
    codes, floor = _FINDINGS.get(kind, ((), 0))
    refused = _refused(items) if kind == "model.scan" else set()
    for item_id, payload in items:
        label = f"{what} {item_id}"
        verdict = str(payload.get("verdict") or "")
        found = [f for f in payload.get("findings") or [] if isinstance(f, Mapping)
                 and str(f.get("code", "")) in codes
                 and _RANK.get(str(f.get("severity")), 0) >= floor] if codes else []
        problem = None if kind in HASHES else _contradiction(kind, label, verdict, found,
                                                             payload, bool(codes), refused)
        if problem is not None:
            failed.append((item_id, problem))
            continue
        gone = (stale_of(item_id, payload) if what == "check" else None) or \
            _age_problem(label, payload, now, max_age_days)
        if gone:
            stale.append((item_id, gone))
        else:
            fresh.append(item_id)
    if failed:
        return KindEvidence(kind, "failed", tuple(i for i, _ in failed), failed[0][1])
    if stale:
        return KindEvidence(kind, "stale", tuple(i for i, _ in stale), stale[0][1])
    shown = ", ".join(fresh[:3]) + (f" and {len(fresh) - 3} more" if len(fresh) > 3 else "")
    many = len(fresh) > 1
    if kind in VERBS:
        verb = VERBS[kind]
    elif kind in HASHES:
        verb = "recorded their SHA-256" if many else "recorded its SHA-256"
    elif kind == "model.scan" and all(dict(items)[i].get("kind") == "guard" for i in fresh):
        verb = "refused the load" if not many else "refused the loads"
    else:
        verb = {"check": "passed", "monitor": "measures the inputs", "card": "is complete"}[what]
    noun = f"{what}s" if many and what == "check" else what
    return KindEvidence(kind, "fresh", tuple(fresh), f"{noun} {shown} {verb}")


def collect(record: Mapping[str, Any], base: Path | None, now: _dt.datetime,
            max_age_days: int = 90, *, trust_mtime: bool = False) -> dict[str, KindEvidence]:
    """Every evidence kind judged over a merged record (JSON form). ``base`` is the notebook's
    folder (checked files are re-hashed there; ``None``: not re-hashed). With ``trust_mtime``
    a file of the recorded size not modified since its check was recorded is taken as unchanged
    without hashing it again (the notebook face, which must answer quickly; the linter always
    hashes)."""
    checks: Mapping[str, Any] = record.get("checks") or {}
    items = sorted((str(k), v) for k, v in checks.items() if isinstance(v, Mapping))

    def of(*kinds: str, need: str | None = None) -> list[tuple[str, Mapping[str, Any]]]:
        out = []
        for cid, check in items:
            if check.get("kind") not in kinds:
                continue
            target = check.get("target") or {}
            summary = check.get("summary") or {}
            if need == "sha256" and not (isinstance(target, Mapping) and target.get("sha256")):
                continue
            if need == "signatures" and not (isinstance(summary, Mapping)
                                             and summary.get("signatures")):
                continue
            out.append((cid, check))
        return out

    known: dict[str, str | None] = {}

    def stale_of(check_id: str, check: Mapping[str, Any]) -> str | None:
        if check_id not in known:  # each file hashed at most once, whichever kinds read it
            known[check_id] = _stale(check_id, check, base, trust_mtime)
        return known[check_id]

    monitors = sorted((str(k), v) for k, v in (record.get("monitors") or {}).items()
                      if isinstance(v, Mapping))
    card = record.get("model_card")
    cards = [("model_card", card)] if isinstance(card, Mapping) else []
    groups: dict[str, tuple[list[tuple[str, Mapping[str, Any]]], str]] = {
        "model.scan": (of("model", "guard"), "check"),
        "model.hash": (of("model", need="sha256"), "check"),
        "model.signature": (of("model", need="signatures"), "check"),
        "data.check": (of("data"), "check"),
        "data.hash": (of("data", need="sha256"), "check"),
        "data.classified": (of("data"), "check"),
        "monitor.drift": (monitors, "monitor"),
        "monitor.ood": (monitors, "monitor"),
        "card.complete": (cards, "card"),
    }
    for kind in ("data.quality", "data.poisoning", "data.leakage", "data.pii", "data.secrets"):
        groups[kind] = (of("data"), "check")
    return {kind: _judge(kind, items_, stale_of, now, max_age_days, what)
            for kind, (items_, what) in groups.items()}


def for_question(kinds: Iterable[str], collected: Mapping[str, KindEvidence]) -> Evidence:
    """The evidence for an answer to a question naming ``kinds``."""
    automated = tuple(k for k in kinds if k != "manual")
    if not automated:
        return Evidence("manual", (), (), "no automated check can support this answer")
    judged = [collected.get(k) or KindEvidence(k, "none") for k in automated]
    for status in ("failed", "stale", "fresh"):
        hits = [j for j in judged if j.status == status]
        if hits:
            checks = tuple(dict.fromkeys(c for j in hits for c in j.checks))
            return Evidence(status, automated, checks, hits[0].why)
    return Evidence("none", automated, (), "no check in this notebook supports it yet: "
                    + "; ".join(KINDS[k] for k in automated if k in KINDS))
