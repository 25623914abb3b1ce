"""aisec-nb demo, run as a new user would: the console script, offline, into a folder."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest


@pytest.mark.kernel
def test_demo_executes_quickstart_and_records_a_checked_file(tmp_path: Path) -> None:
    exe = shutil.which("aisec-nb")
    assert exe is not None, "the aisec-nb console script is not installed"
    out = tmp_path / "demo"
    run = subprocess.run(
        [exe, "demo", "--out", str(out)], capture_output=True, text=True, timeout=600, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # the kernel's chatter goes to kernel.log in the output folder
    assert (out / "kernel.log").is_file()
    notebook = out / "quickstart.ipynb"
    assert f"executed notebook: {notebook}" in run.stdout
    assert "lint:" in run.stdout
    nb = nbformat.read(str(notebook), as_version=4)
    checks = nb.metadata["aisec"]["checks"]
    model = checks["model:model.pkl"]
    data = (out / "model.pkl").read_bytes()
    assert model["target"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert model["target"]["size"] == len(data)
    assert model["verdict"] == "pass"
    assert checks["model:suspicious.pkl"]["verdict"] == "fail"
    assert checks["guard:suspicious.pkl"]["verdict"] == "fail"
    assert checks["data:train"]["verdict"] == "fail"
    assert nb.metadata["aisec"]["monitors"]["monitor:train:live"]["verdict"] == "fail"
    assert "  pass  check   model:model.pkl" in run.stdout
    assert "  fail  monitor monitor:train:live" in run.stdout
    assert "cell 7: AISEC-L01 [high] check model:suspicious.pkl failed" in run.stdout


def test_shipped_quickstart_is_saved_without_outputs() -> None:
    path = Path(__file__).parent.parent / "example-notebooks" / "quickstart.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert code[0].source == "%load_ext aisec_nb"
