"""The rule catalogue: every shipped file loads and validates; malformed files are refused with
the file and the code named; the finding factory takes severities from it."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from aisec_nb.errors import AisecError, UsageError
from aisec_nb.record import Location, Severity
from aisec_nb.rules import AREAS, by_code, find, guideline_subsections, load, rule, rules
from aisec_nb.rules.catalogue import SEVERITIES
from aisec_nb.rules.findings import make_finding

GOOD = """
[AISEC-DATA-X01]
kind = "example"
severity = "low"
title = "An example"
why = "It shows the format."
fix = "Nothing to fix."
guideline = "Secure your supply chain"
"""


def _folder(tmp_path: Path, **files: str) -> Path:
    for area, text in files.items():
        (tmp_path / f"{area}.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_severities_are_the_records() -> None:
    assert get_args(Severity) == SEVERITIES


def test_the_guidelines_have_17_subsections_under_4_sections() -> None:
    headings = guideline_subsections()
    assert len(headings) == 17
    assert list(dict.fromkeys(headings.values())) == [
        "Secure design", "Secure development", "Secure deployment",
        "Secure operation and maintenance"]
    assert headings["Monitor your system's inputs"] == "Secure operation and maintenance"


@pytest.mark.parametrize("area", AREAS)
def test_every_area_file_loads_with_complete_rules(area: str) -> None:
    found = rules(area)
    assert found, f"no rules in rules/{area}.toml"
    for r in found:
        assert r.area == area
        assert r.title and r.why and r.fix and r.kind
        assert not r.title.endswith("."), r.code
        assert r.why.endswith("."), r.code
        assert r.fix.endswith("."), r.code
        assert r.guideline in guideline_subsections()


def test_every_shipped_area_is_one_of_the_areas_in_order() -> None:
    areas = [r.area for r in rules()]
    assert areas == sorted(areas, key=AREAS.index)


def test_data_kinds_name_one_rule_each() -> None:
    kinds = [r.kind for r in rules("data")]
    assert len(kinds) == len(set(kinds))


def test_lookup_by_code_any_case_and_unknown_codes() -> None:
    q07 = rule("AISEC-DATA-Q07")
    assert (q07.kind, q07.area, q07.title) == ("duplicate_rows", "data", "Duplicate rows")
    assert q07.guideline_ref == "Secure development: Secure your supply chain"
    assert rule(" aisec-data-q07 ") is q07 and find("aisec-data-q07") is q07
    assert find("AISEC-NOPE-001") is None
    with pytest.raises(UsageError, match=r"unknown rule code 'AISEC-DATA-Q7'; did you mean "
                                         r"AISEC-DATA-Q07"):
        rule("AISEC-DATA-Q7")
    with pytest.raises(UsageError, match=r"unknown rule code 'nothing'; `aisec-nb rules` lists"):
        rule("nothing")


def test_catalogue_is_read_once() -> None:
    assert by_code() is by_code()


def test_a_folder_of_rules_loads_with_aliases(tmp_path: Path) -> None:
    text = GOOD + 'aliases = ["AISEC-DATA-OLD1"]\n'
    loaded = load(_folder(tmp_path, data=text, lint=GOOD.replace("DATA-X01", "L99")))
    assert set(loaded) == {"AISEC-DATA-X01", "AISEC-DATA-OLD1", "AISEC-L99"}
    assert loaded["AISEC-DATA-OLD1"] is loaded["AISEC-DATA-X01"]
    assert loaded["AISEC-DATA-X01"].aliases == ("AISEC-DATA-OLD1",)
    assert loaded["AISEC-L99"].area == "lint"
    assert loaded["AISEC-DATA-X01"].section == "Secure development"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (GOOD.replace('fix = "Nothing to fix."\n', ""), r"missing or empty \['fix'\]"),
        (GOOD.replace('title = "An example"', 'title = "  "'), r"missing or empty \['title'\]"),
        (GOOD + 'colour = "red"\n', r"unknown \['colour'\]"),
        (GOOD.replace('"low"', '"severe"'), r"severity 'severe' is not one of"),
        (GOOD.replace('"Secure your supply chain"', '"Secure development: supply chain"'),
         r"guideline 'Secure development: supply chain' is not a subsection heading"),
        (GOOD.replace('"example"', '"Not A Kind"'), r"kind 'Not A Kind' is not a snake_case"),
        (GOOD + 'aliases = "AISEC-DATA-OLD1"\n', r"aliases must be a list of codes"),
        (GOOD + 'aliases = ["old"]\n', r"aliases must be a list of codes"),
    ],
)
def test_a_malformed_rule_names_file_and_code(tmp_path: Path, text: str, problem: str) -> None:
    folder = _folder(tmp_path, data=text)
    with pytest.raises(AisecError, match=rf"data\.toml \[AISEC-DATA-X01\]: .*{problem}") as err:
        load(folder)
    assert str(folder) in str(err.value)


def test_a_bad_code_is_named(tmp_path: Path) -> None:
    with pytest.raises(AisecError, match=r"drift\.toml \[DRIFT-1\]: not a rule code"):
        load(_folder(tmp_path, drift=GOOD.replace("AISEC-DATA-X01", "DRIFT-1")))


def test_a_code_catalogued_twice_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, data=GOOD, drift=GOOD)
    with pytest.raises(AisecError, match=r"drift\.toml \[AISEC-DATA-X01\]: code AISEC-DATA-X01 "
                                         r"is catalogued twice \(also in .*data\.toml\)"):
        load(folder)


def test_an_alias_that_is_another_code_is_refused(tmp_path: Path) -> None:
    other = GOOD.replace("X01", "X02") + 'aliases = ["AISEC-DATA-X01"]\n'
    with pytest.raises(AisecError, match=r"\[AISEC-DATA-X02\]: code AISEC-DATA-X01 is "
                                         "catalogued twice"):
        load(_folder(tmp_path, data=GOOD + other))


def test_a_file_that_is_not_toml_is_named(tmp_path: Path) -> None:
    with pytest.raises(AisecError, match=r"lint\.toml: cannot be read as TOML"):
        load(_folder(tmp_path, lint="[AISEC-L01\nkind ="))


def test_make_finding_takes_the_catalogued_severity() -> None:
    f = make_finding("AISEC-DRIFT-007", "3 of 4 columns drifted")
    assert (f.code, f.severity, f.message, f.location) == (
        "AISEC-DRIFT-007", "high", "3 of 4 columns drifted", None)
    g = make_finding("aisec-drift-001", "drifted", severity="high",
                     location=Location(column="x"), evidence="e", share=0.5)
    assert (g.code, g.severity, g.evidence, g.location, g.share) == (
        "AISEC-DRIFT-001", "high", "e", Location(column="x"), 0.5)
    with pytest.raises(UsageError, match="unknown rule code 'AISEC-DRIFT-999'"):
        make_finding("AISEC-DRIFT-999", "no such rule")


def test_data_findings_carry_the_catalogues_kind_guideline_and_why() -> None:
    from aisec_nb.data.findings import finding
    from aisec_nb.data.findings import rules as data_rules

    f = finding("AISEC-DATA-S02", "column 'k' holds credentials", column="k", count=2, share=0.5)
    known = rule("AISEC-DATA-S02")
    assert f.message == f"column 'k' holds credentials. {known.why}"
    assert (f.severity, f.kind, f.guideline) == (
        "critical", "secret", "Secure development: Identify, track and protect your assets")
    assert data_rules()["AISEC-DATA-S02"] == {
        "kind": "secret", "severity": "critical", "guideline": known.guideline_ref,
        "why": known.why}
