"""The scanner's layout is its design: no import cycle, no import hidden in a function to break
one, and each layer imports only the layers below it.

    sniff, source, stop, limits, policy, context, hashing, verdict, signing, ahead   (foundations)
    pickle/      the VM: foundations only; nested payloads go back through the context
    formats/     single-file parsers: may run the pickle VM
    archives/    containers: may call format parsers directly (Keras config, torch records)
    dispatch     the routing table over all of them
    file, directory, api                                                  (entry points)

Every module is parsed, not imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import aisec_nb.scan

ROOT = Path(aisec_nb.scan.__file__).parent
PACKAGE = "aisec_nb.scan"
FOUNDATIONS = {"sniff", "source", "stop", "limits", "policy", "context", "hashing", "verdict",
               "signing", "ahead"}
LAYERS = [
    ("pickle", FOUNDATIONS | {"pickle"}),
    ("formats", FOUNDATIONS | {"pickle", "formats"}),
    ("archives", FOUNDATIONS | {"pickle", "formats", "archives"}),
    ("dispatch", FOUNDATIONS | {"pickle", "formats", "archives"}),
]
FOUNDATION_IMPORTS = FOUNDATIONS
"""What the foundations may import of the scanner: each other, never a parser or the router."""
LAZY_ALLOWED = {"h5py", "jinja2"}
"""Heavy libraries a parser imports when it meets their format, not with the scanner."""
LAZY_ENTRY = {f"{PACKAGE}": {f"{PACKAGE}.api"}}
"""The package's ``scan_path`` starts hashing a big file on a thread, then imports the scanner
(:mod:`aisec_nb.scan.ahead`): the one scanner import made inside a function, on purpose."""


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        out[".".join([PACKAGE, *parts])] = path
    return out


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _package_of(module: str) -> str:
    is_package = MODULES[module].name == "__init__.py"
    return module if is_package else module.rpartition(".")[0]


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = node.module or ""
    if node.level:
        anchor = _package_of(module).split(".")
        anchor = anchor[: len(anchor) - node.level + 1]
        base = ".".join([*anchor, *([base] if base else [])])
    found = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        found.append(sub if sub in MODULES else base)
    return found


def _imports(module: str) -> tuple[set[str], list[tuple[int, str]]]:
    """(scanner modules imported at module level, (line, name) of imports inside functions).

    Imports under ``if TYPE_CHECKING:`` are typing-only and no runtime dependency."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    top: set[str] = set()
    nested: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        chain = []
        up = parents.get(node)
        while up is not None:
            chain.append(up)
            up = parents.get(up)
        if any(isinstance(a, ast.If) and _is_type_checking(a) for a in chain):
            continue
        in_function = any(isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                          for a in chain)
        for target in _targets(module, node):
            if in_function:
                nested.append((node.lineno, target))
            elif target.startswith(PACKAGE):
                top.add(target)
    return {t for t in top if t in MODULES and t != module}, nested


GRAPH = {m: _imports(m)[0] for m in MODULES}


def _layer(module: str) -> str:
    return module[len(PACKAGE) + 1:].split(".")[0] if module != PACKAGE else ""


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt):], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                walk(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            walk(module, [module])
    assert cycles == []


def test_no_import_inside_a_function_but_of_heavy_libraries() -> None:
    hidden = [f"{m}:{line}: {name}" for m in MODULES for line, name in _imports(m)[1]
              if name.split(".")[0] not in LAZY_ALLOWED and name not in LAZY_ENTRY.get(m, ())]
    assert hidden == []


def test_each_layer_imports_only_the_layers_below() -> None:
    wrong = []
    for module, imported in GRAPH.items():
        layer = _layer(module)
        allowed = dict(LAYERS).get(layer, FOUNDATION_IMPORTS if layer in FOUNDATIONS else None)
        if allowed is None:
            continue  # the entry points may import anything
        wrong += [f"{module} imports {t}" for t in sorted(imported) if _layer(t) not in allowed]
    assert wrong == []


def test_the_graph_sees_the_imports() -> None:
    assert f"{PACKAGE}.pickle.vm" in GRAPH[f"{PACKAGE}.dispatch"]
    assert f"{PACKAGE}.context" in GRAPH[f"{PACKAGE}.pickle.vm"]
    assert f"{PACKAGE}.formats.hdf5" in GRAPH[f"{PACKAGE}.dispatch"]
    assert GRAPH[f"{PACKAGE}.sniff"] == set()
