"""Importing aisec_nb (and the CLI's --help) must stay cheap: no heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["pandas", "numpy", "plotly", "scipy", "ipywidgets"]


def _imported_after(code: str) -> list[str]:
    listing = f"sorted(m for m in {HEAVY!r} if m in sys.modules)"
    probe = f"import sys, json\n{code}\nprint(json.dumps({listing}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_aisec_nb_imports_no_heavy_library() -> None:
    assert _imported_after("import aisec_nb") == []


def test_import_guard_imports_no_heavy_library_and_no_face() -> None:
    # The notebook extension adds its guard listener on %load_ext, so the guard must be light.
    code = "import aisec_nb.guard"
    faces = "sorted(m for m in ('IPython', 'aisec_nb.jupyter', 'pydantic') if m in sys.modules)"
    probe = f"import sys, json\n{code}\nprint(json.dumps({faces}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
    assert _imported_after(code) == []


def test_cli_parser_imports_no_heavy_library() -> None:
    assert _imported_after("from aisec_nb.cli import build_parser; build_parser()") == []


def test_cli_help_does_not_import_pydantic() -> None:
    # `aisec-nb --help` and argument errors should answer at interpreter speed.
    code = "from aisec_nb.cli import build_parser; build_parser()"
    probe = f"import sys\n{code}\nprint('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unknown_attribute_is_an_attribute_error() -> None:
    import aisec_nb

    try:
        aisec_nb.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no attribute 'no_such_thing'" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
