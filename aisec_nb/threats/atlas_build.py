"""Build the shipped MITRE ATLAS table (``atlas.json``) from a pinned ``ATLAS.yaml``.

``ATLAS.yaml`` is the ``dist/ATLAS.yaml`` data file of MITRE's atlas-data repository. The table
keeps, for every tactic, technique (and sub-technique) and mitigation, its name and, for
techniques, the ``maturity`` and tactics (a sub-technique inherits its parent's tactics), with
the attribution the licence asks for. Run it when the pinned data file changes::

    python -m aisec_nb.threats.atlas_build tests/fixtures/atlas/ATLAS.yaml

The data is parsed defensively: some of its lists mix strings and mappings, and only the ids,
names, maturities and tactics are read. The ATLAS changelog is never read (it disagrees with the
data in places). PyYAML is needed here only, never at run time.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ID = re.compile(r"^AML\.(?:TA\d{4}|T\d{4}(?:\.\d{3})?|M\d{4})$")
ATTRIBUTION = {
    "name": "MITRE ATLAS",
    "source": "https://github.com/mitre-atlas/atlas-data (dist/ATLAS.yaml)",
    "licence": "Apache-2.0",
    "copyright": "The MITRE Corporation",
    "notice": "ATLAS ids, names, maturities and tactics, generated from MITRE's atlas-data "
              "(Apache-2.0, The MITRE Corporation); descriptions are not included.",
}
OUTPUT = Path(__file__).with_name("atlas.json")


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _ids(values: Any) -> list[str]:
    """The ids of a list that may hold strings, ``{"id": ...}`` mappings, or anything else."""
    out: list[str] = []
    if not isinstance(values, list):
        return out
    for item in values:
        candidate = item.get("id") if isinstance(item, Mapping) else item
        if isinstance(candidate, str) and ID.match(candidate.strip()):
            out.append(candidate.strip())
    return out


def _objects(data: Mapping[str, Any], key: str) -> Iterable[Mapping[str, Any]]:
    """Every object listed under ``key`` in the matrices and at the top level."""
    sources: list[Any] = [data.get(key)]
    for matrix in data.get("matrices") or []:
        if isinstance(matrix, Mapping):
            sources.append(matrix.get(key))
    for listing in sources:
        for item in listing or []:
            if isinstance(item, Mapping) and isinstance(item.get("id"), str):
                yield item


def build_table(data: Mapping[str, Any]) -> dict[str, Any]:
    """The shipped table from the parsed ``ATLAS.yaml``.

    >>> t = build_table({"version": "9.9", "matrices": [{"tactics": [
    ...     {"id": "AML.TA0004", "name": "Initial Access"}], "techniques": [
    ...     {"id": "AML.T0010", "name": "Supply", "maturity": "realized",
    ...      "tactics": ["AML.TA0004", {"odd": 1}]},
    ...     {"id": "AML.T0010.001", "name": "Software", "subtechnique-of": "AML.T0010"}]}]})
    >>> t["techniques"]["AML.T0010.001"]
    {'name': 'Software', 'maturity': None, 'tactics': ['AML.TA0004'], 'parent': 'AML.T0010'}
    """
    tactics = {
        str(t["id"]): {"name": _text(t.get("name")) or str(t["id"])}
        for t in _objects(data, "tactics") if ID.match(str(t["id"]))
    }
    techniques: dict[str, dict[str, Any]] = {}
    for t in _objects(data, "techniques"):
        tid = str(t["id"]).strip()
        if not ID.match(tid):
            continue
        parent = t.get("subtechnique-of")
        maturity = _text(t.get("maturity"))
        techniques[tid] = {
            "name": _text(t.get("name")) or tid,
            "maturity": maturity.lower() if maturity else None,
            "tactics": list(dict.fromkeys(x for x in _ids(t.get("tactics")) if x in tactics)),
            "parent": parent.strip() if isinstance(parent, str) else None,
        }
    for entry in techniques.values():  # sub-techniques inherit their parent's tactics
        parent = techniques.get(entry["parent"] or "")
        if not entry["tactics"] and parent is not None:
            entry["tactics"] = list(parent["tactics"])
    mitigations = {
        str(m["id"]).strip(): {"name": _text(m.get("name")) or str(m["id"])}
        for m in _objects(data, "mitigations") if ID.match(str(m["id"]).strip())
    }
    return {
        "attribution": {**ATTRIBUTION, "version": str(data.get("version") or "unknown")},
        "tactics": dict(sorted(tactics.items())),
        "techniques": dict(sorted(techniques.items())),
        "mitigations": dict(sorted(mitigations.items())),
    }


def render(table: Mapping[str, Any]) -> str:
    """The file's exact text: one entry per line, so a data update reads as a small diff."""
    lines = ["{", f' "attribution": {json.dumps(table["attribution"], ensure_ascii=False)},']
    groups = ["tactics", "techniques", "mitigations"]
    for n, group in enumerate(groups):
        lines.append(f' "{group}": {{')
        items = list(table[group].items())
        for i, (key, value) in enumerate(items):
            comma = "," if i < len(items) - 1 else ""
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
        lines.append(" }" + ("," if n < len(groups) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def read_yaml(path: Path) -> Mapping[str, Any]:
    import yaml  # type: ignore[import-untyped, unused-ignore]

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping):
        raise SystemExit(f"{path}: not an ATLAS data file (expected a mapping at the top)")
    return data


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        print("usage: python -m aisec_nb.threats.atlas_build ATLAS.yaml [OUTPUT.json]",
              file=sys.stderr)
        return 2
    table = build_table(read_yaml(Path(args[0])))
    out = Path(args[1]) if len(args) == 2 else OUTPUT
    out.write_text(render(table), encoding="utf-8")
    counts = ", ".join(f"{len(table[g])} {g}" for g in ("tactics", "techniques", "mitigations"))
    print(f"wrote {out}: ATLAS {table['attribution']['version']}, {counts}")
    return 0


if __name__ == "__main__":  # pragma: no cover - maintenance entry
    sys.exit(main())
