"""Our errors read as one line in a notebook, whoever raises them."""

from __future__ import annotations

from pathlib import Path

from tests.notebooks import execute, make_notebook


def test_aisec_errors_show_one_line_in_a_kernel(tmp_path: Path) -> None:
    nb = make_notebook(
        "from aisec_nb.errors import GuardRefusal\n"
        "def load():\n"
        "    raise GuardRefusal('model.pkl: scan verdict fail; not loaded')\n"
        "load()",
        "raise ValueError('ordinary errors keep their traceback')",
    )
    execute(nb, tmp_path, allow_errors=True)
    ours, theirs = nb.cells[0].outputs[0], nb.cells[1].outputs[0]
    assert ours["ename"] == "GuardRefusal"
    assert len(ours["traceback"]) == 1
    assert "GuardRefusal: model.pkl: scan verdict fail; not loaded" in ours["traceback"][0]
    assert len(theirs["traceback"]) > 1
