"""Compressed pickles and joblib compression: streamed, bounded, payloads still found."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import joblib
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.archives import compressed
from aisec_nb.scan.archives.compressed import scan_compressed_pickle
from aisec_nb.scan.limits import DEFAULT_LIMITS, FormatScan, Limits
from aisec_nb.scan.sniff import COMPRESSIONS, pickle_label, sniff_compression
from aisec_nb.scan.source import ByteSource
from tests.scan.corpus_pickle import compressed_variants, proto, sbu, sglob
from tests.scan.helpers import assert_scanned, context, source

PAYLOAD = proto(4) + sglob("os", "system") + sbu("echo x > /dev/null") + b"\x85R."
KINDS = list(COMPRESSIONS)
PYTHON_NAME = {"bzip2": "bz2"}
"""The corpus and joblib name compressions after Python's modules."""


def scan_cmp(data: bytes | ByteSource, kind: str | None = None, *, member: str | None = None,
         limits: Limits = DEFAULT_LIMITS) -> FormatScan:
    src = source(data) if isinstance(data, bytes) else data
    return assert_scanned(scan_compressed_pickle(src, context(limits), member, kind=kind))


@pytest.mark.parametrize("kind", KINDS)
def test_payloads_are_found_through_every_compression(kind: str) -> None:
    data = compressed_variants(PAYLOAD)[PYTHON_NAME.get(kind, kind)]
    assert sniff_compression(data[:8]) == kind
    scan = scan_cmp(data, member="m.pkl.gz")
    assert [f.code for f in scan.findings] == ["AISEC-PKL-002"]
    assert scan.complete and scan.format == f"{pickle_label(kind)}/pickle"
    assert scan.details["compression"] == pickle_label(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_joblib_compressed_models_pass_and_payloads_fail(kind: str, tmp_path: Path) -> None:
    class Payload:
        def __reduce__(self) -> tuple[object, ...]:
            return (os.system, (f"echo x > {tmp_path / 'MARKER'}",))

    obj = {
        "w": np.random.default_rng(0).random((50, 20)),
        "z": np.zeros(10**5),
        "o": np.array([None, "x"], dtype=object),
    }
    for value, expected in ((obj, []), ([obj, Payload()], ["AISEC-PKL-002"])):
        buf = io.BytesIO()
        joblib.dump(value, buf, compress=(PYTHON_NAME.get(kind, kind), 3))
        buf.seek(0)
        scan = scan_cmp(buf)
        assert [f.code for f in scan.findings] == expected
        assert scan.complete and scan.format == f"{pickle_label(kind)}/joblib"
    assert not (tmp_path / "MARKER").exists()


def test_a_bomb_stops_with_a_named_finding() -> None:
    bomb = gzip.compress(proto(4) + b"N0" * (1024 * 1024) + b"N.")
    scan = scan_cmp(bomb, "gzip", limits=Limits(max_decompressed=512 * 1024))
    assert {f.code for f in scan.findings} == {"AISEC-CMP-001", "AISEC-PKL-021"}
    assert not scan.complete
    message = next(f.message for f in scan.findings if f.code == "AISEC-CMP-001")
    assert message == "decompression bomb: more than 524288 bytes decompressed"


def test_the_ratio_bound_applies_above_the_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compressed, "RATIO_FLOOR", 256 * 1024)
    bomb = gzip.compress(proto(4) + b"N0" * (1024 * 1024) + b"N.")
    scan = scan_cmp(bomb, "gzip", limits=Limits(max_ratio=50))
    message = next(f.message for f in scan.findings if f.code == "AISEC-CMP-001")
    assert message.startswith("decompression bomb:") and "ratio above 50" in message
    assert not scan.complete


def test_findings_before_corruption_are_kept() -> None:
    # A long random bytes argument follows the payload, so the cut lands inside the pickle.
    noise = np.random.default_rng(0).bytes(300_000)
    data = gzip.compress(PAYLOAD[:-1] + b"B" + len(noise).to_bytes(4, "little") + noise + b"0.")
    scan = scan_cmp(data[:-20])
    assert {"AISEC-PKL-002", "AISEC-CMP-002"} <= {f.code for f in scan.findings}
    assert not scan.complete


def test_unknown_compression_is_named() -> None:
    scan = scan_cmp(b"nothing compressed")
    assert [f.code for f in scan.findings] == ["AISEC-CMP-003"] and not scan.complete


@given(st.sampled_from(KINDS), st.binary(max_size=300))
def test_garbage_after_a_magic_never_raises(kind: str, tail: bytes) -> None:
    data = compressed_variants(PAYLOAD)[PYTHON_NAME.get(kind, kind)]
    scan_cmp(data[:12] + tail, kind)
