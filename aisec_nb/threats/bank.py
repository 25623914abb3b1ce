"""The question bank: data files, validated against their schema, layered, references resolved.

The built-in bank (``bank.json``) holds questions over the 17 subsections of the guidelines, each
phrased so that *yes* means the control is in place, and the risks the questions reduce. An
organisation layers its own bank over it, and a project its own over that (``[tool.aisec-nb
.threats]``, see :mod:`aisec_nb.threats.settings`): built-in → organisation file → project. A layer
may add or replace questions and risks (by id), remove questions, and override fields of a known
question. The result is checked as a whole: the schema, unique ids, every risk a question names
exists, and every reference resolves in the shipped tables (:mod:`aisec_nb.threats.refs`).

Nothing in a bank is ever evaluated: ``applies_if`` is a predicate written as data, a profile
flag or ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": ...}``, interpreted by
:func:`applies`; text fields stay text.

    >>> bank = builtin_bank()
    >>> len(bank.questions), bank.question("DV1.1").subsection
    (83, 'Secure your supply chain')
    >>> applies({"any": ["generative", "agentic"]}, frozenset({"agentic"}))
    True
    >>> describe({"any": ["generative", "agentic"]})
    'the system is generative or the system takes actions'
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from ..errors import UsageError
from .schema import bank_schema, errors

BANK_FILE = "bank.json"
STAGES: dict[str, str] = {
    "design": "Secure design",
    "development": "Secure development",
    "deployment": "Secure deployment",
    "operation": "Secure operation and maintenance",
}
"""Each stage id and the guideline section it is."""

PROFILE_FLAGS: dict[str, tuple[str, str]] = {
    "generative": ("Generative", "the system is generative"),
    "user_facing": ("User-facing", "people outside the team use the system"),
    "external_api": ("External APIs", "the system sends data to model APIs or services "
                                      "outside your control"),
    "third_party_model": ("Third-party model", "the system uses a pre-trained or third-party "
                                               "model"),
    "personal_data": ("Personal data", "the system processes personal data"),
    "agentic": ("Takes actions", "the system takes actions"),
    "trains_on_feedback": ("Learns from feedback", "the system is trained on user feedback or "
                                                   "live data"),
}
"""Each profile flag: its short label and the clause that says it is set."""


@dataclass(frozen=True)
class Question:
    """One question of the bank."""

    id: str
    stage: str
    subsection: str
    text: str
    help: str
    refs: tuple[str, ...]
    evidence: tuple[str, ...]
    """Evidence kinds that can support a yes (``model.scan``, ...; ``manual``: none automated)."""
    risks: tuple[str, ...]
    """Risks a yes reduces (and a no leaves open)."""
    applies_if: Any = None
    """A predicate over the profile (data, see :func:`applies`); ``None``: always applies."""

    @property
    def section(self) -> str:
        return STAGES[self.stage]

    @property
    def automated(self) -> tuple[str, ...]:
        """The evidence kinds a check in the notebook can provide."""
        return tuple(k for k in self.evidence if k != "manual")


@dataclass(frozen=True)
class RiskTemplate:
    """A risk the bank's questions reduce."""

    id: str
    title: str
    description: str
    category: tuple[str, ...]
    impact: str
    refs: tuple[str, ...]
    likelihood: str | None = None


@dataclass(frozen=True)
class Bank:
    """A validated, layered bank."""

    name: str
    version: str
    questions: tuple[Question, ...]
    risks: Mapping[str, RiskTemplate]
    criticality_question: str | None = None
    layers: tuple[str, ...] = ()
    """What was layered over the built-in bank, in order (file names, ``pyproject.toml``)."""
    digest: str = ""
    """SHA-256 of the layered bank's canonical JSON: which bank exactly answered questions."""
    _index: Mapping[str, Question] = field(default_factory=dict, repr=False, compare=False)

    def question(self, question_id: str) -> Question:
        try:
            return self._index[question_id]
        except KeyError:
            raise UsageError(f"unknown question {question_id!r}; the bank has "
                             f"{', '.join(q.id for q in self.questions[:5])}, ...") from None

    def has(self, question_id: str) -> bool:
        return question_id in self._index

    def by_stage(self) -> dict[str, list[Question]]:
        """The questions of each stage, stages in guideline order."""
        out: dict[str, list[Question]] = {stage: [] for stage in STAGES}
        for q in self.questions:
            out[q.stage].append(q)
        return out

    def applicable(self, profile: frozenset[str]) -> list[Question]:
        return [q for q in self.questions if applies(q.applies_if, profile)]


