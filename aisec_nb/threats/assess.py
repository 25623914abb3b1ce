"""The questionnaire's state and the threat model it gives: answers and profile in, register out.

:class:`Questionnaire` holds what a user decides (profile, answers, the register's owners,
responses, controls, review dates, ratings given by hand, risks of their own) and the notebook's
evidence; :meth:`Questionnaire.assess` computes the threat model the Record keeps.

The rules, per risk of the register:

* **inherent**: likelihood from the most mature ATLAS technique the risk references (realized
  HIGH, demonstrated MEDIUM, feasible LOW), else the bank's default; impact the bank's default,
  at least HIGH for confidentiality and integrity risks once the criticality question (DE2.4)
  is answered yes; a rating given by hand (levels or OWASP's factors) replaces either side;
* **residual**: each linked question answered *yes* lowers the likelihood one level, unless its
  evidence failed or went stale, which cancels the reduction and says why; a *yes* without
  automated evidence lowers it too but is marked unevidenced; *partial*, *no* and *n/a* lower
  nothing; the impact is unchanged;
* **status**: ``n/a`` when every applicable question linked to the risk is answered n/a; the
  response's participle (``mitigated``, ``transferred``, ``avoided``, ``accepted``) once the risk
  has an owner and a response; ``open`` otherwise.

*partial* and *n/a* need a reason: without one the answer is kept but not counted as answered.

    >>> import datetime as dt
    >>> q = Questionnaire(builtin_bank())
    >>> q.answer("DV1.1", "yes")
    >>> tm = q.assess(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    >>> risk = next(r for r in tm["risks"] if r["id"] == "malicious-model-file")
    >>> risk["inherent"]["severity"], risk["residual"]["likelihood"], risk["reductions"][0]["note"]
    ('critical', 'medium', 'DV1.1 yes, unevidenced: no check in this notebook supports it yet: a scan of the model files (%aisec check model, or the load guard)')
"""  # noqa: E501

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .._version import __version__
from ..errors import UsageError
from . import scoring
from .bank import PROFILE_FLAGS, STAGES, Bank, Question, builtin_bank, hidden_because
from .evidence import Evidence, KindEvidence, for_question
from .refs import atlas_version, resolve
from .vocab import ANSWERS, FORMAT, NEEDS_REASON, RESPONSES, STATUS_OF_RESPONSE

CATEGORIES = ("confidentiality", "integrity", "availability", "accountability")
FLOORED = frozenset({"confidentiality", "integrity"})
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class AnswerInput:
    value: str | None = None
    reason: str = ""
    answered_at: str | None = None

    @property
    def complete(self) -> bool:
        """Answered, with a reason where one is needed."""
        return self.value is not None and (self.value not in NEEDS_REASON or
                                           bool(self.reason.strip()))


@dataclass(frozen=True)
class RiskInput:
    """What a user sets on a register entry (and, for a risk of their own, what it is)."""

    owner: str = ""
    response: str | None = None
    controls: tuple[str, ...] = ()
    review_date: str | None = None
    notes: str = ""
    likelihood: str | None = None
    impact: str | None = None
    factors: Mapping[str, float] = field(default_factory=dict)
    reason: str = ""
    title: str | None = None
    """For a risk of the user's own (``custom``): its title."""
    description: str = ""
    category: tuple[str, ...] = ()
    custom: bool = False

    @property
    def override(self) -> dict[str, Any] | None:
        if self.likelihood is None and self.impact is None and not self.factors:
            return None
        return {"likelihood": self.likelihood, "impact": self.impact,
                "factors": dict(self.factors), "reason": self.reason}


RISK_FIELDS = ("owner", "response", "controls", "review_date", "notes", "likelihood", "impact",
               "factors", "reason", "title", "description", "category")


def _iso(when: _dt.datetime) -> str:
    return when.astimezone(_dt.timezone.utc).isoformat()


