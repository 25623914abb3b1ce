"""The generated danger list (``aisec_nb/scan/callables.toml``, written by
``tools/find_dangerous_callables.py``): well-known code-execution and file-write callables are
graded by what they reach, not as merely "unknown"; the data file is consistent with the policy;
and the script's bytecode walk finds primitives through aliases, methods, imports in functions and
class hooks."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from aisec_nb.scan.api import scan_pickle_bytes
from aisec_nb.scan.policy import Danger, load_policy
from tests.scan.corpus_pickle import proto, sbu, sglob

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).parents[2]
DATA = tomllib.loads((ROOT / "aisec_nb" / "scan" / "callables.toml").read_text("utf-8"))
POLICY = load_policy()


@pytest.mark.parametrize(("module", "name", "danger"), [
    ("logging", "FileHandler", Danger.FILE_SYSTEM),
    ("_aix_support", "_read_cmd_output", Danger.PROCESS),
    ("_pyrepl.pager", "pipe_pager", Danger.PROCESS),
    ("torch._inductor.cpp_builder", "run_compile_cmd", Danger.PROCESS),
    ("torch._inductor.codecache", "PyCodeCache.load_by_key_path", Danger.CODE_EXECUTION),
    ("logging", "basicConfig", Danger.FILE_SYSTEM),
    ("compileall", "compile_file", Danger.IMPORT),
])
def test_known_primitives_are_dangerous_not_unknown(module: str, name: str,
                                                    danger: Danger) -> None:
    assert POLICY.rule_danger(module, name) is Danger.UNKNOWN  # no hand-written rule
    assert POLICY.classify(module, name) is danger


def test_a_pickle_naming_one_fails() -> None:
    data = proto(4) + sglob("logging", "FileHandler") + sbu("/tmp/x") + b"\x85R."
    scan = scan_pickle_bytes(data, policy=POLICY)
    assert [(f.code, f.severity) for f in scan.findings] == [("AISEC-PKL-004", "high")]
    data = proto(4) + sglob("_aix_support", "_read_cmd_output") + sbu("id") + b"\x85R."
    assert [f.code for f in scan_pickle_bytes(data, policy=POLICY).findings] == [
        "AISEC-PKL-002"]


def test_the_data_file_agrees_with_the_policy() -> None:
    names = {d.value for d in Danger} - {"unknown", "framework"}
    assert set(DATA) <= names
    seen: dict[str, str] = {}
    for danger, modules in DATA.items():
        for module, entries in modules.items():
            assert entries == sorted(entries) and entries, module
            for name in entries:
                assert not POLICY.is_allowed(module, name), (module, name)
                assert POLICY.rule_danger(module, name) is Danger.UNKNOWN, (module, name)
                seen.setdefault(f"{module}.{name}", danger)
    assert len(seen) > 1000


def test_the_data_file_is_read_only_for_globals_no_rule_grades() -> None:
    code = textwrap.dedent("""
        import pickle, sys
        from aisec_nb.scan.api import scan_pickle_bytes
        from aisec_nb.scan.policy import _generated, load_policy
        scan_pickle_bytes(pickle.dumps({"a": [1.0]}, protocol=4), policy=load_policy())
        print(_generated.cache_info().currsize)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "0"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "find_dangerous_callables", ROOT / "tools" / "find_dangerous_callables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_follows_aliases_methods_imports_and_class_hooks(tmp_path: Path,
                                                                    monkeypatch:
                                                                    pytest.MonkeyPatch) -> None:
    (tmp_path / "sample_lib.py").write_text(textwrap.dedent("""
        import os
        from subprocess import check_output as run

        def shell(cmd):
            return run(cmd, shell=True)

        def indirect(cmd):
            return shell(cmd)

        def lazy():
            import subprocess
            return subprocess.Popen

        def opener(path, opener=open):
            return opener(path, "w")

        class Writer:
            _open = open

            def __init__(self, path):
                self.fh = self._open(path, "w")

        class Safe:
            def __init__(self, x):
                self.x = x

            def total(self):
                return sum([self.x])

        def pure(a, b):
            return a + b

        def compiled(src):
            return eval(src)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    tool = _tool()
    found = tool.scan(["sample_lib"])
    got = {key.split(":", 1)[1]: hit[0] for key, hit in found.items()}
    assert got["shell"] == got["indirect"] == got["lazy"] == "process"
    assert got["run"] == "process"  # the alias itself, named through the module
    assert got["opener"] == got["Writer"] == "file-system"
    assert got["compiled"] == "code-execution"
    assert "Safe" not in got and "pure" not in got and "Safe.total" not in got
    assert found["sample_lib:indirect"][1] == ["indirect", "shell", "subprocess.check_output"]
