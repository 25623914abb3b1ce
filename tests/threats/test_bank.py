"""The question bank: its shape, its references, its schema, its layers, and that nothing in it
is ever run."""

from __future__ import annotations

import builtins
import copy
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from aisec_nb.errors import UsageError
from aisec_nb.rules import guideline_subsections
from aisec_nb.threats import atlas_build
from aisec_nb.threats.assess import Questionnaire
from aisec_nb.threats.bank import (
    PROFILE_FLAGS,
    STAGES,
    applies,
    bank_from_data,
    builtin_bank,
    describe,
    load_bank,
    parse_profile,
)
from aisec_nb.threats.evidence import KINDS
from aisec_nb.threats.refs import atlas_table, attribution, resolve, unresolved
from aisec_nb.threats.schema import bank_schema, errors
from aisec_nb.threats.settings import threat_settings

PACKAGE = Path(__file__).parents[2] / "aisec_nb" / "threats"
ATLAS_SHA256 = "8a5693df51135721796607b8f29cba8ed33d745d5592ed80efbaaab0fba978f2"
"""The pinned ATLAS.yaml, as its README in tests/fixtures/atlas says."""


def _data() -> dict[str, Any]:
    return json.loads((PACKAGE / "bank.json").read_text(encoding="utf-8"))


# --- shape ---------------------------------------------------------------------------------------


def test_every_subsection_has_three_to_six_questions() -> None:
    bank = builtin_bank()
    counts = Counter(q.subsection for q in bank.questions)
    assert set(counts) == set(guideline_subsections()), "every one of the 17 subsections"
    assert len(counts) == 17
    assert {s: n for s, n in counts.items() if not 3 <= n <= 6} == {}
    assert len(bank.questions) == 83


def test_subsections_are_the_guidelines_headings_under_their_stage() -> None:
    sections = guideline_subsections()
    for q in builtin_bank().questions:
        assert sections[q.subsection] == STAGES[q.stage], q.id
        prefix = {"design": "DE", "development": "DV", "deployment": "DP",
                  "operation": "OM"}[q.stage]
        assert q.id.startswith(prefix), q.id


def test_every_question_is_complete_and_linked_to_risks() -> None:
    bank = builtin_bank()
    linked = {rid for q in bank.questions for rid in q.risks}
    assert linked == set(bank.risks), "every risk is reduced by some question"
    for q in bank.questions:
        assert q.text.endswith("?") and q.help, q.id
        assert q.evidence and set(q.evidence) <= {"manual", *KINDS}, q.id
        assert q.risks or q.id == bank.criticality_question, q.id
    assert bank.criticality_question == "DE2.4"
    flags = {json.dumps(q.applies_if) for q in bank.questions if q.applies_if is not None}
    assert flags, "some questions depend on the profile"


def test_every_reference_resolves() -> None:
    bank = builtin_bank()
    refs = [r for q in bank.questions for r in q.refs] + [r for t in bank.risks.values()
                                                          for r in t.refs]
    assert unresolved(refs) == []
    namespaces = Counter(r.split(":")[0] for r in refs)
    assert set(namespaces) == {"atlas", "owasp-ml", "owasp-llm", "nist-ai-rmf"}
    # Qualified ids: the same short id means different things in different lists.
    assert resolve("owasp-llm:LLM03").name == "Supply Chain"
    assert resolve("owasp-ml:ML06").name == "AI Supply Chain Attacks"
    assert resolve("nist-ai-rmf:MAP 4.1").id == "MAP 4.1"
    assert unresolved(["pytm:LLM03", "LLM03", "nist-ai-rmf:MAP 9.9", "atlas:AML.T0083.003"]) == [
        "pytm:LLM03: not a reference of the form namespace:id with a namespace of atlas, "
        "owasp-ml, owasp-llm, nist-ai-rmf",
        "LLM03: not a reference of the form namespace:id with a namespace of atlas, owasp-ml, "
        "owasp-llm, nist-ai-rmf",
        "nist-ai-rmf:MAP 9.9: no such id in NIST AI Risk Management Framework (AI 100-1) (1.0)",
        "atlas:AML.T0083.003: no such id in MITRE ATLAS 5.6.0",
    ]


