"""The usage examples in the docstrings of the pickle-family scanner modules run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

from aisec_nb.scan import guard


@pytest.mark.parametrize(
    "name",
    [
        "aisec_nb.scan.pickle_vm",
        "aisec_nb.scan.policy",
        "aisec_nb.scan.pickle_nested",
        "aisec_nb.scan.pickle_source",
        "aisec_nb.scan.numpy_format",
        "aisec_nb.scan.joblib",
        "aisec_nb.scan.compressed",
        "aisec_nb.scan.guard",
        "aisec_nb.scan.guard_patch",
    ],
)
def test_docstring_examples(name: str) -> None:
    try:
        result = doctest.testmod(importlib.import_module(name), raise_on_error=False)
    finally:
        guard.switch_off()
    assert result.attempted > 0
    assert result.failed == 0
