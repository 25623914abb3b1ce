"""The ``aisec-nb`` console script: :func:`aisec_nb.cli.console` runs :func:`main` in its own
process and declines imports the command line never uses (jsonschema's IRI format checker, which
nbformat's import would load: about a second of every ``aisec-nb lint``)."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import nbformat

from aisec_nb.cli import UNUSED_IMPORTS

PROBE = """
import sys
sys.argv = ["aisec-nb", *sys.argv[1:]]
import atexit
atexit.register(lambda: print("loaded:", sorted(m for m in {unused!r} if sys.modules.get(m)),
                              file=sys.stderr))
from aisec_nb.cli import console
console()
"""


def _notebook(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    source = "import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))"
    nb.cells.append(nbformat.v4.new_code_cell(source))
    path = tmp_path / "work.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_the_installed_command_is_console() -> None:
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "aisec-nb"]
    assert script.value == "aisec_nb.cli:console"


def test_console_lints_as_main_does_without_loading_unused_checkers(tmp_path: Path) -> None:
    path = _notebook(tmp_path)
    code = PROBE.format(unused=UNUSED_IMPORTS)
    done = subprocess.run([sys.executable, "-c", code, "lint", str(path)], capture_output=True,
                          text=True, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "AISEC-CODE-001" in done.stdout
    assert "loaded: []" in done.stderr
    plain = subprocess.run([sys.executable, "-m", "aisec_nb.cli", "lint", str(path)],
                           capture_output=True, text=True, cwd=tmp_path)
    assert (plain.returncode, plain.stdout) == (done.returncode, done.stdout)


def test_bad_input_still_exits_2(tmp_path: Path) -> None:
    (tmp_path / "broken.ipynb").write_text("{", encoding="utf-8")
    code = PROBE.format(unused=UNUSED_IMPORTS)
    done = subprocess.run([sys.executable, "-c", code, "lint", "broken.ipynb"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert "broken.ipynb" in done.stdout + done.stderr
