"""aisec-nb rules: the table of every code, one code explained, unknown codes, JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aisec_nb.cli import main
from aisec_nb.cli.rules import TITLE_WIDTH, short_title
from aisec_nb.rules import AREAS, rule, rules


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["rules", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_table_lists_every_code_with_severity_title_and_guideline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["CODE", "SEVERITY", "TITLE", "GUIDELINE"]
    every = rules()
    assert lines[-1] == f"{len(every)} rules; `aisec-nb rules CODE` explains one."
    shown = {line.split()[0]: line for line in lines if line.startswith("  AISEC-")}
    assert list(shown) == [r.code for r in every]
    for r in every:
        title = short_title(r.title)
        assert shown[r.code].split(maxsplit=2)[1] == r.severity
        assert f"  {title}  " in shown[r.code]
        assert title == r.title or (title[:-1] in r.title and title.endswith("…"))
        assert len(title) <= TITLE_WIDTH
        assert shown[r.code].endswith(f"  {r.guideline}")
    # Columns align: every title and every guideline starts where its header does.
    titles = {lines[0].index("TITLE"), *(shown[r.code].index(short_title(r.title)) for r in every)}
    guidelines = {lines[0].index("GUIDELINE"),
                  *(shown[r.code].rindex(r.guideline) for r in every)}
    assert len(titles) == 1 and len(guidelines) == 1
    headings = [line.split(":")[0] for line in lines if line and not line.startswith(" ")][:-1]
    assert headings == list(AREAS)


def test_one_code_explained(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "AISEC-DATA-Q07")
    assert (code, err) == (0, "")
    assert out == (
        "AISEC-DATA-Q07  Duplicate rows\n"
        "\n"
        "  severity  low (the default; a check may grade one finding differently)\n"
        "  area      data: DataFrames (aisec-nb check-data, %aisec check data)\n"
        "  kind      duplicate_rows\n"
        "\n"
        "Why\n"
        "  Repeated rows weigh some examples more and inflate evaluation when they cross splits.\n"
        "\n"
        "Fix\n"
        "  Drop exact duplicates (DataFrame.drop_duplicates) before splitting, or keep them on\n"
        "  purpose and split by group so copies stay on one side.\n"
        "\n"
        "Guideline: Secure development: Secure your supply chain\n"
    )


def test_lowercase_codes_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    _, upper, _ = _run(capsys, "AISEC-L03")
    code, lower, _ = _run(capsys, "aisec-l03")
    assert code == 0 and lower == upper
    assert upper.splitlines()[0] == "AISEC-L03  Stale evidence"
    assert upper.splitlines()[-1] == (
        "Guideline: Secure development: Identify, track and protect your assets")


def test_a_scanner_code_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "AISEC-PKL-001")
    known = rule("AISEC-PKL-001")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == f"AISEC-PKL-001  {known.title}"
    assert f"  severity  {known.severity} (the default; a check may grade one finding " \
        "differently)" in lines
    assert "  area      scan: model files (aisec-nb scan, %aisec check model)" in lines
    assert {"Why", "Fix"} <= set(lines)
    assert lines[-1] == f"Guideline: {known.section}: {known.guideline}"


def test_an_alias_is_explained_as_its_rule(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace
    from types import MappingProxyType

    from aisec_nb.rules import catalogue as cat

    renamed = replace(rule("AISEC-L03"), aliases=("AISEC-L99",))
    table = {**cat.by_code(), "AISEC-L03": renamed, "AISEC-L99": renamed}
    monkeypatch.setattr(cat, "by_code", lambda: MappingProxyType(table))
    code, out, _ = _run(capsys, "aisec-l99")
    assert code == 0
    assert out.splitlines()[:7] == [
        "AISEC-L03  Stale evidence",
        "",
        "  severity  high (the default; a check may grade one finding differently)",
        "  area      lint: notebooks' recorded evidence (aisec-nb lint)",
        "  kind      stale_evidence",
        "  aliases   AISEC-L99",
        "  (AISEC-L99 is an earlier code of this rule)",
    ]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("AISEC-DATA-Q7", "aisec-nb rules: error: unknown rule code 'AISEC-DATA-Q7'; did you mean "
                          "AISEC-DATA-Q07"),
        ("nothing", "aisec-nb rules: error: unknown rule code 'nothing'; `aisec-nb rules` lists "
                    "every code\n"),
    ],
)
def test_an_unknown_code_exits_2(
    capsys: pytest.CaptureFixture[str], given: str, message: str
) -> None:
    code, out, err = _run(capsys, given)
    assert (code, out) == (2, "")
    assert err.startswith(message)


def test_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert [r["code"] for r in doc["rules"]] == [r.code for r in rules()]
    code, out, _ = _run(capsys, "aisec-drift-007", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "code": "AISEC-DRIFT-007",
        "area": "drift",
        "kind": "dataset_drift",
        "severity": "high",
        "title": "Most columns drifted",
        "why": rule("AISEC-DRIFT-007").why,
        "fix": rule("AISEC-DRIFT-007").fix,
        "guideline": "Monitor your system's inputs",
        "section": "Secure operation and maintenance",
        "aliases": [],
    }


def test_listing_the_rules_imports_no_pydantic() -> None:
    probe = ("import sys, contextlib, io\nfrom aisec_nb.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n    main(['rules'])\n"
             "print('pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
