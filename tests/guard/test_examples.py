"""The usage examples in the docstrings of the guard modules run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

from aisec_nb import guard


@pytest.mark.parametrize(
    "name",
    [
        "aisec_nb.guard",
        "aisec_nb.guard.state",
        "aisec_nb.guard.check",
        "aisec_nb.guard.decide",
        "aisec_nb.guard.load",
        "aisec_nb.guard.patch",
    ],
)
def test_docstring_examples(name: str) -> None:
    try:
        result = doctest.testmod(importlib.import_module(name), raise_on_error=False)
    finally:
        guard.switch_off()
    assert result.attempted > 0
    assert result.failed == 0
