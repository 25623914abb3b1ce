"""The GitHub Action and the pre-commit hook definitions say what the README says they do."""

from __future__ import annotations

from pathlib import Path

import yaml

import aisec_nb

PROJECT = Path(aisec_nb.__file__).resolve().parents[1]


def test_the_action_installs_lints_to_sarif_and_uploads() -> None:
    action = yaml.safe_load((PROJECT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    names = [s.get("name", s.get("uses", "")) for s in steps]
    assert names[1:] == ["Install aisec-nb", "Lint notebooks (SARIF)", "Upload to code scanning",
                         "Result"]
    assert "--format sarif" in steps[2]["run"]
    assert steps[3]["uses"].startswith("github/codeql-action/upload-sarif@")
    assert steps[3]["if"] == "${{ inputs.upload == 'true' && always() }}"
    assert set(action["inputs"]) >= {"paths", "fail-on", "args", "upload", "sarif-file"}


def test_the_hooks_sync_before_they_lint() -> None:
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["aisec-nb-sync", "aisec-nb-lint"]
    assert [h["entry"] for h in hooks] == ["aisec-nb sync --quiet", "aisec-nb lint"]
    assert all(h["language"] == "python" and h["types"] == ["jupyter"] for h in hooks)
    readme = (PROJECT / "README.md").read_text()
    assert "id: aisec-nb-sync" in readme
    assert "uses: aisec-nb/aisec-nb@" in readme
