"""The generic SARIF 2.1.0 writer."""

from __future__ import annotations

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
