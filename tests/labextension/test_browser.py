"""The JupyterLab extension in a real browser: headless Chromium (Debian's ``/usr/bin/chromium``,
driven by Playwright; no browser is downloaded) against a real ``jupyter lab`` and ``jupyter
notebook`` on loopback, with a token and a temporary root.

The flow a data scientist follows: open a notebook, run ``%load_ext aisec_nb`` and ``%aisec check
model``, see the card, save, and find the check in ``metadata.aisec`` of the file on disk; the
side panel lists it with its guideline subsection and the linter's findings; clearing outputs
and saving keeps the record; reopening does not mark the notebook dirty.

Screenshots of the card (light and dark) and of the panel are saved under
``tests/labextension/screenshots/`` (or ``$AISEC_SCREENSHOTS``) for review. The JupyterLab flow
runs twice: without and with real-time collaboration (jupyter-collaboration).
Run these tests alone with ``python -m pytest -m browser``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browserkit import (
    CURRENT,
    KERNELSPEC,
    Front,
    chromium,
    front_page,
    notebook,
    notebook_server,
    panel_shot,
    read_json,
    screenshots,
    write_notebook,
)
from tests.labextension.support import require
from tests.serverproc import Server

pytestmark = pytest.mark.browser

SHOTS = screenshots(Path(__file__).parent / "screenshots")
EVIL = b"cos\nsystem\n(S'echo hi'\ntR."
DISPLAY_MONITOR = """\
from IPython.display import display
from aisec_nb.transport import MIME_TYPE, make_fragment

def bundle(verdict, at):
    payload = {"recorded_at": at, "verdict": verdict, "kind": "stream", "drifted": []}
    return {"text/plain": f"monitor {verdict}",
            MIME_TYPE: make_fragment("monitor", "drift:live", payload)}

handle = display(bundle("pass", "2026-01-01T09:00:00Z"), raw=True, display_id=True)"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(SHOTS) as b:
        yield b


def _project(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "model.pkl").write_bytes(b"\x80\x04K\x01.")
    (root / "evil.pkl").write_bytes(EVIL)
    sources = ("%load_ext aisec_nb", "%aisec check model model.pkl",
               "%aisec check model evil.pkl",
               "from aisec_nb.jupyter.frontend import notebook_record\n"
               "view = notebook_record()\nprint(view.source, sorted(view.record['checks']))",
               DISPLAY_MONITOR, "handle.update(bundle('warn', '2026-01-01T10:00:00Z'), raw=True)")
    write_notebook(root / "work.ipynb", notebook(*sources))
    # Outputs saved by a front end without the extension: not signed (untrusted), no metadata.
    from aisec_nb.scan import scan_path
    from tests.evidence import notebook_showing

    cwd = Path.cwd()
    os.chdir(root)
    try:
        shown = notebook_showing(scan_path("evil.pkl"), leading_markdown=0)
    finally:
        os.chdir(cwd)
    shown.metadata["kernelspec"] = dict(KERNELSPEC)
    write_notebook(root / "untrusted.ipynb", shown)


def _has_collaboration() -> bool:
    import importlib.util

    return importlib.util.find_spec("jupyter_server_ydoc") is not None


@pytest.fixture(scope="module", params=[False, True], ids=["plain", "collaborative"])
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[Server]:
    collaborative: bool = request.param
    if collaborative:
        require(_has_collaboration(), "jupyter-collaboration is not installed")
    root = tmp_path_factory.mktemp("lab-rtc" if collaborative else "lab") / "root"
    _project(root)
    with notebook_server("lab", root, collaboration=collaborative) as server:
        yield server


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require(shutil.which("jupyter-notebook") is not None, "Notebook 7 is not installed")
    root = tmp_path_factory.mktemp("nb7") / "root"
    _project(root)
    with notebook_server("notebook", root) as server:
        yield server


