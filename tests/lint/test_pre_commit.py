"""The pre-commit hooks, run by real pre-commit (``pre-commit try-repo``) in a temporary git
repository: aisec-nb-sync folds evidence into metadata.aisec, aisec-nb-lint fails on a finding.

pre-commit installs this repository into a fresh environment with pip (a minute or two, from the
pip cache or the package index), so this is one test and one pre-commit run that does it all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

import aisec_nb
from aisec_nb.scan import scan_path
from aisec_nb.transport import MIME_TYPE, check_fragment

PROJECT = Path(aisec_nb.__file__).resolve().parents[1]


def _run(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200,
                          check=False)


def test_hooks_through_pre_commit_try_repo(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "home"),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    (work / "model.bin").write_bytes(b"\x80\x04K\x01.")
    result = scan_path(work / "model.bin").model_copy(update={"id": "model:model.bin"})
    result = result.model_copy(update={"target": result.target.model_copy(
        update={"path": "model.bin"})})
    nb = new_notebook()
    cell = new_code_cell("%aisec check model model.bin")
    cell.outputs.append(new_output("display_data", data={"text/plain": "pass",
                                                         MIME_TYPE: check_fragment(result)}))
    nb.cells.append(cell)
    nbformat.write(nb, str(work / "clean.ipynb"))
    nbformat.write(new_notebook(cells=[new_code_cell("obj = pickle.loads(blob)")]),
                   str(work / "unsafe.ipynb"))
    assert _run("git", "init", "-q", cwd=work, env=env).returncode == 0
    assert _run("git", "add", ".", cwd=work, env=env).returncode == 0

    # One run (each try-repo installs the repository afresh) of both hooks. try-repo lists a
    # repository's hooks by id, so here lint runs before sync; in a project's own config they
    # run in the order written (sync first, see the README).
    run = _run(sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT), "--all-files",
               cwd=work, env=env)
    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    assert "files were modified by this hook" in out  # sync wrote metadata.aisec
    synced = nbformat.read(str(work / "clean.ipynb"), as_version=4)
    assert "model:model.bin" in synced.metadata["aisec"]["checks"]
    assert "unsafe.ipynb:cell 1:1:7: AISEC-CODE-001 [high]" in out
    assert "1 finding(s) in 2 notebook(s)" in out
