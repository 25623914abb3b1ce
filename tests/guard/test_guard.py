"""safe_load and the loader patches, in this process, on real files (no kernel)."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

from aisec_nb import guard, safe_load
from aisec_nb.errors import GuardRefusal
from tests.scan.corpus_pickle import proto, sglob

UNKNOWN = proto(4) + sglob("aisec_no_such_module", "Thing") + b"."
"""A pickle naming a global off the allowlist (verdict warn) whose module does not exist."""


class Payload:
    """Pickles as os.system(echo x > marker); never called here."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, (f"echo x > {self.marker}",))


class NonSeekable(io.RawIOBase):
    """A read-only stream without seek, like a socket or a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    marker = tmp_path / "MARKER"
    good = tmp_path / "good.pkl"
    good.write_bytes(pickle.dumps({"coef": np.arange(3)}, protocol=4))
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(pickle.dumps(Payload(marker)))
    return {"good": good, "bad": bad, "marker": marker}


def test_safe_load_loads_a_clean_file(files: dict[str, Path], events: list[object]) -> None:
    assert safe_load(files["good"])["coef"].tolist() == [0, 1, 2]
    assert safe_load(str(files["good"]), pickle.load)["coef"].tolist() == [0, 1, 2]
    assert events == []


def test_safe_load_refuses_and_says_why(
    files: dict[str, Path], events: list[guard.GuardEvent]
) -> None:
    with pytest.raises(GuardRefusal) as err:
        safe_load(files["bad"])
    text = str(err.value)
    assert "scan verdict 'fail'" in text and "AISEC-PKL-002" in text and "system" in text
    # The core speaks Python; the notebook face words it as magics while it is loaded.
    assert f"aisec_nb.guard.trust({str(files['bad'])!r}, reason='...')" in text
    assert "%aisec" not in text
    assert [(e.action, e.loader, e.label) for e in events] == [
        ("refused", "pickle.load", str(files["bad"]))
    ]
    assert not files["marker"].exists()


def test_safe_load_override_is_reported(
    files: dict[str, Path], events: list[guard.GuardEvent]
) -> None:
    # The override path really loads; a harmless pickle with an unknown global stands in.
    odd = files["good"].with_name("odd.pkl")
    odd.write_bytes(UNKNOWN)
    with pytest.raises(GuardRefusal):
        safe_load(odd)
    with pytest.raises(ModuleNotFoundError):
        safe_load(odd, accept_risk="vendor model, reviewed")
    override = events[-1]
    assert (override.action, override.reason) == ("override", "vendor model, reviewed")
    assert override.result.verdict == "warn"


def test_guard_patches_and_restores_pickle(
    files: dict[str, Path], events: list[guard.GuardEvent]
) -> None:
    original = pickle.loads
    guard.switch_on()
    assert guard.is_on() and {"pickle.load", "pickle.loads"} <= set(guard.patched())
    with pytest.raises(GuardRefusal):
        pickle.loads(files["bad"].read_bytes())
    with files["bad"].open("rb") as fh, pytest.raises(GuardRefusal):
        pickle.load(fh)
    with files["good"].open("rb") as fh:
        assert pickle.load(fh)["coef"].tolist() == [0, 1, 2]
    # A non-seekable stream is read once, scanned, and handed on.
    assert pickle.load(NonSeekable(files["good"].read_bytes()))["coef"].tolist() == [0, 1, 2]
    guard.switch_off()
    assert not guard.is_on() and guard.patched() == [] and pickle.loads is original
    assert [e.loader for e in events] == ["pickle.loads", "pickle.load"]
    assert not files["marker"].exists()


def test_guard_covers_joblib_numpy_and_torch(
    tmp_path: Path, events: list[guard.GuardEvent]
) -> None:
    import torch

    marker = tmp_path / "MARKER"
    joblib.dump({"w": np.zeros(5)}, tmp_path / "good.joblib")
    joblib.dump([np.zeros(2000), Payload(marker)], tmp_path / "bad.joblib")
    np.save(tmp_path / "obj.npy", np.array([Payload(marker)], dtype=object), allow_pickle=True)
    np.save(tmp_path / "plain.npy", np.arange(4))
    torch.save({"w": torch.ones(2)}, tmp_path / "good.pt")
    torch.save({"p": Payload(marker)}, tmp_path / "bad.pt")

    guard.switch_on()
    assert joblib.load(tmp_path / "good.joblib")["w"].shape == (5,)
    with pytest.raises(GuardRefusal):
        joblib.load(tmp_path / "bad.joblib")
    with pytest.raises(GuardRefusal):
        np.load(tmp_path / "obj.npy", allow_pickle=True)
    assert np.load(tmp_path / "plain.npy").tolist() == [0, 1, 2, 3]
    assert torch.load(tmp_path / "good.pt")["w"].tolist() == [1.0, 1.0]
    with pytest.raises(GuardRefusal):
        torch.load(tmp_path / "bad.pt", weights_only=False)
    with (tmp_path / "bad.pt").open("rb") as fh, pytest.raises(GuardRefusal):
        torch.load(fh, weights_only=False)
    # A stream that cannot seek is spooled to a temporary copy, scanned, and the copy is loaded.
    assert joblib.load(NonSeekable((tmp_path / "good.joblib").read_bytes()))["w"].shape == (5,)
    with pytest.raises(GuardRefusal):
        joblib.load(NonSeekable((tmp_path / "bad.joblib").read_bytes()))
    import pandas as pd

    pd.DataFrame({"a": [1]}).to_pickle(tmp_path / "frame.pkl.gz")
    (tmp_path / "bad.pkl").write_bytes(pickle.dumps(Payload(marker)))
    assert pd.read_pickle(tmp_path / "frame.pkl.gz")["a"].tolist() == [1]
    with pytest.raises(GuardRefusal):
        pd.read_pickle(tmp_path / "bad.pkl")
    assert {"torch.load", "joblib.load", "numpy.load", "pandas.read_pickle"} <= set(guard.patched())
    guard.switch_off()
    assert not getattr(torch.load, "__aisec_guard__", False)
    assert [e.action for e in events] == ["refused"] * 6
    assert not marker.exists()


def test_trust_allows_exact_content_only(tmp_path: Path, events: list[guard.GuardEvent]) -> None:
    odd = tmp_path / "odd.pkl"
    odd.write_bytes(UNKNOWN)
    guard.trust(odd, "reviewed by security")
    assert events[-1].action == "override" and events[-1].loader == "trust"
    guard.switch_on()
    with odd.open("rb") as fh, pytest.raises(ModuleNotFoundError):
        pickle.load(fh)  # allowed through the guard; the module simply does not exist
    odd.write_bytes(UNKNOWN.replace(b"Thing", b"Other"))
    with odd.open("rb") as fh, pytest.raises(GuardRefusal):
        pickle.load(fh)


def test_guard_covers_keras_load_model(tmp_path: Path, events: list[guard.GuardEvent]) -> None:
    from tests.scan.corpus_formats import _layer, keras_models, keras_zip, marshalled_lambda

    guard.switch_on()  # before keras is imported: the import hook patches it
    native, _ = keras_models(tmp_path)
    lam = _layer(
        "Lambda",
        {"function": {"class_name": "__lambda__", "config": {"code": marshalled_lambda()}}},
    )
    hostile = keras_zip(
        tmp_path / "lambda.keras",
        {"class_name": "Sequential", "module": "keras", "config": {"layers": [lam]}},
    )
    import keras

    assert {"keras.models.load_model", "keras.saving.load_model"} <= set(guard.patched())
    assert keras.models.load_model(native).count_params() > 0
    with pytest.raises(GuardRefusal):
        keras.models.load_model(hostile, safe_mode=False)
    assert [(e.action, e.loader) for e in events] == [("refused", "keras.models.load_model")]


def test_allow_warn_loads_warn_files_as_recorded_overrides(
    tmp_path: Path, files: dict[str, Path], events: list[guard.GuardEvent]
) -> None:
    odd = tmp_path / "odd.pkl"
    odd.write_bytes(UNKNOWN)
    guard.allow_warn(True)
    guard.switch_on()
    with odd.open("rb") as fh, pytest.raises(ModuleNotFoundError):
        pickle.load(fh)  # through the guard: only a global off the allowlist
    assert (events[-1].action, events[-1].reason) == ("override", guard.WARN_OPT_OUT)
    with files["bad"].open("rb") as fh, pytest.raises(GuardRefusal):
        pickle.load(fh)  # fail is still refused
    with pytest.raises(GuardRefusal):
        safe_load(odd)  # safe_load loads on pass only, whatever the guard says
    guard.switch_off()
    assert not guard.warn_allowed()
