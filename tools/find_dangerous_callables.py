"""Maintenance script: find the callables a pickle could name whose code reaches a process,
exec/eval/compile, import, file-system or network primitive, and write them to the scanner's
data file ``aisec_nb/scan/callables.toml`` (the policy grades them by what they reach).

Why: the scanner's danger rules (``aisec_nb/scan/policy.toml``) name modules and well-known
functions. Everything else off the allowlist is graded "unknown" (medium), which undersells a
helper such as ``_aix_support._read_cmd_output`` (runs a shell command) or ``logging.FileHandler``
(creates a file). Instead of adding such names by hand as they are reported, this script walks the
standard library and the ML libraries of the test extra, and lists every callable whose own code,
or the code it calls (a bounded depth), refers to a primitive.

How: nothing is called. Each module is imported (modules with side effects on import are skipped,
see ``SKIP``) and every function, class and method in it is read as bytecode: the names it loads
(globals, attributes of modules and classes, ``self.<method>``, modules imported inside the
function, default arguments) are resolved to the objects they denote in this interpreter, and
compared by identity with the primitives in ``SINKS``. A referenced Python function or class is
followed the same way, up to ``MAX_DEPTH`` calls deep (but not into ``NOISE`` modules, whose file
reads and warnings say nothing about the caller). A class counts with its ``__init__``,
``__new__``, ``__setstate__``, ``__setattr__`` and ``__post_init__``: what loading runs on it.
Names the policy already grades (by module, exact name or bare name) are left out, so the file
holds only what would otherwise be "unknown".

Usage (from the repository root, in the project's virtualenv; a few minutes)::

    python tools/find_dangerous_callables.py                      # writes the data file
    python tools/find_dangerous_callables.py --also python3.13 --also python3.12 --also python3.10

``--also`` runs the standard-library part under other interpreters too (their stdlib differs:
``_pyrepl`` is 3.13+) and merges what they find. ``--check`` prints the difference with the
committed file instead of writing it. Review the diff before committing: each entry's comment says
what it reaches and through which calls.
"""

from __future__ import annotations

import argparse
import builtins
import dis
import importlib
import inspect
import io
import json
import os
import pkgutil
import subprocess
import sys
import types
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")  # keras 3 picks TensorFlow otherwise
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "aisec_nb" / "scan" / "callables.toml"
MAX_DEPTH = 2
"""Calls followed from a callable to a primitive (the callable itself is depth 0): deeper chains
mostly pass through a library's plumbing (device discovery, lazy imports) and say little about
what naming the callable in a pickle does."""
ML_PACKAGES = ("torch", "numpy", "pandas", "scipy", "sklearn", "joblib", "keras", "onnx",
               "h5py", "safetensors", "gguf")
"""The ML libraries of the test extra that are walked besides the standard library."""

DANGERS = ("code-execution", "process", "import-machinery", "file-system", "network")
"""The policy's danger names, worst first."""

