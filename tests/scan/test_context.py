"""The shared finding helpers, and the rule catalogue as the scanner uses it: every code a parser
emits is catalogued, every scan rule is emitted, and the defaults are the grades parsers give."""

from __future__ import annotations

import re
from pathlib import Path

import aisec_nb.scan
from aisec_nb.rules import rule, rules
from aisec_nb.scan.context import finding, truncate, with_member
from aisec_nb.scan.formats.tables import load_table
from aisec_nb.scan.limits import FormatScan
from aisec_nb.scan.pickle.machine import CODES
from aisec_nb.scan.policy import Danger
from aisec_nb.scan.verdict import NOT_CHECKED

PACKAGE = Path(aisec_nb.scan.__file__).parent
CODE = re.compile(r'"(AISEC-[A-Z0-9]+-\d{3})"')


def _emitted() -> set[str]:
    return {code for path in PACKAGE.rglob("*.py")
            for code in CODE.findall(path.read_text(encoding="utf-8"))}


def test_every_code_the_scanner_emits_is_catalogued_and_every_scan_rule_is_emitted() -> None:
    catalogued = {r.code for r in rules("scan")}
    emitted = _emitted()
    assert emitted, "no codes found"
    assert sorted(emitted - catalogued) == []
    assert sorted(catalogued - emitted) == []
    assert sorted(NOT_CHECKED - catalogued) == []


def test_pickle_dangers_grade_as_their_rules_do() -> None:
    assert {CODES[d]: d.severity for d in Danger} == {
        CODES[d]: rule(CODES[d]).severity for d in Danger}


def test_a_finding_takes_its_severity_from_the_catalogue_unless_graded_otherwise() -> None:
    assert finding("AISEC-TAR-001", "link").severity == rule("AISEC-TAR-001").severity == "high"
    assert finding("AISEC-TAR-001", "link", severity="medium").severity == "medium"
    assert finding("AISEC-SCAN-004", "empty").location is None


def test_data_tables_are_well_formed() -> None:
    assert all(sev in ("medium", "high", "critical")
               for sev in load_table("savedmodel")["file_ops"].values())
    markers = load_table("chat_template")["markers"]
    assert markers and all(m == m.strip() and m for m in markers)
    assert load_table("safetensors")["dtype_bits"]["F32"] == 32
    assert load_table("keras") is load_table("keras")  # read once


def test_with_member_nests_locations() -> None:
    scan = FormatScan("x", (finding("AISEC-SCAN-002", "m", member="data.pkl"),
                            finding("AISEC-SCAN-002", "n")))
    nested = with_member(scan, "outer.zip")
    assert [f.location.member for f in nested.findings if f.location] == [
        "outer.zip/data.pkl", "outer.zip"]


def test_truncate_escapes_control_characters() -> None:
    assert truncate("a\nb\x00c") == "a\\nb\\x00c"
    assert len(truncate("x" * 500, 50)) == 50


def test_no_scanner_message_names_a_command_line_option() -> None:
    # The scanner serves the notebook, the command line and the guard: its messages name the
    # argument or setting at fault, never one face's flag.
    flags = [f"{path.relative_to(PACKAGE)}: {flag}" for path in PACKAGE.rglob("*.py")
             for flag in re.findall(r"""["'](--[a-z][a-z0-9-]+)""", path.read_text("utf-8"))]
    assert flags == []
