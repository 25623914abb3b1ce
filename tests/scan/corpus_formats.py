"""Test corpus, formats half: benign files made by the real libraries, hostile ones built byte by
byte. Payloads are inert shell commands that would only create a marker file; the tests check the
marker never appears (nothing is ever loaded).

``python -m tests.scan.corpus_formats OUT`` writes the corpus to OUT for manual runs.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import marshal
import os
import pickle
import struct
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

# Keras 3 defaults to TensorFlow, which the test environment does not install: set the backend
# before anything imports keras (collection imports this module early).
os.environ.setdefault("KERAS_BACKEND", "torch")

MARKER = "PAYLOAD_RAN"
"""File a payload would create if anything ever executed it."""


# --- payloads ------------------------------------------------------------------------------------


def evil_pickle(folder: Path) -> bytes:
    """A protocol-2 pickle calling os.system to create the marker in ``folder``."""
    cmd = f"echo ran > {folder / MARKER}".encode()
    return (b"\x80\x02cos\nsystem\n" + b"X" + struct.pack("<I", len(cmd)) + cmd
            + b"\x85R.")


def marshalled_lambda() -> str:
    """base64 of marshalled bytecode, as Keras stores a Lambda (compiled, never run)."""
    code = compile("lambda x: x", "<lambda>", "eval")
    return base64.b64encode(marshal.dumps(code)).decode()


# --- protobuf building (SavedModel) --------------------------------------------------------------


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def pb_len(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def pb_int(field: int, value: int) -> bytes:
    return _varint(field << 3) + _varint(value)


def node_def(name: str, op: str, attrs: dict[str, str] | None = None) -> bytes:
    body = pb_len(1, name.encode()) + pb_len(2, op.encode())
    for key, value in (attrs or {}).items():
        body += pb_len(5, pb_len(1, key.encode()) + pb_len(2, pb_len(2, value.encode())))
    return body


def saved_model(nodes: list[bytes], functions: dict[str, list[bytes]] | None = None) -> bytes:
    graph = b"".join(pb_len(1, n) for n in nodes)
    library = b""
    for fname, fnodes in (functions or {}).items():
        fn = pb_len(1, pb_len(1, fname.encode())) + b"".join(pb_len(3, n) for n in fnodes)
        library += pb_len(1, fn)
    if library:
        graph += pb_len(2, library)
    meta = pb_len(1, pb_len(4, b"serve")) + pb_len(2, graph)
    return pb_int(1, 1) + pb_len(2, meta)


SAVER = {
    "__inference__traced_save_55": [node_def("saver_filename", "Placeholder"),
                                    node_def("SaveV2", "SaveV2"),
                                    node_def("MergeV2Checkpoints", "MergeV2Checkpoints")],
    "__inference__traced_restore_77": [node_def("RestoreV2", "RestoreV2")],
}


# --- benign files from the real libraries -------------------------------------------------------


def torch_state_dict(path: Path) -> Path:
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    torch.save(model.state_dict(), path)
    return path


def torch_module(path: Path) -> Path:
    """A whole model saved with ``torch.save(model)``: torch.nn classes pickled by name."""
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.Flatten(),
        torch.nn.Linear(4, 8), torch.nn.Dropout(0.1), torch.nn.LayerNorm(8),
        torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16), torch.nn.GELU(),
        torch.nn.Embedding(3, 8), torch.nn.LSTM(8, 4))
    torch.save(model, path)
    return path


def seven_zip(path: Path, members: dict[str, bytes]) -> Path:
    """A 7z archive written by py7zr (its default coders: BCJ x86 and LZMA2, encoded header)."""
    import py7zr

    with py7zr.SevenZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(data, name)
    return path


def torch_legacy(path: Path) -> Path:
    import torch

    torch.save({"w": torch.arange(6.0).reshape(2, 3)}, path,
               _use_new_zipfile_serialization=False)
    return path


def safetensors_file(path: Path) -> Path:
    from safetensors.numpy import save_file

    save_file({"w": np.ones((3, 4), np.float32), "b": np.zeros(4, np.int64)}, str(path),
              metadata={"format": "np"})
    return path


def onnx_model(path: Path, *, external: str | None = None) -> Path:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.ones((4, 2), np.float32), name="W")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W"], ["Y"])], "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 2])], [weight])
    model = helper.make_model(graph, producer_name="aisec-tests")
    if external is None:
        onnx.save_model(model, str(path))
    else:
        onnx.save_model(model, str(path), save_as_external_data=True, location=external,
                        size_threshold=0, all_tensors_to_one_file=True)
    return path


def onnx_with_location(path: Path, location: str) -> Path:
    """An ONNX model whose initializer claims its bytes live at ``location``."""
    from onnx import TensorProto, helper

    tensor = TensorProto()
    tensor.name, tensor.data_type = "W", TensorProto.FLOAT
    tensor.dims.extend([4, 2])
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", "32")):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W"], ["Y"])], "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 2])], [tensor])
    path.write_bytes(helper.make_model(graph).SerializeToString())
    return path


def gguf_file(path: Path, template: str | None = None, tensors: int = 1) -> Path:
    import gguf

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("tiny")
    writer.add_chat_template(template or (
        "{% for message in messages %}<|{{ message['role'] }}|>{{ message['content'] }}"
        "{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}"))
    writer.add_token_list(["<s>", "</s>", "a", "b"])
    for i in range(tensors):
        writer.add_tensor(f"t{i}", np.ones((32,), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def keras_models(folder: Path) -> tuple[Path, Path]:
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                              keras.layers.Dropout(0.1), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    native, legacy = folder / "model.keras", folder / "model.h5"
    model.save(native)
    model.save(legacy)
    return native, legacy


def hf_snapshot(folder: Path) -> Path:
    """A Hugging Face style snapshot: configs, tokenizer files, weights, README."""
    folder.mkdir(parents=True, exist_ok=True)
    safetensors_file(folder / "model.safetensors")
    (folder / "config.json").write_text(json.dumps({"architectures": ["TinyModel"],
                                                    "hidden_size": 4}))
    (folder / "generation_config.json").write_text('{"max_new_tokens": 16}')
    (folder / "tokenizer.json").write_text(json.dumps({"version": "1.0", "model": {"vocab": {}}}))
    (folder / "special_tokens_map.json").write_text('{"eos_token": "</s>"}')
    (folder / "vocab.txt").write_text("[PAD]\n[UNK]\nthe\n")
    (folder / "README.md").write_text("This model is tiny.\n\n## Uses\nTests only.\n")
    (folder / "diagram.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / ".gitattributes").write_text("*.safetensors filter=lfs diff=lfs merge=lfs -text\n")
    (folder / "model.safetensors.index.json").write_text(
        '{"metadata": {}, "weight_map": {"w": "model.safetensors"}}')
    return folder


def savedmodel_dir(folder: Path, nodes: list[bytes] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    default = [node_def("x", "Placeholder"), node_def("w", "VarHandleOp"),
               node_def("y", "MatMul")]
    (folder / "saved_model.pb").write_bytes(saved_model(nodes or default, SAVER))
    (folder / "variables").mkdir(exist_ok=True)
    (folder / "variables" / "variables.index").write_bytes(b"\x00\x01\x02tensorbundle\xff")
    (folder / "variables" / "variables.data-00000-of-00001").write_bytes(bytes(range(256)))
    (folder / "fingerprint.pb").write_bytes(pb_int(1, 12345) + pb_int(2, 678))
    dense = json.dumps({"class_name": "Dense", "config": {"units": 2}}).encode()
    (folder / "keras_metadata.pb").write_bytes(pb_len(1, pb_int(1, 1) + pb_len(
        2, b"root.layer-0") + pb_len(3, b"_tf_keras_layer") + pb_len(4, dense)))
    return folder


def benign(folder: Path) -> dict[str, Path]:
    """Every benign file of the formats half: name -> path (files and folders)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {
        "torch-zip": torch_state_dict(folder / "state_dict.pt"),
        "torch-module": torch_module(folder / "whole_model.pt"),
        "torch-7z": seven_zip(folder / "state_dict.7z", {
            "state_dict.pt": torch_state_dict(folder / "packed.pt").read_bytes()}),
        "torch-legacy": torch_legacy(folder / "legacy.pt"),
        "torch-tar": torch_tar(folder / "legacy-tar.pt"),
        "safetensors": safetensors_file(folder / "weights.safetensors"),
        "onnx": onnx_model(folder / "model.onnx"),
        "gguf": gguf_file(folder / "tiny.gguf"),
        "hf-snapshot": hf_snapshot(folder / "snapshot"),
        "savedmodel": savedmodel_dir(folder / "saved"),
    }
    ext = folder / "onnx_ext"
    ext.mkdir(exist_ok=True)
    out["onnx-external"] = onnx_model(ext / "model.onnx", external="weights.bin")
    out["onnx-external-dir"] = ext
    native, legacy = keras_models(folder)
    out["keras"], out["keras-h5"] = native, legacy
    return out


