"""The raw-file locator, by properties over generated notebooks written by nbformat (and by
json.dumps in other layouts): every source line of every cell is found on the raw line that
holds it, and every output text line likewise."""

from __future__ import annotations

import json
from typing import Any

import nbformat
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from aisec_nb.lint.locate import RawLocator, cell_line, element_of_line

LINE = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
               max_size=30)
SOURCE = st.lists(LINE, min_size=0, max_size=6).map("\n".join)


@st.composite
def notebooks(draw: st.DrawFn) -> Any:
    nb = new_notebook()
    nb.metadata["tricky"] = draw(st.dictionaries(st.text(max_size=5), LINE, max_size=3))
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["code", "markdown", "raw"]))
        source = draw(SOURCE)
        if kind == "code":
            cell = new_code_cell(source)
            for _ in range(draw(st.integers(0, 2))):
                cell.outputs.append(new_output("stream", name="stdout", text=draw(SOURCE)))
        elif kind == "markdown":
            cell = new_markdown_cell(source)
        else:
            cell = new_raw_cell(source)
        nb.cells.append(cell)
    return nb


def _element_holding(parts: list[str], lines: list[str], number: int) -> int:
    """The element in which line ``number`` starts, by character offsets (nbformat splits on
    more line breaks than ``\\n``, so a line may span elements)."""
    offset = sum(len(line) + 1 for line in lines[: number - 1])
    end = 0
    for index, part in enumerate(parts):
        end += len(part)
        if offset < end:
            return index
    return len(parts) - 1


def _check(text: str) -> None:
    raw = text.split("\n")  # file lines, as a reviewer (and GitHub) counts them
    data = json.loads(text)
    locator = RawLocator(text)
    counted = RawLocator(text, data)  # nbformat's layout counted over the parsed values
    for index, cell in enumerate(data["cells"]):
        start = locator.cell_line(index)
        assert start is not None
        source = cell["source"]
        joined = "".join(source) if isinstance(source, list) else source
        lines = joined.split("\n")
        for number in range(1, len(lines) + 1):
            found = locator.source_line(index, number, source)
            assert found is not None
            assert counted.source_line(index, number, source) == found
            if isinstance(source, list) and source:
                element = element_of_line(source, number)
                assert element == _element_holding(source, lines, number)
                assert json.dumps(source[element], ensure_ascii=False) in raw[found - 1] or \
                    json.dumps(source[element]) in raw[found - 1]
        for out_index, output in enumerate(cell.get("outputs", [])):
            for element, part in enumerate(output.get("text", [])):
                path = ("cells", index, "outputs", out_index, "text")
                found = locator.text_line(path, element)
                assert found is not None
                assert counted.text_line(path, element) == found
                assert json.dumps(part, ensure_ascii=False) in raw[found - 1] or \
                    json.dumps(part) in raw[found - 1]


@given(notebooks())
def test_every_source_and_output_line_is_on_its_raw_line(nb: Any) -> None:
    _check(nbformat.writes(nb))


@given(notebooks(), st.sampled_from([None, 2, 4]))
def test_other_layouts_are_located_too(nb: Any, indent: int | None) -> None:
    data = json.loads(nbformat.writes(nb))
    _check(json.dumps(data, indent=indent))
    for cell in data["cells"]:  # sources stored as one string
        cell["source"] = "".join(cell["source"])
    _check(json.dumps(data, indent=indent))


def test_cell_line_of_a_cell_that_is_not_there() -> None:
    assert cell_line('{"cells": []}', 3, None) == 1
    assert cell_line("not json at all", 0, None) == 1
