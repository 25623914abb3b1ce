"""The TypeScript unit tests (jest): the merge rule against the shared vectors of
``tests/fixtures/merge/``, validation, cards and guideline coverage. Run from here so that the one
test command runs them; ``npm test`` in ``labextension/`` runs them alone."""

from __future__ import annotations

import shutil
import subprocess

from tests.labextension.support import LABEXTENSION, require


def test_typescript_unit_tests_pass() -> None:
    npm = shutil.which("npm")
    require(npm is not None, "npm is not installed")
    require((LABEXTENSION / "node_modules").is_dir(),
            "labextension/node_modules is missing: run npm ci in labextension/")
    assert npm is not None
    done = subprocess.run([npm, "test", "--silent", "--", "--ci"], cwd=LABEXTENSION,
                          capture_output=True, text=True, timeout=600, check=False)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "merge vector 01_empty.json" in report or "Tests:" in report, report
