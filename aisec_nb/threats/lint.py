"""The threat model's lint rules, for a threat model the questionnaire wrote (``format``
``aisec-nb.threats/1``; others are judged by ``AISEC-POL-003`` alone):

* ``AISEC-THR-001``: applicable questions left unanswered, where the project requires a threat
  model (``require = ["threat-model"]``);
* ``AISEC-THR-002`` / ``-003``: a high / critical residual risk without an owner and a response;
* ``AISEC-THR-004``: a review date that has passed (or is not a date);
* ``AISEC-THR-005``: a partial or n/a answer without a reason;
* ``AISEC-THR-006``: a *yes* whose evidence, judged again now, failed or went stale.

``aisec-nb lint`` runs them (:func:`aisec_nb.lint.evidence.threat_rules`).

    >>> from .assess import Questionnaire
    >>> import datetime as dt
    >>> model = Questionnaire().assess(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    >>> hits = threat_hits({"threat_model": model}, None, today=dt.date(2026, 1, 2))
    >>> sorted({h.code for h in hits})
    ['AISEC-THR-002', 'AISEC-THR-003']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .vocab import FORMAT, NEEDS_REASON

INCOMPLETE = "AISEC-THR-001"
UNOWNED_HIGH = "AISEC-THR-002"
UNOWNED_CRITICAL = "AISEC-THR-003"
OVERDUE = "AISEC-THR-004"
NO_REASON = "AISEC-THR-005"
CONTRADICTED = "AISEC-THR-006"


@dataclass(frozen=True)
class ThreatHit:
    """One finding of a threat-model rule; ``subject`` is the question or risk it is about."""

    code: str
    message: str
    subject: str | None = None


def _list(ids: Iterable[str], limit: int = 6) -> str:
    items = list(ids)
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def is_questionnaire(threats: Any) -> bool:
    """Whether a threat model was written by the questionnaire (the rules read its fields)."""
    return isinstance(threats, Mapping) and threats.get("format") == FORMAT


def _risks(threats: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    risks = threats.get("risks")
    return [r for r in risks if isinstance(r, Mapping)] if isinstance(risks, list) else []


def completeness(threats: Mapping[str, Any]) -> Iterator[ThreatHit]:
    coverage = [c for c in threats.get("coverage") or [] if isinstance(c, Mapping)]
    applicable = sum(int(c.get("applicable") or 0) for c in coverage)
    answered = sum(int(c.get("answered") or 0) for c in coverage)
    if answered >= applicable:
        return
    stages: dict[str, list[int]] = {}
    for c in coverage:
        got = stages.setdefault(str(c.get("stage")), [0, 0])
        got[0] += int(c.get("answered") or 0)
        got[1] += int(c.get("applicable") or 0)
    per = ", ".join(f"{stage} {a}/{n}" for stage, (a, n) in stages.items() if a < n)
    yield ThreatHit(INCOMPLETE, f"the threat questionnaire answers {answered} of {applicable} "
                                f"applicable questions ({per})")


def register(threats: Mapping[str, Any], today: _dt.date) -> Iterator[ThreatHit]:
    for risk in _risks(threats):
        rid = str(risk.get("id") or "?")
        status = str(risk.get("status") or "open")
        if status == "n/a":
            continue
        label = f"risk {rid}" + (f" ({risk['title']})" if risk.get("title") else "")
        residual = risk.get("residual")
        severity = residual.get("severity") if isinstance(residual, Mapping) else None
        owner = str(risk.get("owner") or "").strip()
        response = risk.get("response")
        if severity in ("high", "critical") and not (owner and response):
            missing = [w for w, v in (("owner", owner), ("response", response)) if not v]
            what = "neither an owner nor a response" if len(missing) == 2 else \
                f"no {missing[0]}"
            code = UNOWNED_CRITICAL if severity == "critical" else UNOWNED_HIGH
            yield ThreatHit(code, f"{label} has a {severity} residual risk but {what}", rid)
        review = risk.get("review_date")
        if review:
            try:
                due = _dt.date.fromisoformat(str(review))
            except ValueError:
                yield ThreatHit(OVERDUE, f"{label}: review date {review!r} is not a date "
                                         "(YYYY-MM-DD)", rid)
                continue
            if due < today:
                days = (today - due).days
                yield ThreatHit(OVERDUE, f"{label}: its review date {due.isoformat()} passed "
                                         f"{days} day(s) ago", rid)


def reasons(threats: Mapping[str, Any]) -> Iterator[ThreatHit]:
    answers = threats.get("answers")
    if not isinstance(answers, Mapping):
        return
    missing = sorted(str(qid) for qid, a in answers.items() if isinstance(a, Mapping)
                     and a.get("value") in NEEDS_REASON and not str(a.get("reason") or "").strip())
    if missing:
        yield ThreatHit(NO_REASON, f"{len(missing)} partial or n/a answer(s) without a reason: "
                                   f"{_list(missing)}")


def contradicted(record: Mapping[str, Any], base: Path | None,
                 now: _dt.datetime) -> Iterator[ThreatHit]:
    from .evidence import collect, for_question

    threats = record.get("threat_model")
    answers = threats.get("answers") if isinstance(threats, Mapping) else None
    if not isinstance(answers, Mapping):
        return
    judged = None
    for qid in sorted(answers):
        answer = answers[qid]
        if not isinstance(answer, Mapping) or answer.get("value") != "yes":
            continue
        recorded = answer.get("evidence")
        kinds = recorded.get("kinds") if isinstance(recorded, Mapping) else None
        if not isinstance(kinds, list) or not kinds:
            continue
        if judged is None:
            judged = collect(record, base, now)
        now_judged = for_question([str(k) for k in kinds], judged)
        if now_judged.status in ("failed", "stale"):
            yield ThreatHit(CONTRADICTED, f"{qid} is answered yes, but its evidence is "
                                          f"{now_judged.status}: {now_judged.why}", str(qid))


def threat_hits(record: Mapping[str, Any], base: Path | None, *,
                require: frozenset[str] = frozenset(), today: _dt.date | None = None,
                now: _dt.datetime | None = None) -> list[ThreatHit]:
    """The threat-model findings of a merged record (JSON form); ``base`` is the notebook's
    folder (checked files are re-hashed there)."""
    threats = record.get("threat_model")
    if not isinstance(threats, Mapping) or not is_questionnaire(threats):
        return []
    now = now or _dt.datetime.now(_dt.timezone.utc)
    today = today or now.date()
    out: list[ThreatHit] = []
    if "threat-model" in require:
        out.extend(completeness(threats))
    out.extend(register(threats, today))
    out.extend(reasons(threats))
    out.extend(contradicted(record, base, now))
    return out
