"""What the guard's tests share: the events it reports, and a guard left off and forgetful after
each test (it is process-wide state)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aisec_nb import guard


@pytest.fixture
def events() -> Iterator[list[guard.GuardEvent]]:
    seen: list[guard.GuardEvent] = []
    guard.add_listener(seen.append)
    try:
        yield seen
    finally:
        guard.remove_listener(seen.append)
        guard.switch_off()
        guard.forget_trusted()