def test_a_reference_that_does_not_resolve_is_refused() -> None:
    data = _data()
    data["questions"][0]["refs"] = ["atlas:AML.T9999"]
    with pytest.raises(UsageError, match=r"question DE1.1: atlas:AML.T9999: no such id in MITRE "
                                         r"ATLAS 5.6.0"):
        bank_from_data(data, "broken.json")


# --- the ATLAS table ---------------------------------------------------------------------------


def test_the_atlas_table_has_attribution_and_the_pinned_version() -> None:
    table = atlas_table()
    assert table["attribution"]["licence"] == "Apache-2.0"
    assert table["attribution"]["version"] == "5.6.0"
    assert "The MITRE Corporation" in table["attribution"]["copyright"]
    assert (len(table["tactics"]), len(table["techniques"]), len(table["mitigations"])) == (
        16, 170, 35)
    assert Counter(t["maturity"] for t in table["techniques"].values()) == {
        "demonstrated": 89, "realized": 64, "feasible": 17}
    # ATLAS renamed ML to AI; a sub-technique inherits its parent's tactics.
    assert table["techniques"]["AML.T0010"]["name"] == "AI Supply Chain Compromise"
    assert table["techniques"]["AML.T0010.003"]["tactics"] == ["AML.TA0004"]
    assert table["techniques"]["AML.T0084.003"]["name"] == "Call Chains"
    assert "Apache-2.0" in attribution() and "5.6.0" in attribution()


