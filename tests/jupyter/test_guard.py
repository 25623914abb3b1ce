"""%aisec guard in a real kernel: refusals and overrides land in the saved notebook's record.

They are shown only while the extension is loaded: the core guard displays nothing itself.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from aisec_nb.cli import main
from aisec_nb.transport import MIME_TYPE
from tests.notebooks import execute, make_notebook, outputs_with, save
from tests.scan.corpus_pickle import proto, sbu, sglob


@pytest.mark.kernel
def test_guard_refuses_records_overrides_and_switches_off(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    bad = proto(4) + sglob("os", "system") + sbu(f"echo x > {marker}") + b"\x85R."
    (tmp_path / "bad.pkl").write_bytes(bad)
    (tmp_path / "odd.pkl").write_bytes(proto(4) + sglob("aisec_no_such_module", "Thing") + b".")
    (tmp_path / "payload.pkl").write_bytes(bad)
    nb = make_notebook(
        "from aisec_nb import safe_load\n"
        "from aisec_nb.errors import GuardRefusal\n"
        "def attempt():\n"
        "    try:\n"
        "        safe_load('payload.pkl')\n"
        "    except GuardRefusal:\n"
        "        print('SAFE_LOAD REFUSED')\n"
        "attempt()",
        "%load_ext aisec_nb",
        "attempt()",
        "%aisec guard on",
        "import pickle\n"
        "from aisec_nb.errors import GuardRefusal\n"
        "try:\n"
        "    pickle.load(open('bad.pkl', 'rb'))\n"
        "except GuardRefusal as exc:\n"
        "    print('REFUSED', str(exc))",
        "%aisec guard allow odd.pkl --reason 'vendor model, reviewed'",
        "try:\n"
        "    pickle.load(open('odd.pkl', 'rb'))\n"
        "except ModuleNotFoundError:\n"
        "    print('LOADED PAST THE GUARD')",
        "%aisec guard status",
        "%aisec guard allow odd.pkl",
        "%unload_ext aisec_nb",
        "print(getattr(pickle.load, '__aisec_guard__', False))",
        "attempt()",
    )
    execute(nb, tmp_path, allow_errors=True)

    def text(i: int) -> str:
        return "".join(o.get("text", "") for o in nb.cells[i].outputs if o.get("name") == "stdout")

    # Cells 0, 2 and 11: safe_load refuses before, while and after the extension is loaded.
    assert text(0).strip() == text(2).strip() == text(11).strip() == "SAFE_LOAD REFUSED"
    assert text(3).startswith("aisec guard: on")
    assert "REFUSED aisec guard refused pickle.load('bad.pkl'): scan verdict 'fail'" in text(4)
    assert "use `%aisec guard allow bad.pkl --reason ...`" in text(4)  # the notebook's words
    assert "may be loaded; this override is recorded" in text(5)
    assert text(6).strip() == "LOADED PAST THE GUARD"
    assert "pickle.load" in text(7) and "pickle.loads" in text(7)
    errors = [o for o in nb.cells[8].outputs if o["output_type"] == "error"]
    assert len(errors) == 1 and "--reason is required" in "".join(errors[0]["traceback"])
    assert text(10).strip() == "False"
    assert not marker.exists()

    # Shown and recorded only while the extension is loaded: the safe_load refusal, the guarded
    # refusal, the allow, and the load that used the allowance; nothing before or after.
    carried = [(out["data"][MIME_TYPE]["id"], i) for i, out in outputs_with(nb, MIME_TYPE)]
    assert carried == [
        ("guard:payload.pkl", 2),
        ("guard:bad.pkl", 4),
        ("guard:odd.pkl", 5),
        ("guard:odd.pkl", 6),
    ]
    assert [o["output_type"] for o in nb.cells[0].outputs + nb.cells[11].outputs] == [
        "stream",
        "stream",
    ]

    path = save(nb, tmp_path / "guarded.ipynb")
    assert main(["sync", str(path)]) == 0
    checks = nbformat.read(str(path), as_version=4).metadata["aisec"]["checks"]
    refused, allowed = checks["guard:bad.pkl"], checks["guard:odd.pkl"]
    assert (refused["kind"], refused["verdict"]) == ("guard", "fail")
    assert refused["parameters"]["action"] == "refused"
    assert refused["parameters"]["loader"] == "pickle.load"
    assert refused["findings"][0]["code"] == "AISEC-PKL-002"
    assert allowed["verdict"] == "warn"
    assert allowed["parameters"]["action"] == "override"
    assert allowed["parameters"]["reason"] == "vendor model, reviewed"
    assert allowed["target"]["sha256"]