# --- hostile files, byte by byte ----------------------------------------------------------------


def rezip(source: Path, target: Path, replace: dict[str, bytes],
          extra: list[tuple[str, bytes]] | None = None,
          compression: int = zipfile.ZIP_STORED) -> Path:
    """Copy a zip, replacing some members' bytes and appending ``extra`` members."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", compression) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, data in extra or []:
            dst.writestr(name, data)
    return target


def _patch(path: Path, old: bytes, new: bytes, *, which: int = 0) -> None:
    data = bytearray(path.read_bytes())
    at = -1
    for _ in range(which + 1):
        at = data.index(old, at + 1)
    data[at : at + len(old)] = new
    path.write_bytes(bytes(data))


def npy_object(payload: bytes) -> bytes:
    header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    pad = 64 - (10 + len(header) + 1) % 64
    header += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + payload


def safetensors_bytes(header: bytes, data: bytes, claimed: int | None = None) -> bytes:
    return struct.pack("<Q", len(header) if claimed is None else claimed) + header + data


def keras_zip(path: Path, config: dict[str, object]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", '{"keras_version": "3.15.1"}')
        z.writestr("config.json", json.dumps(config))
    return path


def _layer(class_name: str, config: dict[str, object], module: str = "keras.layers") -> dict[
        str, object]:
    return {"module": module, "class_name": class_name, "config": config,
            "registered_name": None}


Builder = Callable[[Path], Path]


def hostile(folder: Path, base_torch: Path) -> dict[str, tuple[Path, set[str], set[str]]]:
    """name -> (path, acceptable verdicts, finding codes that must be present)."""
    folder.mkdir(parents=True, exist_ok=True)
    evil = evil_pickle(folder)
    prefix = zipfile.ZipFile(base_torch).namelist()[0].split("/")[0]
    pkl = f"{prefix}/data.pkl"
    cases: dict[str, tuple[Path, set[str], set[str]]] = {}
    fail, bad = {"fail"}, {"fail", "error"}

    def add(name: str, path: Path, verdicts: set[str], codes: set[str]) -> None:
        cases[name] = (path, verdicts, codes)

    add("torch-zip-payload", rezip(base_torch, folder / "evil.pt", {pkl: evil}), fail, set())
    crc = rezip(base_torch, folder / "crc.pt", {pkl: evil})
    _patch(crc, b"echo ran", b"echo RAN")
    add("torch-zip-crc", crc, fail, {"AISEC-ZIP-001"})
    renamed = rezip(base_torch, folder / "renamed.pt", {pkl: evil})
    _patch(renamed, pkl.encode(), pkl.encode()[:-1] + b"x")  # local header comes first
    add("torch-zip-name-mismatch", renamed, fail, {"AISEC-ZIP-002"})
    dup = folder / "dup.pt"
    with zipfile.ZipFile(base_torch) as src, zipfile.ZipFile(dup, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dst.writestr(pkl, evil)
    add("torch-zip-duplicate", dup, fail, {"AISEC-ZIP-003"})
    short_record = rezip(base_torch, folder / "short-storage.pt", {f"{prefix}/data/0": b"\0"})
    add("torch-zip-storage-size", short_record, fail, {"AISEC-PT-004"})
    flagged = rezip(base_torch, folder / "flag-bits.pt", {pkl: evil})
    raw = bytearray(flagged.read_bytes())
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # general purpose flags
        at = raw.index(sig)
        raw[at + off : at + off + 2] = struct.pack("<H", 0x0009)  # encrypted + descriptor
    flagged.write_bytes(bytes(raw))
    add("zip-flag-bits", flagged, fail, {"AISEC-ZIP-007"})
    slip = folder / "slip.zip"
    with zipfile.ZipFile(slip, "w") as z:
        z.writestr("../../etc/evil.txt", "x")
        z.writestr("/abs/evil.txt", "x")
    add("zip-slip", slip, fail, {"AISEC-ZIP-004"})
    bomb = folder / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.bin", bytes(64 * 1024 * 1024))
    add("zip-ratio-bomb", bomb, bad, {"AISEC-ZIP-005"})
    lying = folder / "lying-size.zip"
    with zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("notes.txt", b"a" * (4 * 1024 * 1024))
    data = bytearray(lying.read_bytes())
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size fields
        at = data.index(sig)
        data[at + off : at + off + 4] = struct.pack("<I", 100)
    lying.write_bytes(bytes(data))
    add("zip-lying-size", lying, bad, {"AISEC-ZIP-005"})
    legacy = folder / "legacy-evil.pt"
    legacy.write_bytes(pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
                       + pickle.dumps(1001, protocol=2)
                       + pickle.dumps({"protocol_version": 1001}, protocol=2)
                       + evil + pickle.dumps([], protocol=2))
    add("torch-legacy-payload", legacy, fail, set())
    add("torch-tar-payload", torch_tar(folder / "torch-tar.pt", evil), fail, set())
    lying_tar = torch_tar(folder / "torch-tar-lying.pt")
    _patch(lying_tar, struct.pack("<q", 3) + struct.pack("<3f", 1.0, 2.0, 3.0),
           struct.pack("<q", 2**40) + struct.pack("<3f", 1.0, 2.0, 3.0))
    add("torch-tar-lying-storage", lying_tar, {"error"}, {"AISEC-PT-002"})
    fake = folder / "fake.7z"
    fake.write_bytes(b"7z\xbc\xaf\x27\x1c\x00\x04" + evil + b"\x00" * 64)
    add("7z-packed", fake, {"error"}, {"AISEC-7Z-002"})
    broken = rezip(base_torch, folder / "broken-after-payload.pt", {pkl: evil[:-1] + b"\xff"})
    add("torch-zip-broken-pickle", broken, fail, set())
    # nullifAI: that PyTorch file with the pickle broken after the payload, packed with 7z.
    add("7z-nullifai-torch", seven_zip(folder / "nullifai.7z", {"model.pt": broken.read_bytes()}),
        fail, {"AISEC-PKL-002"})
    add("7z-pickle", seven_zip(folder / "model.7z", {"model.pkl": evil}), fail,
        {"AISEC-PKL-002"})
    gz = folder / "model.pkl.gz"
    gz.write_bytes(gzip.compress(evil))
    add("gzip-pickle", gz, fail, set())
    tgz = folder / "bundle.tar.gz"
    with tarfile.open(tgz, "w:gz") as t:
        info = tarfile.TarInfo("inner/model.pkl")
        info.size = len(evil)
        t.addfile(info, io.BytesIO(evil))
        link = tarfile.TarInfo("escape")
        link.type, link.linkname = tarfile.SYMTYPE, "../../etc/passwd"
        t.addfile(link)
    add("tar-gz-pickle-and-link", tgz, fail, {"AISEC-TAR-001"})
    npz = folder / "arrays.npz"
    with zipfile.ZipFile(npz, "w") as z:
        z.writestr("ok.npy", npy_object(pickle.dumps([1, 2], protocol=2)))
        z.writestr("evil.npy", npy_object(evil))
    add("npz-object-payload", npz, fail, set())
    disguised = folder / "model.safetensors"
    disguised.write_bytes(evil)
    add("pickle-named-safetensors", disguised, fail, set())
    # Keras
    lam = _layer("Lambda", {"function": {"class_name": "__lambda__",
                                         "config": {"code": marshalled_lambda()}}})
    add("keras-lambda", keras_zip(folder / "lambda.keras", {
        "class_name": "Sequential", "module": "keras",
        "config": {"layers": [_layer("Dense", {"units": 1}), lam]}}), fail,
        {"AISEC-KER-001", "AISEC-KER-002"})
    deep_module = {"class_name": "Functional", "module": "keras", "config": {"layers": [
        _layer("Dense", {"units": 2, "activation": {"module": "builtins", "class_name":
                                                     "function", "config": "exec",
                                                     "registered_name": "function"}})]}}
    add("keras-foreign-module", keras_zip(folder / "module.keras", deep_module), fail,
        {"AISEC-KER-003"})
    h5 = folder / "lambda.h5"
    import h5py

    with h5py.File(h5, "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"layers": [
            {"class_name": "Lambda", "config": {"function": [marshalled_lambda(), None, None],
                                                "function_type": "lambda"}}]}})
        f.create_dataset("w", data=np.ones(3))
    add("h5-lambda", h5, fail, {"AISEC-KER-001", "AISEC-KER-002"})
    ublock = folder / "userblock.h5"
    with h5py.File(ublock, "w", userblock_size=512) as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Lambda", "config": {}})
    with ublock.open("r+b") as fh:  # HDF5 skips the user block; make it look like a README
        fh.write(b"This is a harmless model card.\n".ljust(512, b" "))
    add("h5-behind-text-userblock", ublock, fail, {"AISEC-KER-001"})
    prefixed = folder / "prefixed.keras"
    inner = keras_zip(folder / "inner-lambda.keras", {"class_name": "Lambda", "config": {}})
    prefixed.write_bytes(b"Plain text notes before the archive.\n" + inner.read_bytes())
    inner.unlink()
    add("keras-zip-behind-text", prefixed, fail, {"AISEC-KER-001"})
    poly = folder / "polyglot.gguf"
    lam_zip = keras_zip(folder / "lam.keras", {"class_name": "Lambda", "config": {}})
    poly.write_bytes(gguf_file(folder / "base.gguf").read_bytes() + lam_zip.read_bytes())
    add("gguf-keras-polyglot", poly, fail, {"AISEC-ZIP-009", "AISEC-KER-001"})
    h5zip = folder / "h5-in-zip.keras"  # a clean zip whose first member hides an HDF5 model
    with zipfile.ZipFile(h5zip, "w") as z:
        z.writestr("pad.bin", bytes(512 - 30 - len("pad.bin")) + ublock.read_bytes()[512:])
    add("zip-hdf5-polyglot", h5zip, fail, {"AISEC-ZIP-009", "AISEC-KER-001"})
    # SavedModel
    sm = savedmodel_dir(folder / "saved_evil", [
        node_def("x", "Placeholder"), node_def("read", "ReadFile"),
        node_def("write", "WriteFile"), node_def("py", "PyFunc"),
        node_def("log", "PrintV2", {"output_stream": "file:///tmp/leak"}),
        node_def("sneaky", "SaveV2")])
    add("savedmodel-file-ops", sm / "saved_model.pb", fail,
        {"AISEC-TF-001", "AISEC-TF-002", "AISEC-TF-003", "AISEC-TF-004"})
    # ONNX
    for name, loc, code in (("onnx-absolute", "/etc/passwd", "AISEC-ONNX-001"),
                            ("onnx-traversal", "../../secret.bin", "AISEC-ONNX-002")):
        sub = folder / name
        sub.mkdir(exist_ok=True)
        add(name, onnx_with_location(sub / "model.onnx", loc), fail, {code})
    linked = folder / "onnx-symlink"
    linked.mkdir(exist_ok=True)
    (folder / "outside.bin").write_bytes(bytes(32))
    (linked / "w.bin").symlink_to(folder / "outside.bin")
    add("onnx-symlink", onnx_with_location(linked / "model.onnx", "w.bin"), fail,
        {"AISEC-ONNX-003"})
    hard = folder / "onnx-hardlink"
    hard.mkdir(exist_ok=True)
    os.link(folder / "outside.bin", hard / "w.bin")
    add("onnx-hardlink", onnx_with_location(hard / "model.onnx", "w.bin"), fail,
        {"AISEC-ONNX-003"})
    # GGUF
    ssti = gguf_file(folder / "ssti.gguf", template=(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}{{ cycler.__init__.__globals__.os"
        ".popen('echo ran > " + str(folder / MARKER) + "').read() }}"))
    add("gguf-ssti", ssti, fail, {"AISEC-GGUF-001"})
    lie = gguf_file(folder / "lying-count.gguf")
    data = bytearray(lie.read_bytes())
    data[16:24] = struct.pack("<Q", 2**40)
    lie.write_bytes(bytes(data))
    add("gguf-lying-count", lie, bad, {"AISEC-GGUF-002"})
    lie_str = gguf_file(folder / "lying-string.gguf")
    data = bytearray(lie_str.read_bytes())
    data[24:32] = struct.pack("<Q", 2**62)
    lie_str.write_bytes(bytes(data))
    add("gguf-lying-string", lie_str, bad, {"AISEC-GGUF-002"})
    short = gguf_file(folder / "truncated.gguf", tensors=4)
    short.write_bytes(short.read_bytes()[:-200])
    add("gguf-truncated-tensors", short, bad, {"AISEC-GGUF-003"})
    # safetensors
    head = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    st = {
        "st-header-too-long": (safetensors_bytes(head, bytes(8), claimed=10**12),
                               "AISEC-ST-001"),
        "st-dtype-shape": (safetensors_bytes(json.dumps({"w": {"dtype": "F32", "shape": [4],
                                                              "data_offsets": [0, 8]}}).encode(),
                                             bytes(8)), "AISEC-ST-003"),
        "st-overlap": (safetensors_bytes(json.dumps({
            "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
            "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}).encode(), bytes(12)),
            "AISEC-ST-002"),
        "st-duplicate-key": (safetensors_bytes(
            b'{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "w": {"dtype": '
            b'"F32", "shape": [2], "data_offsets": [0, 8]}}', bytes(8)), "AISEC-ST-004"),
    }
    for name, (blob, code) in st.items():
        path = folder / f"{name}.safetensors"
        path.write_bytes(blob)
        add(name, path, bad, {code})
    # Truncation and deep nesting
    cut = folder / "truncated.pt"
    cut.write_bytes(base_torch.read_bytes()[: base_torch.stat().st_size // 2])
    add("torch-zip-truncated", cut, bad, set())
    deep = folder / "deep.keras"
    with zipfile.ZipFile(deep, "w") as z:
        z.writestr("metadata.json", "{}")
        z.writestr("config.json", "[" * 1_000_000 + "]" * 1_000_000)
    add("keras-deep-json", deep, bad, {"AISEC-KER-004"})
    nested = b"\x80\x02" + b"(" * 1_000_000 + b"."
    deep_pkl = folder / "deep.pkl"
    deep_pkl.write_bytes(nested)
    add("pickle-deep-marks", deep_pkl, bad, set())
    inner = evil
    for level in range(20):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(f"level{level}.zip" if level else "model.pkl", inner)
        inner = buf.getvalue()
    nest = folder / "nested.zip"
    nest.write_bytes(inner)
    add("zip-nested-20", nest, bad, set())
    return cases


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "corpus")
    good = benign(out / "benign")
    hostile(out / "hostile", good["torch-zip"])
    print(f"wrote corpus to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def torch_tar(path: Path, obj_pickle: bytes | None = None) -> Path:
    """A legacy (torch < 0.4) tar checkpoint of one float tensor, laid out as torch.load's
    tar reader expects: sys_info, pickle (persistent ids), storages, tensors."""
    storage_data = struct.pack("<3f", 1.0, 2.0, 3.0)
    storages = (pickle.dumps(1, protocol=2)
                + _torch_pickle(("0", "cpu", "torch.FloatStorage"))
                + struct.pack("<q", 3) + storage_data + pickle.dumps([], protocol=2))
    tensors = (pickle.dumps(1, protocol=2) + _torch_pickle((1, "0", "torch.FloatTensor"))
               + struct.pack("<i", 1) + bytes(4) + struct.pack("<qqq", 3, 1, 0))
    obj = obj_pickle or b"\x80\x02}q\x00X\x01\x00\x00\x00wq\x01X\x01\x00\x00\x001Qs."
    sys_info = pickle.dumps({"protocol_version": 1001, "little_endian": True,
                             "type_sizes": {"short": 2, "int": 4, "long": 8}}, protocol=2)
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        for name, blob in (("sys_info", sys_info), ("pickle", obj), ("storages", storages),
                           ("tensors", tensors)):
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            t.addfile(info, io.BytesIO(blob))
    return path


def _torch_pickle(header: tuple[str | int, str, str]) -> bytes:
    """``(a, b, module.Class)`` pickled the way torch wrote it: key, string, global."""
    a, b, dotted = header
    module, name = dotted.rsplit(".", 1)
    strs = b"".join(b"K" + bytes([s]) if isinstance(s, int)
                    else b"X" + struct.pack("<I", len(s)) + s.encode() for s in (a, b))
    return b"\x80\x02" + strs + f"c{module}\n{name}\n".encode() + b"\x87q\x00."