SINKS: dict[str, tuple[str, ...]] = {
    "process": (
        "os.system", "os.popen", "os.execl", "os.execle", "os.execlp", "os.execlpe", "os.execv",
        "os.execve", "os.execvp", "os.execvpe", "os.spawnl", "os.spawnle", "os.spawnlp",
        "os.spawnlpe", "os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe", "os.posix_spawn",
        "os.posix_spawnp", "os.fork", "os.forkpty", "os.kill", "os.killpg", "os.startfile",
        "subprocess.Popen", "subprocess.run", "subprocess.call", "subprocess.check_call",
        "subprocess.check_output", "subprocess.getoutput", "subprocess.getstatusoutput",
        "_posixsubprocess.fork_exec", "pty.spawn", "pty.fork", "webbrowser.open",
        "multiprocessing.Process", "asyncio.create_subprocess_exec",
        "asyncio.create_subprocess_shell",
    ),
    "code-execution": (
        "builtins.exec", "builtins.eval", "builtins.compile", "marshal.loads", "marshal.load",
        "pickle.loads", "pickle.load", "pickle.Unpickler", "_pickle.loads", "_pickle.load",
        "_pickle.Unpickler", "ctypes.CDLL",
        "ctypes.PyDLL", "ctypes.cdll", "ctypes.pydll", "_ctypes.dlopen", "code.interact",
        "code.InteractiveInterpreter", "torch.load", "torch.jit.load", "numpy.load",
        "joblib.load",
    ),
    "import-machinery": (
        "builtins.__import__", "importlib.import_module", "importlib.__import__",
        "importlib.reload", "importlib._bootstrap._gcd_import",
        "importlib.util.spec_from_file_location", "importlib.util.module_from_spec",
        "importlib.machinery.SourceFileLoader", "importlib.machinery.ExtensionFileLoader",
        "pkgutil.resolve_name", "zipimport.zipimporter", "runpy.run_path", "runpy.run_module",
    ),
    "file-system": (
        "builtins.open", "io.open", "io.FileIO", "os.open", "os.remove",
        "os.unlink", "os.rename", "os.renames", "os.replace", "os.rmdir", "os.removedirs",
        "os.mkdir", "os.makedirs", "os.chmod", "os.chown", "os.lchown", "os.symlink", "os.link",
        "os.truncate", "os.mkfifo", "os.mknod", "os.utime", "shutil.rmtree", "shutil.move",
        "shutil.copyfile", "shutil.copy", "shutil.copy2", "shutil.copytree", "tempfile.mkstemp",
        "tempfile.mkdtemp", "codecs.open", "mmap.mmap",
    ),
    "network": (
        "socket.socket", "socket.create_connection", "socket.create_server",
        "socket.socketpair", "socket.fromfd", "_socket.socket", "ssl.SSLSocket",
        "urllib.request.urlopen", "urllib.request.urlretrieve", "http.client.HTTPConnection",
        "http.client.HTTPSConnection", "ftplib.FTP", "smtplib.SMTP",
    ),
}
"""The primitives, by danger: matched by object identity, so aliases are found too. Types that
code mostly names in ``isinstance`` checks (``types.FunctionType``) are not primitives here."""

NOISE = ("warnings", "traceback", "linecache", "tokenize", "inspect", "typing", "abc",
         "functools", "contextlib", "weakref", "copy", "copyreg", "pprint", "reprlib", "dis",
         "textwrap", "string", "re", "sre_compile", "sre_parse", "_weakrefset", "gettext",
         "locale", "encodings", "codecs", "enum", "dataclasses", "collections", "logging",
         "unittest", "doctest", "pdb", "bdb", "argparse", "ast", "types", "importlib",
         "_collections_abc", "numpy._utils", "torch._dynamo", "torch.overrides",
         "torch.utils._pytree", "sympy", "platform", "sysconfig", "site", "getpass", "pwd")
"""Modules whose functions are not followed from a caller elsewhere: they read source files for
tracebacks, emit warnings, log, or are import machinery every library touches; reaching them
says nothing about the caller (their own names are still walked)."""

SKIP = ("antigravity", "this", "__hello__", "__phello__", "idlelib", "tkinter", "turtle",
        "turtledemo", "lib2to3", "test", "ensurepip", "venv", "pydoc_data", "__main__",
        "xxsubtype", "_xxtestfuzz", "_testcapi", "_testinternalcapi", "_testbuffer",
        "_testmultiphase", "_testimportmultiple", "_testsinglephase", "_ctypes_test",
        "_testclinic", "_tkinter", "torch.utils.tensorboard", "torch._inductor.fx_passes",
        "torch.testing._internal", "torch.utils.benchmark", "torch.distributed.elastic.agent",
        "torch.onnx._internal.exporter._torchlib", "keras.src.backend.tensorflow",
        "keras.src.backend.jax", "keras.src.backend.openvino", "keras.src.backend.numpy",
        "scipy._lib.array_api_compat", "numpy.distutils", "numpy.f2py.tests", "pandas.tests",
        "sklearn.externals", "numpy.testing._private", "torch._lazy", "sklearn.tests",
        "scipy.conftest", "pandas.conftest", "numpy.conftest")
