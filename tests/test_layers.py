"""The core never imports a face: no notebook, command line, IPython, widget or plotly module.

Every module of the core is parsed (not imported) and each import is resolved to an absolute
module name: ``import``/``from`` statements at any depth (in functions, under
``TYPE_CHECKING``), relative imports, and modules named by string (``importlib.import_module``,
``__import__``, a lazy-name table). The faces (:mod:`aisec_nb.jupyter`, :mod:`aisec_nb.cli`) and
the top-level package, which hosts the IPython extension entry points, are not core.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import aisec_nb

ROOT = Path(aisec_nb.__file__).parent

CORE_PACKAGES = ("scan", "data", "drift", "guard", "lint", "record", "rules", "threats", "cards")
CORE_MODULES = (
    "transport",
    "errors",
    "notebook_io",
    "sarif",
    "settings",
    "sync",
    "_lazy",
    "_version",
)
ALWAYS_THERE = ("scan", "data", "drift", "guard", "lint", "record", "transport", "errors")
"""Core parts that must exist: a rename has to update this test, not silently skip a layer."""

FORBIDDEN = ("aisec_nb.jupyter", "aisec_nb.cli", "IPython", "ipywidgets", "plotly", "ipykernel")

_MODULE_NAME = re.compile(r"[A-Za-z_]\w*(\.\w+)*")
_IMPORT_CALLS = {"import_module", "__import__", "find_spec"}


ALLOWED = {"aisec_nb.lint.ipython_syntax": ("IPython.core.inputtransformer2",)}
"""Face imports a core module may make, each for a reason: the linter reads ``%pip`` and ``!cmd``
lines with IPython's input transformer, a pure text function (no shell, no kernel)."""


def _forbidden(name: str) -> str | None:
    for top in FORBIDDEN:
        if name == top or name.startswith(top + "."):
            return top
    return None


def _resolve(package: str, level: int, name: str | None) -> str:
    """The absolute name of ``from <level dots><name> import ...`` inside ``package``."""
    parts = package.split(".")
    if level > len(parts):
        return name or ""  # beyond the top package: leave it for Python to reject
    base = ".".join(parts[: len(parts) - level + 1])
    return f"{base}.{name}" if name else base


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _named_module(node: ast.Call, package: str) -> str | None:
    """The module an import call names with a string literal, resolved if it is relative."""
    if _call_name(node.func) not in _IMPORT_CALLS or not node.args:
        return None
    first = node.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    name: str = first.value
    if not name.startswith("."):
        return name
    level = len(name) - len(name.lstrip("."))
    anchor = node.args[1] if len(node.args) > 1 else None
    for kw in node.keywords:
        if kw.arg == "package":
            anchor = kw.value
    if isinstance(anchor, ast.Constant) and isinstance(anchor.value, str):
        return _resolve(anchor.value, level, name[level:] or None)
    return _resolve(package, level, name[level:] or None)  # package=__package__ / __name__


def imported_names(source: str, module: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """Every module ``source`` (the text of ``module``) imports or names, with its line."""
    tree = ast.parse(source)
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    prose = {  # docstrings and other bare strings are prose, not module names
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(package, node.level, node.module) if node.level else node.module or ""
            found.append((node.lineno, base))
            if _forbidden(base) is None:
                # ``from aisec_nb import jupyter`` imports a module, not a name.
                found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Call):
            named = _named_module(node, package)
            if named is not None:
                found.append((node.lineno, named))
                # Its string arguments are read above (a relative name, its anchor package).
                prose.update(id(arg) for arg in [*node.args, *(k.value for k in node.keywords)])
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in prose
            and _MODULE_NAME.fullmatch(node.value)
        ):
            # A module named in a table for a lazy import, or handed to an import helper.
            found.append((node.lineno, node.value))
    return found


def violations(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """``module:line: imports NAME`` for every import of a face in ``source``."""
    seen = set()
    out = []
    for line, name in imported_names(source, module, is_package=is_package):
        if name in ALLOWED.get(module, ()):
            continue
        if _forbidden(name) and (line, name) not in seen:
            seen.add((line, name))
            out.append(f"{module}:{line}: imports {name}")
    return sorted(out, key=lambda text: int(text.split(":")[1]))


def core_files() -> list[Path]:
    files = [ROOT / f"{m}.py" for m in CORE_MODULES if (ROOT / f"{m}.py").is_file()]
    for package in CORE_PACKAGES:
        if (ROOT / package).is_dir():
            files.extend(sorted((ROOT / package).rglob("*.py")))
    return files


def _module_of(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def test_the_core_is_all_there() -> None:
    present = {p.relative_to(ROOT).parts[0].removesuffix(".py") for p in core_files()}
    assert set(ALWAYS_THERE) <= present


@pytest.mark.parametrize(
    "path", core_files(), ids=lambda p: str(p.relative_to(ROOT.parent))
)
def test_core_module_imports_no_face(path: Path) -> None:
    module, is_package = _module_of(path)
    assert violations(path.read_text(encoding="utf-8"), module, is_package=is_package) == []


HOSTILE = '''"""A docstring may name aisec_nb.jupyter and IPython freely."""
import json
import IPython.display
from plotly import graph_objects
from ..jupyter.guard import record_event
from .. import cli
from ..scan import scan_path
import plotlyish

def later():
    from ipywidgets import Button
    import importlib
    importlib.import_module("aisec_nb.jupyter.guard")
    importlib.import_module(".status", "aisec_nb.jupyter")
    __import__("ipykernel")

_LAZY = {"monitor_widget": "aisec_nb.jupyter.monitor_live", "Monitor": "aisec_nb.drift"}
'''


def test_the_checker_catches_every_kind_of_face_import() -> None:
    assert violations(HOSTILE, "aisec_nb.scan.example") == [
        "aisec_nb.scan.example:3: imports IPython.display",
        "aisec_nb.scan.example:4: imports plotly",
        "aisec_nb.scan.example:5: imports aisec_nb.jupyter.guard",
        "aisec_nb.scan.example:6: imports aisec_nb.cli",
        "aisec_nb.scan.example:11: imports ipywidgets",
        "aisec_nb.scan.example:13: imports aisec_nb.jupyter.guard",
        "aisec_nb.scan.example:14: imports aisec_nb.jupyter.status",
        "aisec_nb.scan.example:15: imports ipykernel",
        "aisec_nb.scan.example:17: imports aisec_nb.jupyter.monitor_live",
    ]


def test_relative_imports_resolve_from_the_package_of_the_module() -> None:
    # In a package's __init__ one dot is the package itself; in a module, its package.
    assert violations("from . import magics", "aisec_nb.jupyter", is_package=True) == [
        "aisec_nb.jupyter:1: imports aisec_nb.jupyter",
    ]
    assert violations("from . import jupyter", "aisec_nb.errors") == [
        "aisec_nb.errors:1: imports aisec_nb.jupyter",
    ]
    assert violations("from ...jupyter import guard", "aisec_nb.scan.pickle.vm") == [
        "aisec_nb.scan.pickle.vm:1: imports aisec_nb.jupyter",
    ]
    assert violations("from .guard import x\nfrom ..data import y", "aisec_nb.scan.api") == []
