"""The pickle VM: hostile corpus, benign library pickles, streaming, limits and fuzzing."""

from __future__ import annotations

import io
import pickle
import struct
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan import api
from aisec_nb.scan.limits import FormatScan, Limits
from aisec_nb.scan.policy import load_policy
from tests.scan.corpus_pickle import (
    benign_objects,
    binbytes,
    glob,
    hostile_pickles,
    proto,
    sbu,
    sglob,
    torch_data_pkl,
    torch_state_dict,
)
from tests.scan.helpers import assert_scanned

POLICY = load_policy()
BAD = {"medium", "high", "critical"}


def scan_pickle_bytes(data: bytes, **options: Any) -> FormatScan:
    """The pickle scan of ``data``, checked never to have hit an internal error."""
    return assert_scanned(api.scan_pickle_bytes(data, **options))


def scan_pickle_stream(stream: Any, **options: Any) -> FormatScan:
    """The pickle scan of ``stream``, checked never to have hit an internal error."""
    return assert_scanned(api.scan_pickle_stream(stream, **options))


def codes(scan: Any) -> set[str]:
    return {f.code for f in scan.findings}


@pytest.fixture(scope="module")
def benign() -> dict[str, object]:
    return benign_objects()


@pytest.mark.parametrize("case", hostile_pickles(Path("MARKER")), ids=lambda c: c.name)
def test_hostile_corpus_exact_findings_and_nothing_runs(case: Any, tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    # Rebuild the case with a marker inside tmp_path: if anything executed it, the file appears.
    live = next(c for c in hostile_pickles(marker) if c.name == case.name)
    (tmp_path / "case.pkl").write_bytes(live.data)
    with (tmp_path / "case.pkl").open("rb") as fh:
        scan = scan_pickle_stream(fh, policy=POLICY, member="case.pkl")
    assert codes(scan) == live.codes, [f.message for f in scan.findings]
    assert scan.complete is live.complete
    assert all(f.location is not None and f.location.member == "case.pkl" for f in scan.findings)
    assert not marker.exists()


def test_every_bypass_class_has_cases_and_every_case_a_class() -> None:
    from tests.scan.corpus_pickle import BYPASS_CLASSES

    names = [c.name for c in hostile_pickles(Path("M"))]
    listed = [n for cases in BYPASS_CLASSES.values() for n in cases]
    assert sorted(listed) == sorted(names)
    assert all(BYPASS_CLASSES.values())


def test_direct_payload_finding_says_what_where_and_why() -> None:
    data = b"cos\nsystem\n(S'echo x > /dev/null'\ntR."
    (f,) = scan_pickle_bytes(b"N0" + data, policy=POLICY, member="m.pkl").findings
    assert (f.code, f.severity, f.evidence) == ("AISEC-PKL-002", "critical", "os.system")
    assert f.location is not None and (f.location.member, f.location.offset) == ("m.pkl", 2)
    assert "os.system" in f.message and "shell command" in f.message


def test_python2_name_is_reported_as_written_and_as_loaded() -> None:
    (f,) = scan_pickle_bytes(b"c__builtin__\neval\n(S'1'\ntR.", policy=POLICY).findings
    assert f.evidence == "builtins.eval"
    assert "written as __builtin__.eval" in f.message


def test_nested_payload_findings_point_inside_the_payload() -> None:
    inner = proto(4) + sglob("os", "system") + sbu("x") + b"\x85R."
    outer = proto(4) + sglob("pickle", "loads") + b"C" + bytes([len(inner)]) + inner + b"\x85R."
    scan = scan_pickle_bytes(outer, policy=POLICY)
    system = next(f for f in scan.findings if f.code == "AISEC-PKL-002")
    assert system.location is not None
    # The STACK_GLOBAL's offset inside the nested pickle, after its two strings.
    assert system.location.offset == len(proto(4) + sbu("os") + sbu("system"))
    assert system.location.path == f"payload@{len(outer) - 2}"  # the REDUCE calling loads
    assert scan.details["nested_payloads"] == 1


@pytest.mark.parametrize("protocol", range(6))
def test_benign_library_pickles_have_no_findings(benign: dict[str, object], protocol: int) -> None:
    for name, obj in benign.items():
        scan = scan_pickle_bytes(pickle.dumps(obj, protocol=protocol), policy=POLICY)
        assert scan.findings == (), (name, [f.message for f in scan.findings])
        assert scan.complete, name
        assert scan.details["protocols"] == ([protocol] if protocol >= 2 else [])


def test_torch_state_dict_pickles_are_clean() -> None:
    state = torch_state_dict()
    scan = scan_pickle_bytes(torch_data_pkl(state), policy=POLICY, member="archive/data.pkl")
    assert scan.findings == () and scan.complete
    assert "torch._utils._rebuild_tensor_v2" in scan.details["globals"]
    # pickle.dumps of tensors nests torch.save bytes behind torch.storage._load_from_bytes:
    # rescanned, clean, and reported as info only.
    nested = scan_pickle_bytes(pickle.dumps(state), policy=POLICY)
    assert {f.severity for f in nested.findings} == {"info"}
    assert codes(nested) == {"AISEC-PKL-012"} and nested.complete


def test_details_record_protocols_pickles_globals_and_policy() -> None:
    data = pickle.dumps([1], protocol=2) + pickle.dumps({"a": 1}, protocol=5)
    scan = scan_pickle_bytes(data, policy=POLICY.with_allow(["mylib.X"]))
    assert scan.details["protocols"] == [2, 5]
    assert scan.details["pickles"] == 2
    assert scan.details["globals"] == []
    assert scan.details["opcodes"] > 0
    assert scan.details["policy"] == {
        "name": "default",
        "version": POLICY.version,
        "user_allow": ["mylib.X"],
    }


def test_user_allowlist_addition_clears_an_unknown_global() -> None:
    data = proto(4) + sglob("mylib.layers", "Custom") + b")\x81."
    assert codes(scan_pickle_bytes(data, policy=POLICY)) == {"AISEC-PKL-006"}
    allowed = POLICY.with_allow(["mylib.layers.Custom"])
    assert scan_pickle_bytes(data, policy=allowed).findings == ()


def test_single_stops_right_after_stop_and_never_reads_past_it() -> None:
    first = pickle.dumps({"a": [1, 2, 3]}, protocol=2)
    rest = b"\xde\xad\xbe\xef" * 1000

    class Counting(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.inner = io.BytesIO(data)
            self.high = 0

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            out = self.inner.read(n)
            self.high = max(self.high, self.inner.tell())
            return out

        def tell(self) -> int:
            return self.inner.tell()

    stream = Counting(first + rest)
    scan = scan_pickle_stream(stream, policy=POLICY, single=True)  # type: ignore[arg-type]
    assert scan.findings == () and scan.complete and scan.details["pickles"] == 1
    assert stream.tell() == len(first) and stream.high == len(first)


def test_offsets_are_absolute_in_the_stream(tmp_path: Path) -> None:
    payload = proto(4) + sglob("os", "system") + sbu("x") + b"\x85R."
    stream = io.BytesIO(b"HEADER" + payload)
    stream.seek(6)
    (f,) = scan_pickle_stream(stream, policy=POLICY, single=True).findings
    assert f.location is not None
    assert f.location.offset == 6 + len(proto(4) + sbu("os") + sbu("system"))


def test_multi_gigabyte_byte_arguments_are_skipped_by_seeking(tmp_path: Path) -> None:
    size = 3 * 1024**3
    head = proto(4) + sglob("collections", "OrderedDict") + b")R"
    head += b"\x8e" + struct.pack("<Q", size)
    path = tmp_path / "big.pkl"
    with path.open("wb") as fh:
        fh.write(head)
        fh.seek(len(head) + size)
        fh.write(b"0" + proto(4) + sglob("os", "system") + b".")  # a sparse file, a payload after

    class Reads(io.FileIO):
        total = 0

        def read(self, n: int = -1) -> bytes:
            out = super().read(n)
            Reads.total += len(out)
            return out

    tracemalloc.start()
    with Reads(str(path), "rb") as fh:
        scan = scan_pickle_stream(fh, policy=POLICY)  # type: ignore[arg-type]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert codes(scan) == {"AISEC-PKL-002"} and scan.complete
    assert Reads.total < 1024 * 1024
    assert peak < 16 * 1024 * 1024


def test_a_truncated_large_argument_is_reported_not_clean(tmp_path: Path) -> None:
    path = tmp_path / "cut.pkl"
    path.write_bytes(proto(4) + b"\x8e" + struct.pack("<Q", 10**9) + b"\x00" * 100)
    with path.open("rb") as fh:
        scan = scan_pickle_stream(fh, policy=POLICY)
    assert codes(scan) == {"AISEC-PKL-020"} and not scan.complete
    assert "truncated" in scan.findings[0].message


def test_million_deep_nesting_ends_bounded() -> None:
    n = 10**6
    lists = proto(4) + b"]" * n + b"a" * (n - 1) + b"."
    scan = scan_pickle_bytes(lists, policy=POLICY)
    assert scan.findings == () and scan.complete
    tuples = proto(4) + b")" + b"\x85" * n + b"."
    assert scan_pickle_bytes(tuples, policy=POLICY).complete
    marks = proto(4) + b"(" * (n + 5) + b"N."
    deep = scan_pickle_bytes(marks, policy=POLICY)
    assert codes(deep) == {"AISEC-PKL-021"} and not deep.complete
    assert "stack deeper than 1000000" in deep.findings[0].message


def test_limits_stop_the_scan_and_say_which() -> None:
    data = pickle.dumps(list(range(1000)), protocol=2)
    scan = scan_pickle_bytes(data, policy=POLICY, limits=Limits(max_pickle_ops=50))
    assert codes(scan) == {"AISEC-PKL-021"} and not scan.complete
    assert "more than 50 opcodes" in scan.findings[0].message
    memo = scan_pickle_bytes(data, policy=POLICY, limits=Limits(max_memo=0))
    assert "memo" in memo.findings[0].message


def test_nested_payloads_are_bounded_by_depth() -> None:
    layer = proto(4) + sglob("os", "system") + sbu("x") + b"\x85R."
    for _ in range(20):
        layer = (
            proto(4)
            + sglob("pickle", "loads")
            + b"B"
            + struct.pack("<I", len(layer))
            + layer
            + b"\x85R."
        )
    scan = scan_pickle_bytes(layer, policy=POLICY, limits=Limits(max_depth=5))
    assert {"AISEC-PKL-001", "AISEC-PKL-021"} <= codes(scan)
    assert not scan.complete


def test_empty_input_is_not_clean() -> None:
    scan = scan_pickle_bytes(b"", policy=POLICY)
    assert codes(scan) == {"AISEC-PKL-020"} and not scan.complete


# -- fuzzing ------------------------------------------------------------------------------------

_OPS = list(
    b"().0123FGIJKLMNPQRSTUVXabcdeghijlopqrstu}]\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89"
    b"\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98"
)
_piece = st.one_of(
    st.sampled_from(_OPS).map(lambda b: bytes([b])),
    st.binary(max_size=12),
    st.sampled_from(
        [
            b"os\n",
            b"system\n",
            b"\x8c\x02os",
            b"\x8c\x06system",
            b"\x95" + b"\x05" + b"\x00" * 7,
            b"S'x'\n",
            b"I1\n",
            b"\xff" * 8,
        ]
    ),
)


@given(st.lists(_piece, max_size=60).map(b"".join))
def test_random_opcode_streams_always_return_a_scan(data: bytes) -> None:
    for single in (False, True):
        scan = scan_pickle_bytes(
            data,
            policy=POLICY,
            single=single,
            limits=Limits(max_pickle_ops=10_000, max_stack=10_000),
        )
        assert scan.format in ("pickle", "joblib")
        assert_scanned(scan)


_SEEDS = [
    pickle.dumps({"a": [1, 2.5, "x", b"y"], "b": (None, True)}, protocol=p) for p in range(6)
] + [b"cos\nsystem\n(S'echo x'\ntR.", proto(4) + sglob("pickle", "loads") + b"C\x02N.\x85R."]


@given(
    st.sampled_from(_SEEDS),
    st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 255), st.sampled_from("sid")),
        min_size=1,
        max_size=8,
    ),
)
def test_mutated_real_pickles_always_return_a_scan(seed: bytes, edits: list[Any]) -> None:
    data = bytearray(seed)
    for pos, value, kind in edits:
        i = pos % (len(data) + 1)
        if kind == "s" and i < len(data):
            data[i] = value
        elif kind == "i":
            data.insert(i, value)
        elif kind == "d" and i < len(data):
            del data[i]
    scan = scan_pickle_bytes(bytes(data), policy=POLICY)
    for f in scan.findings:
        # Nested payloads that are not pickles go through the format router (other codes).
        assert f.code.startswith("AISEC-")
        assert "internal error" not in f.message, bytes(data)


