"""After ``pip install``, Jupyter finds the extension and the server extension enabled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.labextension.support import extension_installed, installed_extension, require


def _jupyter(tmp_path: Path, *args: str) -> str:
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_PLATFORM_DIRS": "1"}
    exe = Path(sys.executable).parent / "jupyter"
    done = subprocess.run([str(exe), *args], capture_output=True, text=True, env=env,
                          check=True, timeout=120)
    return done.stdout + done.stderr


@pytest.fixture(autouse=True)
def _built() -> None:
    require(extension_installed(), "the extension is not installed: pip install -e . builds it")


def test_labextension_is_listed_enabled(tmp_path: Path) -> None:
    out = _jupyter(tmp_path, "labextension", "list")
    line = next(line for line in out.splitlines() if "aisec-nb" in line)
    assert "enabled" in line and "OK" in line and "(python, aisec-nb)" in line, out


def test_server_extension_is_enabled_by_the_installed_config(tmp_path: Path) -> None:
    config = Path(sys.prefix, "etc", "jupyter", "jupyter_server_config.d", "aisec_nb.json")
    assert json.loads(config.read_text())["ServerApp"]["jpserver_extensions"] == {
        "aisec_nb": True}
    out = _jupyter(tmp_path, "server", "extension", "list")
    assert "aisec_nb enabled" in out.replace("\x1b[32m", "").replace("\x1b[0m", ""), out


def test_installed_extension_declares_both_entry_points() -> None:
    package = json.loads((installed_extension() / "package.json").read_text())
    assert package["name"] == "aisec-nb"
    assert package["jupyterlab"]["_build"]["load"].startswith("static/remoteEntry.")
    assert package["jupyterlab"]["extension"] and package["jupyterlab"]["mimeExtension"]
