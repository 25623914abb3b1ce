"""The catalogue and the code agree, both ways.

(a) Every code the package can emit is catalogued: every string constant of every module of
    ``aisec_nb`` that is a rule code (and every code a shipped JSON or TOML data file names) is a
    catalogued code or alias; a prefix tested with ``startswith`` or the literal head of an
    f-string must begin some catalogued code.
(b) Every catalogued code is emitted by some test: it is a finding of the findings snapshot
    (``tests/fixtures/findings_snapshot.json``, real findings of the scanner, data checks and
    monitor), or a test module names it: its code, the module constant that holds it (``GRADUAL``,
    ``CODES["missing"]``), or, for the data checks whose findings carry it, its ``kind``.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import aisec_nb
from aisec_nb.rules import by_code, rules

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

PACKAGE = Path(aisec_nb.__file__).parent
TESTS = Path(__file__).parents[1]
SNAPSHOT = TESTS / "fixtures" / "findings_snapshot.json"
CODE = re.compile(r"AISEC-[A-Z0-9]+(?:-[A-Z0-9]+)?")
# Tests about the catalogue itself name codes without emitting them.
NOT_EVIDENCE = ("rules/", "cli/test_rules.py")
# Scanner codes no test emits yet; each needs a test under tests/scan. An entry that gains a test
# must leave this list (the test below fails on a stale entry), and no code may join it.
def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield str(path.relative_to(PACKAGE)), ast.parse(path.read_text("utf-8"))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@cache
def used_in_package() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Codes the package names (code -> where), and prefixes it matches codes by."""
    codes: dict[str, set[str]] = {}
    prefixes: dict[str, set[str]] = {}
    for name, tree in _modules():
        tested: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                    node.func.attr == "startswith"):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        tested.add(id(arg))
                        if arg.value.startswith("AISEC-"):
                            prefixes.setdefault(arg.value, set()).add(name)
            elif isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if (isinstance(head, ast.Constant) and isinstance(head.value, str)
                        and head.value.startswith("AISEC-") and len(node.values) > 1):
                    tested.add(id(head))
                    prefixes.setdefault(head.value, set()).add(name)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in tested and CODE.fullmatch(node.value)):
                codes.setdefault(node.value, set()).add(name)
    for path in sorted([*PACKAGE.rglob("*.json"), *PACKAGE.rglob("*.toml")]):
        name = str(path.relative_to(PACKAGE))
        if name.startswith("rules/"):
            continue
        text = path.read_text("utf-8")
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
        for value in _strings(data):
            if CODE.fullmatch(value):
                codes.setdefault(value, set()).add(name)
    return codes, prefixes


def test_every_code_the_package_names_is_catalogued() -> None:
    codes, _ = used_in_package()
    assert len(codes) > 30, "the harvest found too few codes to be looking in the right place"
    missing = {code: sorted(where) for code, where in codes.items() if code not in by_code()}
    assert missing == {}, f"codes named in aisec_nb but not catalogued: {missing}"


def test_every_prefix_the_package_matches_by_begins_a_catalogued_code() -> None:
    _, prefixes = used_in_package()
    orphans = {p: sorted(where) for p, where in prefixes.items()
               if not any(code.startswith(p) for code in by_code())}
    assert orphans == {}, f"prefixes that match no catalogued code: {orphans}"


def snapshot_codes() -> set[str]:
    """The codes of every finding in the snapshot ([code, severity, message, where, evidence])."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, v in value.items():
                if key == "findings":
                    found.update(f[0] for f in v)
                else:
                    walk(v)

    walk(json.loads(SNAPSHOT.read_text("utf-8")))
    return found


def _names_holding_codes() -> dict[str, list[str]]:
    """Code -> the module-level names tests reach it by: ``NAME`` for ``NAME = "CODE"``, and
    ``NAME["key"]`` for a dict ``NAME = {"key": "CODE", ...}``."""
    out: dict[str, list[str]] = {}
    for _, tree in _modules():
        for node in tree.body:
            target, value = None, None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                target, value = node.target, node.value
            if not isinstance(target, ast.Name) or value is None:
                continue
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                out.setdefault(value.value, []).append(rf"\b{target.id}\b")
            elif isinstance(value, ast.Dict):
                for key, item in zip(value.keys, value.values, strict=True):
                    if (isinstance(key, ast.Constant) and isinstance(item, ast.Constant)
                            and isinstance(item.value, str)):
                        out.setdefault(item.value, []).append(
                            rf"\b{target.id}\[[\"']{re.escape(str(key.value))}[\"']\]")
    return out


def _test_sources() -> dict[str, str]:
    return {
        str(path.relative_to(TESTS)): path.read_text("utf-8")
        for path in sorted(TESTS.rglob("*.py"))
        if not str(path.relative_to(TESTS)).startswith(NOT_EVIDENCE)
    }


def evidence_of(code: str, sources: dict[str, str], names: dict[str, list[str]],
                emitted: set[str]) -> str | None:
    """Where a test emits ``code``, or ``None``."""
    known = by_code()[code]
    if {known.code, *known.aliases} & emitted:
        return SNAPSHOT.name
    patterns = [rf"(?<![A-Z0-9-]){re.escape(c)}(?![A-Z0-9])" for c in (known.code, *known.aliases)]
    patterns.extend(names.get(known.code, []))
    for name, text in sources.items():
        if any(re.search(p, text) for p in patterns):
            return name
    if known.area == "data":  # data findings carry their rule's kind, which the data tests check
        kind = rf"[\"']{re.escape(known.kind)}[\"']"
        for name, text in sources.items():
            if (name.startswith("data/") or "check_data" in name) and re.search(kind, text):
                return name
    return None


def test_every_catalogued_code_is_emitted_by_some_test() -> None:
    sources, names, emitted = _test_sources(), _names_holding_codes(), snapshot_codes()
    untested = {r.code for r in rules() if evidence_of(r.code, sources, names, emitted) is None}
    assert sorted(untested) == [], "catalogued codes that no test emits"


def test_the_snapshot_emits_only_catalogued_codes() -> None:
    unknown = sorted(snapshot_codes() - set(by_code()))
    assert unknown == []