def test_nested_rescans_share_one_opcode_budget() -> None:
    inner = pickle.dumps(list(range(300)), protocol=4)  # about 600 opcodes, clean
    calls = b"".join(sglob("pickle", "loads") + b"h\x00\x85R0" for _ in range(200))
    outer = proto(4) + b"B" + struct.pack("<I", len(inner)) + inner + b"\x94" + calls + b"N."
    one = scan_pickle_bytes(outer, policy=POLICY, limits=Limits(max_pickle_ops=10_000))
    assert "AISEC-PKL-021" in codes(one) and not one.complete
    assert "more than 10000 opcodes" in next(
        f.message for f in one.findings if f.code == "AISEC-PKL-021"
    )
    # With room for all of them, each rescan is clean and reported as such.
    room = scan_pickle_bytes(outer, policy=POLICY)
    assert codes(room) == {"AISEC-PKL-012"} and room.complete
    assert room.details["nested_payloads"] == 200


def test_kept_arguments_share_a_memory_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    from aisec_nb.scan.pickle import ops as pickle_ops

    monkeypatch.setattr(pickle_ops, "MAX_RETAINED", 4096)
    filler = b"".join(b"X" + struct.pack("<I", 1000) + b"a" * 1000 + b"0" for _ in range(5))
    name = "m" * 300
    data = proto(4) + filler + b"X" + struct.pack("<I", 300) + name.encode() + sbu("x") + b"\x93."
    scan = scan_pickle_bytes(data, policy=POLICY)
    # The module name arrived after the budget was spent: it is unknown, so the global is too.
    assert codes(scan) == {"AISEC-PKL-007"}


