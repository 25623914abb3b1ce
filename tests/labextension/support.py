"""What the extension's tests need, and how they react when it is missing: on a developer's
machine they skip with the reason; in CI (``CI`` set) they fail, so CI never passes by skipping."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LABEXTENSION = REPO / "labextension"


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def installed_extension() -> Path:
    """Where ``pip install`` put the built extension (``share/jupyter/labextensions``)."""
    return Path(sys.prefix, "share", "jupyter", "labextensions", "aisec-nb")


def extension_installed() -> bool:
    return (installed_extension() / "package.json").is_file()
