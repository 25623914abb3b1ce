"""The generic SARIF 2.1.0 writer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aisec_nb.sarif import Result, Rule, sarif_log


def test_log_shape_levels_and_rule_indexes() -> None:
    log = sarif_log("aisec-nb", "1.0", [Rule("B", "rule b"), Rule("A", "rule a")], [
        Result("B", "medium", "m1", uri="x/model.pt", logical="a/data.pkl @ offset 3"),
        Result("A", "critical", "m2", uri="y.pkl", start_line=4),
        Result("C", "info", "m3"),
    ])
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["A", "B", "C"]
    assert rules[0]["defaultConfiguration"]["level"] == "error"
    assert rules[0]["properties"]["security-severity"] == "9.5"
    assert rules[2]["shortDescription"]["text"] == "C"
    results = run["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("B", 1, "warning"), ("A", 0, "error"), ("C", 2, "note")]
    assert results[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (
        "a/data.pkl @ offset 3")
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 4}
    assert "locations" not in results[2]


def test_catalogued_rules_carry_title_why_fix_and_guideline() -> None:
    from aisec_nb.rules import rule
    from aisec_nb.sarif import catalogue_rule

    known = rule("AISEC-DATA-S02")
    log = sarif_log("aisec-nb", "1.0", [catalogue_rule("AISEC-DATA-S02"),
                                        catalogue_rule("AISEC-L02")],
                    [Result("AISEC-DATA-S02", "high", "a key", uri="d.csv")])
    by_id = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    s02 = by_id["AISEC-DATA-S02"]
    assert s02["shortDescription"] == {"text": "Credential in data"}
    assert s02["fullDescription"] == {"text": f"{known.why} Fix: {known.fix}"}
    assert s02["help"]["text"] == (f"{known.why}\n\nFix: {known.fix}\n\n"
                                   "Guideline: Secure development: Identify, track and protect "
                                   "your assets")
    assert s02["help"]["markdown"] == s02["help"]["text"]
    # The worst result decides the level; the catalogue's severity stands in when none does.
    assert s02["defaultConfiguration"] == {"level": "error"}
    assert s02["properties"] == {
        "security-severity": "8.0",
        "tags": ["security", "data", "secret"],
        "guideline": "Secure development: Identify, track and protect your assets",
        "guideline_section": "Secure development",
        "guideline_subsection": "Identify, track and protect your assets",
    }
    assert by_id["AISEC-L02"]["defaultConfiguration"] == {"level": "warning"}
    assert by_id["AISEC-L02"]["properties"]["security-severity"] == "5.5"


def test_an_uncatalogued_code_keeps_its_code_as_description() -> None:
    from aisec_nb.sarif import catalogue_rule

    assert catalogue_rule("AISEC-NEWER-001") == Rule("AISEC-NEWER-001", "AISEC-NEWER-001")


def test_lint_sarif_rules_are_the_catalogues_lint_rules(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    from aisec_nb.cli import main
    from aisec_nb.rules import rules

    (tmp_path / "broken.ipynb").write_text("{")
    assert main(["lint", "--format", "sarif", str(tmp_path)]) == 2
    run = json.loads(capsys.readouterr().out)["runs"][0]
    described = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in described] == [r.code for r in rules("lint")]
    assert [r["shortDescription"]["text"] for r in described] == [r.title for r in rules("lint")]
    [result] = run["results"]
    assert (result["ruleId"], result["level"]) == ("AISEC-L00", "error")
