"""The server extension's endpoints, on a real ``jupyter server`` with a token and a temporary
root: authentication, paths that leave the root, bounds, JSON errors, and lint results that are
exactly the command line's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from aisec_nb.rules import guideline_subsections, rules
from aisec_nb.scan import scan_path
from tests.evidence import notebook_showing, write
from tests.serverproc import Server, jupyter

pytestmark = pytest.mark.kernel  # a real server process (a few seconds)

EVIL = b"cos\nsystem\n(S'echo hi'\ntR."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("serverext")
    root = base / "root"
    (root / "project").mkdir(parents=True)
    outside = base / "outside"
    outside.mkdir()

    # A failed check (a pickle that runs os.system) and a clean one whose file changed since.
    project = root / "project"
    (project / "evil.pkl").write_bytes(EVIL)
    (project / "clean.pkl").write_bytes(b"\x80\x04K\x01.")
    cwd = Path.cwd()
    os.chdir(project)
    try:
        results = [scan_path("evil.pkl"), scan_path("clean.pkl")]
    finally:
        os.chdir(cwd)
    (project / "clean.pkl").write_bytes(b"\x80\x04K\x02.")
    write(notebook_showing(*results), project / "work.ipynb")
    write(notebook_showing(), root / "empty.ipynb")
    (root / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (root / "notes.txt").write_text("not a notebook", encoding="utf-8")
    (root / ".hidden.ipynb").write_text("{}", encoding="utf-8")

    write(notebook_showing(results[0]), outside / "secret.ipynb")
    (root / "link.ipynb").symlink_to(outside / "secret.ipynb")
    (root / "linked-folder").symlink_to(outside, target_is_directory=True)
    (root / "inside-link.ipynb").symlink_to(project / "work.ipynb")

    with jupyter("server", root) as running:
        yield running


def lint(server: Server, path: str, **kw: Any) -> tuple[int, Any]:
    return server.request("GET", f"/aisec/lint?path={quote(path)}", **kw)


def cli_lint(root: Path, path: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "aisec_nb.cli", "lint", "--format", "json", path],
        cwd=root, capture_output=True, text=True, check=False,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("endpoint", ["/aisec/lint?path=empty.ipynb", "/aisec/rules"])
def test_unauthenticated_requests_are_refused(server: Server, endpoint: str) -> None:
    status, _ = server.request("GET", endpoint, token=None)
    assert status == 403
    status, _ = server.request("GET", endpoint, token="not-the-token")
    assert status == 403
    status, _ = server.request("POST", "/aisec/lint", b'{"path": "empty.ipynb"}', token=None)
    assert status == 403


@pytest.mark.parametrize(
    "path",
    ["../outside/secret.ipynb", "project/../../outside/secret.ipynb", "project/../..",
     "link.ipynb", "linked-folder/secret.ipynb"],
)
def test_paths_out_of_the_root_are_refused(server: Server, path: str) -> None:
    status, body = lint(server, path)
    assert status == 403, body
    assert body["message"].startswith(f"{path}: ")
    assert body["path"] == path
    assert "root" in body["message"]


@pytest.mark.parametrize(
    ("path", "status", "problem"),
    [
        ("missing.ipynb", 404, "no such notebook"),
        (".hidden.ipynb", 404, "hidden files are not served"),
        ("project", 400, "is a folder, not a notebook"),
        ("notes.txt", 400, "is not a notebook (.ipynb)"),
        ("", 400, "a notebook path is required"),
        ("x" * 5000, 400, "longer than 4096"),
    ],
)
def test_bad_paths_get_json_errors_naming_the_path(
    server: Server, path: str, status: int, problem: str
) -> None:
    got, body = lint(server, path)
    assert got == status, body
    assert problem in body["message"]
    if path and len(path) < 100:
        assert body["message"].startswith(f"{path}: ")


def test_a_nul_in_the_path_is_refused(server: Server) -> None:
    # (a query argument loses its control characters on the way; a JSON body keeps them)
    status, body = server.request("POST", "/aisec/lint", b'{"path": "a\\u0000b.ipynb"}')
    assert status == 400 and "NUL" in body["message"]


def test_request_bodies_are_bounded_and_must_be_json(server: Server) -> None:
    status, body = server.request("POST", "/aisec/lint", b"{" + b" " * 70_000 + b"}")
    assert status == 413
    assert "request body" in body["message"]
    status, body = server.request("POST", "/aisec/lint", b"not json")
    assert (status, body["message"].split(":")[0]) == (400, "request body is not JSON")
    status, body = server.request("POST", "/aisec/lint", b"[1, 2]")
    assert status == 400


@pytest.mark.parametrize("path", ["project/work.ipynb", "empty.ipynb", "broken.ipynb",
                                  "inside-link.ipynb"])
def test_a_valid_path_returns_exactly_the_cli_findings(server: Server, path: str) -> None:
    status, body = lint(server, path)
    assert status == 200, body
    expected = cli_lint(server.root, path)
    assert {k: v for k, v in body.items() if k != "path"} == expected
    assert body["path"] == path
    status, posted = server.request("POST", "/aisec/lint", json.dumps({"path": path}).encode())
    assert (status, posted) == (200, body)


def test_the_work_notebook_has_a_failed_and_a_stale_check(server: Server) -> None:
    _, body = lint(server, "/project/work.ipynb")
    codes = sorted((f["code"], f["check_id"], f["cell"]) for f in body["findings"])
    # cells are 0-based in the JSON form (nb.cells[i]); cell 0 is a markdown cell
    assert codes == [("AISEC-L01", "model:evil.pkl", 1), ("AISEC-L03", "model:clean.pkl", 2)]
    assert all(f["notebook"] == "project/work.ipynb" for f in body["findings"])


def test_rules_endpoint_returns_the_catalogue(server: Server) -> None:
    status, body = server.request("GET", "/aisec/rules")
    assert status == 200
    assert [r["code"] for r in body["rules"]] == [r.code for r in rules()]
    headings = [h for g in body["guidelines"] for h in g["subsections"]]
    assert headings == list(guideline_subsections()) and len(headings) == 17
    areas = {r.area for r in rules()}
    assert set(body["areas"]["checks"].values()) <= areas
    assert body["areas"]["monitors"] in areas
    for subsections in body["documents"].values():
        assert set(subsections) <= set(headings)
