"""Chat templates are code: Jinja templates a runtime renders on every prompt, wherever a model
keeps them (GGUF ``tokenizer.chat_template``, ``tokenizer_config.json``'s ``chat_template`` as a
string or a list of ``{name, template}``, ``chat_template.json``, ``chat_template.jinja``).

One checker for all of them: the template is parsed with Jinja's own parser in a sandboxed
environment (never rendered; bounded size) and its syntax tree is searched for what a sandbox
escape needs (CVE-2024-34359): attribute access to dunder or interpreter-internal names, ``|attr``
and subscripts whose name is built at render time (concatenation, ``~``, ``*``, ``%``,
``|format``, ``|join``, ``|reverse``, ``dict(__cla=...)``, a ``{% set %}`` variable), attribute
names handed to ``map``/``selectattr``/``groupby``/..., format strings that read attributes,
anything reached through the ``cycler``/``joiner``/``namespace``/``lipsum``/``range``/``dict``
globals or ``self``'s internals, and the ``request``/``config`` globals of web frameworks.
Ordinary templates (loops over messages, ``raise_exception``, ``tojson``, ``strftime_now``, tool
calls, ``namespace()`` counters) have none of these.

Example::

    >>> [h.what for h in find_escapes("{{ cycler.__init__.__globals__.os.popen('id') }}")]
    ['.__globals__', 'cycler.<attribute>', '.__init__']
    >>> find_escapes("{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}{% endfor %}")
    []
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ...record import Finding
from ..context import finding, truncate
from .tables import load_table

MAX_TEMPLATE = 1024 * 1024
"""Largest template parsed (real chat templates are a few KiB; the largest known ~30 KiB)."""
MAX_FOLDED = 512
"""Longest string a name built at render time is folded to."""

_DUNDER = re.compile(r"__\w*__|^_[A-Za-z]+__\w+")
"""A dunder name, or a name-mangled private one (``_TemplateReference__context``)."""
_TABLE = load_table("chat_template")
INTERNALS = frozenset(_TABLE["internal_attributes"])
"""Attribute names with no use in a chat template but in reaching Python internals."""
GLOBAL_OBJECTS = frozenset(_TABLE["global_objects"])
"""Jinja globals a template calls; their attributes are the classic ways back to Python."""
WEB_GLOBALS = frozenset(_TABLE["web_globals"])
"""Globals of web frameworks (Flask) that published payloads start from."""
ATTRIBUTE_FILTERS = frozenset({"attr", "map", "selectattr", "rejectattr", "groupby", "sort",
                               "unique", "sum", "min", "max"})
"""Filters that read an attribute named by a string argument."""
_FORMAT_FIELD = re.compile(r"\{[^{}]*[.\[][^{}]*\}")
"""A ``str.format`` field that reads an attribute or an item (``{0.__class__}``)."""


@dataclass
class _Scope:
    """What the template's ``{% set %}`` statements make of its variables."""

    folded: dict[str, str] = field(default_factory=dict)
    """Variables set to a string built from constants, and that string."""
    built: set[str] = field(default_factory=set)
    """Variables set to a string built at render time from pieces."""
    declared: set[str] = field(default_factory=set)
    """Every name the template assigns or loops over (not a global of the runtime)."""


@dataclass(frozen=True)
class Escape:
    """One construct a sandbox escape needs: what it is and the template line."""

    what: str
    line: int


def is_internal(name: str) -> bool:
    """Whether ``name`` reaches Python internals (dunder, mangled, frame or shell names)."""
    return bool(_DUNDER.search(name)) or name in INTERNALS


class Unavailable(RuntimeError):
    """Jinja2 is not installed: templates cannot be parsed here."""


@functools.lru_cache(maxsize=1)
def _jinja() -> tuple[Any, Any]:
    """Jinja's node classes and a sandboxed environment that parses (and is never asked to
    render) with the extensions chat templates use: loop controls, and transformers'
    ``{% generation %}`` block. Imported on the first template, not with the scanner."""
    try:
        from jinja2 import nodes
        from jinja2.ext import Extension, loopcontrols
        from jinja2.sandbox import ImmutableSandboxedEnvironment
    except ImportError as exc:  # pragma: no cover - jinja2 is a dependency
        raise Unavailable(str(exc)) from None

    class Generation(Extension):
        """``{% generation %}...{% endgeneration %}`` (marks the assistant's text)."""

        tags = {"generation"}  # noqa: RUF012 - jinja's own class attribute

        def parse(self, parser: Any) -> Any:
            lineno = next(parser.stream).lineno
            body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
            return nodes.Scope(body, lineno=lineno)

    return nodes, ImmutableSandboxedEnvironment(extensions=[loopcontrols, Generation])