def test_hostile_corpus_fails_end_to_end_in_every_wrapping(tmp_path: Path) -> None:
    from aisec_nb.scan import scan_path
    from tests.scan.corpus_pickle import compressed_variants

    marker = tmp_path / "MARKER"
    verdicts: dict[str, set[str]] = {}
    for case in hostile_pickles(marker):
        wrapped = {"raw": case.data, **compressed_variants(case.data)}
        for kind, data in wrapped.items():
            path = tmp_path / f"{case.name}.{kind}.bin"  # extensions say nothing
            path.write_bytes(data)
            verdicts.setdefault(case.name, set()).add(assert_scanned(scan_path(path)).verdict)
    expected_warn = {"unknown-global"}  # a class off the allowlist: warn, never pass
    for name, seen in verdicts.items():
        assert seen <= ({"warn"} if name in expected_warn else {"fail", "error"}), (name, seen)
    assert len(verdicts) == len(hostile_pickles(marker))
    assert not marker.exists()


def test_benign_pickles_pass_end_to_end(benign: dict[str, object], tmp_path: Path) -> None:
    from aisec_nb.scan import scan_path

    for name, obj in benign.items():
        for protocol in (0, 2, 5):
            path = tmp_path / f"{name}-{protocol}.pkl"
            path.write_bytes(pickle.dumps(obj, protocol=protocol))
            result = assert_scanned(scan_path(path))
            assert result.verdict == "pass", (name, protocol, result.findings)


