"""A real ``jupyter server`` / ``jupyter lab`` / ``jupyter notebook`` on a free loopback port,
with a token, a temporary root and its own config and runtime folders (nothing of the developer's
``~/.jupyter`` is read)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen[bytes]
    app: str = "lab"
    """``lab`` or ``notebook``: which front end the server serves."""

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        *,
        token: str | None = "",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """``(status, parsed JSON or text)``; ``token=None`` sends no credentials."""
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"token {token or self.token}"
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as response:  # loopback only
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        text = raw.decode("utf-8", "replace")
        try:
            return status, json.loads(text)
        except json.JSONDecodeError:
            return status, text


def _config(root: Path, port: int, token: str, extra: dict[str, Any]) -> dict[str, Any]:
    server: dict[str, Any] = {
        "ip": "127.0.0.1",
        "port": port,
        "port_retries": 0,
        "open_browser": False,
        "root_dir": str(root),
        "allow_root": True,
        "jpserver_extensions": {"aisec_nb": True},
    }
    config: dict[str, Any] = {
        "ServerApp": server,
        "IdentityProvider": {"token": token},
        "LabApp": {"news_url": None, "check_for_updates_class":
                   "jupyterlab.NeverCheckForUpdate"},
        "LabServerApp": {"workspaces_dir": str(root.parent / "workspaces")},
    }
    for section, values in extra.items():
        config.setdefault(section, {}).update(values)
    return config


@contextmanager
def jupyter(
    app: str, root: Path, *, extra: dict[str, Any] | None = None, timeout: float = 90,
    collaboration: bool = False,
) -> Iterator[Server]:
    """Run ``jupyter <app>`` (``server``, ``lab`` or ``notebook``) until the block ends.

    With ``collaboration`` false, real-time collaboration (jupyter-collaboration), if installed,
    is switched off for this server, server and front end parts alike.
    """
    disabled = {"@jupyterlab/apputils-extension:announcements": True}
    extra = {section: dict(values) for section, values in (extra or {}).items()}
    if not collaboration:
        disabled.update({"@jupyter/collaboration-extension": True,
                         "@jupyter/docprovider-extension": True})
        extra.setdefault("ServerApp", {})["jpserver_extensions"] = {
            "aisec_nb": True, "jupyter_server_ydoc": False, "jupyter_collaboration": False}
    home = root.parent / f"{app}-home"
    for name in ("config", "runtime", "data", "ipython"):
        (home / name).mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    (home / "config" / "jupyter_server_config.json").write_text(
        json.dumps(_config(root, port, token, extra)), encoding="utf-8")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONUNBUFFERED": "1",
        # The kernel spec runs `python`: make it this interpreter, which has aisec_nb.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }
    # No "get notified about Jupyter news?" toast over the screenshots.
    (home / "config" / "labconfig").mkdir(exist_ok=True)
    (home / "config" / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": disabled}))
    log = root.parent / f"{app}.log"
    exe = shutil.which(f"jupyter-{app}", path=str(Path(sys.executable).parent)) or shutil.which(
        f"jupyter-{app}")
    assert exe is not None, f"jupyter-{app} is not installed"
    with log.open("wb") as out:
        process = subprocess.Popen([exe], cwd=root, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", token, root, log, process, app)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"jupyter {app} exited: {log.read_text(errors='replace')}")
            try:
                status, _ = server.request("GET", "/api/status")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                text = log.read_text(errors="replace")
                raise RuntimeError(f"jupyter {app} did not start: {text}")
            time.sleep(0.3)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
