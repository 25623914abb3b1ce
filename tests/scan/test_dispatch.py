"""The router: every format's parser on hostile bytes ends in findings, never in an
internal error, and text is not mistaken for a pickle."""

from __future__ import annotations

import inspect
import io
import json
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st

from aisec_nb.scan.context import ScanContext
from aisec_nb.scan.dispatch import PARSERS, RESOLVERS, scan_stream
from aisec_nb.scan.limits import Limits
from aisec_nb.scan.sniff import FORMATS
from tests.scan.helpers import POLICY, assert_scanned, source

CTX = ScanContext(POLICY, Limits(max_decompressed=1 << 22, max_header=1 << 20))


def _small_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a/data.pkl", b"\x80\x02}q\x00.")
        z.writestr("config.json", json.dumps({"module": "keras", "class_name": "Dense"}))
    return buf.getvalue()


PREFIXES = [b"PK\x03\x04", _small_zip()[:60], b"GGUF\x03\x00\x00\x00", b"\x89HDF\r\n\x1a\n",
            (40).to_bytes(8, "little") + b"{", b"\x08\x07", b"\x08\x01\x12", b"\x1f\x8b\x08",
            b"BZh9", b"\xfd7zXZ\x00", b"\x93NUMPY\x01\x00", b"\x80\x02", b"7z\xbc\xaf\x27\x1c",
            b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19", b"x\x9c", b"]\x00\x00\x80\x00"]


@settings(max_examples=120)
@given(st.sampled_from(PREFIXES), st.binary(max_size=600))
def test_hostile_bytes_never_cause_an_internal_error(prefix: bytes, tail: bytes) -> None:
    assert_scanned(scan_stream(source(prefix + tail), CTX))


@given(st.binary(max_size=2000))
def test_mutated_zip_never_causes_an_internal_error(noise: bytes) -> None:
    raw = bytearray(_small_zip())
    for i, b in enumerate(noise[:40]):
        raw[(i * 37 + b) % len(raw)] = b
    assert_scanned(scan_stream(source(bytes(raw)), CTX))


def test_prose_is_text_not_a_broken_pickle() -> None:
    for prose in (b"This model card describes a tiny model.\n", b"(c) 2026 the authors\n",
                  b"class Linear(Module):\n  __parameters__ = []\n"):
        result = scan_stream(source(prose), CTX)
        assert (result.format, result.findings, result.complete) == ("text", (), True)


def test_protocol_0_payload_that_looks_like_text_is_still_a_pickle() -> None:
    payload = b"cos\nsystem\n(S'echo hi'\ntR.\nThis is a README."
    result = scan_stream(source(payload), CTX)
    assert result.format == "pickle"
    assert any(f.severity == "critical" for f in result.findings)


def test_text_looking_pickle_with_a_computed_callable_is_not_text() -> None:
    # Printable protocol-0 prefix, then a STACK_GLOBAL whose names come from the memo.
    prefix = b"S'" + b"a" * 600 + b"'\n0"
    payload = prefix + b"S'os'\np0\nS'system'\np1\ng0\ng1\n\x93(S'echo'\ntR"
    result = scan_stream(source(payload), CTX)
    assert result.format == "pickle"
    assert result.findings


def test_onnx_with_a_long_printable_doc_string_is_still_onnx() -> None:
    from tests.scan.corpus_formats import pb_int, pb_len

    tensor = pb_len(8, b"W") + pb_int(14, 1) + pb_len(13, pb_len(1, b"location")
                                                      + pb_len(2, b"/etc/passwd"))
    model = pb_int(1, 8) + pb_len(6, b"A long model description. " * 40) + pb_len(
        7, pb_len(5, tensor))
    result = scan_stream(source(model), CTX)
    assert result.format == "onnx"
    assert [f.code for f in result.findings] == ["AISEC-ONNX-001"]


def test_big_json_is_labelled_without_being_parsed() -> None:
    from aisec_nb.scan.dispatch import JSON_PARSE_LIMIT

    big = b"[" + b"1," * (JSON_PARSE_LIMIT // 2) + b"1]"
    assert scan_stream(source(big), CTX).format == "json"
    assert scan_stream(source(big + b"\x00"), CTX).format == "binary"


def test_every_sniffed_format_has_a_route() -> None:
    assert sorted(f for f in FORMATS if f not in PARSERS and f not in RESOLVERS) == []
    assert set(RESOLVERS) <= set(FORMATS)


def test_every_parser_has_the_one_signature() -> None:
    for name, parser in PARSERS.items():
        params = list(inspect.signature(parser).parameters.values())
        positional = [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        assert [p.name for p in positional][1:] == ["ctx", "member"], name
        assert all(p.default is not p.empty for p in params[3:]), name


def test_a_context_without_a_router_gets_one_at_the_router() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("m.pkl", b"cos\nsystem\n(S'x'\ntR.")
    result = assert_scanned(scan_stream(source(buf.getvalue()), ScanContext(POLICY)))
    assert [f.code for f in result.findings] == ["AISEC-PKL-002"]


def test_a_parser_called_without_a_router_fails_closed() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("m.pkl", b"cos\nsystem\n(S'x'\ntR.")
    result = PARSERS["zip"](source(buf.getvalue()), ScanContext(POLICY), None)
    assert [f.code for f in result.findings] == ["AISEC-SCAN-007"] and not result.complete


def test_an_empty_file_passes_with_a_note() -> None:
    scan = assert_scanned(scan_stream(io.BytesIO(b""), ScanContext(POLICY)))
    assert scan.format == "empty" and scan.complete
    assert [(f.code, f.severity, f.message) for f in scan.findings] == [
        ("AISEC-SCAN-004", "info", "empty file")
    ]