def test_the_generator_reads_lists_that_mix_strings_and_mappings(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    source = {"id": "ATLAS", "version": "1.2.3", "matrices": [{
        "tactics": [{"id": "AML.TA0004", "name": "Initial Access"}, "not a mapping"],
        "techniques": [
            {"id": "AML.T0010", "name": "Supply", "maturity": "Realized",
             "tactics": ["AML.TA0004", {"id": "AML.TA0004"}, {"no": "id"}, 7]},
            {"id": "AML.T0010.001", "name": "Software", "subtechnique-of": "AML.T0010"},
            {"id": "not-an-id", "name": "ignored"}],
        "mitigations": [{"id": "AML.M0018", "name": "User Training",
                         "ml-lifecycle": ["Deployment", {"odd": "mapping"}]}]}]}
    path = tmp_path / "ATLAS.yaml"
    path.write_text(yaml.safe_dump(source), encoding="utf-8")
    out = tmp_path / "atlas.json"
    assert atlas_build.main([str(path), str(out)]) == 0
    table = json.loads(out.read_text(encoding="utf-8"))
    assert table["attribution"]["version"] == "1.2.3"
    assert table["techniques"] == {
        "AML.T0010": {"name": "Supply", "maturity": "realized",
                      "tactics": ["AML.TA0004"], "parent": None},
        "AML.T0010.001": {"name": "Software", "maturity": None, "tactics": ["AML.TA0004"],
                          "parent": "AML.T0010"}}
    assert table["mitigations"] == {"AML.M0018": {"name": "User Training"}}


def test_the_shipped_table_is_what_the_generator_makes_of_the_pinned_file() -> None:
    """The pinned ATLAS.yaml (tests/fixtures/atlas, unmodified) makes exactly the shipped table."""
    pinned = Path(__file__).parents[1] / "fixtures" / "atlas" / "ATLAS.yaml"
    assert hashlib.sha256(pinned.read_bytes()).hexdigest() == ATLAS_SHA256
    table = atlas_build.build_table(atlas_build.read_yaml(pinned))
    assert table["attribution"]["version"] == "5.6.0"
    assert atlas_build.render(table) == (PACKAGE / "atlas.json").read_text(encoding="utf-8")


# --- the schema ----------------------------------------------------------------------------------


def test_the_shipped_bank_is_valid_against_its_schema_by_both_validators() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = bank_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(_data())
    assert errors(schema, _data()) == []


BROKEN = [
    ("questions", 0, "stage", "research"),
    ("questions", 0, "subsection", "Secure design"),
    ("questions", 0, "evidence", []),
    ("questions", 0, "evidence", ["lint.magic"]),
    ("questions", 0, "refs", ["ATLAS T0010"]),
    ("questions", 0, "applies_if", "generative or True"),
    ("questions", 0, "applies_if", {"eval": "True"}),
    ("questions", 0, "applies_if", {"any": []}),
    ("questions", 0, "text", ""),
    ("questions", 0, "condition", "lambda: True"),
    ("risks", 0, "impact", "catastrophic"),
    ("risks", 0, "category", ["safety"]),
]


@pytest.mark.parametrize(("group", "index", "key", "value"), BROKEN)
def test_the_validators_agree_on_broken_banks(group: str, index: int, key: str,
                                              value: Any) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = _data()
    data[group][index][key] = value
    ours = errors(bank_schema(), data)
    theirs = list(jsonschema.Draft202012Validator(bank_schema()).iter_errors(data))
    assert ours and theirs, (ours, theirs)
    assert ours[0].startswith(f"{group}[{index}]")
    with pytest.raises(UsageError, match=rf"^broken\.json: {group}\[{index}\]"):
        bank_from_data(data, "broken.json")


def test_a_missing_field_is_named() -> None:
    data = _data()
    del data["questions"][3]["risks"]
    assert errors(bank_schema(), data) == ["questions[3]: 'risks' is required"]


# --- nothing is evaluated ------------------------------------------------------------------------


PAYLOAD = "__import__('os').system('touch {flag}') or True"


def test_bank_content_holding_python_stays_inert_text(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    flag = tmp_path / "pwned"
    code = PAYLOAD.format(flag=flag)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("bank content was evaluated")

    layer = {"questions": [{
        "id": "ORG1.1", "stage": "design", "subsection": "Model the threats to your system",
        "text": code, "help": f"{{{{ {code} }}}} ${{{code}}} %({code})s", "refs": [],
        "evidence": ["manual"], "risks": ["unmanaged-risk"], "applies_if": "generative"}],
        "overrides": {"DE1.1": {"help": code}},
        "risks": [{"id": "unmanaged-risk", "title": code, "description": code,
                   "category": ["accountability"], "impact": "low", "refs": []}]}
    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(builtins, "compile", refuse)
    bank = load_bank([("org.json", layer)])
    q = Questionnaire(bank, ["generative"])
    q.answer("ORG1.1", "no")
    model = q.assess()
    assert bank.question("ORG1.1").text == code
    assert bank.question("DE1.1").help == code
    assert model["answers"]["ORG1.1"]["value"] == "no"
    assert next(r for r in model["risks"] if r["id"] == "unmanaged-risk")["title"] == code
    assert not flag.exists()


@pytest.mark.parametrize("predicate", [
    "generative or True", "__import__('os')", {"all": "generative"}, {"lambda": ["x"]},
    {"any": ["generative"], "all": ["agentic"]}, 1, ["generative"],
])
def test_a_predicate_that_is_not_data_is_refused_not_run(predicate: Any) -> None:
    with pytest.raises(UsageError, match="applies_if"):
        applies(predicate, frozenset({"generative"}))


def test_predicates_combine_flags() -> None:
    profile = frozenset({"generative", "personal_data"})
    assert applies(None, profile)
    assert applies({"all": ["generative", "personal_data"]}, profile)
    assert not applies({"all": ["generative", "agentic"]}, profile)
    assert applies({"any": ["agentic", {"not": "user_facing"}]}, profile)
    assert describe({"all": ["agentic", {"any": ["generative", "user_facing"]}]}) == (
        "the system takes actions and (the system is generative or people outside the team "
        "use the system)")


def test_profiles_are_read_as_users_type_them() -> None:
    assert parse_profile(["third-party-model, personal_data"]) == {"third_party_model",
                                                                   "personal_data"}
    with pytest.raises(UsageError, match=r"profile: unknown flag 'chatbot'; known: generative, "
                                         r"user-facing"):
        parse_profile(["chatbot"])
    assert len(PROFILE_FLAGS) == 7


# --- layers --------------------------------------------------------------------------------------


ORG_QUESTION = {
    "id": "ORG1.1", "stage": "deployment", "subsection": "Secure your infrastructure",
    "text": "Is the model served only from the approved cluster?", "help": "",
    "refs": ["atlas:AML.T0049"], "evidence": ["manual"], "risks": ["unauthorised-access"]}


def test_layers_apply_in_order_builtin_organisation_project(tmp_path: Path) -> None:
    org = tmp_path / "org" / "bank.toml"
    org.parent.mkdir()
    org.write_text(
        'bank = "example-org"\nversion = "7"\nremove = ["DP3.4"]\n'
        '[overrides."DE1.1"]\nhelp = "Our yearly course counts."\n'
        '[[questions]]\nid = "ORG1.1"\nstage = "deployment"\n'
        'subsection = "Secure your infrastructure"\n'
        'text = "Is the model served only from the approved cluster?"\nhelp = ""\n'
        'refs = ["atlas:AML.T0049"]\nevidence = ["manual"]\nrisks = ["unauthorised-access"]\n',
        encoding="utf-8")
    settings = threat_settings({
        "bank": "org/bank.toml",
        "overrides": {"DE1.1": {"help": "The project's own course counts."},
                      "ORG1.1": {"text": "Is the model served only from cluster B?"}},
        "remove": ["DE3.1"],
        "profile": ["user-facing"],
    }, tmp_path)
    bank = settings.bank()
    assert bank.name == "example-org" and bank.version == "7"
    assert bank.layers == ("org/bank.toml", "pyproject.toml [tool.aisec-nb.threats]")
    assert not bank.has("DP3.4") and not bank.has("DE3.1")
    assert bank.question("DE1.1").help == "The project's own course counts."
    assert bank.question("ORG1.1").text == "Is the model served only from cluster B?"
    assert bank.digest != builtin_bank().digest
    assert settings.profile == {"user_facing"}
    assert len(bank.questions) == 83 - 2 + 1


def test_a_json_organisation_bank_can_replace_a_question(tmp_path: Path) -> None:
    replaced = {**ORG_QUESTION, "id": "DP1.3", "text": "Are our servers behind the gateway?"}
    (tmp_path / "org.json").write_text(json.dumps({"questions": [replaced]}), encoding="utf-8")
    bank = threat_settings({"bank": ["org.json"]}, tmp_path).bank()
    assert bank.question("DP1.3").text == "Are our servers behind the gateway?"
    assert [q.id for q in bank.questions].index("DP1.3") == [
        q.id for q in builtin_bank().questions].index("DP1.3")


@pytest.mark.parametrize(("table", "message"), [
    ({"colour": "red"}, r"unknown key 'colour'"),
    ({"bank": 3}, r"bank must be a path or a list of paths"),
    ({"bank": "missing.json"}, r"missing.json: the question bank cannot be read"),
    ({"remove": ["XX9.9"]}, r"pyproject.toml \[tool.aisec-nb.threats\]: no question 'XX9.9' "
                            r"to remove or override"),
    ({"overrides": {"DE1.1": {"text": ""}}}, r"overrides.DE1.1.text: must not be empty"),
    ({"overrides": {"DE1.1": {"risks": ["no-such-risk"]}}},
     r"question DE1.1: risk 'no-such-risk' is not in risks"),
    ({"questions": [{**ORG_QUESTION, "refs": ["owasp-llm:LLM11"]}]},
     r"question ORG1.1: owasp-llm:LLM11: no such id"),
    ({"profile": ["robot"]}, r"profile: unknown flag 'robot'"),
    ({"evidence_max_age_days": 0}, r"evidence_max_age_days must be a positive integer"),
])
def test_bad_settings_and_layers_are_refused_with_where(tmp_path: Path, table: dict[str, Any],
                                                        message: str) -> None:
    with pytest.raises(UsageError, match=message):
        threat_settings(table, tmp_path).bank()


def test_an_organisation_file_that_is_not_a_bank_is_refused(tmp_path: Path) -> None:
    (tmp_path / "org.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(UsageError, match=r"org\.json: the question bank must be an object"):
        threat_settings({"bank": "org.json"}, tmp_path)
    (tmp_path / "org.toml").write_text("x = [", encoding="utf-8")
    with pytest.raises(UsageError, match=r"org\.toml: the question bank is not valid TOML"):
        threat_settings({"bank": "org.toml"}, tmp_path)


def test_a_whole_bank_of_ones_own_needs_every_part() -> None:
    data = copy.deepcopy(_data())
    data["questions"].append(copy.deepcopy(data["questions"][0]))
    with pytest.raises(UsageError, match=r"questions\[83\]: id 'DE1.1' appears twice"):
        bank_from_data(data, "mine.json")