# --- predicates ----------------------------------------------------------------------------------


def applies(predicate: Any, profile: frozenset[str]) -> bool:
    """Whether ``predicate`` (bank data: a flag, or ``all``/``any``/``not`` of predicates) holds
    for a profile (the set of flags that are true). Anything else is refused, never run."""
    if predicate is None:
        return True
    if isinstance(predicate, str):
        if predicate not in PROFILE_FLAGS:
            raise UsageError(f"applies_if: unknown profile flag {predicate!r}")
        return predicate in profile
    if isinstance(predicate, Mapping) and len(predicate) == 1:
        (op, arg), = predicate.items()
        if op == "all" and isinstance(arg, list):
            return all(applies(p, profile) for p in arg)
        if op == "any" and isinstance(arg, list):
            return any(applies(p, profile) for p in arg)
        if op == "not":
            return not applies(arg, profile)
    raise UsageError(f"applies_if: {json.dumps(predicate)[:80]} is not a profile flag or "
                     "{all|any|not: ...}")


def describe(predicate: Any) -> str:
    """The predicate in words.

    >>> describe({"not": "personal_data"})
    'not (the system processes personal data)'
    """
    if predicate is None:
        return "always"
    if isinstance(predicate, str):
        return PROFILE_FLAGS[predicate][1] if predicate in PROFILE_FLAGS else predicate
    (op, arg), = predicate.items()
    if op == "not":
        return f"not ({describe(arg)})"
    joiner = " and " if op == "all" else " or "
    parts = [describe(p) for p in arg]
    return joiner.join(f"({p})" if (" and " in p or " or " in p) else p for p in parts)


def hidden_because(predicate: Any) -> str:
    """Why a question is hidden for a profile in which ``predicate`` fails.

    >>> hidden_because("agentic")
    'applies only if the system takes actions'
    """
    return f"applies only if {describe(predicate)}"


def parse_profile(values: Iterable[str]) -> frozenset[str]:
    """Profile flags from words as users type them (``user-facing``, ``user_facing``, commas).

    >>> sorted(parse_profile(["user-facing,Generative", " agentic "]))
    ['agentic', 'generative', 'user_facing']
    """
    out: set[str] = set()
    for value in values:
        for word in str(value).split(","):
            name = word.strip().lower().replace("-", "_")
            if not name:
                continue
            if name not in PROFILE_FLAGS:
                known = ", ".join(f.replace("_", "-") for f in PROFILE_FLAGS)
                raise UsageError(f"profile: unknown flag {word.strip()!r}; known: {known}")
            out.add(name)
    return frozenset(out)


# --- loading -------------------------------------------------------------------------------------


