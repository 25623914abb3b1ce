"""Benign files that used to be flagged: a whole module saved with ``torch.save(model)`` (torch.nn
classes, inert to import and to set state on) passes with one info finding, and
``functools.partial`` around a pure numpy function is not critical. The allowlist of numpy
functions is a curated list, never the namespace."""

from __future__ import annotations

import functools
import io
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from aisec_nb.scan import scan_path
from aisec_nb.scan.api import scan_pickle_bytes
from aisec_nb.scan.policy import Danger, load_policy
from tests.scan.corpus_pickle import proto, sbu, sglob
from tests.scan.helpers import assert_scanned

POLICY = load_policy()


def _findings(path: Path) -> list[tuple[str, str]]:
    result = assert_scanned(scan_path(path))
    return [(f.code, f.severity) for f in result.findings]


def test_a_whole_torch_model_passes_with_one_info_finding(tmp_path: Path) -> None:
    import torch

    model = torch.nn.Sequential(
        torch.nn.Conv1d(2, 4, 3), torch.nn.GroupNorm(2, 4), torch.nn.SiLU(), torch.nn.Flatten(),
        torch.nn.LazyLinear(3) if False else torch.nn.Linear(4, 3), torch.nn.Softmax(dim=-1),
        torch.nn.MultiheadAttention(3, 1), torch.nn.GRU(3, 2), torch.nn.Transformer(
            d_model=4, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8))
    path = tmp_path / "model.pt"
    torch.save(model, path)
    result = assert_scanned(scan_path(path))
    assert result.verdict == "pass", [(f.code, f.message) for f in result.findings]
    assert [f.code for f in result.findings] == ["AISEC-PKL-015"]
    message = result.findings[0].message
    assert message.startswith("not weights-only: loads framework classes (")
    assert "torch.nn.modules.container.Sequential" in message
    assert result.findings[0].location is not None
    assert result.findings[0].location.member.endswith("data.pkl")


def test_a_users_own_model_class_is_still_unknown(tmp_path: Path) -> None:
    # Classes of the user's own code (here a test module) are not framework classes.
    import torch

    path = tmp_path / "model.pt"
    torch.save(_Net(), path)
    found = _findings(path)
    assert ("AISEC-PKL-006", "medium") in found
    assert ("AISEC-PKL-015", "info") in found


class _Net(__import__("torch").nn.Module):
    def __init__(self) -> None:
        import torch

        super().__init__()
        self.fc = torch.nn.Linear(2, 1)


@pytest.mark.parametrize(("module", "name"), [
    ("torch.nn.modules.linear", "Linear"),
    ("torch.nn.modules.container", "ModuleDict"),
    ("torch.nn.parameter", "Buffer"),
    ("torch.nn.functional", "gelu"),
])
def test_framework_names(module: str, name: str) -> None:
    assert POLICY.classify(module, name) is Danger.FRAMEWORK


@pytest.mark.parametrize(("module", "name"), [
    ("torch.nn.modules.linear", "Linear.forward"),   # a method, reached through its class
    ("torch.nn.modules.module", "register_module_forward_hook"),  # a function, not a class
    ("torch.nn.modules.module", "_addindent"),        # private
    ("torch.nn.functional", "_no_grad_embedding_renorm_"),
    ("torch.nn.modulesX", "Linear"),                  # not the namespace
    ("torchvision.models.resnet", "resnet50"),        # downloads weights: not a framework class
])
def test_not_framework_names(module: str, name: str) -> None:
    assert POLICY.classify(module, name) is not Danger.FRAMEWORK


def test_framework_classes_do_not_hide_a_payload(tmp_path: Path) -> None:
    # A torch.nn class next to os.system: the class is info, the call still fails the file.
    data = (proto(4) + sglob("torch.nn.modules.linear", "Linear") + b"0"
            + sglob("os", "system") + sbu("echo x") + b"\x85R.")
    scan = scan_pickle_bytes(data, policy=POLICY)
    codes = {f.code for f in scan.findings}
    assert {"AISEC-PKL-002", "AISEC-PKL-015"} <= codes
    # and a framework function may be wrapped by functools.partial, os.system may not
    ok = proto(4) + sglob("functools", "partial") + sglob("torch.nn.functional", "gelu") + b"\x85R."
    assert {f.code for f in scan_pickle_bytes(ok, policy=POLICY).findings} == {"AISEC-PKL-015"}


def test_partial_of_a_pure_numpy_function_passes(tmp_path: Path) -> None:
    from sklearn.preprocessing import FunctionTransformer

    path = tmp_path / "m.pkl"
    for obj in (functools.partial(np.clip, a_min=0, a_max=1),
                FunctionTransformer(np.clip, kw_args={"a_min": 0, "a_max": 1}),
                functools.partial(np.linalg.norm, ord=2),
                [np.mean, np.percentile, np.where, np.concatenate]):
        path.write_bytes(pickle.dumps(obj, protocol=4))
        result = assert_scanned(scan_path(path))
        assert result.verdict == "pass", (obj, [(f.code, f.message) for f in result.findings])


@pytest.mark.parametrize(("name", "danger"), [
    ("load", Danger.CODE_EXECUTION), ("save", Danger.FILE_SYSTEM),
    ("fromfile", Danger.FILE_SYSTEM), ("memmap", Danger.FILE_SYSTEM),
    ("loadtxt", Danger.FILE_SYSTEM), ("genfromtxt", Danger.FILE_SYSTEM),
    ("ctypeslib.load_library", Danger.CODE_EXECUTION), ("f2py.compile", Danger.CODE_EXECUTION),
])
def test_numpy_functions_that_are_not_pure_stay_dangerous(name: str, danger: Danger) -> None:
    assert POLICY.classify("numpy", name) is danger
    wrapped = proto(4) + sglob("functools", "partial") + sglob("numpy", name) + b"\x85R."
    codes = {f.code for f in scan_pickle_bytes(wrapped, policy=POLICY).findings}
    assert "AISEC-PKL-001" in codes  # partial of something not inert is code execution


def test_no_numpy_namespace_wildcard() -> None:
    from tests.scan.test_policy import DATA

    listed = set(DATA["allow"]["numpy"])
    assert not {"load", "save", "fromfile", "memmap", "loadtxt", "genfromtxt", "ctypeslib",
                "f2py", "vectorize", "frompyfunc", "apply_along_axis", "piecewise",
                "set_printoptions", "seterr"} & listed
    assert not any(k.endswith("*") for k in DATA["allow"])
    # every listed name is a real numpy callable pickled under that name
    for name in listed:
        obj = getattr(np, name)
        assert callable(obj), name


def test_whole_model_inside_a_zip_is_the_torch_member(tmp_path: Path) -> None:
    import torch

    buf = io.BytesIO()
    torch.save(torch.nn.Linear(2, 2), buf)
    names = zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()
    assert any(n.endswith("data.pkl") for n in names)
