"""The usage examples in the docstrings of the pickle-family scanner modules run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize(
    "name",
    [
        "aisec_nb.scan.pickle.vm",
        "aisec_nb.scan.policy",
        "aisec_nb.scan.pickle.decoders",
        "aisec_nb.scan.pickle.reader",
        "aisec_nb.scan.formats.npy",
        "aisec_nb.scan.pickle.joblib",
        "aisec_nb.scan.archives.compressed",
    ],
)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0