"""Modules not imported: they act on import (open a browser, print, start Tk) or need extras."""

CLASS_HOOKS = ("__init__", "__new__", "__setstate__", "__setattr__", "__post_init__")


def _resolve(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    try:
        obj: Any = importlib.import_module(module)
    except Exception:
        return None
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def sink_table() -> dict[int, tuple[str, str]]:
    """id(primitive) -> (its name, its danger), for the primitives this interpreter has."""
    table: dict[int, tuple[str, str]] = {}
    for danger, names in SINKS.items():
        for dotted in names:
            obj = _resolve(dotted)
            if obj is not None and id(obj) not in table:
                table[id(obj)] = (dotted, danger)
    return table


def _module_of(obj: Any) -> str:
    module = getattr(obj, "__module__", None)
    return module if isinstance(module, str) else ""


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _static(owner: Any, name: str) -> Any:
    try:
        value = inspect.getattr_static(owner, name)
    except (AttributeError, Exception):
        return None
    if isinstance(value, (staticmethod, classmethod)):
        return value.__func__
    return value


class Walker:
    """Follows references from a callable's bytecode to primitives, with a memo."""

    def __init__(self, sinks: dict[int, tuple[str, str]]) -> None:
        self.sinks = sinks
        self.memo: dict[int, tuple[str, list[str]] | None] = {}
        self._busy: set[int] = set()

    def reach(self, obj: Any, depth: int = 0,
              root_module: str = "") -> tuple[str, list[str]] | None:
        """(worst danger, chain of names to the primitive) for ``obj``, or None."""
        hit = self.sinks.get(id(obj))
        if hit is not None:
            return hit[1], [hit[0]]
        key = id(obj)
        if key in self.memo:
            return self.memo[key]
        if depth > MAX_DEPTH or key in self._busy:
            return None
        module = _module_of(obj)
        if depth and module.split(".")[0] in NOISE and module.split(".")[0] != root_module:
            return None
        if depth and any(module == n or module.startswith(n + ".") for n in NOISE
                         if "." in n):
            return None
        self._busy.add(key)
        try:
            found = self._reach(obj, depth, root_module or module.split(".")[0])
        except Exception:
            found = None
        finally:
            self._busy.discard(key)
        if depth == 0 or found is not None:
            self.memo[key] = found
        return found

    def _reach(self, obj: Any, depth: int, root: str) -> tuple[str, list[str]] | None:
        best: tuple[str, list[str]] | None = None
        if isinstance(obj, type):
            for base in obj.__mro__[1:]:
                hit = self.sinks.get(id(base))
                if hit is not None:
                    return hit[1], [f"subclass of {hit[0]}"]
            for hook in CLASS_HOOKS:
                for klass in obj.__mro__:
                    if klass is object or hook not in vars(klass):
                        continue
                    fn = _static(klass, hook)
                    if isinstance(fn, types.FunctionType):
                        best = _worse(best, self._in_function(fn, depth, root, klass,
                                                              f"{klass.__name__}.{hook}"))
                    break
            return best
        if isinstance(obj, types.MethodType):
            obj = obj.__func__
        if isinstance(obj, functools_partial):
            return self.reach(obj.func, depth, root)
        if isinstance(obj, types.FunctionType):
            return self._in_function(obj, depth, root, _owner(obj), obj.__qualname__)
        return None

    def _in_function(self, fn: types.FunctionType, depth: int, root: str, owner: Any,
                     label: str) -> tuple[str, list[str]] | None:
        best: tuple[str, list[str]] | None = None
        for default in (*(fn.__defaults__ or ()), *(fn.__kwdefaults__ or {}).values()):
            hit = self.sinks.get(id(default))
            if hit is not None:
                best = _worse(best, (hit[1], [label, hit[0]]))
        for ref in self._references(fn, owner):
            if ref is fn:
                continue
            found = self.reach(ref, depth + 1, root)
            if found is not None:
                best = _worse(best, (found[0], [label, *found[1]]))
        return best

    def _references(self, fn: types.FunctionType, owner: Any) -> Iterator[Any]:
        """The objects ``fn``'s bytecode loads: globals, closure cells, attributes of those,
        ``self.<name>`` on its class, modules it imports."""
        scope = fn.__globals__
        cells = dict(zip(fn.__code__.co_freevars,
                         (c.cell_contents if _has(c) else None for c in fn.__closure__ or ()),
                         strict=False))
        for code in _codes(fn.__code__):
            first = code.co_varnames[0] if code.co_argcount and code is fn.__code__ else None
            local: dict[str, Any] = {}
            current: Any = _MISSING
            importing: Any = _MISSING
            previous: dis.Instruction | None = None
            for ins in dis.get_instructions(code):
                op, arg = ins.opname, ins.argval
                value: Any = _MISSING
                if op in ("LOAD_GLOBAL", "LOAD_NAME"):
                    value = scope.get(arg, getattr(builtins, str(arg), _MISSING))
                elif op in ("LOAD_DEREF", "LOAD_CLASSDEREF"):
                    value = cells.get(arg, _MISSING)
                elif op in ("LOAD_FAST", "LOAD_FAST_CHECK"):
                    if arg == first and owner is not None:
                        value = _Self(owner)
                    else:
                        value = local.get(arg, _MISSING)
                elif op in ("LOAD_ATTR", "LOAD_METHOD"):
                    value = _attribute(current, str(arg))
                elif op == "IMPORT_NAME":
                    fromlist = bool(previous is not None and previous.opname == "LOAD_CONST"
                                    and previous.argval)
                    value = importing = _imported(str(arg), fromlist)
                elif op == "IMPORT_FROM":
                    value = _attribute(importing, str(arg))
                elif op in ("STORE_FAST", "STORE_NAME", "STORE_DEREF") and (
                        current is not _MISSING):
                    local[str(arg)] = current
                previous = ins
                if value is _MISSING or value is None:
                    current = _MISSING
                    continue
                current = value
                if not isinstance(value, (_Self, types.ModuleType)):
                    yield value


def _attribute(owner: Any, name: str) -> Any:
    """``owner.name`` looked up statically (no property or ``__getattr__`` runs)."""
    if isinstance(owner, _Self):
        return _static(owner.owner, name)
    if isinstance(owner, (types.ModuleType, type)):
        value = _static(owner, name)
        if value is None and isinstance(owner, types.ModuleType):
            value = sys.modules.get(f"{owner.__name__}.{name}")
        return value
    return _MISSING


def _imported(name: str, fromlist: bool) -> Any:
    """What ``IMPORT_NAME name`` pushes: the module itself with a fromlist, else the top
    package (imported now if it was not)."""
    try:
        importlib.import_module(name)
    except BaseException:
        return _MISSING
    return sys.modules.get(name if fromlist else name.split(".")[0], _MISSING)


class _Self:
    """The first argument of a method: an instance of ``owner`` (its attributes are looked up
    on the class)."""

    def __init__(self, owner: Any) -> None:
        self.owner = owner


_MISSING = object()
functools_partial = __import__("functools").partial


def _has(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True


def _owner(fn: types.FunctionType) -> Any:
    """The class a method is defined in, found through its qualified name."""
    parts = fn.__qualname__.split(".")
    if len(parts) < 2 or "<locals>" in parts:
        return None
    obj: Any = sys.modules.get(fn.__module__)
    for part in parts[:-1]:
        obj = getattr(obj, part, None)
    return obj if isinstance(obj, type) else None


def _worse(a: tuple[str, list[str]] | None,
           b: tuple[str, list[str]] | None) -> tuple[str, list[str]] | None:
    if a is None:
        return b
    if b is None:
        return a
    rank = DANGERS.index
    if rank(b[0]) < rank(a[0]) or (rank(b[0]) == rank(a[0]) and len(b[1]) < len(a[1])):
        return b
    return a


# -- walking modules ----------------------------------------------------------------------------


def _skipped(name: str) -> bool:
    # A package's __main__ runs its command line when imported.
    return name.endswith(".__main__") or any(name == s or name.startswith(s + ".")
                                             for s in SKIP)


def modules(tops: list[str]) -> Iterator[types.ModuleType]:
    """Every importable module under ``tops`` (import errors and side-effect modules skipped)."""
    seen: set[str] = set()
    for top in tops:
        if _skipped(top):
            continue
        try:
            package = importlib.import_module(top)
        except BaseException:  # noqa: S112 - a module that cannot be imported is not walked
            continue
        yield package
        path = getattr(package, "__path__", None)
        if path is None:
            continue
        for info in pkgutil.walk_packages(path, prefix=top + ".", onerror=lambda _: None):
            if info.name in seen or _skipped(info.name) or ".tests" in info.name:
                continue
            seen.add(info.name)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    yield importlib.import_module(info.name)
            except BaseException:  # noqa: S112 - likewise
                continue


def stdlib_tops() -> list[str]:
    names = sorted(n for n in sys.stdlib_module_names if not _skipped(n))
    return [n for n in names if n not in ("__future__",)]


def candidates(module: types.ModuleType) -> Iterator[tuple[str, Any]]:
    """(name as a pickle would write it, object): the module's callables and their methods."""
    for name, obj in sorted(vars(module).items()):
        if not callable(obj) or isinstance(obj, types.ModuleType):
            continue
        yield name, obj
        if isinstance(obj, type) and _module_of(obj) == module.__name__:
            for attr, value in sorted(vars(obj).items()):
                if attr.startswith("__") and attr.endswith("__"):
                    continue
                if isinstance(value, (staticmethod, classmethod)):
                    value = value.__func__
                if isinstance(value, types.FunctionType):
                    yield f"{name}.{attr}", value


def scan(tops: list[str]) -> dict[str, tuple[str, list[str]]]:
    """``module.name`` -> (danger, chain) for every dangerous callable under ``tops``."""
    walker = Walker(sink_table())
    found: dict[str, tuple[str, list[str]]] = {}
    stdout, stderr, argv = sys.stdout, sys.stderr, sys.argv
    sys.argv = [argv[0]]  # modules that parse the command line on import see none
    for module in modules(tops):
        for name, obj in candidates(module):
            try:
                hit = walker.reach(obj, 0, module.__name__.split(".")[0])
            except Exception:
                hit = None
            if hit is not None:
                found[f"{module.__name__}:{name}"] = hit
        sys.stdout, sys.stderr = stdout, stderr  # a module may have replaced them
    sys.argv = argv
    return found


# -- the data file ------------------------------------------------------------------------------


def _policy() -> Any:
    sys.path.insert(0, str(ROOT))
    from aisec_nb.scan.policy import Danger, load_policy

    return load_policy(), Danger


def keep(found: dict[str, tuple[str, list[str]]]) -> dict[str, tuple[str, list[str]]]:
    """What the policy would otherwise grade "unknown" (and is not on its allowlist)."""
    policy, danger = _policy()
    out = {}
    for key, hit in found.items():
        module, name = key.split(":", 1)
        if policy.is_allowed(module, name):
            print(f"note: allowlisted {module}.{name} reaches {hit[1][-1]} via "
                  f"{' -> '.join(hit[1])}", file=sys.stderr)
            continue
        if policy.rule_danger(module, name) is danger.UNKNOWN:
            out[key] = hit
    return out


def render(entries: dict[str, tuple[str, list[str], list[str]]], versions: list[str]) -> str:
    lines = [
        "# Generated by tools/find_dangerous_callables.py: do not edit by hand, run the script.",
        "#",
        "# Callables a pickle can name that the danger rules of policy.toml do not grade, whose",
        "# code reaches a process, exec/eval/compile, import, file-system or network primitive.",
        "# The policy grades each by the worst it reaches: [<danger>] then \"module\" = [names].",
        "# Each name's comment says what it reaches and through which calls (followed "
        f"{MAX_DEPTH} calls deep",
        "# from each callable; a callee already found dangerous counts whatever its own depth),",
        "# and the interpreters that have it when not all of them do.",
        f"# Walked: {', '.join(versions)}.",
        "",
    ]
    by_danger: dict[str, dict[str, list[tuple[str, list[str], list[str]]]]] = {}
    for key, (danger, chain, seen) in entries.items():
        module, name = key.split(":", 1)
        by_danger.setdefault(danger, {}).setdefault(module, []).append((name, chain, seen))
    all_seen = {v.split(",")[0] for v in versions if v.startswith("python")}
    for danger in DANGERS:
        modules_ = by_danger.get(danger)
        if not modules_:
            continue
        lines.append(f"[{danger}]")
        for module in sorted(modules_):
            lines.append(f"{json.dumps(module)} = [")
            for name, chain, seen in sorted(modules_[module]):
                where = "" if set(seen) >= all_seen else f" ({', '.join(sorted(seen))})"
                why = " -> ".join(chain[1:]) if len(chain) > 1 else chain[0]
                lines.append(f"  {json.dumps(name)},  # {why}{where}")
            lines.append("]")
        lines.append("")
    return "\n".join(lines)


def _version(package: str) -> str:
    from importlib import metadata

    dist = {"sklearn": "scikit-learn"}.get(package, package)
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return str(getattr(sys.modules[package], "__version__", "?"))


def _python() -> str:
    return f"python {sys.version_info.major}.{sys.version_info.minor}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--also", action="append", default=[],
                    help="another interpreter whose standard library is walked too")
    ap.add_argument("--stdlib-json", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--check", action="store_true",
                    help="print how the data file would change; write nothing")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    devnull = io.StringIO()
    if args.stdlib_json:  # a child run under another interpreter
        real = sys.stdout
        sys.stdout = devnull
        found = scan(stdlib_tops())
        sys.stdout = real
        print(json.dumps({k: [v[0], v[1]] for k, v in found.items()}))
        return 0
    runs: list[tuple[str, dict[str, tuple[str, list[str]]]]] = []
    real = sys.stdout
    sys.stdout = devnull
    runs.append((_python(), scan(stdlib_tops())))
    ml = scan(list(ML_PACKAGES))
    sys.stdout = real
    versions = [_python()]
    for exe in args.also:
        done = subprocess.run([exe, __file__, "--stdlib-json"], capture_output=True, text=True,  # noqa: S603
                              check=True, env={**os.environ, "PYTHONPATH": ""})
        version = subprocess.run([exe, "-c", "import sys; print('python %d.%d' % "  # noqa: S603
                                  "sys.version_info[:2])"], capture_output=True, text=True,
                                 check=True).stdout.strip()
        child = {k: (v[0], v[1]) for k, v in json.loads(done.stdout.splitlines()[-1]).items()}
        runs.append((version, child))
        versions.append(version)
    merged: dict[str, tuple[str, list[str], list[str]]] = {}
    for version, found in runs:
        for key, hit in keep(found).items():
            if key in merged:
                danger, chain, seen = merged[key]
                best = _worse((danger, chain), hit) or hit
                merged[key] = (best[0], best[1], [*seen, version])
            else:
                merged[key] = (hit[0], hit[1], [version])
    for key, hit in keep(ml).items():
        merged[key] = (hit[0], hit[1], versions)  # the libraries' own code: any interpreter
    libs = []
    for name in ML_PACKAGES:
        if sys.modules.get(name) is not None:
            libs.append(f"{name} {_version(name)}")
    text = render(merged, [*sorted(versions), *libs])
    if args.check:
        old = args.out.read_text("utf-8").splitlines() if args.out.exists() else []
        new = text.splitlines()
        gone, added = sorted(set(old) - set(new)), sorted(set(new) - set(old))
        print("\n".join([*(f"- {x}" for x in gone), *(f"+ {x}" for x in added)]))
        return 1 if gone or added else 0
    args.out.write_text(text + "\n", "utf-8")
    counts: dict[str, int] = {}
    for danger, _, _ in merged.values():
        counts[danger] = counts.get(danger, 0) + 1
    print(f"wrote {args.out}: {len(merged)} callables {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