def _check_flow(front: Front, server: Server, prefix: str, *, lab: bool) -> None:
    root = server.root
    page = front.page

    # Run %load_ext aisec_nb and %aisec check model: the cards render.
    for index in range(3):
        front.start_cell(index)
    front.wait(f"() => !!{CURRENT}.context.model.cells.get(2).executionCount")
    page.wait_for_selector(".jp-AisecCard[data-aisec-verdict='pass']")
    page.wait_for_selector(".jp-AisecCard[data-aisec-verdict='fail']")
    card = page.locator(".jp-AisecCard[data-aisec-verdict='fail']").first
    assert "FAIL" in card.inner_text()
    assert "failed" in card.inner_text()

    # The card opens from the keyboard.
    toggle = card.locator(".jp-AisecCard-toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert card.locator(".jp-AisecCard-details").is_visible()
    page.keyboard.press(" ")
    assert toggle.get_attribute("aria-expanded") == "false"
    card.screenshot(path=str(SHOTS / f"{prefix}-card-light.png"))

    # Recorded live, before any save; the kernel (next cell) sees it through the comm.
    front.wait_recorded("model:model.pkl", "model:evil.pkl")
    front.run_cell(3)
    live = front.metadata()
    assert set(live["checks"]) == {"model:model.pkl", "model:evil.pkl"}

    # A display_id update (what a widget callback does) rewrites the first cell's output: the
    # newer result is recorded.
    front.run_cell(4)
    front.start_cell(5)
    front.wait(f"""() => {{
      const m = {CURRENT}.context.model.getMetadata('aisec');
      return !!(m && m.monitors['drift:live'] && m.monitors['drift:live'].verdict === 'warn');
    }}""")
    page.wait_for_selector(".jp-AisecCard[data-aisec-kind='monitor'][data-aisec-verdict='warn']")
    live = front.metadata()
    front.save()
    saved = read_json(root / "work.ipynb")
    record = saved["metadata"]["aisec"]
    assert record["checks"]["model:model.pkl"]["verdict"] == "pass"
    assert record["checks"]["model:evil.pkl"]["verdict"] == "fail"
    assert record == live

    # The kernel sees the record the front end holds.
    texts = [o.get("text", "") for o in saved["cells"][3]["outputs"]]
    out = "".join("".join(t) if isinstance(t, list) else t for t in texts)
    assert out.startswith("front end ['model:evil.pkl', 'model:model.pkl']"), out

    # The side panel: checks, guideline subsection, lint findings from the server.
    front.command("aisec-nb:open-panel")
    panel = page.locator("#aisec-nb-panel")
    panel.locator(".jp-AisecPanel-check[data-check-id='model:model.pkl']").wait_for()
    covered = panel.locator(".jp-AisecPanel-covered[data-subsection='Secure your supply chain']")
    covered.wait_for()
    assert "check model:model.pkl" in covered.inner_text()
    finding = panel.locator(".jp-AisecPanel-finding", has_text="AISEC-L01")
    finding.wait_for()
    # Clicking a finding goes to its cell.
    front.js(f"() => {{ {CURRENT}.content.activeCellIndex = 0; }}")
    finding.locator(".jp-AisecPanel-link").click()
    front.wait(f"() => {CURRENT}.content.activeCellIndex === 2")
    panel_shot(page, panel, SHOTS / f"{prefix}-panel-light.png")
    # A checked file changes: re-running lint shows the evidence as stale.
    (root / "model.pkl").write_bytes(b"\x80\x04K\x07.")
    panel.locator(".jp-AisecPanel-lint").click()
    row = panel.locator(".jp-AisecPanel-check[data-check-id='model:model.pkl']")
    stale = row.locator(".jp-AisecPanel-flag")
    stale.wait_for()
    assert stale.inner_text().lower() == "stale"
    panel.locator(".jp-AisecPanel-finding", has_text="AISEC-L03").wait_for()
    if lab:
        status = page.locator(".jp-AisecStatus")
        assert "FAIL" in status.inner_text()

    # Dark theme.
    front.theme("dark")
    card.screenshot(path=str(SHOTS / f"{prefix}-card-dark.png"))
    panel_shot(page, panel, SHOTS / f"{prefix}-panel-dark.png")
    front.theme("light", settle_ms=0)

    # Reopening the saved notebook (outputs and record present) does not mark it dirty.
    front.command("application:close-all")
    front.wait("() => !window.jupyterapp.shell.currentWidget || "
               "!window.jupyterapp.shell.currentWidget.context")
    front.command("docmanager:open", {"path": "work.ipynb"})
    front.wait_ready("work.ipynb")
    page.wait_for_selector(".jp-AisecCard")
    front.settle()
    assert not front.dirty()

    # Clearing outputs and saving keeps the recorded evidence.
    front.command("notebook:clear-all-cell-outputs")
    front.wait("() => document.querySelectorAll('.jp-AisecCard').length === 0")
    front.settle()
    front.save()
    cleared = read_json(root / "work.ipynb")
    assert all(not c.get("outputs") for c in cleared["cells"])
    assert cleared["metadata"]["aisec"] == record


def _untrusted_flow(front: Front, server: Server) -> None:
    # Outputs present when a notebook is opened are recorded; untrusted outputs render as cards.
    page = front.page
    page.wait_for_selector(".jp-AisecCard[data-aisec-verdict='fail']")
    assert not front.js(f"() => {CURRENT}.context.model.cells.get(0).trusted")
    front.wait_recorded("model:evil.pkl")
    assert set(front.metadata()["checks"]) == {"model:evil.pkl"}
    if not front.js(f"() => !!{CURRENT}.context.model.collaborative"):
        assert front.dirty()  # (a collaborative document is saved by the server instead)
    front.save()
    assert set(read_json(server.root / "untrusted.ipynb")["metadata"]["aisec"]["checks"]) == {
        "model:evil.pkl"}


def test_jupyterlab_flow(browser: Any, lab: Server) -> None:
    with front_page(browser, lab, SHOTS, "lab") as front:
        front.open_notebook("work.ipynb")
        collaborative = bool(front.js(f"() => !!{CURRENT}.context.model.collaborative"))
        assert collaborative == ("rtc" in str(lab.root)), "collaboration on or off as asked"
        _check_flow(front, lab, "lab-rtc" if collaborative else "lab", lab=True)
        front.command("docmanager:open", {"path": "untrusted.ipynb"})
        front.wait_ready("untrusted.ipynb")
        _untrusted_flow(front, lab)
    print(f"screenshots: {SHOTS}")


def test_notebook7_flow(browser: Any, notebook7: Server) -> None:
    with front_page(browser, notebook7, SHOTS, "nb7") as front:
        front.open_notebook("work.ipynb")
        _notebook7_flow(front, notebook7)
    print(f"screenshots: {SHOTS}")


def _notebook7_flow(front: Front, server: Server) -> None:
    root = server.root
    page = front.page
    front.run_all()
    page.wait_for_selector(".jp-AisecCard[data-aisec-verdict='fail']")
    card = page.locator(".jp-AisecCard[data-aisec-verdict='fail']").first
    front.wait_recorded("model:model.pkl", "model:evil.pkl")
    card.screenshot(path=str(SHOTS / "nb7-card-light.png"))
    front.theme("dark")
    card.screenshot(path=str(SHOTS / "nb7-card-dark.png"))
    front.theme("light", settle_ms=0)
    front.settle()
    front.save()
    record = read_json(root / "work.ipynb")["metadata"]["aisec"]
    assert set(record["checks"]) == {"model:model.pkl", "model:evil.pkl"}
    front.command("aisec-nb:open-panel")
    panel = page.locator("#aisec-nb-panel")
    panel.locator(".jp-AisecPanel-check[data-check-id='model:evil.pkl']").wait_for()
    panel.locator(".jp-AisecPanel-covered[data-subsection='Secure your supply chain']").wait_for()
    panel.locator(".jp-AisecPanel-finding", has_text="AISEC-L01").wait_for()
    panel_shot(page, panel, SHOTS / "nb7-panel-light.png")
    front.command("notebook:clear-all-cell-outputs")
    front.wait("() => document.querySelectorAll('.jp-AisecCard').length === 0")
    front.settle()
    front.save()
    assert read_json(root / "work.ipynb")["metadata"]["aisec"] == record
    # Reopen in a fresh page: not dirty.
    front.open_notebook("work.ipynb")
    front.settle()
    assert not front.dirty()
