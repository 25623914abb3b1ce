"""The guard sees every unpickling: while it is on, the audit hook (``pickle.find_class``) judges
the globals of unpicklings that go around the patched loaders (a raw ``Unpickler``, a ``load``
bound before the guard was switched on, ``torch.load(weights_only=False)`` through an earlier
name, joblib's and pandas' own unpickling) and refuses those the policy does not allow, before
they are imported. Off, it does nothing. The marker file proves no payload ever ran."""

from __future__ import annotations

import io
import os
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path

# Bound before any test switches the guard on: the patched module attribute is not this.
from pickle import load as prebound_load

import numpy as np
import pytest

from aisec_nb import guard
from aisec_nb.errors import GuardRefusal
from aisec_nb.guard import audit


class Payload:
    """Pickles as os.system(echo x > marker); never called here."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, (f"echo x > {self.marker}",))


class Thing:
    """A class of this test module: off the allowlist, harmless to load."""

    def __init__(self, value: int) -> None:
        self.value = value


@pytest.fixture
def marker(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "MARKER"
    yield path
    assert not path.exists(), "a payload ran"


def test_a_raw_unpickler_is_refused_before_the_global_is_imported(
        marker: Path, events: list[guard.GuardEvent]) -> None:
    data = pickle.dumps(Payload(marker))
    guard.switch_on()
    assert audit.is_active()
    for unpickler in (pickle.Unpickler, pickle._Unpickler):  # the C and the Python one
        with pytest.raises(GuardRefusal) as err:
            unpickler(io.BytesIO(data)).load()
        assert "posix.system" in str(err.value) or "os.system" in str(err.value)
    (refused, _) = events
    assert (refused.action, refused.loader) == ("refused", audit.LOADER)
    assert refused.result.kind == "guard" and refused.result.verdict == "fail"
    assert [f.code for f in refused.result.findings] == ["AISEC-PKL-002"]
    # clean data still loads, allowed globals and all
    clean = pickle.dumps({"w": np.arange(3), "when": __import__("datetime").date(2026, 1, 1)})
    assert pickle.Unpickler(io.BytesIO(clean)).load()["w"].tolist() == [0, 1, 2]


def test_a_load_bound_before_the_guard_is_seen(marker: Path,
                                               events: list[guard.GuardEvent]) -> None:
    guard.switch_on()
    assert pickle.load is not prebound_load  # the module attribute is patched, this is not
    with pytest.raises(GuardRefusal):
        prebound_load(io.BytesIO(pickle.dumps(Payload(marker))))
    assert prebound_load(io.BytesIO(pickle.dumps([1, 2]))) == [1, 2]


def test_off_the_hook_does_nothing() -> None:
    data = pickle.dumps(Thing(3))
    guard.switch_on()
    try:
        with pytest.raises(GuardRefusal):
            pickle.Unpickler(io.BytesIO(data)).load()
    finally:
        guard.switch_off()
    assert not audit.is_active()
    assert pickle.Unpickler(io.BytesIO(data)).load().value == 3


def test_allow_warn_loads_unknown_globals_and_records_it(
        marker: Path, events: list[guard.GuardEvent]) -> None:
    guard.switch_on()
    guard.allow_warn(True)
    assert pickle.Unpickler(io.BytesIO(pickle.dumps(Thing(4)))).load().value == 4
    assert [(e.action, e.reason) for e in events] == [("override", guard.WARN_OPT_OUT)]
    with pytest.raises(GuardRefusal):  # a dangerous global is refused all the same
        pickle.Unpickler(io.BytesIO(pickle.dumps(Payload(marker)))).load()


def test_a_users_allowlist_is_honoured(events: list[guard.GuardEvent]) -> None:
    from aisec_nb.scan import load_policy

    guard.switch_on(load_policy([f"{__name__}.Thing"]))
    assert pickle.Unpickler(io.BytesIO(pickle.dumps(Thing(5)))).load().value == 5
    assert events == []


def test_a_guarded_load_is_not_judged_twice(tmp_path: Path,
                                            events: list[guard.GuardEvent]) -> None:
    # trust() approves a file whose scan warns; the hook stands aside inside that load.
    path = tmp_path / "thing.pkl"
    path.write_bytes(pickle.dumps(Thing(6)))
    guard.switch_on()
    guard.trust(path, reason="our own class")
    with path.open("rb") as fh:
        assert pickle.load(fh).value == 6
    assert [e.action for e in events] == ["override", "override"]
    guard.forget_trusted()


def test_torch_load_without_weights_only_through_an_earlier_name(
        tmp_path: Path, marker: Path, events: list[guard.GuardEvent]) -> None:
    import torch
    from torch.serialization import load as torch_load  # bound before the guard is on

    bad, good, whole = tmp_path / "bad.pt", tmp_path / "good.pt", tmp_path / "whole.pt"
    torch.save({"p": Payload(marker)}, bad)
    torch.save({"w": torch.ones(2)}, good)
    torch.save(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()), whole)
    guard.switch_on()
    with pytest.raises(GuardRefusal):
        torch_load(bad, weights_only=False)
    assert torch_load(good, weights_only=False)["w"].tolist() == [1.0, 1.0]
    assert isinstance(torch_load(whole, weights_only=False), torch.nn.Sequential)  # framework
    assert torch_load(good)["w"].tolist() == [1.0, 1.0]  # weights_only: torch's own unpickler


def test_joblib_and_pandas_unpickling_by_themselves(
        tmp_path: Path, marker: Path, events: list[guard.GuardEvent]) -> None:
    import joblib
    import joblib.numpy_pickle
    import pandas as pd
    import pandas.io.pickle

    bad = tmp_path / "bad.joblib"
    joblib.dump([np.zeros(2000), Payload(marker)], bad)
    good = tmp_path / "good.joblib"
    joblib.dump({"w": np.arange(5)}, good)
    frame = tmp_path / "frame.pkl"
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_pickle(frame)
    evil_frame = tmp_path / "evil.pkl"
    evil_frame.write_bytes(pickle.dumps(Payload(marker)))
    guard.switch_on()
    with pytest.raises(GuardRefusal):
        joblib.numpy_pickle.load(bad)  # joblib's own Python unpickler, not a patched name
    assert joblib.numpy_pickle.load(good)["w"].tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(GuardRefusal):
        pandas.io.pickle.read_pickle(evil_frame)
    assert pandas.io.pickle.read_pickle(frame)["b"].tolist() == ["x", "y"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_inherit_an_active_guard(events: list[guard.GuardEvent]) -> None:
    data = pickle.dumps(Thing(7))
    guard.switch_on()
    pid = os.fork()
    if pid == 0:  # the child: a multiprocessing worker would unpickle its task here
        try:
            code = 0 if pickle.Unpickler(io.BytesIO(data)).load().value == 7 else 1
        except BaseException:
            code = 2
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with pytest.raises(GuardRefusal):  # the parent is still guarded
        pickle.Unpickler(io.BytesIO(data)).load()


def test_the_hook_is_installed_only_when_the_guard_is_first_switched_on() -> None:
    import subprocess

    code = ("import sys, aisec_nb.guard as g, aisec_nb.guard.audit as a; "
            "print(a._INSTALLED[0]); g.switch_on(); print(a._INSTALLED[0], a.is_active()); "
            "g.switch_off(); print(a.is_active())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True", "True", "False"]
