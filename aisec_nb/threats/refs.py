"""Namespaced references and the shipped tables they resolve in.

A reference is ``namespace:id``: ``atlas:AML.T0010``, ``owasp-ml:ML06``, ``owasp-llm:LLM03``,
``nist-ai-rmf:MAP 4.1``. Ids are always qualified, since frameworks reuse each other's ids with
other meanings. ATLAS ids resolve in ``atlas.json``, generated from MITRE's pinned data by
:mod:`aisec_nb.threats.atlas_build` (Apache-2.0, The MITRE Corporation); the OWASP lists and
the NIST AI RMF subcategories in ``refs.json`` (ids and short titles only).

    >>> resolve("atlas:AML.T0010").name
    'AI Supply Chain Compromise'
    >>> resolve("atlas:AML.T0010").maturity, resolve("owasp-llm:LLM03").name
    ('realized', 'Supply Chain')
    >>> unresolved(["owasp-ml:ML11", "atlas:AML.T0010"])
    ['owasp-ml:ML11: no such id in OWASP Machine Learning Security Top 10 (draft v0.3 (docs/))']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

NAMESPACES = ("atlas", "owasp-ml", "owasp-llm", "nist-ai-rmf")


@dataclass(frozen=True)
class Reference:
    """What a reference names."""

    namespace: str
    id: str
    name: str
    maturity: str | None = None
    """An ATLAS technique's maturity: ``realized``, ``demonstrated`` or ``feasible``."""
    tactics: tuple[str, ...] = ()
    kind: str = ""
    """For ATLAS: ``tactic``, ``technique`` or ``mitigation``."""

    @property
    def text(self) -> str:
        return f"{self.namespace}:{self.id}"


def _json(name: str) -> dict[str, Any]:
    text = resources.files("aisec_nb.threats").joinpath(name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def atlas_table() -> Mapping[str, Any]:
    """The shipped ATLAS table: ``attribution``, ``tactics``, ``techniques``, ``mitigations``."""
    return _json("atlas.json")


@cache
def frameworks() -> Mapping[str, Any]:
    """The shipped OWASP and NIST tables, by namespace."""
    return _json("refs.json")


def atlas_version() -> str:
    return str(atlas_table()["attribution"]["version"])


def attribution() -> str:
    """One line naming every source of the shipped tables and its licence."""
    atlas = atlas_table()["attribution"]
    parts = [f"{atlas['name']} {atlas['version']} ({atlas['licence']}, {atlas['copyright']})"]
    for table in frameworks().values():
        parts.append(f"{table['name']} {table['version']}")
    return "References: " + "; ".join(parts) + "."


def _split(text: str) -> tuple[str, str]:
    namespace, sep, ident = text.partition(":")
    if not sep or namespace not in NAMESPACES or not ident:
        raise KeyError(f"{text}: not a reference of the form namespace:id with a namespace of "
                       f"{', '.join(NAMESPACES)}")
    return namespace, ident


def resolve(text: str) -> Reference:
    """The reference ``text`` names; raises ``KeyError`` (with the reason) when it does not
    resolve."""
    namespace, ident = _split(text)
    if namespace == "atlas":
        table = atlas_table()
        for kind, group in (("technique", "techniques"), ("mitigation", "mitigations"),
                            ("tactic", "tactics")):
            entry = table[group].get(ident)
            if entry is not None:
                return Reference(namespace, ident, entry["name"], entry.get("maturity"),
                                 tuple(entry.get("tactics") or ()), kind)
        raise KeyError(f"{text}: no such id in MITRE ATLAS {atlas_version()}")
    table = frameworks()[namespace]
    name = table["ids"].get(ident)
    if name is None:
        raise KeyError(f"{text}: no such id in {table['name']} ({table['version']})")
    return Reference(namespace, ident, str(name))


def unresolved(refs: Iterable[str]) -> list[str]:
    """Why each reference of ``refs`` that does not resolve fails (empty when all resolve)."""
    out = []
    for text in refs:
        try:
            resolve(text)
        except KeyError as exc:
            out.append(str(exc.args[0]))
    return out


def url(ref: Reference) -> str | None:
    """Where a reference is described, for the report's links."""
    if ref.namespace == "atlas":
        group = {"technique": "techniques", "mitigation": "mitigations",
                 "tactic": "tactics"}[ref.kind]
        return f"https://atlas.mitre.org/{group}/{ref.id}"
    return None
