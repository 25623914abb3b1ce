"""The guard tells its listeners, and only them: no front end is imported or shown by the core."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aisec_nb import guard
from aisec_nb.errors import GuardRefusal
from tests.scan.corpus_pickle import proto, sbu, sglob


def _bad(folder: Path) -> Path:
    marker = folder / "MARKER"
    path = folder / "bad.pkl"
    path.write_bytes(proto(4) + sglob("os", "system") + sbu(f"echo x > {marker}") + b"\x85R.")
    return path


def test_listeners_hear_refusals_until_removed(tmp_path: Path) -> None:
    bad = _bad(tmp_path)
    seen: list[guard.GuardEvent] = []
    guard.add_listener(seen.append)
    guard.add_listener(seen.append)  # idempotent
    try:
        with pytest.raises(GuardRefusal):
            guard.safe_load(bad)
    finally:
        guard.remove_listener(seen.append)
    with pytest.raises(GuardRefusal):
        guard.safe_load(bad)
    assert [(e.action, e.label) for e in seen] == [("refused", str(bad))]
    guard.remove_listener(seen.append)  # removing twice is harmless
    assert not (tmp_path / "MARKER").exists()


def test_safe_load_with_ipython_loaded_shows_nothing_and_imports_no_face(tmp_path: Path) -> None:
    # In a fresh process, as in a kernel without %load_ext aisec_nb: IPython is imported, display
    # is watched, and a refused safe_load must neither display nor import the notebook face.
    probe = f"""
import json, sys
import IPython.display
shown = []
IPython.display.display = lambda *a, **k: shown.append(a)
from aisec_nb import safe_load
from aisec_nb.errors import GuardRefusal
from aisec_nb.guard import state
try:
    safe_load({str(_bad(tmp_path))!r})
except GuardRefusal:
    refused = True
else:
    refused = False
faces = sorted(m for m in sys.modules if m.startswith(("aisec_nb.jupyter", "aisec_nb.cli")))
print(json.dumps([refused, len(shown), len(state.listeners()), faces]))
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [True, 0, 0, []]
    assert not (tmp_path / "MARKER").exists()
