"""The usage examples in the docstrings of the pickle-family scanner modules run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest


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
    ],
)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0
