"""The merge rule in Python and in TypeScript agree on generated notebooks: entries with random
times (offsets, fractions of seconds, naive and Z), ties broken by canonical JSON (non-ASCII
text, floats), unknown fields, metadata and outputs mixed, and malformed entries whose error
messages must match word for word."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

from aisec_nb.errors import RecordError
from aisec_nb.transport import MIME_TYPE, read_record
from tests.labextension.support import LABEXTENSION, require

CASES = 600
TEXTS = ["a", "b", "é", "ß", "日本", "\U0001f600", "x y", "\ufb01", "Z", ""]


def _time(rng: random.Random) -> str:
    day = rng.choice(["2026-01-01", "2026-01-02", "2025-12-31"])
    clock = rng.choice(["09:00:00", "09:00", "10:30:00", "08:59:59.999999", "09:00:00.5"])
    zone = rng.choice(["Z", "+00:00", "+02:00", "-05:30", ""])
    return f"{day}T{clock}{zone}"


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(7 if depth < 2 else 4)
    if kind == 0:
        return rng.choice(TEXTS)
    if kind == 1:
        return rng.choice([0, 1, -3, 10**6, 0.5, 1e-5, 2.5e-7, 123456.789, 1.5e16])
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return rng.choice(TEXTS) * rng.randrange(1, 3)
    if kind == 4:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(3))]
    return {rng.choice(TEXTS): _value(rng, depth + 1) for _ in range(rng.randrange(3))}


def _finding(rng: random.Random) -> dict[str, Any]:
    finding: dict[str, Any] = {
        "code": rng.choice(["AISEC-PKL-002", "AISEC-DATA-Q07"]),
        "severity": rng.choice(["info", "low", "medium", "high", "critical"]),
        "message": rng.choice(TEXTS),
    }
    if rng.random() < 0.4:
        finding["location"] = rng.choice([{"offset": 3}, {"column": "é"}, {"member": "a/b"}])
    if rng.random() < 0.3:
        finding["count"] = rng.choice([1, 2, 40])
    if rng.random() < 0.03:
        finding[rng.choice(["severity", "code", "location"])] = rng.choice(["huge", 7, [1]])
    return finding


def _check(rng: random.Random, cid: str) -> dict[str, Any]:
    at = _time(rng)
    payload: dict[str, Any] = {
        "id": cid, "kind": rng.choice(["model", "data", "guard", "custom"]),
        "target": {"kind": "file", "path": rng.choice(TEXTS) + ".pkl"},
        "verdict": rng.choice(["pass", "warn", "fail", "error"]),
        "findings": [_finding(rng) for _ in range(rng.randrange(3))],
        "tool": {"name": "aisec-nb", "version": "0.1.0"},
        "started_at": at, "duration_s": rng.choice([0, 0.5, 1.25]), "recorded_at": at,
    }
    if rng.random() < 0.5:
        payload["note"] = _value(rng)
    if rng.random() < 0.05:  # malformed: the two sides must name the same field
        payload[rng.choice(["verdict", "duration_s", "target", "tool"])] = rng.choice(
            ["maybe", -1, None, "x"])
    if rng.random() < 0.03:
        payload["recorded_at"] = rng.choice(["yesterday", 5, "2026-13-01"])
    return payload


def _monitor(rng: random.Random) -> dict[str, Any]:
    return {"recorded_at": _time(rng), "verdict": rng.choice(["pass", "warn", "fail"]),
            "drifted": [rng.choice(TEXTS)], "extra": _value(rng)}


def _fragment(rng: random.Random) -> Any:
    kind = rng.choice(["check", "check", "monitor", "threat_model", "model_card", "hologram"])
    fid = rng.choice(["model:a", "model:b", "data:é"]) if kind != "monitor" else "drift:x"
    if kind == "check":
        payload: Any = _check(rng, fid)
    elif kind == "monitor":
        payload = _monitor(rng)
    else:
        payload = {"recorded_at": _time(rng), "answers": _value(rng)}
    fragment = {"schema_version": 1, "kind": kind, "id": fid if kind in ("check", "monitor",
                "hologram") else None, "payload": payload}
    return json.dumps(fragment) if rng.random() < 0.1 else fragment


def _notebook(rng: random.Random) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if rng.random() < 0.6:
        checks = {cid: _check(rng, cid) for cid in rng.sample(["model:a", "model:b"], 2)
                  if rng.random() < 0.7}
        metadata["aisec"] = {"schema_version": 1, "checks": checks, "monitors": {},
                             "threat_model": None, "model_card": None}
        if rng.random() < 0.3:
            metadata["aisec"]["future"] = _value(rng)
        if rng.random() < 0.3:
            metadata["aisec"]["monitors"] = {"drift:x": _monitor(rng)}
    cells = []
    for _ in range(rng.randrange(4)):
        outputs = [{"output_type": "display_data", "metadata": {},
                    "data": {"text/plain": "x", MIME_TYPE: _fragment(rng)}}
                   for _ in range(rng.randrange(3))]
        cells.append({"cell_type": "code", "source": "", "metadata": {}, "outputs": outputs})
    return {"metadata": metadata, "cells": cells}


def test_python_and_typescript_merge_agree(tmp_path: Path) -> None:
    npm = shutil.which("npm")
    require(npm is not None, "npm is not installed")
    require((LABEXTENSION / "node_modules").is_dir(), "run npm ci in labextension/")
    assert npm is not None
    rng = random.Random(20261201)
    cases = []
    for _ in range(CASES):
        nb = _notebook(rng)
        try:
            cases.append({"notebook": nb, "expected": read_record(nb, "gen.ipynb").record})
        except RecordError as exc:
            cases.append({"notebook": nb, "error": str(exc)})
    assert sum("error" in c for c in cases) >= 5, "some malformed cases"
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [npm, "test", "--silent", "--", "--ci", "src/__tests__/differential.spec.ts"],
        cwd=LABEXTENSION, capture_output=True, text=True, timeout=600, check=False,
        env={**__import__("os").environ, "AISEC_MERGE_CASES": str(path)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
