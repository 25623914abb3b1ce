"""%load_ext aisec_nb and %aisec in a real kernel, then aisec-nb sync on the saved notebook."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
import pytest

from aisec_nb import __version__
from aisec_nb.cli import main
from aisec_nb.transport import MIME_TYPE
from tests.notebooks import execute, make_notebook, outputs_with, save

WRITE_MODEL = (
    "import pickle, pathlib\n"
    "pathlib.Path('model.pkl').write_bytes(pickle.dumps({'coef': [1.0, 2.0]}, protocol=4))"
)


@pytest.mark.kernel
def test_check_model_output_is_synced_into_metadata(tmp_path: Path) -> None:
    nb = make_notebook(
        "%load_ext aisec_nb",
        "#md a markdown cell counts in cell numbers",
        WRITE_MODEL,
        "%aisec check model model.pkl",
        "%aisec status",
    )
    execute(nb, tmp_path)
    carried = outputs_with(nb, MIME_TYPE)
    assert [index for index, _ in carried] == [3]
    output = carried[0][1]
    assert output["output_type"] == "display_data"
    assert "text/html" in output["data"] and "text/plain" in output["data"]
    assert '<td style="text-align:left;vertical-align:top">' in output["data"]["text/html"]
    fragment = output["data"][MIME_TYPE]
    assert (fragment["schema_version"], fragment["kind"], fragment["id"]) == (
        1,
        "check",
        "model:model.pkl",
    )
    status = nb.cells[4].outputs[0]["data"]["text/plain"]
    assert status.splitlines()[0] == "aisec: 1 check and 0 monitors recorded"
    assert "model:model.pkl" in status

    path = save(nb, tmp_path / "analysis.ipynb")
    assert main(["sync", str(path)]) == 0
    saved = nbformat.read(str(path), as_version=4)
    record = saved.metadata["aisec"]
    assert sorted(record) == ["checks", "model_card", "monitors", "schema_version", "threat_model"]
    assert record["schema_version"] == 1
    assert record["monitors"] == {} and record["threat_model"] is None
    check = record["checks"]["model:model.pkl"]
    data = (tmp_path / "model.pkl").read_bytes()
    assert check["id"] == "model:model.pkl"
    assert check["kind"] == "model"
    assert check["target"] == {
        "kind": "file",
        "path": "model.pkl",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    assert check["tool"] == {"name": "aisec-nb", "version": __version__}
    assert check["verdict"] == "pass"
    assert check["findings"] == []
    assert check == fragment["payload"]
    # A second sync finds nothing to do and leaves the file alone.
    before = path.read_bytes()
    assert main(["sync", str(path)]) == 0
    assert path.read_bytes() == before


@pytest.mark.kernel
def test_usage_errors_are_one_line_not_a_traceback(tmp_path: Path) -> None:
    nb = make_notebook(
        "%load_ext aisec_nb",
        "%aisec frobnicate",
        "%aisec check",
        "%aisec check model",
        "%aisec check model missing.pkl",
        "%aisec --help",
        "%aisec check model --help",
    )
    execute(nb, tmp_path, allow_errors=True)
    errors = [cell.outputs[0] for cell in nb.cells[1:5]]
    assert all(e["output_type"] == "error" for e in errors)
    assert [e["ename"] for e in errors] == [
        "UsageError",
        "UsageError",
        "UsageError",
        "UnreadableInputError",
    ]
    assert all(len(e["traceback"]) == 1 for e in errors)
    assert "unknown command 'frobnicate'" in errors[0]["evalue"]
    assert "'check' needs one of: check data, check model" in errors[1]["evalue"]
    assert "the following arguments are required: path" in errors[2]["evalue"]
    assert errors[3]["evalue"] == "missing.pkl: no such file"
    overview = nb.cells[5].outputs[0]["text"]
    assert "usage: %aisec COMMAND" in overview and "check model" in overview
    assert "usage: %aisec check model" in nb.cells[6].outputs[0]["text"]


@pytest.mark.kernel
def test_load_ext_imports_no_heavy_libraries(tmp_path: Path) -> None:
    nb = make_notebook(
        "import sys\nbefore = set(sys.modules)",
        "%load_ext aisec_nb",
        "import json\nheavy = ['pandas', 'numpy', 'plotly', 'scipy', 'ipywidgets']\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules and m not in before)))",
    )
    execute(nb, tmp_path)
    assert json.loads(nb.cells[2].outputs[0]["text"]) == []
