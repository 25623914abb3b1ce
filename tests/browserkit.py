"""What every browser test (and the front-end benchmark) shares: Debian's headless Chromium driven
by Playwright (no browser is downloaded), a real ``jupyter lab`` or ``jupyter notebook`` server
with the application exposed to the page, and a :class:`Front` with the steps a flow takes (open
a notebook, run cells, save, switch theme, read the live ``metadata.aisec``).

    with chromium(SHOTS) as browser, notebook_server("lab", root) as server:
        front = Front(browser.new_page(), server)
        front.open_notebook("work.ipynb")
        front.run_cell(0)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.labextension.support import extension_installed, require
from tests.serverproc import Server, jupyter

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = os.environ.get("AISEC_SCREENSHOTS")
"""Where screenshots go instead of each test folder's ``screenshots/`` (gitignored there)."""
TIMEOUT = 60_000
CURRENT = "window.jupyterapp.shell.currentWidget"
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
FORM_INTERACTIVE_MS = 1500
"""A form (``%aisec card``, ``%aisec threats``) usable this long after its cell starts: printed by
the browser tests and ``benchmarks/notebook_forms.py``, never asserted."""
FORM_RECORDED_MS = 1000
"""An edit in the notebook's live ``metadata.aisec`` this long after it is made (printed)."""


def screenshots(default: Path, *parts: str) -> Path:
    """The folder for a module's screenshots: ``$AISEC_SCREENSHOTS/parts`` or ``default/parts``."""
    return Path(SCREENSHOTS or default, *parts)


