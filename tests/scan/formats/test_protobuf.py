"""The streaming protobuf reader: kept fields round-trip, malformed input is a WireError."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.formats.protobuf import Budget, WireError, field_numbers, walk
from tests.scan.corpus_formats import pb_int, pb_len

SCHEMA = {"Root": {1: "int", 2: "str", 3: "Child"}, "Child": {1: "str", 3: "Child"}}


@given(st.integers(0, 2**63), st.lists(st.text(max_size=20), max_size=5),
       st.lists(st.text(max_size=10), max_size=4), st.binary(max_size=30))
def test_kept_fields_round_trip_and_others_are_skipped(number: int, names: list[str],
                                                       children: list[str],
                                                       skipped: bytes) -> None:
    blob = pb_int(1, number) + pb_len(9, skipped)
    blob += b"".join(pb_len(2, n.encode()) for n in names)
    blob += b"".join(pb_len(3, pb_len(1, c.encode())) for c in children)
    msg = walk(io.BytesIO(blob), SCHEMA, "Root")
    assert msg.ints(1) == [number]
    assert msg.strs(2) == names
    assert [c.first_str(1) for c in msg.msgs(3)] == children


def test_deep_nesting_is_bounded() -> None:
    blob = b""
    for _ in range(100):
        blob = pb_len(3, blob)
    with pytest.raises(WireError, match="nested deeper"):
        walk(io.BytesIO(blob), SCHEMA, "Child", budget=Budget(max_depth=50))


def test_lengths_past_the_message_are_errors() -> None:
    with pytest.raises(WireError, match="past its message"):
        walk(io.BytesIO(b"\x12\x7fshort"), SCHEMA, "Root")


@given(st.binary(max_size=200))
def test_random_bytes_raise_only_wire_error(blob: bytes) -> None:
    try:
        walk(io.BytesIO(blob), SCHEMA, "Root")
        field_numbers(io.BytesIO(blob), len(blob))
    except WireError:
        pass
