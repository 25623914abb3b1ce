"""The code-cell rules: what the Python in a notebook's cells does, read from its syntax trees.

Cells are read in notebook order with one name-resolution pass over them all, as one kernel
namespace: ``import x as y``, ``from m import f``, ``from m import *`` (for the modules the
rules know), rebinding (``loader = pickle.load``), ``functools.partial`` (also assigned over
the original, ``np.load = partial(np.load, allow_pickle=True)``) and string constants
(``MODEL = "model.pt"``) are followed. A name never bound is read as the module of that name
(``torch.load`` with no ``import torch`` in sight is still ``torch.load``), and the usual
short names (``np``, ``pd``, ``tf``) as their modules.

Each rule gives a :class:`CodeHit` at a line of a cell; loads of model files and reads of data
files are listed as :class:`FileUse` for the evidence rules (is there a scan, a data check?).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .cells import ParsedCell
from .detectors import find_sensitive, mask
from .shell import HEX40, shell_hits

DESERIALISE = "AISEC-CODE-001"
REMOTE_CODE = "AISEC-CODE-002"
DOWNLOAD = "AISEC-CODE-003"
INSECURE = "AISEC-CODE-004"
CREDENTIAL = "AISEC-CODE-005"
EVAL = "AISEC-CODE-006"

MODULE_ALIASES = {"cPickle": "pickle", "_pickle": "pickle", "pickle5": "pickle",
                  "sklearn.externals.joblib": "joblib", "tensorflow.keras": "keras",
                  "tf_keras": "keras", "tensorflow.python.keras": "keras",
                  "ruamel.yaml": "ruamel_yaml"}
"""Modules that are another module under a second name (prefixes of qualified names)."""
CONVENTIONAL = {"np": "numpy", "pd": "pandas", "tf": "tensorflow", "pkl": "pickle"}
"""Short names read as their modules when a notebook uses them without a visible import."""
STAR_EXPORTS: dict[str, tuple[str, ...]] = {
    "pickle": ("load", "loads", "Unpickler"),
    "dill": ("load", "loads", "Unpickler"),
    "cloudpickle": ("load", "loads"),
    "joblib": ("load",),
    "torch": ("load",),
    "numpy": ("load", "loadtxt", "genfromtxt"),
    "pandas": ("read_pickle", "read_csv", "read_parquet", "read_json", "read_excel",
               "read_feather", "read_table"),
    "yaml": ("load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all",
             "Loader", "FullLoader", "UnsafeLoader", "SafeLoader", "CSafeLoader", "BaseLoader"),
    "shelve": ("open",),
    "marshal": ("load", "loads"),
    "keras.models": ("load_model",),
    "ssl": ("CERT_NONE",),
    "urllib.request": ("urlretrieve", "urlopen"),
    "huggingface_hub": ("hf_hub_download", "snapshot_download", "login"),
    "datasets": ("load_dataset", "load_from_disk"),
    "functools": ("partial",),
}
"""What ``from MODULE import *`` binds, of the names the rules look for."""

ALWAYS_UNSAFE = frozenset({
    "pickle.load", "pickle.loads", "pickle.Unpickler", "dill.load", "dill.loads",
    "dill.Unpickler", "cloudpickle.load", "cloudpickle.loads", "joblib.load",
    "pandas.read_pickle", "shelve.open", "marshal.load", "marshal.loads", "jsonpickle.decode",
    "yaml.unsafe_load", "yaml.unsafe_load_all", "yaml.full_load", "yaml.full_load_all",
    "torch.serialization._load",
})
TORCH_LOADS = frozenset({"torch.load", "torch.serialization.load"})
YAML_LOADS = frozenset({"yaml.load", "yaml.load_all"})
SAFE_YAML = frozenset({"yaml.SafeLoader", "yaml.CSafeLoader", "yaml.BaseLoader",
                       "yaml.CBaseLoader"})
GUARDED = ALWAYS_UNSAFE | TORCH_LOADS | {"numpy.load"}
"""Loads the load guard (``%aisec guard on``) scans before they run."""
KERAS_LOADS = ("keras.models.load_model", "keras.saving.load_model", "keras.load_model")

MODEL_LOADERS = frozenset({
    *ALWAYS_UNSAFE, *TORCH_LOADS, *KERAS_LOADS, "onnx.load", "onnx.load_model",
    "onnxruntime.InferenceSession", "safetensors.torch.load_file", "safetensors.safe_open",
    "safetensors.numpy.load_file", "tensorflow.saved_model.load", "torch.jit.load",
    "llama_cpp.Llama", "xgboost.Booster", "lightgbm.Booster", "gguf.GGUFReader",
}) - {"pickle.loads", "dill.loads", "cloudpickle.loads", "marshal.loads", "jsonpickle.decode"}
DATA_READERS = frozenset({
    "pandas.read_csv", "pandas.read_parquet", "pandas.read_json", "pandas.read_excel",
    "pandas.read_feather", "pandas.read_table", "pandas.read_orc", "pandas.read_fwf",
    "pandas.read_xml", "pandas.read_hdf", "pandas.read_sas", "pandas.read_stata",
    "numpy.loadtxt", "numpy.genfromtxt", "polars.read_csv", "polars.read_parquet",
    "polars.read_json", "polars.read_ndjson", "datasets.load_from_disk",
    "pyarrow.parquet.read_table", "pyarrow.csv.read_csv",
})
PATH_KEYWORDS = ("f", "file", "path", "filepath", "fname", "filename", "filepath_or_buffer",
                 "path_or_buf", "io", "model_path", "model_file", "source", "uri",
                 "pretrained_model_name_or_path", "path_or_fileobj")
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
HUB_CALLS = {
    "transformers.pipeline": ("model", None),
    "sentence_transformers.SentenceTransformer": ("model_name_or_path", 0),
    "sentence_transformers.CrossEncoder": ("model_name", 0),
    "datasets.load_dataset": ("path", 0),
    "huggingface_hub.hf_hub_download": ("repo_id", 0),
    "huggingface_hub.snapshot_download": ("repo_id", 0),
}
"""Calls that download from the Hugging Face Hub: keyword and position of the repository id."""
URL_FETCHES = {
    "urllib.request.urlretrieve": None,
    "wget.download": None,
    "gdown.download": None,
    "keras.utils.get_file": ("file_hash", "md5_hash"),
    "torch.hub.download_url_to_file": ("hash_prefix",),
    "torch.hub.load_state_dict_from_url": ("check_hash",),
    "torch.utils.model_zoo.load_url": ("check_hash",),
    "pooch.retrieve": ("known_hash",),
}
"""URL downloads, with the arguments that pin the content by a hash (none: never pinned)."""
SUBPROCESS = frozenset({"os.system", "os.popen", "subprocess.run", "subprocess.call",
                        "subprocess.check_call", "subprocess.check_output", "subprocess.Popen",
                        "subprocess.getoutput", "subprocess.getstatusoutput"})
INSECURE_NAMES = {
    "ssl._create_unverified_context": "ssl._create_unverified_context() makes a context that "
                                      "accepts any certificate",
    "ssl.CERT_NONE": "ssl.CERT_NONE accepts any certificate",
}
CA_BUNDLE_VARIABLES = frozenset({"CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"})

_CREDENTIAL_NAME = re.compile(
    r"^(?:(?:\w+_)?(?:api_?key|apikey|password|passwd|secret|secret_key|client_secret|"
    r"access_key|secret_access_key|private_key|credentials?)|token|"
    r"(?:\w+_)?(?:hf|api|auth|access|bearer|github|gh|gitlab|slack|bot|refresh|session|oauth|"
    r"wandb|openai|hub|user|personal|secret|private|service|app)_?token)$",
    re.IGNORECASE,
)
_AUTH_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "x-auth-token",
                           "proxy-authorization"})
_PLACEHOLDER = re.compile(
    r"^(?:|<[^>]*>|\{[^}]*\}|\$\{?\w+\}?|%\(?\w*\)?s|[*x•.\-_#?]+|\.\.\.|"
    r".*\b(?:your|my|insert|enter|replace|put|add|paste)[\s_-].*|"
    r".*(?:your|my)_?(?:api_?)?(?:key|token|password|secret).*|"
    r"(?:change|replace|fill)[\s_-]?me|todo|tbd|none|null|placeholder|dummy|example|sample|"
    r"fake|redacted|hidden|secret|password|passwd|token|api[_-]?key|test|testing|"
    r"(?:sk|hf|ghp|xox[bp])[-_]?(?:\.\.\.|x+|\*+|•+)|.*(?:x{4,}|\*{3,}|•{3,}|\.{3}).*)$",
    re.IGNORECASE,
)


def is_placeholder(value: str) -> bool:
    """Whether a credential-looking literal is a stand-in, not a credential.

    >>> [is_placeholder(v) for v in ("YOUR_API_KEY", "<token>", "sk-...", "hf_xxxx",
    ...                               "s3cr3t-Pa55", "OPENAI_API_KEY")]
    [True, True, True, True, False, True]
    """
    text = value.strip()
    if _PLACEHOLDER.match(text) or len(set(text)) <= 2 or len(text) < 4:
        return True
    # The name of an environment variable, not its value.
    return bool(re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", text))


@dataclass(frozen=True)
class Ref:
    """What a name or attribute chain refers to: a qualified name, and keyword arguments a
    ``functools.partial`` bound to it."""

    qual: str
    keywords: tuple[tuple[str, ast.expr], ...] = ()


@dataclass(frozen=True)
class CodeHit:
    """One finding of a code rule at a line of a cell."""

    code: str
    cell: int
    line: int
    column: int
    message: str
    redact: tuple[str, ...] = ()
    """Literal text that must not be shown when the source line is printed."""


@dataclass(frozen=True)
class FileUse:
    """A model file loaded, or a data file read, by a call in a cell."""

    kind: str
    """``"model"`` or ``"data"``."""
    call: str
    path: str | None
    """The path as written (relative to the notebook), when it is a literal."""
    cell: int
    line: int
    column: int
    guarded: bool = False
    """The load guard was on (``%aisec guard on``): the load scans the file first."""
    variable: str | None = None
    """The name the result was assigned to (a DataFrame a data check may name)."""


def canonical(qual: str) -> str:
    """``qual`` with module aliases replaced (``cPickle.load`` -> ``pickle.load``)."""
    for alias, real in MODULE_ALIASES.items():
        if qual == alias or qual.startswith(alias + "."):
            return real + qual[len(alias):]
    return qual


@dataclass
class Scope:
    """The names a notebook has bound so far (one kernel namespace over all its cells)."""

    names: dict[str, Ref] = field(default_factory=dict)
    overrides: dict[str, Ref] = field(default_factory=dict)
    strings: dict[str, str] = field(default_factory=dict)
    handles: dict[str, str] = field(default_factory=dict)
    guard: bool = False
    triggers: set[str] = field(default_factory=set)
    """Names bound to something a rule looks for (``loader = pickle.load``): a cell that uses
    one is read in full even when none of :data:`TRIGGER` is in it."""

    def bind(self, name: str, ref: Ref) -> None:
        self.names[name] = ref
        if ref.keywords or ref.qual.rsplit(".", 1)[-1] in TRIGGER_WORDS:
            self.triggers.add(name)
        else:
            self.triggers.discard(name)

    def resolve(self, node: ast.expr) -> Ref | None:
        if isinstance(node, ast.Name):
            found = self.names.get(node.id)
            if found is None:
                found = Ref(canonical(CONVENTIONAL.get(node.id, node.id)))
            return self.overrides.get(found.qual, found)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            if base is None or base.qual.startswith("$"):
                return None
            qual = canonical(f"{base.qual}.{node.attr}")
            return self.overrides.get(qual, Ref(qual))
        return None


def _constant_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _constant_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


class CellVisitor(ast.NodeVisitor):
    """Runs the rules over one syntax tree, binding names into the notebook's scope."""

    def __init__(self, scope: Scope, cell: int, offset: int, base: Path | None) -> None:
        self.scope = scope
        self.cell = cell
        self.offset = offset
        self.base = base
        self.hits: list[CodeHit] = []
        self.uses: list[FileUse] = []
        self._assigned: dict[int, str] = {}
        self._reported: set[int] = set()

    # -- helpers --------------------------------------------------------------------------------

    def hit(self, code: str, node: ast.AST, message: str, redact: Sequence[str] = ()) -> None:
        line = getattr(node, "lineno", 1) + self.offset
        column = getattr(node, "col_offset", 0) + 1
        self.hits.append(CodeHit(code, self.cell, line, column, message, tuple(redact)))

    def literal(self, node: ast.expr | None) -> str | None:
        """The string ``node`` stands for, when it is a literal (or built from literals)."""
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            parts = [self.literal(v) if not isinstance(v, ast.Constant) else str(v.value)
                     for v in node.values]
            return None if any(p is None for p in parts) else "".join(p or "" for p in parts)
        if isinstance(node, ast.FormattedValue):
            return self.literal(node.value)
        if isinstance(node, ast.Name):
            return self.scope.strings.get(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
            left, right = self.literal(node.left), self.literal(node.right)
            if left is None or right is None:
                return None
            return left + right if isinstance(node.op, ast.Add) else f"{left}/{right}"
        if isinstance(node, ast.Call):
            ref = self.scope.resolve(node.func)
            qual = ref.qual if ref else ""
            if qual in ("pathlib.Path", "Path", "pathlib.PurePath", "str", "os.fspath",
                        "os.path.abspath", "os.path.expanduser") and len(node.args) == 1:
                return self.literal(node.args[0])
            if qual in ("os.path.join", "posixpath.join") and node.args:
                parts = [self.literal(a) for a in node.args]
                return None if any(p is None for p in parts) else "/".join(p or "" for p in parts)
        return None

    def keywords(self, ref: Ref, node: ast.Call) -> dict[str, ast.expr]:
        """The keyword arguments of a call, those bound by ``functools.partial`` first."""
        out = dict(ref.keywords)
        for kw in node.keywords:
            if kw.arg is not None:
                out[kw.arg] = kw.value
            elif isinstance(kw.value, ast.Dict):
                for key, value in zip(kw.value.keys, kw.value.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        out[key.value] = value
        return out

    def argument(self, node: ast.Call, kws: dict[str, ast.expr], names: Sequence[str],
                 position: int | None) -> ast.expr | None:
        for name in names:
            if name in kws:
                return kws[name]
        if position is not None and len(node.args) > position:
            arg = node.args[position]
            return None if isinstance(arg, ast.Starred) else arg
        return None

    def path_of(self, node: ast.expr | None) -> str | None:
        """The file a load reads: a literal path, a handle from ``open(literal)``, a name."""
        if node is None:
            return None
        if isinstance(node, ast.Name) and node.id in self.scope.handles:
            return self.scope.handles[node.id]
        if isinstance(node, ast.Call):
            ref = self.scope.resolve(node.func)
            if ref and ref.qual in ("open", "io.open", "builtins.open", "gzip.open", "bz2.open",
                                    "lzma.open") and node.args:
                return self.literal(node.args[0])
            if isinstance(node.func, ast.Attribute) and node.func.attr == "open" and \
                    not node.args:
                return self.literal(node.func.value)  # Path("m.pkl").open("rb")
        return self.literal(node)

    # -- binding --------------------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.scope.bind(alias.asname, Ref(canonical(alias.name)))
            else:
                top = alias.name.split(".")[0]
                self.scope.bind(top, Ref(canonical(top)))
            self.scope.strings.pop(alias.asname or alias.name.split(".")[0], None)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        module = canonical(node.module)
        for alias in node.names:
            if alias.name == "*":
                for name in STAR_EXPORTS.get(module, ()):
                    self.scope.bind(name, Ref(canonical(f"{module}.{name}")))
                continue
            self.scope.bind(alias.asname or alias.name, Ref(canonical(f"{module}.{alias.name}")))

    def _bind(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind(element, None)
            return
        bound = self._value_ref(value) if value is not None else None
        if isinstance(target, ast.Name):
            name = target.id
            self.scope.strings.pop(name, None)
            self.scope.handles.pop(name, None)
            text = self.literal(value) if value is not None else None
            if text is not None:
                self.scope.strings[name] = text
            handle = self.path_of(value) if isinstance(value, ast.Call) else None
            if handle is not None:
                self.scope.handles[name] = handle
            self.scope.bind(name, bound if bound is not None else Ref(f"${name}"))
        elif isinstance(target, ast.Attribute) and bound is not None:
            ref = self.scope.resolve(target)
            if ref is not None:
                self.scope.overrides[ref.qual] = bound

    def _value_ref(self, value: ast.expr) -> Ref | None:
        """What a right-hand side refers to, when it is a name, attribute or partial."""
        if isinstance(value, (ast.Name, ast.Attribute)):
            ref = self.scope.resolve(value)
            if ref is not None and isinstance(value, ast.Name) and value.id not in \
                    self.scope.names and ref.qual == value.id:
                return None  # an unbound plain name: nothing known about it
            return ref
        if isinstance(value, ast.Call) and value.args:
            ref = self.scope.resolve(value.func)
            if ref is not None and ref.qual == "functools.partial":
                inner = self.scope.resolve(value.args[0])
                if inner is not None:
                    kws = dict(inner.keywords)
                    kws.update({k.arg: k.value for k in value.keywords if k.arg is not None})
                    return Ref(inner.qual, tuple(kws.items()))
        return None

    def visit_Assign(self, node: ast.Assign) -> None:
        if isinstance(node.value, ast.Call) and len(node.targets) == 1 and isinstance(
                node.targets[0], ast.Name):
            self._assigned[id(node.value)] = node.targets[0].id
        self.visit(node.value)
        for target in node.targets:
            self._credential_assignment(target, node.value, node)
            self._insecure_assignment(target, node.value, node)
            self.visit(target)
            self._bind(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self._credential_assignment(node.target, node.value, node)
            self._bind(node.target, node.value)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if isinstance(item.optional_vars, ast.Name):
                path = self.path_of(item.context_expr)
                name = item.optional_vars.id
                self.scope.bind(name, Ref(f"${name}"))
                if path is not None:
                    self.scope.handles[name] = path
        for statement in node.body:
            self.visit(statement)

    visit_AsyncWith = visit_With  # type: ignore[assignment]

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self.scope.bind(node.name, Ref(f"${node.name}"))
        for statement in node.body:
            self.visit(statement)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.bind(node.name, Ref(f"${node.name}"))
        self.generic_visit(node)

    # -- references -----------------------------------------------------------------------------

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load):
            ref = self.scope.resolve(node)
            if ref is not None and ref.qual in INSECURE_NAMES:
                self.hit(INSECURE, node, INSECURE_NAMES[ref.qual])
                return
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and node.id in self.scope.names:
            ref = self.scope.names[node.id]
            if ref.qual in INSECURE_NAMES:
                self.hit(INSECURE, node, INSECURE_NAMES[ref.qual])

    def _shape(self, node: ast.expr) -> bool:
        """Report a string constant shaped like a credential (once); whether it was one."""
        if id(node) in self._reported:
            return True
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and len(node.value) >= 16):
            return False
        for found in find_sensitive(node.value, categories=("secret",),
                                    skip=("high_entropy_token",)):
            self._reported.add(id(node))
            label = found.kind.replace("_", " ")
            self.hit(CREDENTIAL, node, f"{_article(label)} {label} is written in the code "
                     f"({found.sample})", redact=(node.value,))
            return True
        return False

    def visit_Constant(self, node: ast.Constant) -> None:
        self._shape(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            name = key.value if isinstance(key, ast.Constant) and isinstance(key.value,
                                                                               str) else None
            if name is not None and value is not None:
                self._credential_value(name, value, value)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if not self._ipython(node):
            ref = self.scope.resolve(node.func)
            if ref is not None:
                self._call(ref, node)
        self.generic_visit(node)

    # -- the rules ------------------------------------------------------------------------------

    def _call(self, ref: Ref, node: ast.Call) -> None:
        qual = ref.qual
        kws = self.keywords(ref, node)
        self._deserialise(qual, node, kws)
        self._file_use(qual, node, kws)
        if _constant_true(kws.get("trust_remote_code")):
            self.hit(REMOTE_CODE, node, f"{_short(qual)}(..., trust_remote_code=True) runs "
                     "Python code downloaded with the model or dataset")
        self._download(qual, node, kws)
        if _constant_false(kws.get("verify")):
            self.hit(INSECURE, node, f"{_short(qual)}(..., verify=False) turns TLS "
                     "certificate verification off")
        for name, value in kws.items():
            self._credential_value(name, value, node)
        if qual in ("eval", "exec", "builtins.eval", "builtins.exec") and node.args:
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, (str, bytes))):
                self.hit(EVAL, node, f"{qual.split('.')[-1]}() runs code built at run time; "
                         "whatever reaches it runs with the notebook's rights")
        if qual in SUBPROCESS and node.args:
            command = self._command(node.args[0])
            if command is not None:
                self._shell(command, node)
        if qual in ("os.environ.__setitem__", "os.putenv", "os.environ.setdefault") and \
                len(node.args) >= 2:
            self._environment(node.args[0], node.args[1], node)

    def _command(self, node: ast.expr) -> str | None:
        if isinstance(node, (ast.List, ast.Tuple)):
            parts = [self.literal(e) for e in node.elts]
            return None if any(p is None for p in parts) else " ".join(p or "" for p in parts)
        return self.literal(node)

    def _ipython(self, node: ast.Call) -> bool:
        """``get_ipython().run_line_magic(...)`` and friends (what IPython's transformer
        writes for ``%magic`` and ``!command``): their shell commands are checked."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
                and isinstance(func.value.func, ast.Name) and func.value.func.id == "get_ipython"):
            return False
        args = [self.literal(a) if not isinstance(a, ast.Starred) else None for a in node.args]
        if func.attr == "run_line_magic" and len(args) >= 2 and args[0] is not None:
            name, line = args[0], args[1] or ""
            if name in ("pip", "conda", "mamba", "uv"):
                self._shell(f"{name} {line}", node)
            elif name in ("system", "sx", "sc"):
                self._shell(line, node)
            elif name == "aisec":
                words = line.split()
                if words[:2] == ["guard", "on"]:
                    self.scope.guard = True
                elif words[:2] == ["guard", "off"]:
                    self.scope.guard = False
        elif func.attr in ("system", "getoutput") and args and args[0] is not None:
            self._shell(args[0], node)
        return True

    def _shell(self, command: str, node: ast.AST) -> None:
        for found in shell_hits(command, self.base):
            self.hit(found.code, node, found.message)

    def _deserialise(self, qual: str, node: ast.Call, kws: dict[str, ast.expr]) -> None:
        why: str | None = None
        if qual in ALWAYS_UNSAFE:
            why = f"{qual}() can run code stored in the data it reads"
        elif qual in TORCH_LOADS:
            weights_only = kws.get("weights_only")
            if not _constant_true(weights_only):
                shown = "weights_only=False" if _constant_false(weights_only) else (
                    "no weights_only=True" if weights_only is None else
                    "weights_only not a literal True")
                why = f"torch.load() with {shown} unpickles the file, which can run code"
        elif qual == "numpy.load":
            if _constant_true(kws.get("allow_pickle")):
                why = "numpy.load(allow_pickle=True) unpickles object arrays, which can run code"
        elif qual in YAML_LOADS:
            loader = kws.get("Loader") or (node.args[1] if len(node.args) > 1 else None)
            loader_ref = self.scope.resolve(loader) if loader is not None else None
            if loader_ref is None or loader_ref.qual not in SAFE_YAML:
                name = loader_ref.qual if loader_ref is not None else "no safe Loader"
                extra = " (FullLoader is not safe)" if name.endswith("FullLoader") else ""
                why = (f"{qual}() with {name}{extra} can build arbitrary Python objects; "
                       "use yaml.safe_load")
        elif qual.endswith(KERAS_LOADS) and _constant_false(kws.get("safe_mode")):
            why = "load_model(..., safe_mode=False) deserialises lambda layers, which run code"
        if why is None:
            return
        if self.scope.guard and qual in GUARDED:
            return  # the load guard scans the file first and refuses unless it is clean
        self.hit(DESERIALISE, node, why)

    def _file_use(self, qual: str, node: ast.Call, kws: dict[str, ast.expr]) -> None:
        kind = None
        if qual == "numpy.load":
            kind = "model" if _constant_true(kws.get("allow_pickle")) else "data"
        elif qual in MODEL_LOADERS or qual.endswith(KERAS_LOADS):
            kind = "model"
        elif qual in DATA_READERS:
            kind = "data"
        elif qual.endswith(".from_pretrained"):
            path = self.literal(self.argument(node, kws, ("pretrained_model_name_or_path",), 0))
            if path is not None and self._local(path):
                self._use("model", qual, path, node)
            return
        if kind is None:
            return
        path = self.path_of(self.argument(node, kws, PATH_KEYWORDS, 0))
        self._use(kind, qual, path, node)

    def _use(self, kind: str, qual: str, path: str | None, node: ast.Call) -> None:
        self.uses.append(FileUse(
            kind, qual, path, self.cell, node.lineno + self.offset, node.col_offset + 1,
            guarded=self.scope.guard and qual in GUARDED,
            variable=self._assigned.get(id(node)),
        ))

    def _local(self, path: str) -> bool:
        if path.startswith((".", "/", "~")) or "\\" in path:
            return True
        if self.base is not None and (self.base / path).exists():
            return True
        return not HUB_ID.match(path)

    def _download(self, qual: str, node: ast.Call, kws: dict[str, ast.expr]) -> None:
        repo: str | None = None
        if qual.endswith(".from_pretrained"):
            repo = self.literal(self.argument(node, kws, ("pretrained_model_name_or_path",), 0))
        elif qual in HUB_CALLS:
            keyword, position = HUB_CALLS[qual]
            repo = self.literal(self.argument(node, kws, (keyword,), position))
        elif qual == "torch.hub.load":
            target = self.literal(self.argument(node, kws, ("repo_or_dir",), 0))
            source = self.literal(kws.get("source"))
            if target is not None and source != "local" and not self._local_dir(target):
                ref = target.split(":", 1)[1] if ":" in target else None
                if not (ref and HEX40.match(ref)):
                    self.hit(DOWNLOAD, node, f"torch.hub.load({target!r}) downloads and runs "
                             "the repository's hubconf.py at a branch or tag that can move, "
                             "not a commit hash")
            return
        elif qual in URL_FETCHES:
            pins = URL_FETCHES[qual]
            if pins is not None and any(
                    p in kws and not (isinstance(kws[p], ast.Constant)
                                      and kws[p].value in (None, False)) for p in pins):  # type: ignore[attr-defined]
                return
            if qual == "pooch.retrieve" and len(node.args) > 1 and not (
                    isinstance(node.args[1], ast.Constant) and node.args[1].value is None):
                return
            if qual == "torch.hub.download_url_to_file" and len(node.args) > 2:
                return
            self.hit(DOWNLOAD, node, f"{_short(qual)}() downloads a file without checking a "
                     "pinned hash")
            return
        if repo is None or not HUB_ID.match(repo):
            return
        if self.base is not None and (self.base / repo).exists():
            return
        revision = kws.get("revision")
        text = self.literal(revision) if revision is not None else None
        if text is not None and HEX40.match(text):
            return
        if revision is not None and text is None:
            return  # a revision computed at run time: cannot be told here
        if text is None:
            message = f"{repo} is downloaded without a pinned revision (a commit hash)"
        else:
            message = (f"{repo} is downloaded at revision {text!r}, a branch or tag that can "
                       "move, not a commit hash")
        self.hit(DOWNLOAD, node, message)

    def _local_dir(self, target: str) -> bool:
        return target.startswith((".", "/", "~")) or (
            self.base is not None and (self.base / target).is_dir())

    def _credential_value(self, name: str, value: ast.expr, where: ast.AST) -> None:
        text = self.literal(value) if isinstance(value, (ast.Constant, ast.JoinedStr)) else None
        if text is None or self._shape(value):
            return
        if name.lower() in _AUTH_HEADERS:
            scheme, _, secret = text.partition(" ")
            if not secret:
                secret, scheme = scheme, ""
            if not is_placeholder(secret) and len(secret) >= 8:
                self.hit(CREDENTIAL, where, f"the {name} header is written in the code "
                         f"({scheme + ' ' if scheme else ''}{mask(secret)})", redact=(secret,))
            return
        if _CREDENTIAL_NAME.match(name) and not is_placeholder(text):
            self.hit(CREDENTIAL, where, f"{name} is a credential written in the code "
                     f"({mask(text)})", redact=(text,))

    def _credential_assignment(self, target: ast.expr, value: ast.expr, where: ast.AST) -> None:
        name: str | None = None
        if isinstance(target, ast.Name):
            name = target.id
        elif isinstance(target, ast.Attribute):
            name = target.attr
        elif isinstance(target, ast.Subscript):
            name = self.literal(target.slice)
            ref = self.scope.resolve(target.value)
            if ref is not None and ref.qual == "os.environ" and name is not None:
                self._environment(target.slice, value, where)
        if name is not None:
            self._credential_value(name, value, where)

    def _environment(self, key: ast.expr, value: ast.expr, where: ast.AST) -> None:
        name = self.literal(key)
        text = self.literal(value)
        if name in CA_BUNDLE_VARIABLES and text == "":
            self.hit(INSECURE, where, f"setting {name} to an empty string turns TLS "
                     "certificate verification off for requests and huggingface_hub")
        elif name == "PYTHONHTTPSVERIFY" and text == "0":
            self.hit(INSECURE, where, "PYTHONHTTPSVERIFY=0 turns TLS certificate verification "
                     "off")

    def _insecure_assignment(self, target: ast.expr, value: ast.expr, where: ast.AST) -> None:
        if isinstance(target, ast.Attribute) and target.attr == "check_hostname" and \
                _constant_false(value):
            self.hit(INSECURE, where, "check_hostname = False accepts a certificate for any "
                     "host")
        elif isinstance(target, ast.Attribute) and target.attr == "verify" and \
                _constant_false(value):
            self.hit(INSECURE, where, "session.verify = False turns TLS certificate "
                     "verification off")


TRIGGER_WORDS = frozenset(
    {q.rsplit(".", 1)[-1] for q in (*ALWAYS_UNSAFE, *TORCH_LOADS, *YAML_LOADS, *KERAS_LOADS,
                                    *MODEL_LOADERS, *DATA_READERS, *HUB_CALLS, *URL_FETCHES,
                                    *SUBPROCESS, *INSECURE_NAMES)}
    | {"from_pretrained", "trust_remote_code", "verify", "check_hostname", "environ", "putenv",
       "eval", "exec", "get_ipython", "partial", "open", "hub", "aisec", "revision"}
)
"""The names the rules look for; a cell with none of them (nor a credential word, a secret's
prefix or an IPython escape) only binds names: its expressions are not walked."""
TRIGGER = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, TRIGGER_WORDS))) + r")\b"
    r"|(?i:key|token|passw|secret|credential|auth|bearer)"
    r"|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|sk_live_|rk_live_|sk-|AIza|"
    r"eyJ|hf_|-----BEGIN|^[ \t]*[%!]|=[ \t]*[%!]",
    re.MULTILINE,
)


BINDS = re.compile(r"^[ \t]*(?:import|from)[ \t]|=[ \t]*[rRbBuUfF]{0,2}[\"']", re.MULTILINE)
"""What a cell must hold for its bindings to matter to a later cell: an import, or a string
assigned (a path named once and loaded later)."""


def check_sources(cells: Sequence[tuple[int, str]], base: Path | None) -> CodeResult:
    """Run the code rules over a notebook's code cells (``(index, source)``, in order).

    A cell with nothing a rule looks for (:data:`TRIGGER`), no name bound to such a thing, and
    nothing a later cell could use (:data:`BINDS`) is not even parsed; one with only the last is
    read for its bindings.
    """
    from .cells import parse_cell

    scope = Scope()
    out = CodeResult()
    for index, text in cells:
        fires = TRIGGER.search(text) is not None or any(n in text for n in scope.triggers)
        if not fires and BINDS.search(text) is None:
            continue
        parsed = parse_cell(text)
        for tree, offset in parsed.trees:
            visitor = CellVisitor(scope, index, offset, base)
            try:
                if fires:
                    visitor.visit(tree)
                else:
                    _bind_statements(visitor, tree.body)
            except RecursionError:  # nesting deeper than Python's stack: what was read counts
                pass
            out.hits.extend(visitor.hits)
            out.uses.extend(visitor.uses)
        out.add_shell(index, parsed, base)
    return out


def _bind_statements(visitor: CellVisitor, body: Sequence[ast.stmt]) -> None:
    """Only the bindings of statements (imports, assignments, definitions, ``with``), for a
    cell in which no rule can fire."""
    for node in body:
        if isinstance(node, ast.Import):
            visitor.visit_Import(node)
        elif isinstance(node, ast.ImportFrom):
            visitor.visit_ImportFrom(node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                visitor._bind(target, node.value)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            visitor._bind(node.target, node.value)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            visitor.scope.bind(node.name, Ref(f"${node.name}"))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name):
                    visitor.scope.bind(item.optional_vars.id, Ref(f"${item.optional_vars.id}"))
            _bind_statements(visitor, node.body)
        elif isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While)):
            _bind_statements(visitor, node.body)
            _bind_statements(visitor, node.orelse)
        elif isinstance(node, ast.Try):
            _bind_statements(visitor, node.body)
            for handler in node.handlers:
                _bind_statements(visitor, handler.body)
            _bind_statements(visitor, node.orelse)
            _bind_statements(visitor, node.finalbody)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeio" else "a"


def _short(qual: str) -> str:
    parts = qual.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else qual


@dataclass
class CodeResult:
    hits: list[CodeHit] = field(default_factory=list)
    uses: list[FileUse] = field(default_factory=list)

    def add_shell(self, index: int, parsed: ParsedCell, base: Path | None) -> None:
        self.hits.extend(CodeHit(found.code, index, line, 1, found.message)
                         for line, command in parsed.shell for found in shell_hits(command, base))


def check_cells(cells: Sequence[tuple[int, ParsedCell]], base: Path | None,
                sources: Sequence[str] | None = None) -> CodeResult:
    """Run the code rules over a notebook's parsed code cells (``(index, parsed)``, in order).

    ``sources`` (the notebook's cell sources, by index) lets a cell in which no rule can fire
    be read for its bindings only, which is most cells and much faster.
    """
    scope = Scope()
    out = CodeResult()
    for index, parsed in cells:
        text = sources[index] if sources is not None else None
        quiet = text is not None and TRIGGER.search(text) is None and not any(
            name in text for name in scope.triggers)
        for tree, offset in parsed.trees:
            visitor = CellVisitor(scope, index, offset, base)
            if quiet:
                _bind_statements(visitor, tree.body)
                continue
            visitor.visit(tree)
            out.hits.extend(visitor.hits)
            out.uses.extend(visitor.uses)
        out.add_shell(index, parsed, base)
    return out


def iter_hits(result: CodeResult) -> Iterator[CodeHit]:
    """The hits, one per (code, cell, line, message)."""
    seen: set[tuple[str, int, int, str]] = set()
    for found in result.hits:
        key = (found.code, found.cell, found.line, found.message)
        if key not in seen:
            seen.add(key)
            yield found