def check_date(value: Any, what: str = "review_date") -> str | None:
    """An ISO date (``YYYY-MM-DD``) from a string, a ``date`` or ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        if not DATE.match(text):
            raise ValueError
        _dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None
    return text


class Questionnaire:
    """A threat-modelling questionnaire over a bank: the state a user edits, and the threat
    model it gives (:meth:`assess`)."""

    def __init__(self, bank: Bank | None = None, profile: Iterable[str] = (),
                 evidence: Mapping[str, KindEvidence] | None = None) -> None:
        self.bank = bank or builtin_bank()
        self.profile: frozenset[str] = frozenset(profile)
        unknown = sorted(self.profile - set(PROFILE_FLAGS))
        if unknown:
            raise UsageError(f"profile: unknown flag {unknown[0]!r}")
        self.answers: dict[str, AnswerInput] = {}
        self.register: dict[str, RiskInput] = {}
        self.evidence: dict[str, KindEvidence] = dict(evidence or {})

    # --- what a user does --------------------------------------------------------------------

    def answer(self, question_id: str, value: str | None, reason: str | None = None,
               when: _dt.datetime | None = None) -> None:
        """Answer a question (``yes``, ``partial``, ``no``, ``n/a``; ``None`` clears it)."""
        self.bank.question(question_id)
        if value is not None:
            value = str(value).strip().lower()
            value = {"na": "n/a", "n-a": "n/a", "not applicable": "n/a"}.get(value, value)
            if value not in ANSWERS:
                raise UsageError(f"answer to {question_id}: {value!r} is not one of "
                                 f"{', '.join(ANSWERS)}")
        old = self.answers.get(question_id, AnswerInput())
        kept = old.reason if reason is None else str(reason)
        stamp = _iso(when or _dt.datetime.now(_dt.timezone.utc))
        if value is None and not kept:
            self.answers.pop(question_id, None)
            return
        self.answers[question_id] = AnswerInput(value, kept, stamp if value != old.value
                                                else old.answered_at or stamp)

    def set_profile(self, flags: Iterable[str]) -> None:
        profile = frozenset(flags)
        unknown = sorted(profile - set(PROFILE_FLAGS))
        if unknown:
            raise UsageError(f"profile: unknown flag {unknown[0]!r}")
        self.profile = profile

    def set_risk(self, risk_id: str, **fields: Any) -> None:
        """Set fields of a register entry: ``owner``, ``response`` (mitigate, transfer, avoid,
        accept), ``controls``, ``review_date``, ``notes``, a rating by hand (``likelihood``,
        ``impact``, ``factors``: OWASP's 16 factors, ``reason``)."""
        if risk_id not in self.bank.risks and not self.register.get(risk_id, RiskInput()).custom:
            raise UsageError(f"unknown risk {risk_id!r}; the register has "
                             f"{', '.join(list(self.bank.risks)[:5])}, ...")
        unknown = sorted(set(fields) - set(RISK_FIELDS))
        if unknown:
            raise UsageError(f"set_risk: unknown field {unknown[0]!r}; known: "
                             f"{', '.join(RISK_FIELDS)}")
        current = self.register.get(risk_id, RiskInput())
        clean: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "response":
                value = str(value).strip().lower() if value else None
                if value is not None and value not in RESPONSES:
                    raise UsageError(f"response: {value!r} is not one of {', '.join(RESPONSES)}")
            elif name in ("likelihood", "impact"):
                value = scoring.check_level(value, name) if value else None
            elif name == "factors":
                value = {k: v for k, v in dict(value or {}).items() if v is not None}
                scoring.check_factors(value)
                scoring.likelihood_score(value)
                scoring.impact_score(value)
            elif name == "review_date":
                value = check_date(value)
            elif name == "controls":
                value = tuple(c.strip() for c in ([value] if isinstance(value, str) else
                                                  value or ()) if str(c).strip())
            elif name == "category":
                value = tuple(value or ())
                wrong = [c for c in value if c not in CATEGORIES]
                if wrong:
                    raise UsageError(f"category: {wrong[0]!r} is not one of "
                                     f"{', '.join(CATEGORIES)}")
            else:
                value = "" if value is None and name != "title" else value
            clean[name] = value
        self.register[risk_id] = replace(current, **clean)

    def add_risk(self, title: str, *, likelihood: str = "medium", impact: str = "medium",
                 description: str = "", category: Iterable[str] = ("integrity",),
                 risk_id: str | None = None, **fields: Any) -> str:
        """Add a risk of the user's own to the register; returns its id (``custom-N``)."""
        if not str(title).strip():
            raise UsageError("add_risk: a risk needs a title")
        if risk_id is None:
            n = 1
            while f"custom-{n}" in self.register or f"custom-{n}" in self.bank.risks:
                n += 1
            risk_id = f"custom-{n}"
        elif risk_id in self.bank.risks:
            raise UsageError(f"add_risk: {risk_id!r} is a risk of the bank already")
        self.register[risk_id] = RiskInput(custom=True, title=str(title).strip())
        self.set_risk(risk_id, likelihood=likelihood, impact=impact, description=description,
                      category=tuple(category), **fields)
        return risk_id

    def remove_risk(self, risk_id: str) -> None:
        """Remove a risk of the user's own."""
        if not self.register.get(risk_id, RiskInput()).custom:
            raise UsageError(f"remove_risk: {risk_id!r} is not a risk added by hand")
        del self.register[risk_id]

    # --- what follows from it ----------------------------------------------------------------

    def applicable(self) -> list[Question]:
        return self.bank.applicable(self.profile)

    def evidence_for(self, question: Question) -> Evidence:
        return for_question(question.evidence, self.evidence)

    def critical(self) -> bool:
        """Whether the criticality question is answered yes (and applies)."""
        qid = self.bank.criticality_question
        if qid is None or not self.bank.has(qid):
            return False
        answer = self.answers.get(qid)
        return answer is not None and answer.value == "yes" and \
            self.bank.question(qid) in self.applicable()

    def _default_likelihood(self, refs: Iterable[str], fallback: str | None
                            ) -> tuple[scoring.Level, str, str | None]:
        best: tuple[scoring.Level, str] | None = None
        for ref in refs:
            if not ref.startswith("atlas:"):
                continue
            found = resolve(ref)
            if found.kind != "technique" or found.maturity is None:
                continue
            lvl = scoring.maturity_level([found.maturity])
            if lvl is not None and (best is None or
                                    scoring.LEVELS.index(lvl) > scoring.LEVELS.index(best[0])):
                best = (lvl, f"ATLAS {found.id} ({found.name}) is {found.maturity}")
        if best is not None:
            return best[0], "atlas", best[1]
        return scoring.check_level(fallback or "medium", "likelihood"), "default", None

    def assess(self, now: _dt.datetime | None = None) -> dict[str, Any]:
        """The threat model (the JSON the Record keeps, see :class:`~.model.ThreatModel`)."""
        now = now or _dt.datetime.now(_dt.timezone.utc)
        bank = self.bank
        applicable = self.applicable()
        shown = {q.id for q in applicable}
        hidden = [{"id": q.id, "why": hidden_because(q.applies_if)}
                  for q in bank.questions if q.id not in shown]
        evidence = {q.id: self.evidence_for(q) for q in applicable}
        answers: dict[str, Any] = {}
        for q in applicable:
            given = self.answers.get(q.id)
            if given is None:
                continue
            entry: dict[str, Any] = {"value": given.value, "reason": given.reason,
                                     "answered_at": given.answered_at}
            if given.value == "yes":
                entry["evidence"] = evidence[q.id].to_json()
            elif q.automated:
                entry["evidence"] = {"status": "not used", "kinds": list(q.automated),
                                     "checks": [], "why": ""}
            answers[q.id] = entry
        critical = self.critical()
        linked: dict[str, list[Question]] = {}
        for q in applicable:
            for rid in q.risks:
                linked.setdefault(rid, []).append(q)
        risks = [self._risk(rid, linked[rid], evidence, critical) for rid in bank.risks
                 if rid in linked]
        risks += [self._custom(rid, given) for rid, given in self.register.items()
                  if given.custom]
        coverage: list[dict[str, Any]] = []
        for stage, section in STAGES.items():
            subsections: dict[str, list[Question]] = {}
            for q in applicable:
                if q.stage == stage:
                    subsections.setdefault(q.subsection, []).append(q)
            for subsection, questions in subsections.items():
                done = sum(1 for q in questions if self._complete(q.id))
                coverage.append({"stage": stage, "section": section, "subsection": subsection,
                                 "applicable": len(questions), "answered": done})
        answered = sum(c["answered"] for c in coverage)
        live = [r for r in risks if r["status"] != "n/a"]
        by_severity = dict.fromkeys(("critical", "high", "medium", "low", "info"), 0)
        for r in live:
            by_severity[r["residual"]["severity"]] += 1
        unowned = [r["id"] for r in live if r["residual"]["severity"] in ("high", "critical")
                   and not (r["owner"] and r["response"])]
        summary = {
            "questions": len(bank.questions), "applicable": len(applicable),
            "answered": answered, "complete": answered == len(applicable),
            "needs_reason": sorted(qid for qid, a in self.answers.items()
                                   if qid in shown and a.value in NEEDS_REASON
                                   and not a.reason.strip()),
            "risks": len(risks), "residual": by_severity,
            "open": sum(1 for r in live if r["status"] == "open"),
            "unowned_high": unowned,
            "unevidenced": sorted(qid for qid, a in answers.items() if a["value"] == "yes"
                                  and a["evidence"]["status"] in ("none", "manual")),
        }
        return {
            "recorded_at": _iso(now),
            "format": FORMAT,
            "tool": {"name": "aisec-nb", "version": __version__},
            "bank": {"name": bank.name, "version": bank.version, "digest": bank.digest,
                     "layers": list(bank.layers), "questions": len(bank.questions)},
            "atlas_version": atlas_version(),
            "profile": {flag: flag in self.profile for flag in PROFILE_FLAGS},
            "answers": answers,
            "risks": risks,
            "coverage": coverage,
            "hidden": hidden,
            "summary": summary,
        }

    def _complete(self, question_id: str) -> bool:
        given = self.answers.get(question_id)
        return given is not None and given.complete

    def _risk(self, risk_id: str, questions: list[Question], evidence: Mapping[str, Evidence],
              critical: bool) -> dict[str, Any]:
        template = self.bank.risks[risk_id]
        given = self.register.get(risk_id, RiskInput())
        lik, source, why = self._default_likelihood(template.refs, template.likelihood)
        floor: scoring.Level | None = None
        reason = ""
        if critical and FLOORED & set(template.category):
            floor = "high"
            reason = (f"{self.bank.criticality_question} is answered yes (a compromise would be "
                      "critical): the impact is at least high")
        rating = scoring.inherent(
            default_likelihood=lik, default_source=source,
            default_impact=scoring.check_level(template.impact, "impact"),
            likelihood=given.likelihood, impact=given.impact, factors=given.factors,
            impact_floor=floor, floor_reason=reason)
        if why and rating.likelihood_source == "atlas":
            rating = replace(rating, notes=(f"likelihood: {why}", *rating.notes))
        reductions = []
        levels = 0
        for q in questions:
            answer = self.answers.get(q.id)
            if answer is None or answer.value is None:
                continue
            ev = evidence[q.id]
            step = 0
            if answer.value == "yes":
                if ev.status == "fresh":
                    step, note = 1, f"{q.id} yes, backed by evidence: {ev.why}"
                elif ev.status in ("stale", "failed"):
                    note = (f"{q.id} yes, but the evidence is {ev.status}: {ev.why}; the "
                            "reduction is cancelled until the check passes again")
                else:
                    step, note = 1, f"{q.id} yes, unevidenced: {ev.why}"
            elif answer.value == "partial":
                note = f"{q.id} partial: no reduction"
            elif answer.value == "no":
                note = f"{q.id} no: the control is not in place"
            else:
                note = f"{q.id} n/a: {answer.reason or 'no reason given'}"
            levels += step
            reductions.append({"question": q.id, "answer": answer.value, "levels": step,
                               "evidence": ev.status if answer.value == "yes" else None,
                               "note": note})
        left = scoring.residual(rating, levels)
        applicable_answers = [self.answers.get(q.id) for q in questions]
        not_applicable = all(a is not None and a.value == "n/a" for a in applicable_answers)
        return self._entry(risk_id, given, template.title, template.description,
                           template.category, template.refs, [q.id for q in questions],
                           rating, left, reductions, not_applicable)

    def _custom(self, risk_id: str, given: RiskInput) -> dict[str, Any]:
        rating = scoring.inherent(default_likelihood="medium", default_source="default",
                                  default_impact="medium", likelihood=given.likelihood,
                                  impact=given.impact, factors=given.factors)
        return self._entry(risk_id, given, given.title or risk_id, given.description,
                           given.category or ("integrity",), (), [], rating,
                           scoring.residual(rating, 0), [], False)

    @staticmethod
    def _entry(risk_id: str, given: RiskInput, title: str, description: str,
               category: Iterable[str], refs: Iterable[str], questions: list[str],
               rating: scoring.Rating, left: scoring.Rating,
               reductions: list[dict[str, Any]], not_applicable: bool) -> dict[str, Any]:
        if not_applicable:
            status = "n/a"
        elif given.owner.strip() and given.response:
            status = STATUS_OF_RESPONSE[given.response]
        else:
            status = "open"
        return {
            "id": risk_id, "title": title, "description": description,
            "category": list(category), "refs": list(refs), "questions": questions,
            "custom": given.custom, "owner": given.owner, "response": given.response,
            "controls": list(given.controls), "review_date": given.review_date,
            "status": status, "notes": given.notes, "override": given.override,
            "inherent": rating.to_json(), "residual": left.to_json(),
            "reductions": reductions,
        }

    # --- back from the Record ----------------------------------------------------------------

    @classmethod
    def restore(cls, payload: Mapping[str, Any] | None, bank: Bank | None = None,
                profile: Iterable[str] = (),
                evidence: Mapping[str, KindEvidence] | None = None) -> Questionnaire:
        """The questionnaire a recorded threat model was made from (answers, profile, the
        register's inputs). Answers to questions the bank no longer has are dropped; a
        malformed entry is skipped, never fatal. Without a payload: a new one with ``profile``."""
        q = cls(bank, profile, evidence)
        if not isinstance(payload, Mapping):
            return q
        flags = payload.get("profile")
        if isinstance(flags, Mapping):
            q.profile = frozenset(f for f, on in flags.items() if on is True
                                  and f in PROFILE_FLAGS)
        answers = payload.get("answers")
        for qid, entry in (answers.items() if isinstance(answers, Mapping) else ()):
            if not q.bank.has(str(qid)):
                continue
            value = entry.get("value") if isinstance(entry, Mapping) else entry
            reason = entry.get("reason", "") if isinstance(entry, Mapping) else ""
            at = entry.get("answered_at") if isinstance(entry, Mapping) else None
            if value in ANSWERS or value is None:
                q.answers[str(qid)] = AnswerInput(value, str(reason or ""),
                                                  at if isinstance(at, str) else None)
        for risk in payload.get("risks") or []:
            if not isinstance(risk, Mapping) or not isinstance(risk.get("id"), str):
                continue
            rid = risk["id"]
            given = risk.get("override")
            override: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
            kept = ("owner", "response", "controls", "review_date", "notes")
            fields: dict[str, Any] = {k: risk.get(k) for k in kept
                                      if risk.get(k) not in (None, "", [])}
            fields.update({k: override.get(k) for k in ("likelihood", "impact", "factors",
                                                        "reason") if override.get(k)})
            try:
                if risk.get("custom"):
                    q.add_risk(str(risk.get("title") or rid), risk_id=rid,
                               description=str(risk.get("description") or ""),
                               category=tuple(risk.get("category") or ("integrity",)),
                               **{"likelihood": "medium", "impact": "medium", **fields})
                elif rid in q.bank.risks and fields:
                    q.set_risk(rid, **fields)
            except UsageError:
                continue
        return q
