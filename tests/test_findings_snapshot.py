"""The scanner, the data checks and the monitor find exactly what they found when the snapshot
was taken (codes, severities, messages, locations, evidence), file by file."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.findings_corpus import SNAPSHOT, snapshot


@pytest.fixture(scope="module")
def now() -> dict[str, Any]:
    return snapshot()


@pytest.fixture(scope="module")
def then() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SNAPSHOT.read_text("utf-8"))
    return data


@pytest.mark.parametrize("part", ["scan", "data", "drift"])
def test_findings_match_the_snapshot(part: str, now: dict[str, Any],
                                     then: dict[str, Any]) -> None:
    assert sorted(now[part]) == sorted(then[part])
    changed = [name for name in then[part] if now[part][name] != then[part][name]]
    assert changed == [], f"findings changed for {changed[:5]}: {now[part][changed[0]]}"
