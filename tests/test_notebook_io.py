"""Reading notebooks defensively and writing them atomically."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.errors import NotebookError
from aisec_nb.notebook_io import atomic_write_text, load_notebook_json, read_notebook


def test_invalid_notebook_names_the_place(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("x"))
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, str(path))
    path.write_text(path.read_text().replace('"execution_count": null', '"execution_count": "one"'))
    with pytest.raises(NotebookError) as info:
        read_notebook(path)
    assert str(info.value).startswith(f"{path}: invalid notebook at cells/0/execution_count")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xff\xfe", "not UTF-8 text"),
        (b"[1, 2]", "JSON, but not a Jupyter notebook"),
        (b'{"cells": [], "nbformat": 3, "metadata": {}}', "nbformat 3 is not supported"),
    ],
)
def test_not_a_notebook(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookError, match=problem):
        read_notebook(path)
    with pytest.raises(NotebookError, match=problem):
        load_notebook_json(path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"cells": {}, "nbformat": 4, "metadata": {}}', "invalid notebook at cells: not a list"),
        (b'{"cells": [], "nbformat": 4, "metadata": []}',
         "invalid notebook at metadata: not an object"),
    ],
)
def test_the_plain_reader_checks_what_readers_index(tmp_path: Path, content: bytes,
                                                    problem: str) -> None:
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookError) as info:
        load_notebook_json(path)
    assert str(info.value) == f"{path}: {problem}"


def test_the_plain_reader_gives_the_json_and_imports_no_nbformat(tmp_path: Path) -> None:
    import subprocess
    import sys

    nb = nbformat.v4.new_notebook()
    nb.metadata["aisec"] = {"schema_version": 1, "checks": {}}
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    path = tmp_path / "work.ipynb"
    nbformat.write(nb, str(path))
    loaded = load_notebook_json(path)
    assert type(loaded) is dict
    assert loaded["metadata"]["aisec"] == {"schema_version": 1, "checks": {}}
    assert [c["source"] for c in loaded["cells"]] == [["x = 1"]]  # as saved, not normalised
    code = ("import sys; from pathlib import Path; from aisec_nb.notebook_io import "
            f"load_notebook_json; load_notebook_json(Path({str(path)!r})); "
            "print(sorted(m for m in ('nbformat', 'jsonschema') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_folder_is_not_a_notebook(tmp_path: Path) -> None:
    with pytest.raises(NotebookError, match="is a folder"):
        read_notebook(tmp_path)


def test_failed_write_leaves_original_and_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text("original")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(path, "half written \ud800 then failed")
    assert path.read_text() == "original"
    assert [p.name for p in tmp_path.iterdir()] == ["nb.ipynb"]


def test_atomic_write_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text("a")
    path.chmod(0o600)
    atomic_write_text(path, "b")
    assert path.read_text() == "b"
    assert path.stat().st_mode & 0o777 == 0o600


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_escape_as_anything_but_notebook_error(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.ipynb"
        path.write_bytes(data)
        try:
            read_notebook(path)
        except NotebookError as exc:
            assert str(exc).startswith(str(path))


@pytest.mark.parametrize("share", [0.1, 0.33, 0.5, 0.77, 0.999])
def test_a_notebook_cut_anywhere_is_called_truncated(tmp_path: Path, share: float) -> None:
    text = (Path(__file__).parents[1] / "example-notebooks" / "quickstart.ipynb").read_text()
    path = tmp_path / "cut.ipynb"
    path.write_text(text[: int(len(text) * share)], encoding="utf-8")
    with pytest.raises(NotebookError, match="the file looks truncated"):
        read_notebook(path)


def test_a_syntax_error_inside_is_not_called_truncated(tmp_path: Path) -> None:
    path = tmp_path / "bad.ipynb"
    path.write_text('{"cells": [],, "nbformat": 4}', encoding="utf-8")
    with pytest.raises(NotebookError, match="not valid JSON") as info:
        read_notebook(path)
    assert "truncated" not in str(info.value)