def find_escapes(text: str) -> list[Escape]:
    """The sandbox-escape constructs of a template (``[]`` for an ordinary one).

    Raises ``jinja2.TemplateSyntaxError`` for a template that does not parse, ``RecursionError``
    for one nested past the parser's depth, :class:`Unavailable` without Jinja2.
    """
    nodes, env = _jinja()
    tree = env.parse(text)
    scope = _Scope()
    for node in tree.find_all((nodes.Assign, nodes.AssignBlock)):
        if isinstance(node.target, nodes.Name):
            value = (_fold(node.node, scope) if isinstance(node, nodes.Assign)
                     else _fold_body(node.body, scope))
            if value is not None:
                scope.folded[node.target.name] = value
            elif isinstance(node, nodes.Assign) and _builds_string(node.node, scope):
                scope.built.add(node.target.name)
    scope.declared = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    found: list[Escape] = []
    for node in tree.find_all(nodes.Node):
        found.extend(Escape(what, node.lineno or 0) for what in _judge(node, scope))
    seen: set[str] = set()
    unique = []
    for escape in found:
        if escape.what not in seen:
            seen.add(escape.what)
            unique.append(escape)
    return unique


def _judge(node: Any, scope: _Scope) -> Iterator[str]:
    nodes = _jinja()[0]
    if isinstance(node, nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name in GLOBAL_OBJECTS:
            yield f"{node.node.name}.<attribute>"
        if is_internal(node.attr):
            yield f".{node.attr}"
        if isinstance(node.node, nodes.Name) and node.node.name == "self" and (
                node.attr.startswith("_")):
            yield f"self.{node.attr}"
    elif isinstance(node, nodes.Getitem):
        if isinstance(node.node, nodes.Name) and node.node.name in GLOBAL_OBJECTS:
            yield f"{node.node.name}[...]"
        key = _fold(node.arg, scope)
        if key is not None and is_internal(key):
            yield f"[{key!r}]"
        elif key is None and _builds_string(node.arg, scope):
            yield "[<name built at render time>]"
    elif isinstance(node, nodes.Filter) and node.name in ATTRIBUTE_FILTERS:
        yield from _attribute_filter(node, scope)
    elif isinstance(node, nodes.Call):
        yield from _call(node, scope)
    elif isinstance(node, nodes.Name) and node.ctx == "load" and node.name in WEB_GLOBALS and (
            node.name not in scope.declared):
        yield f"{node.name} (a web framework global)"
    elif isinstance(node, nodes.Const) and isinstance(node.value, str) and (
            _FORMAT_FIELD.search(node.value) and _DUNDER.search(node.value)):
        yield f"format string {truncate(node.value, 40)!r}"


def _attribute_filter(node: Any, scope: _Scope) -> Iterator[str]:
    nodes = _jinja()[0]
    names = list(node.args[:1]) if node.name in ("attr", "selectattr", "rejectattr",
                                                   "groupby") else []
    names += [kw.value for kw in node.kwargs if kw.key == "attribute"]
    for arg in names:
        value = _fold(arg, scope)
        if value is None:
            if node.name == "attr" or not isinstance(arg, nodes.Const):
                yield f"|{node.name}(<name built at render time>)"
        elif any(is_internal(part) for part in value.split(".")):
            yield f"|{node.name}({value!r})"


def _call(node: Any, scope: _Scope) -> Iterator[str]:
    nodes = _jinja()[0]
    target = node.node
    if isinstance(target, nodes.Getattr) and target.attr in ("format", "format_map"):
        fmt = _fold(target.node, scope)
        if fmt is None or _FORMAT_FIELD.search(fmt):
            yield f".{target.attr}() reading attributes"
    if isinstance(target, nodes.Name) and target.name == "dict" and any(
            is_internal(kw.key) or kw.key.startswith("_") or kw.key.endswith("_")
            for kw in node.kwargs):
        yield "dict(<keys spelling a name>)"


_STRING_FILTERS = frozenset({"join", "format", "reverse", "replace", "lower", "upper", "string",
                             "trim"})
_STRING_METHODS = frozenset({"format", "join", "replace", "lower", "upper", "strip"})


def _builds_string(node: Any, scope: _Scope) -> bool:
    """Whether an expression computes a string from pieces at render time (a name assembled
    where a scanner reading constants would not see it); arithmetic on numbers does not."""
    nodes = _jinja()[0]
    if isinstance(node, nodes.Const):
        return isinstance(node.value, str)
    if isinstance(node, nodes.Concat):
        return True
    if isinstance(node, (nodes.Add, nodes.Mul)):
        return _builds_string(node.left, scope) or _builds_string(node.right, scope)
    if isinstance(node, nodes.Mod):
        return _builds_string(node.left, scope)
    if isinstance(node, nodes.Filter):
        return node.name in _STRING_FILTERS
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
        return bool(node.node.attr in _STRING_METHODS)
    return isinstance(node, nodes.Name) and node.name in scope.built


def _fold_body(body: list[Any], scope: _Scope) -> str | None:
    nodes = _jinja()[0]
    parts = []
    for statement in body:
        if not isinstance(statement, nodes.Output):
            return None
        for item in statement.nodes:
            if isinstance(item, nodes.TemplateData):
                parts.append(item.data)
            else:
                value = _fold(item, scope)
                if value is None:
                    return None
                parts.append(value)
    return _bounded("".join(parts))


def _bounded(value: str | None) -> str | None:
    return value if value is None or len(value) <= MAX_FOLDED else None


def _fold(node: Any, scope: _Scope) -> str | None:
    """The string an expression evaluates to when it is built from constants only, else None.

    Only string operations are evaluated (on our own constants, bounded); nothing of the
    template runs.
    """
    nodes = _jinja()[0]
    if isinstance(node, nodes.Const):
        value = node.value
        return _bounded(value) if isinstance(value, str) else None
    if isinstance(node, nodes.TemplateData):
        return _bounded(node.data)
    if isinstance(node, nodes.Name):
        return scope.folded.get(node.name)
    if isinstance(node, nodes.Concat):
        parts = [_fold(n, scope) for n in node.nodes]
        return None if None in parts else _bounded("".join(p or "" for p in parts))
    if isinstance(node, nodes.Add):
        left, right = _fold(node.left, scope), _fold(node.right, scope)
        return None if left is None or right is None else _bounded(left + right)
    if isinstance(node, nodes.Mul):
        text, count = _fold(node.left, scope), _int(node.right)
        if text is None:
            text, count = _fold(node.right, scope), _int(node.left)
        if text is None or count is None or not 0 <= count <= MAX_FOLDED:
            return None
        return _bounded(text * count)
    if isinstance(node, nodes.Mod):
        return _percent(_fold(node.left, scope), node.right, scope)
    if isinstance(node, nodes.Filter) and node.node is not None:
        return _filter(node, scope)
    return None


def _int(node: Any) -> int | None:
    nodes = _jinja()[0]
    if isinstance(node, nodes.Const) and type(node.value) is int:
        return int(node.value)
    return None


def _scalars(items: list[Any], scope: _Scope) -> list[str | int] | None:
    nodes = _jinja()[0]
    out: list[str | int] = []
    for item in items:
        if isinstance(item, nodes.Const) and type(item.value) is int:
            out.append(int(item.value))
            continue
        value = _fold(item, scope)
        if value is None:
            return None
        out.append(value)
    return out


def _percent(fmt: str | None, args: Any, scope: _Scope) -> str | None:
    nodes = _jinja()[0]
    if fmt is None or "%(" in fmt:
        return None
    items = args.items if isinstance(args, (nodes.Tuple, nodes.List)) else [args]
    values = _scalars(list(items), scope)
    if values is None:
        return None
    try:
        return _bounded(fmt % tuple(values))
    except (TypeError, ValueError, OverflowError):
        return None


def _filter(node: Any, scope: _Scope) -> str | None:
    nodes = _jinja()[0]
    name = node.name
    if name == "join":
        base = node.node
        sep = _fold(node.args[0], scope) if node.args else ""
        if sep is None:
            return None
        if isinstance(base, (nodes.List, nodes.Tuple)):
            parts = _scalars(list(base.items), scope)
            return None if parts is None else _bounded(sep.join(map(str, parts)))
        if isinstance(base, nodes.Call) and isinstance(base.node, nodes.Name) and (
                base.node.name == "dict"):
            return _bounded(sep.join(kw.key for kw in base.kwargs))
        text = _fold(base, scope)
        return None if text is None else _bounded(sep.join(text))
    value = _fold(node.node, scope)
    if value is None:
        return None
    if name == "format":
        return _percent(value, nodes.Tuple(list(node.args), "load"), scope)
    if name == "reverse":
        return value[::-1]
    if name == "lower":
        return value.lower()
    if name == "upper":
        return value.upper()
    if name == "trim":
        return value.strip()
    if name == "string":
        return value
    if name == "replace" and len(node.args) >= 2:
        old, new = _fold(node.args[0], scope), _fold(node.args[1], scope)
        return None if old is None or new is None else _bounded(value.replace(old, new))
    return None


def _markers(text: str) -> list[str]:
    """Template-injection substrings, for a template Jinja cannot parse."""
    lowered = text.lower()
    return sorted({m for m in (m.lower() for m in _TABLE["markers"]) if m in lowered})


def check_template(text: str, *, code: str, where: str, member: str | None = None,
                   offset: int | None = None, required: bool = True) -> list[Finding]:
    """Findings for one chat template found at ``where`` (a key or file name).

    ``code`` is the finding a sandbox escape gets (AISEC-TPL-001; AISEC-GGUF-001 inside GGUF).
    ``required=False`` is for text that merely looks like a template (a file not named as
    one): there a template that does not parse is not reported.
    """
    def make(c: str, message: str, evidence: str | None = None,
             severity: Any = None) -> Finding:
        return finding(c, message, member=member, offset=offset, path=where,
                       evidence=evidence, severity=severity)

    if len(text) > MAX_TEMPLATE:
        return [make("AISEC-SCAN-003", f"chat template {where!r} of {len(text):,} characters "
                     f"is over the {MAX_TEMPLATE:,} limit: not checked")]
    try:
        escapes = find_escapes(text)
    except Unavailable:
        return [make("AISEC-TPL-002", f"chat template {where!r} not checked: the jinja2 "
                     "package is not installed")]
    except RecursionError:
        return [make("AISEC-SCAN-003", f"chat template {where!r} is nested too deep to "
                     "parse: not checked")]
    except Exception as exc:  # a TemplateSyntaxError, or the parser's own errors
        if not required:
            return []
        hits = _markers(text)
        if hits:
            return [make(code, f"chat template {where!r} does not parse and contains "
                         "template-injection markers: " + ", ".join(hits),
                         evidence=truncate(", ".join(hits)))]
        return [make("AISEC-TPL-003", f"chat template {where!r} does not parse as Jinja "
                     f"({type(exc).__name__}: {truncate(str(exc), 120)}); runtimes that "
                     "render it fail or read it differently")]
    if not escapes:
        return []
    shown = ", ".join(f"{e.what} (line {e.line})" for e in escapes[:8])
    more = f" and {len(escapes) - 8} more" if len(escapes) > 8 else ""
    return [make(code, f"chat template {where!r} reaches Python internals, which only a "
                 f"sandbox escape needs: {shown}{more}",
                 evidence=truncate(", ".join(e.what for e in escapes)))]


def templates_in_json(data: Any) -> list[tuple[str, str]]:
    """``(where, template)`` for every chat template a JSON document holds: ``chat_template``
    as a string, or as a list of ``{"name", "template"}`` (``tokenizer_config.json``,
    ``chat_template.json``, ``processor_config.json``)."""
    if not isinstance(data, dict):
        return []
    value = data.get("chat_template")
    if isinstance(value, str):
        return [("chat_template", value)]
    out = []
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict) and isinstance(item.get("template"), str):
                name = item.get("name")
                label = name if isinstance(name, str) else str(i)
                out.append((f"chat_template[{truncate(label, 60)}]", item["template"]))
    return out


def template_digest(text: str) -> str:
    """The SHA-256 of a template's UTF-8 text (recorded so a model card can list it)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
