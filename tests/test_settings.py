"""Project settings: read once from the nearest pyproject.toml, checked and typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec_nb.errors import UsageError
from aisec_nb.scan import load_policy, scan_path
from aisec_nb.settings import default_settings, load_settings, settings_from_table


def write(folder: Path, body: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(f"[project]\nname = 'x'\n\n{body}", encoding="utf-8")
    return path


def test_no_project_file_means_the_shipped_defaults() -> None:
    settings = load_settings(Path("/"))
    assert settings is default_settings() and settings.source is None
    assert settings.scan.allow == () and settings.lint.ignore == frozenset()
    assert settings.data["missing_share"] == 0.05 and settings.drift.alpha == 0.01


def test_every_part_is_read_from_the_nearest_file(tmp_path: Path) -> None:
    source = write(tmp_path, """
[tool.aisec-nb.scan]
allow = ["mylib.layers.Custom"]

[tool.aisec-nb.data]
missing_share = 0.3

[tool.aisec-nb.drift]
alpha = 0.05

[tool.aisec-nb.lint]
ignore = ["AISEC-L02"]
""")
    nested = tmp_path / "notebooks" / "deep"
    nested.mkdir(parents=True)
    settings = load_settings(nested)
    assert settings.source == source
    assert settings.scan.allow == ("mylib.layers.Custom",)
    assert settings.data["missing_share"] == 0.3
    assert settings.drift.alpha == 0.05
    assert settings.lint.ignore == frozenset({"AISEC-L02"})


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    import os

    path = write(tmp_path, "[tool.aisec-nb.data]\nmissing_share = 0.3\n")
    assert load_settings(tmp_path).data["missing_share"] == 0.3
    path.write_text("[tool.aisec-nb.data]\nmissing_share = 0.4\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_settings(tmp_path).data["missing_share"] == 0.4


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[tool.aisec-nb.scna]\nallow = []\n", r"unknown table \[tool.aisec-nb.scna\]"),
        ("[tool.aisec-nb.scan]\nalow = []\n", r"unknown key 'alow' in \[tool.aisec-nb.scan\]"),
        ("[tool.aisec-nb.scan]\nallow = \"mylib.X\"\n", "allow must be a list"),
        ("[tool.aisec-nb.scan]\nallow = [3]\n", "allow must be a list"),
        ("[tool.aisec-nb.scan]\nallow = [\"mylib.X \"]\n", "allow must be a list"),
        ("[tool.aisec-nb.scan]\nallow = [\"mylib\"]\n", "'mylib' is not a 'module.name' string"),
        ("[tool.aisec-nb.lint]\nignore = \"AISEC-L02\"\n", "ignore must be a list"),
        ("[tool.aisec-nb.data]\nmissing = 0.3\n", "unknown data threshold 'missing'"),
        ("[tool.aisec-nb.drift]\nalpah = 0.1\n", "unknown setting 'alpah'"),
        ("[tool.aisec-nb]\ndata = 3\n", r"\[tool.aisec-nb.data\] must be a table"),
        ("[tool.aisec-nb\n", "cannot read"),
    ],
)
def test_bad_settings_name_the_file_table_and_key(tmp_path: Path, body: str,
                                                  message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(UsageError, match=message) as info:
        load_settings(tmp_path)
    assert str(path) in str(info.value) or "[tool.aisec-nb" in str(info.value)


def test_the_scanner_reads_no_project_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    write(tmp_path, '[tool.aisec-nb.scan]\nallow = ["collections.OrderedDict"]\n')
    monkeypatch.chdir(tmp_path)
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps({"a": 1}, protocol=4))
    assert scan_path(model).parameters.policy["user_allow"] == []
    policy = load_policy(load_settings(model).scan.allow)
    assert scan_path(model, policy=policy).parameters.policy["user_allow"] == [
        "collections.OrderedDict"]


def test_settings_from_a_table_need_no_file() -> None:
    settings = settings_from_table({"drift": {"bins": 20}})
    assert settings.drift.bins == 20 and settings.source is None
