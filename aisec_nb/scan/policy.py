"""The globals policy: which pickled globals are allowed, and how dangerous every other one is.

The policy is data (``policy.toml`` next to this module), loaded once. A global is *allowed* only
when its exact ``module.name`` is listed; everything else is classified by a small danger taxonomy
so a finding can say why it matters::

    >>> policy = load_policy()
    >>> policy.classify("collections", "OrderedDict") is None
    True
    >>> policy.classify("os", "system")
    <Danger.PROCESS: 'process'>
    >>> policy.classify("mylib.layers", "Custom")
    <Danger.UNKNOWN: 'unknown'>

Two more data files grade what the rules of ``policy.toml`` leave "unknown": ``callables.toml``,
written by ``tools/find_dangerous_callables.py``, lists callables of the standard library and the
common ML libraries whose code reaches a process, exec, import, file or network primitive (read
only when a global matches no rule); and the ``[framework]`` table names namespaces whose classes
a whole ``torch.save(model)`` pickles, inert to import and to set state on::

    >>> policy.classify("logging", "FileHandler")
    <Danger.FILE_SYSTEM: 'file-system'>
    >>> policy.classify("torch.nn.modules.linear", "Linear")
    <Danger.FRAMEWORK: 'framework'>

Users extend the allowlist with ``[tool.aisec-nb.scan] allow = ["mylib.layers.Custom"]``; the
scan result records the policy used and these additions (:meth:`Policy.describe`).
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

POLICY_FILE = "policy.toml"
CALLABLES_FILE = "callables.toml"


class Danger(str, enum.Enum):
    """Why a global that is not allowed matters, worst first."""

    CODE_EXECUTION = "code-execution"
    PROCESS = "process"
    IMPORT = "import-machinery"
    FILE_SYSTEM = "file-system"
    NETWORK = "network"
    UNKNOWN = "unknown"
    FRAMEWORK = "framework"
    """A class of a framework namespace (``torch.nn``): not weights-only, but inert to load."""

    @property
    def severity(self) -> str:
        """The finding severity for this danger (the issue's mapping)."""
        return _SEVERITY[self]


_SEVERITY: dict[Danger, str] = {
    Danger.CODE_EXECUTION: "critical",
    Danger.PROCESS: "critical",
    Danger.IMPORT: "critical",
    Danger.FILE_SYSTEM: "high",
    Danger.NETWORK: "high",
    Danger.UNKNOWN: "medium",
    Danger.FRAMEWORK: "info",
}

# Attribute names that reach interpreter internals; a dotted global name using one of them
# (``numpy.__builtins__``...) is treated as code execution whatever the module.
_INTERNAL_ATTRS = frozenset(
    {
        "__builtins__",
        "__globals__",
        "__dict__",
        "__class__",
        "__subclasses__",
        "__bases__",
        "__mro__",
        "__base__",
        "__getattribute__",
        "__getattr__",
        "__setattr__",
        "__import__",
        "__code__",
        "__closure__",
        "__func__",
        "__self__",
        "__loader__",
        "__spec__",
        "__call__",
        "__init__",
        "__new__",
        "__reduce__",
        "__reduce_ex__",
        "__setstate__",
        "__getitem__",
    }
)


@dataclass(frozen=True)
class DangerRules:
    """Rules for one danger: whole modules (and their submodules), exact globals, bare names."""

    modules: frozenset[str]
    globals: frozenset[str]
    names: frozenset[str]
    why: str


@dataclass(frozen=True)
class Policy:
    """An allowlist of exact globals plus the danger rules for everything else."""

    name: str
    version: str
    allowed: frozenset[str]
    dangers: tuple[tuple[Danger, DangerRules], ...]
    user_allow: tuple[str, ...] = ()
    nested_decoders: frozenset[str] = frozenset()
    """Globals whose first argument is itself a payload to rescan (``pickle.loads``...)."""
    pure_decoders: frozenset[str] = frozenset()
    """Globals the scanner evaluates on constant bytes (``base64.b64decode``...)."""
    attribute_getters: frozenset[str] = frozenset()
    """``getattr``: resolved to ``module.name.attr`` when called on a global and a constant."""
    wrappers: frozenset[str] = frozenset()
    """``functools.partial``: allowed when the function it wraps is an allowed global."""
    framework_classes: tuple[str, ...] = ()
    """Namespaces whose classes (capitalised, undotted, public names) are inert to load."""
    framework_functions: tuple[str, ...] = ()
    """Namespaces whose public functions are inert tensor math (``torch.nn.functional``)."""

    def is_allowed(self, module: str, name: str) -> bool:
        """True when ``module.name`` is on the allowlist (default or user)."""
        return f"{module}.{name}" in self.allowed

    def is_inert(self, module: str, name: str) -> bool:
        """True for an allowed global or a framework class: loading it runs nothing of the
        file's choosing (what ``functools.partial`` may wrap)."""
        return self.classify(module, name) in (None, Danger.FRAMEWORK)

    def classify(self, module: str, name: str) -> Danger | None:
        """``None`` for an allowed global, else the worst matching :class:`Danger`."""
        full = f"{module}.{name}"
        if full in self.allowed:
            return None
        danger = self.danger_of(module, name)
        if danger is Danger.UNKNOWN and self.is_framework(module, name):
            return Danger.FRAMEWORK
        return danger

    def is_framework(self, module: str, name: str) -> bool:
        """Whether ``module.name`` is a class (or a function) of a framework namespace.

        Only a plain public name counts, never a dotted one (a method reached through its
        class) or a private helper; classes are told by their capital initial."""
        if "." in name or name.startswith("_") or not name.isidentifier():
            return False
        prefixes = _module_prefixes(module)
        if name[0].isupper() and any(p in self.framework_classes for p in prefixes):
            return True
        return name[0].islower() and any(p in self.framework_functions for p in prefixes)

    def danger_of(self, module: str, name: str) -> Danger:
        """The danger of a global regardless of the allowlist: the rules of ``policy.toml``,
        then the generated list of callables (UNKNOWN when neither names it)."""
        danger = self.rule_danger(module, name)
        if danger is Danger.UNKNOWN:
            return _generated().get(f"{module}.{name}", Danger.UNKNOWN)
        return danger

    def rule_danger(self, module: str, name: str) -> Danger:
        """The danger the rules of ``policy.toml`` give a global (UNKNOWN when none matches)."""
        full = f"{module}.{name}"
        parts = name.split(".")
        if any(p in _INTERNAL_ATTRS for p in parts) or any(
            p in _INTERNAL_ATTRS for p in module.split(".")
        ):
            return Danger.CODE_EXECUTION
        # A protocol-4 dotted name walks attributes: ``numpy`` + ``ctypeslib.load_library`` is
        # in the namespace ``numpy.ctypeslib`` as much as a global of that module is.
        prefixes = _module_prefixes(".".join([module, *parts[:-1]]))
        for danger, rules in self.dangers:
            if full in rules.globals or parts[-1] in rules.names or parts[0] in rules.names:
                return danger
            if any(p in rules.modules for p in prefixes):
                return danger
            # A protocol-4 dotted name walks attributes, so ``numpy`` + ``ctypeslib.ctypes.CDLL``
            # reaches ``ctypes`` without naming it as the module.
            if len(parts) > 1 and any(p in rules.modules for p in parts[:-1]):
                return danger
        return Danger.UNKNOWN

    def why(self, danger: Danger) -> str:
        """One sentence saying why globals of this danger matter."""
        for d, rules in self.dangers:
            if d is danger:
                return rules.why
        return "not on the allowlist: loading it imports and may run arbitrary code"

    def with_allow(self, extra: Iterable[str]) -> Policy:
        """This policy plus user additions (exact ``module.name`` strings)."""
        added = tuple(sorted(set(self.user_allow) | set(_check_names(extra))))
        return Policy(
            name=self.name,
            version=self.version,
            allowed=self.allowed | frozenset(added),
            dangers=self.dangers,
            user_allow=added,
            nested_decoders=self.nested_decoders,
            pure_decoders=self.pure_decoders,
            attribute_getters=self.attribute_getters,
            wrappers=self.wrappers,
            framework_classes=self.framework_classes,
            framework_functions=self.framework_functions,
        )

    def describe(self) -> dict[str, Any]:
        """What the record keeps about the policy used."""
        return {"name": self.name, "version": self.version, "user_allow": list(self.user_allow)}


def _module_prefixes(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _check_names(names: Iterable[str]) -> list[str]:
    out = []
    for item in names:
        if not isinstance(item, str) or "." not in item.strip(".") or item != item.strip():
            msg = (
                f"[tool.aisec-nb.scan] allow: {item!r} is not a 'module.name' string "
                "(allow exact globals such as 'mylib.layers.Custom', not whole modules)"
            )
            raise UsageError(msg)
        out.append(item)
    return out


def _parse(data: Mapping[str, Any]) -> Policy:
    allow = data["allow"]
    allowed = frozenset(f"{module}.{name}" for module, names in allow.items() for name in names)
    dangers = []
    for key, rules in data["danger"].items():
        dangers.append(
            (
                Danger(key),
                DangerRules(
                    modules=frozenset(rules.get("modules", ())),
                    globals=frozenset(rules.get("globals", ())),
                    names=frozenset(rules.get("names", ())),
                    why=str(rules["why"]),
                ),
            )
        )
    order = list(Danger)
    dangers.sort(key=lambda item: order.index(item[0]))
    return Policy(
        name=str(data["name"]),
        version=str(data["version"]),
        allowed=allowed,
        dangers=tuple(dangers),
        nested_decoders=frozenset(data["nested"]["loaders"]),
        pure_decoders=frozenset(data["nested"]["decoders"]),
        attribute_getters=frozenset(data["nested"]["attribute_getters"]),
        wrappers=frozenset(data["nested"].get("wrappers", ())),
        framework_classes=tuple(data.get("framework", {}).get("classes", ())),
        framework_functions=tuple(data.get("framework", {}).get("functions", ())),
    )


@lru_cache(maxsize=1)
def _generated() -> Mapping[str, Danger]:
    """``module.name`` -> danger, from ``callables.toml`` (read the first time a global matches
    no rule, so a scan of allowlisted globals never pays for it)."""
    path = resources.files("aisec_nb.scan").joinpath(CALLABLES_FILE)
    if not path.is_file():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, Danger] = {}
    for key in reversed([d.value for d in Danger]):  # worst last, so it wins
        for module, names in data.get(key, {}).items():
            out.update((f"{module}.{name}", Danger(key)) for name in names)
    return out


@lru_cache(maxsize=1)
def _default() -> Policy:
    text = resources.files("aisec_nb.scan").joinpath(POLICY_FILE).read_text(encoding="utf-8")
    return _parse(tomllib.loads(text))


def load_policy(extra_allow: Iterable[str] = ()) -> Policy:
    """The default policy (read once), plus ``extra_allow`` exact names (a project's
    ``[tool.aisec-nb.scan] allow``, as :func:`aisec_nb.settings.load_settings` reads it)."""
    base = _default()
    extra = tuple(extra_allow)
    return base.with_allow(extra) if extra else base
