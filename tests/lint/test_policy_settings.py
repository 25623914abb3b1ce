"""[tool.aisec-nb.lint]: keys, errors that name the key, per-path ignores, --config, --jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec_nb.cli import main
from aisec_nb.errors import UsageError
from aisec_nb.lint import lint_paths
from aisec_nb.settings import LintSettings, settings_from_table
from tests.lint.fixtures import notebook, write


def test_every_key_is_read() -> None:
    lint = settings_from_table({"lint": {
        "ignore": ["AISEC-L02"], "fail_on": "medium", "require": ["model-scan", "monitoring"],
        "per_path_ignores": {"scratch/**": ["*"], "demo/*.ipynb": ["aisec-code-007"]},
        "max_output_bytes": 5000}}, Path("/p/pyproject.toml")).lint
    assert lint == LintSettings(
        ignore=frozenset({"AISEC-L02"}), fail_on="medium",
        require=frozenset({"model-scan", "monitoring"}),
        per_path_ignores=(("demo/*.ipynb", frozenset({"AISEC-CODE-007"})),
                          ("scratch/**", frozenset({"*"}))),
        max_output_bytes=5000, root=Path("/p"))


@pytest.mark.parametrize(("table", "message"), [
    ({"fail-on": "high"}, "unknown key 'fail-on'"),
    ({"ignore": ["AISEC-XYZ-001"]}, "ignore: unknown rule code 'AISEC-XYZ-001'"),
    ({"fail_on": "severe"}, "fail_on must be one of info, low, medium, high, critical"),
    ({"require": ["sbom"]}, "require: unknown requirement 'sbom'"),
    ({"per_path_ignores": {"a/*": ["AISEC-Q"]}}, "per_path_ignores['a/*']: unknown rule code"),
    ({"max_output_bytes": "1MB"}, "max_output_bytes must be a positive integer"),
])
def test_bad_values_are_errors_naming_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=r"pyproject\.toml: \[tool\.aisec-nb\.lint\]") as info:
        settings_from_table({"lint": table}, Path("pyproject.toml"))
    assert message in str(info.value)


def _project(root: Path) -> None:
    (root / "pyproject.toml").write_text(
        '[tool.aisec-nb.lint]\nfail_on = "high"\nper_path_ignores = { "scratch/**" = ["*"] }\n')
    write(notebook("%pip install pandas\npickle.loads(b)"), root / "work" / "a.ipynb")
    write(notebook("pickle.loads(b)"), root / "scratch" / "deep" / "b.ipynb")


def test_the_nearest_pyproject_applies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _project(tmp_path)
    assert main(["lint", "--format", "json", str(tmp_path)]) == 1
    import json

    doc = json.loads(capsys.readouterr().out)
    assert doc["fail_on"] == "high"
    assert sorted({f["notebook"] for f in doc["findings"]}) == [str(tmp_path / "work" / "a.ipynb")]
    assert main(["lint", "--fail-on", "critical", str(tmp_path)]) == 0


def test_config_option_and_its_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _project(tmp_path)
    other = tmp_path / "ci.toml"
    other.write_text('[lint]\nignore = ["AISEC-CODE-001", "AISEC-CODE-007"]\n')
    assert main(["lint", "--config", str(other), str(tmp_path)]) == 0
    other.write_text('[lint]\nunknown_thing = 1\n')
    assert main(["lint", "--config", str(other), str(tmp_path)]) == 2
    assert "unknown key 'unknown_thing'" in capsys.readouterr().err
    assert main(["lint", "--require", "sbom", str(tmp_path)]) == 2
    assert main(["lint", "--require", "monitoring", "--fail-on", "medium",
                 str(tmp_path / "work")]) == 1
    assert "AISEC-POL-005" in capsys.readouterr().out


def test_jobs_give_the_same_report(tmp_path: Path) -> None:
    for i in range(6):
        write(notebook(f"%pip install pkg{i}", f"pickle.loads(b{i})"), tmp_path / f"n{i}.ipynb")
    (tmp_path / "zz_broken.ipynb").write_text("{")
    one = lint_paths([tmp_path])
    two = lint_paths([tmp_path], jobs=2)
    assert (one.findings, one.notebooks, one.suppressed) == (two.findings, two.notebooks,
                                                             two.suppressed)
    assert [str(e) for e in one.errors] == [str(e) for e in two.errors]  # errors compare by id
    assert len(one.findings) == 12
    assert one.exit_code == 2
