"""Our errors read as one line in a notebook, whoever raises them."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from aisec_nb.errors import (
    AisecError,
    GuardRefusal,
    NotebookError,
    RecordError,
    UnreadableInputError,
    UsageError,
)
from tests.notebooks import execute, make_notebook


@pytest.mark.kernel
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


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (UsageError("window: '1X' is not a fixed window"), ValueError),
        (UnreadableInputError("model.pkl", "no such file"), OSError),
    ],
)
def test_errors_are_also_the_builtin_callers_catch(error: AisecError, builtin: type) -> None:
    assert isinstance(error, AisecError) and isinstance(error, builtin)
    with pytest.raises(builtin):
        raise error


def test_unreadable_input_reads_as_its_message_not_as_an_errno() -> None:
    err = UnreadableInputError("data/model.pkl", "cannot be read: Permission denied")
    assert str(err) == "data/model.pkl: cannot be read: Permission denied"
    assert err.args == ("data/model.pkl: cannot be read: Permission denied",)
    assert (err.path, err.problem, err.filename, err.errno) == (
        "data/model.pkl",
        "cannot be read: Permission denied",
        "data/model.pkl",
        None,
    )
    assert err._render_traceback_() == [
        "\x1b[31mUnreadableInputError: data/model.pkl: cannot be read: Permission denied\x1b[0m"
    ]


def test_notebook_and_record_errors_are_not_builtin_io_or_value_errors() -> None:
    for err in (NotebookError("a.ipynb", "no such file"), RecordError("a.ipynb", "bad")):
        assert not isinstance(err, (OSError, ValueError))
    assert not isinstance(GuardRefusal("refused"), (OSError, ValueError))


@pytest.mark.parametrize(
    "error",
    [
        UsageError("window: '1X' is not a fixed window"),
        UnreadableInputError("model.pkl", "no such file"),
        NotebookError("a.ipynb", "not UTF-8 text"),
        RecordError("a.ipynb", "metadata.aisec has no schema_version"),
        GuardRefusal("aisec guard refused pickle.load('m.pkl')"),
    ],
)
def test_errors_survive_a_pickle_round_trip(error: AisecError) -> None:
    # Worker processes (dask, multiprocessing) send errors back pickled.
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error) and back.args == error.args
    assert vars(back) == vars(error)
