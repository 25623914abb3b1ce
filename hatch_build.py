"""Build hook: builds the JupyterLab extension (``labextension/``) into ``aisec_nb/labextension``
before a wheel or sdist is made, so ``pip install .`` ships a working extension.

Needs Node.js 18+ and npm (``npm ci`` installs the locked dependencies from the npm registry; no
browser or other binary is downloaded). The build is skipped when the built extension is newer
than every source file. ``AISEC_NB_SKIP_LABEXTENSION=1`` builds the Python package without it
(the notebook magics and the CLI work; JupyterLab then shows the HTML reports only).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCES = ("src", "style", "scripts", "package.json", "package-lock.json", "tsconfig.json")
SCHEMA = Path("aisec_nb", "schema", "record.schema.json")


def _newest(paths: list[Path]) -> float:
    newest = 0.0
    for path in paths:
        if path.is_dir():
            for child in path.rglob("*"):
                if child.is_file() and "generated" not in child.parts:
                    newest = max(newest, child.stat().st_mtime)
        elif path.is_file():
            newest = max(newest, path.stat().st_mtime)
    return newest


class LabextensionBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        source = root / "labextension"
        built = root / "aisec_nb" / "labextension" / "package.json"
        if os.environ.get("AISEC_NB_SKIP_LABEXTENSION") or not source.is_dir():
            return
        inputs = [source / name for name in SOURCES] + [root / SCHEMA]
        if built.is_file() and built.stat().st_mtime >= _newest(inputs):
            return
        npm = shutil.which("npm")
        if npm is None:
            if built.is_file():
                self.app.display_warning("npm not found: shipping the JupyterLab extension "
                                         "built earlier in aisec_nb/labextension")
                return
            raise RuntimeError(
                "building aisec-nb's JupyterLab extension needs Node.js 18+ and npm on PATH; "
                "install them, or set AISEC_NB_SKIP_LABEXTENSION=1 to build without the extension"
            )
        lock = source / "node_modules" / ".package-lock.json"
        locked = (source / "package-lock.json").stat().st_mtime
        if not lock.is_file() or lock.stat().st_mtime < locked:
            self.app.display_info("installing the extension's node dependencies (npm ci)")
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=source, check=True)  # noqa: S603
        self.app.display_info("building the JupyterLab extension (npm run build:prod)")
        subprocess.run([npm, "run", "build:prod"], cwd=source, check=True)  # noqa: S603