def test_a_global_that_touches_files_fails_the_scan(tmp_path: Path) -> None:
    path = tmp_path / "rmtree.pkl"
    path.write_bytes(proto(4) + sglob("shutil", "rmtree") + sbu("/srv/models") + b"\x85R.")
    result = assert_scanned(api.scan_path(path))
    assert result.verdict == "fail"
    assert [(f.code, f.severity, f.evidence) for f in result.findings] == [
        ("AISEC-PKL-004", "high", "shutil.rmtree")
    ]


def test_a_nested_payload_too_large_to_rescan_is_never_clean(tmp_path: Path) -> None:
    inner = pickle.dumps(1, protocol=4) + b"x" * 100_000
    path = tmp_path / "nested.pkl"
    path.write_bytes(proto(4) + glob("pickle", "loads") + binbytes(inner) + b"\x85R.")
    small = Limits(max_nested_payload=1000)
    result = assert_scanned(api.scan_path(path, limits=small))
    assert result.verdict == "fail" and result.summary.complete is False
    assert [(f.code, f.severity) for f in result.findings] == [
        ("AISEC-PKL-001", "critical"), ("AISEC-PKL-013", "medium")]
    assert result.findings[1].message == (
        "pickle.loads is given bytes of 100005 bytes that could not be read back to rescan")