def notebook(*sources: str, names: list[str] | None = None) -> Any:
    """A notebook of code cells with a Python kernelspec (cells named in metadata if given)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.cells = [new_code_cell(s, metadata={"name": names[i]} if names else {})
                for i, s in enumerate(sources)]
    return nbformat.from_dict(nb)


def write_notebook(path: Path, nb: Any) -> None:
    import nbformat

    nbformat.write(nbformat.from_dict(nb), str(path))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@contextmanager
def chromium(shots: Path | None = None, *, extension: bool = True) -> Iterator[Any]:
    """Chromium for a test module; skips (fails in CI) without Chromium, Playwright or, when
    ``extension``, the built extension. ``shots`` is emptied of old pictures, so only this run's
    stay for review."""
    require(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        require(False, "playwright is not installed (pip install -e '.[test]')")
        raise
    if extension:
        require(extension_installed(), "the JupyterLab extension is not built and installed "
                                       "(pip install -e . builds it)")
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
        for old in shots.glob("*.png"):
            old.unlink()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def notebook_server(app: str, root: Path, *, collaboration: bool = False) -> Iterator[Server]:
    """``jupyter lab`` (``app="lab"``) or ``jupyter notebook`` on loopback serving ``root``, with
    ``window.jupyterapp`` exposed so a page can run commands."""
    section = "LabApp" if app == "lab" else "JupyterNotebookApp"
    extra = {section: {"expose_app_in_browser": True}}
    with jupyter(app, root, extra=extra, timeout=120, collaboration=collaboration) as server:
        yield server


@contextmanager
def front_page(browser: Any, server: Server, shots: Path, name: str, *, width: int = 1400,
               height: int = 900) -> Iterator[Front]:
    """A new page on ``server`` as a :class:`Front`; if the block fails, a picture of the page
    (``shots/name-failure.png``) is saved before the failure goes on; the page is closed after."""
    page = browser.new_page(viewport={"width": width, "height": height})
    front = Front(page, server)
    try:
        yield front
    except BaseException:
        front.failure_shot(shots, name)
        raise
    finally:
        page.close()


class Front:
    """A page of JupyterLab or Notebook 7 with the steps the flows take."""

    def __init__(self, page: Any, server: Server, *, timeout_ms: int = TIMEOUT) -> None:
        self.page = page
        self.server = server
        self.timeout_ms = timeout_ms
        page.set_default_timeout(timeout_ms)

    @property
    def lab(self) -> bool:
        return self.server.app == "lab"

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def wait(self, expression: str, arg: Any = None) -> None:
        self.page.wait_for_function(expression, arg=arg, timeout=self.timeout_ms)

    def command(self, name: str, args: dict[str, Any] | None = None) -> Any:
        return self.js("([n, a]) => window.jupyterapp.commands.execute(n, a)", [name, args or {}])

    def open(self, url_path: str, path: str) -> None:
        self.page.goto(f"{self.server.url}{url_path}?token={self.server.token}")
        self.wait_ready(path)

    def open_notebook(self, path: str) -> None:
        """Open ``path`` the way this server's front end does (Lab tree or Notebook 7 page)."""
        self.open(f"/lab/tree/{path}" if self.lab else f"/notebooks/{path}", path)

    def wait_ready(self, path: str) -> None:
        self.wait(
            f"""(path) => {{
              const w = window.jupyterapp && {CURRENT};
              return !!(w && w.context && w.context.path === path && w.context.isReady &&
                w.sessionContext.session && w.sessionContext.session.kernel &&
                w.sessionContext.session.kernel.connectionStatus === 'connected' &&
                w.sessionContext.session.kernel.status === 'idle');
            }}""", path)

    def metadata(self) -> Any:
        return self.js(f"() => {CURRENT}.context.model.getMetadata('aisec') ?? null")

    def dirty(self) -> bool:
        return bool(self.js(f"() => {CURRENT}.context.model.dirty"))

    def save(self) -> None:
        self.command("docmanager:save")
        self.wait(f"() => !{CURRENT}.context.model.dirty")

    def run_all(self) -> None:
        self.command("notebook:run-all-cells")
        self.wait(f"""() => {{
          const w = {CURRENT};
          const cells = w.context.model.cells;
          for (let i = 0; i < cells.length; i++) {{
            const c = cells.get(i);
            if (c.type === 'code' && !c.executionCount) {{
              return false;
            }}
          }}
          return w.sessionContext.session.kernel.status === 'idle';
        }}""")

    def start_cell(self, index: int) -> None:
        """Run one cell without waiting for it."""
        self.js(f"() => {{ {CURRENT}.content.activeCellIndex = {index}; }}")
        self.command("notebook:run-cell")

    def run_cell(self, index: int, *, outputs: bool = True) -> None:
        """Run one cell and wait until it finished (and showed an output, if ``outputs``)."""
        self.start_cell(index)
        shown = "c.outputs.length > 0 &&" if outputs else ""
        self.wait(f"""() => {{
          const c = {CURRENT}.context.model.cells.get({index});
          return !!c.executionCount && {shown}
            {CURRENT}.sessionContext.session.kernel.status === 'idle';
        }}""")

    def ms_until_ready(self, index: int, ready: str) -> float:
        """Milliseconds, measured in the page, from running cell ``index`` to the JavaScript
        predicate ``ready`` first holding (say, a form's field being usable)."""
        self.js(f"""() => {{
          {CURRENT}.content.activeCellIndex = {index};
          window.__aisecT1 = 0;
          window.__aisecT0 = performance.now();
        }}""")
        self.command("notebook:run-cell")
        self.wait(f"""() => {{
          if (!({ready})()) {{ return false; }}
          window.__aisecT1 = window.__aisecT1 || performance.now();
          return true;
        }}""")
        return float(self.js("() => window.__aisecT1 - window.__aisecT0"))

    def ms_until_recorded(self, act: Any, recorded: str) -> float:
        """Milliseconds, measured in the page, from ``act()`` (a click, a keystroke) to the
        predicate ``recorded`` on the live ``metadata.aisec`` (``m => ...``) first holding."""
        self.js("() => { window.__aisecC1 = 0; window.__aisecC0 = performance.now(); }")
        act()
        self.wait(f"""() => {{
          const m = {CURRENT}.context.model.getMetadata('aisec');
          if (!m || !({recorded})(m)) {{ return false; }}
          window.__aisecC1 = window.__aisecC1 || performance.now();
          return true;
        }}""")
        return float(self.js("() => window.__aisecC1 - window.__aisecC0"))

    def restart_kernel(self) -> None:
        self.js(f"() => {CURRENT}.sessionContext.restartKernel()")
        self.wait(f"() => {CURRENT}.sessionContext.session.kernel.status === 'idle'")

    def theme(self, name: str, *, settle_ms: int = 500) -> None:
        """Switch to the ``light`` or ``dark`` theme and let the page repaint."""
        self.command("apputils:change-theme", {"theme": THEMES[name]})
        light = "true" if name == "light" else "false"
        self.wait(f"() => document.body.dataset.jpThemeLight === '{light}'")
        self.page.wait_for_timeout(settle_ms)

    def settle(self) -> None:
        """Let the recorder's debounced pass run (and anything it might do late)."""
        self.page.wait_for_timeout(1500)

    def wait_recorded(self, *check_ids: str) -> None:
        """Until the live metadata.aisec holds these checks."""
        self.wait(f"""(ids) => {{
          const m = {CURRENT}.context.model.getMetadata('aisec');
          return !!(m && m.checks && ids.every(id => id in m.checks));
        }}""", list(check_ids))

    def failure_shot(self, folder: Path, name: str) -> None:
        """A picture of the page when a flow fails (the original failure is what matters)."""
        path = folder / f"{name}-failure.png"
        try:
            self.page.screenshot(path=str(path))
            print(f"screenshot of the failure: {path}")
        except Exception as exc:
            print(f"no failure screenshot: {exc}")


def element_shot(locator: Any, path: Path) -> None:
    """The whole element: the page is made tall enough for it first."""
    page = locator.page
    size = page.viewport_size
    box = locator.bounding_box()
    if box is not None and box["height"] + 200 > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": int(box["height"]) + 300})
        page.wait_for_timeout(300)
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(path))
    page.set_viewport_size(size)


def panel_shot(page: Any, panel: Any, path: Path) -> None:
    """The whole side panel: the page is made tall enough and the side bar wider for the picture."""
    size = page.viewport_size
    box = panel.bounding_box()
    if box is not None and box["width"] < 380:
        y = box["y"] + 200
        page.mouse.move(box["x"] - 2, y)
        page.mouse.down()
        page.mouse.move(box["x"] - 2 - (380 - box["width"]), y, steps=5)
        page.mouse.up()
    height = page.evaluate("() => document.querySelector('#aisec-nb-panel').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 120)})
    page.wait_for_timeout(300)
    panel.screenshot(path=str(path))
    page.set_viewport_size(size)