@cache
def _builtin_data() -> Mapping[str, Any]:
    text = resources.files("aisec_nb.threats").joinpath(BANK_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _refuse(label: str, problems: Sequence[str]) -> None:
    if problems:
        shown = "; ".join(problems[:8])
        more = f" (and {len(problems) - 8} more)" if len(problems) > 8 else ""
        raise UsageError(f"{label}: {shown}{more}")


def apply_layer(data: dict[str, Any], layer: Mapping[str, Any], label: str) -> dict[str, Any]:
    """``data`` (a whole bank, as JSON) with ``layer`` applied; ``label`` names it in errors."""
    _refuse(label, errors(bank_schema(), layer, definition="layer"))
    out = copy.deepcopy(data)
    for key in ("bank", "version", "description", "criticality_question"):
        if key in layer:
            out[key] = layer[key]
    risks = {r["id"]: n for n, r in enumerate(out["risks"])}
    for risk in layer.get("risks", []):
        if risk["id"] in risks:
            out["risks"][risks[risk["id"]]] = copy.deepcopy(risk)
        else:
            risks[risk["id"]] = len(out["risks"])
            out["risks"].append(copy.deepcopy(risk))
    index = {q["id"]: n for n, q in enumerate(out["questions"])}
    for question in layer.get("questions", []):
        if question["id"] in index:
            out["questions"][index[question["id"]]] = copy.deepcopy(question)
        else:
            index[question["id"]] = len(out["questions"])
            out["questions"].append(copy.deepcopy(question))
    unknown = [qid for qid in [*layer.get("remove", []), *layer.get("overrides", {})]
               if qid not in index]
    _refuse(label, [f"no question {qid!r} to remove or override" for qid in unknown])
    for qid, fields in layer.get("overrides", {}).items():
        out["questions"][index[qid]].update(copy.deepcopy(fields))
    removed = set(layer.get("remove", []))
    out["questions"] = [q for q in out["questions"] if q["id"] not in removed]
    return out


def _check_whole(data: Mapping[str, Any], label: str) -> None:
    from .refs import unresolved

    _refuse(label, errors(bank_schema(), data))
    problems: list[str] = []
    seen: set[str] = set()
    for n, q in enumerate(data["questions"]):
        if q["id"] in seen:
            problems.append(f"questions[{n}]: id {q['id']!r} appears twice")
        seen.add(q["id"])
    risk_ids = [r["id"] for r in data["risks"]]
    if len(set(risk_ids)) != len(risk_ids):
        twice = sorted({r for r in risk_ids if risk_ids.count(r) > 1})
        problems.append(f"risks: id(s) {', '.join(twice)} appear twice")
    for q in data["questions"]:
        for rid in q["risks"]:
            if rid not in risk_ids:
                problems.append(f"question {q['id']}: risk {rid!r} is not in risks")
        problems.extend(f"question {q['id']}: {p}" for p in unresolved(q["refs"]))
    for r in data["risks"]:
        problems.extend(f"risk {r['id']}: {p}" for p in unresolved(r["refs"]))
    critical = data.get("criticality_question")
    if critical is not None and critical not in seen:
        problems.append(f"criticality_question {critical!r} is not a question of the bank")
    _refuse(label, problems)


def _build(data: Mapping[str, Any], layers: tuple[str, ...]) -> Bank:
    questions = tuple(
        Question(id=q["id"], stage=q["stage"], subsection=q["subsection"], text=q["text"],
                 help=q.get("help", ""), refs=tuple(q["refs"]), evidence=tuple(q["evidence"]),
                 risks=tuple(q["risks"]), applies_if=copy.deepcopy(q.get("applies_if")))
        for q in data["questions"]
    )
    risks = {
        r["id"]: RiskTemplate(id=r["id"], title=r["title"], description=r.get("description", ""),
                              category=tuple(r["category"]), impact=r["impact"],
                              refs=tuple(r["refs"]), likelihood=r.get("likelihood"))
        for r in data["risks"]
    }
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return Bank(name=data["bank"], version=data["version"], questions=questions, risks=risks,
                criticality_question=data.get("criticality_question"), layers=layers,
                digest=hashlib.sha256(canonical.encode()).hexdigest(),
                _index={q.id: q for q in questions})


@cache
def builtin_bank() -> Bank:
    """The bank shipped with aisec-nb, validated once."""
    data = _builtin_data()
    _check_whole(data, "aisec_nb/threats/bank.json")
    return _build(data, ())


def load_bank(layers: Sequence[tuple[str, Mapping[str, Any]]] = ()) -> Bank:
    """The built-in bank with ``layers`` (``(label, data)``, applied in order) over it.

    Raises :class:`UsageError` naming the layer and the field for anything malformed, and for a
    reference that does not resolve.
    """
    if not layers:
        return builtin_bank()
    data: dict[str, Any] = copy.deepcopy(dict(_builtin_data()))
    for label, layer in layers:
        data = apply_layer(data, layer, label)
    labels = tuple(label for label, _ in layers)
    _check_whole(data, " + ".join(("built-in bank", *labels)))
    return _build(data, labels)


def bank_from_data(data: Mapping[str, Any], label: str = "<bank>") -> Bank:
    """A whole bank given as data (not layered over the built-in one), checked the same way."""
    _check_whole(data, label)
    return _build(data, (label,))
