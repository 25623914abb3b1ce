"""Formats are named by their structure, never by a first byte alone: valid files of every format,
written by the real libraries with random header sizes and content, are sniffed as what they are.

A safetensors file whose header is 128, 384, 640, 896, 1152 or 1408 bytes long starts with
``80 0N``, the opening of a pickle; its length, ``{`` and JSON header still make it safetensors.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import pickle
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aisec_nb.scan import scan_path
from aisec_nb.scan.dispatch import scan_stream
from aisec_nb.scan.sniff import HEAD_SIZE, sniff_format
from tests.scan.helpers import assert_scanned, context, source

SLOW = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
FAST = settings(max_examples=150, deadline=None)
NAMES = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1,
                max_size=300)
BLOBS = st.binary(min_size=0, max_size=4096)


def sniffed(data: bytes) -> str:
    return sniff_format(data[:HEAD_SIZE], len(data))


def safetensors_with_header_length(n: int) -> bytes:
    """A valid safetensors file (one empty tensor) whose JSON header is exactly ``n`` bytes,
    padded with spaces as the safetensors library pads."""
    header = json.dumps({"w": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}}).encode()
    assert len(header) <= n
    return struct.pack("<Q", n) + header.ljust(n)


@pytest.mark.parametrize("n", [128, 384, 640, 896, 1152, 1408])
def test_safetensors_headers_that_start_like_a_pickle(n: int) -> None:
    data = safetensors_with_header_length(n)
    assert data[:1] == b"\x80" and data[1] <= 5  # the PROTO opcode of a pickle
    assert sniffed(data) == "safetensors"
    result = assert_scanned(scan_stream(source(data), context()))
    assert result.format == "safetensors"
    assert result.complete and result.findings == ()


@pytest.mark.parametrize("n", [0x8B1F, 0x5D, 0x08 + 256 * 3, 0x04034B50 & 0xFFFF])
def test_safetensors_headers_that_start_like_other_magic_numbers(n: int) -> None:
    # 1f 8b is gzip, 5d 00 00 LZMA "alone", 08 protobuf field 1, 50 4b the start of "PK".
    data = safetensors_with_header_length(n)
    assert sniffed(data) == "safetensors"
    assert scan_stream(source(data), context()).findings == ()


@SLOW
@given(st.dictionaries(NAMES, st.lists(st.integers(0, 4), min_size=0, max_size=3),
                       min_size=1, max_size=6),
       st.dictionaries(st.text(max_size=20), st.text(max_size=400), max_size=4))
def test_safetensors_written_by_the_library(tmp_path_factory: pytest.TempPathFactory,
                                            shapes: dict[str, list[int]],
                                            metadata: dict[str, str]) -> None:
    from safetensors.numpy import save, save_file

    tensors = {name: np.zeros(shape, np.float32) for name, shape in shapes.items()}
    data = save(tensors, metadata=metadata or None)
    assert sniffed(data) == "safetensors"
    path = tmp_path_factory.mktemp("st") / "w.safetensors"
    save_file(tensors, str(path), metadata=metadata or None)
    result = scan_path(path)
    assert result.summary.format == "safetensors"
    assert result.verdict == "pass", [(f.code, f.message) for f in result.findings]


@FAST
@given(st.integers(2, 1 << 20), st.binary(max_size=64))
def test_every_safetensors_header_length(n: int, tail: bytes) -> None:
    head = json.dumps({"__metadata__": {"k": "v"}}).encode()
    if len(head) > n:
        return
    data = struct.pack("<Q", n) + head.ljust(n) + tail
    assert sniffed(data) == "safetensors"


PICKLABLE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
    | st.binary(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4)
    | st.tuples(inner, inner),
    max_leaves=20)


@FAST
@given(PICKLABLE, st.integers(0, 5))
def test_pickles_of_every_protocol(obj: object, protocol: int) -> None:
    assert sniffed(pickle.dumps(obj, protocol=protocol)) == "pickle"


@FAST
@given(BLOBS)
def test_compressed_streams(data: bytes) -> None:
    assert sniffed(gzip.compress(data)) == "gzip"
    assert sniffed(bz2.compress(data)) == "bzip2"
    assert sniffed(lzma.compress(data)) == "xz"
    assert sniffed(lzma.compress(data, format=lzma.FORMAT_ALONE)) == "lzma"
    assert sniffed(zlib.compress(data)) == "zlib"
    import lz4.frame

    assert sniffed(lz4.frame.compress(data)) == "lz4"


@FAST
@given(st.lists(st.tuples(NAMES.filter(lambda n: "/" not in n and n.strip()), BLOBS),
                min_size=1, max_size=4, unique_by=lambda m: m[0]))
def test_archives(members: list[tuple[str, bytes]]) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, blob in members:
            z.writestr(name, blob)
    assert sniffed(buf.getvalue()) == "zip"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for i, (_, blob) in enumerate(members):
            info = tarfile.TarInfo(f"m{i}")
            info.size = len(blob)
            t.addfile(info, io.BytesIO(blob))
    assert sniffed(buf.getvalue()) == "tar"


@SLOW
@given(st.lists(st.tuples(NAMES.filter(lambda n: "/" not in n and n.strip() == n
                                      and n not in (".", "..")), BLOBS),
                min_size=1, max_size=3, unique_by=lambda m: m[0]))
def test_7z_written_by_py7zr(members: list[tuple[str, bytes]]) -> None:
    py7zr = pytest.importorskip("py7zr")
    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w") as z:
        for name, blob in members:
            z.writestr(blob, name)
    assert sniffed(buf.getvalue()) == "7z"


@SLOW
@given(st.lists(st.integers(0, 5), max_size=3),
       st.sampled_from(["<f4", "<i8", "|u1", "<c16", "|b1", "<U3"]))
def test_numpy_arrays(shape: list[int], dtype: str) -> None:
    buf = io.BytesIO()
    np.save(buf, np.zeros(shape, dtype))
    assert sniffed(buf.getvalue()) == "numpy"


@SLOW
@given(st.dictionaries(st.text(min_size=1, max_size=30).filter(lambda k: k != "general.alignment"
                                                            and not k.startswith("general.")),
                       st.text(max_size=300), max_size=4),
       st.integers(1, 3))
def test_gguf_written_by_the_library(tmp_path_factory: pytest.TempPathFactory,
                                     meta: dict[str, str], tensors: int) -> None:
    import gguf

    path = tmp_path_factory.mktemp("gguf") / "m.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    for key, value in meta.items():
        writer.add_string(f"x.{key}", value)
    for i in range(tensors):
        writer.add_tensor(f"t{i}", np.ones((32,), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    assert sniffed(path.read_bytes()) == "gguf"


@SLOW
@given(st.dictionaries(st.text(min_size=1, max_size=40), st.lists(st.integers(0, 3),
                                                                  max_size=2), max_size=4))
def test_torch_files(tmp_path_factory: pytest.TempPathFactory,
                     shapes: dict[str, list[int]]) -> None:
    import torch

    folder = tmp_path_factory.mktemp("pt")
    state = {name: torch.zeros(shape) for name, shape in shapes.items()}
    torch.save(state, folder / "new.pt")
    torch.save(state, folder / "old.pt", _use_new_zipfile_serialization=False)
    assert sniffed((folder / "new.pt").read_bytes()) == "zip"
    assert sniffed((folder / "old.pt").read_bytes()) == "pytorch-legacy"


@SLOW
@given(st.text(st.characters(exclude_characters="\x00"), max_size=200), st.integers(1, 6))
def test_onnx_and_hdf5(tmp_path_factory: pytest.TempPathFactory, doc: str, width: int) -> None:
    import h5py
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["X"], ["Y"])], "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, width])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, width])])
    model = helper.make_model(graph, doc_string=doc)
    assert sniffed(model.SerializeToString()) == "protobuf"
    path: Path = tmp_path_factory.mktemp("h5") / "m.h5"
    with h5py.File(path, "w") as f:
        f.attrs["doc"] = doc
        f.create_dataset("w", data=np.ones(width))
    assert sniffed(path.read_bytes()) == "hdf5"
    assert onnx.load_from_string(model.SerializeToString()).graph.name == "g"
