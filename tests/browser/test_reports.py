"""Every report and figure as a user sees it: a real ``jupyter lab`` on loopback (a token, a
temporary root, its own settings) driven by headless Chromium (Debian's ``/usr/bin/chromium``
through Playwright; no browser is downloaded), in the light and the dark theme.

One notebook runs every report: ``%aisec check model`` on a benign and a booby-trapped pickle,
``%aisec check data`` on a frame with problems, ``%aisec monitor`` on the whole period, by chunk of
rows, by chunk of time and by time window, the streaming monitor's live figure, ``%aisec status``
and a mistyped argument. Full-page screenshots of each theme, and one per cell output, are saved
under ``tests/browser/screenshots/`` (or ``$AISEC_SCREENSHOTS``) for review; what a reviewer would
check by eye is also asserted on the page: no white figure in the dark theme, figure text in the
theme's colour, legends and subplot titles clear of tick labels, no label cut off, rule codes and
locations on one line.

On a developer's machine without Chromium or Playwright the test skips and says why; in CI
(``CI`` set) it fails instead, so CI never passes by skipping it.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browserkit import CURRENT, KERNELSPEC, Front, chromium, notebook_server, screenshots
from tests.serverproc import Server

pytestmark = pytest.mark.kernel

SHOTS = screenshots(Path(__file__).parent / "screenshots")
TIMEOUT = 180_000


class Trap:
    """Unpickling this runs a shell command: the scanner must say so without loading it."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, ("echo owned > OWNED",))


SETUP = """
import numpy as np, pandas as pd
def frame(n, seed, drifted=False):
    r = np.random.default_rng(seed)
    df = pd.DataFrame({
        "income": r.lognormal(10.5, 0.5, n),
        "latency_ms": r.gamma(4.0, 25.0, n),
        "plan": r.choice(["free", "pro", "team"], n, p=[0.6, 0.3, 0.1]),
        "active": r.random(n) < 0.7,
        "score": r.uniform(0, 1, n),
    })
    if drifted:
        df["income"] *= 1.3
        df["latency_ms"] *= 1.5
        df["plan"] = r.choice(["free", "pro", "team", "enterprise"], n, p=[0.4, 0.3, 0.1, 0.2])
        df["active"] = r.random(n) < 0.4
    return df
ref = frame(20_000, 1)
# the last 30 % of the live period drifts
live = pd.concat([frame(14_000, 2), frame(6_000, 3, drifted=True)], ignore_index=True)
live["ts"] = pd.Timestamp("2026-03-01") + pd.to_timedelta(np.arange(len(live)) * 13, "s")
"""

PEOPLE = """
people = frame(5_000, 4)
people["y"] = (people.score > 0.5).astype(int)
people = pd.concat([people, people.iloc[:40]], ignore_index=True)
people.loc[::25, "income"] = np.nan
people.loc[3, "income"] = 1e9
people["note"] = "fine"
people.loc[7, "note"] = "mail zelda.quist@example.org"
people.loc[8, "note"] = "key AKIAQWERTYUIOPASDFGH"
"""

CELLS = {
    "load": "%load_ext aisec_nb",
    "model-benign": "%aisec check model model.pkl",
    "model-trapped": "%aisec check model trapped.pkl",
    "setup": SETUP + PEOPLE,
    "data": "%aisec check data people --label y",
    "monitor-whole": "%aisec monitor ref live --chunks 0 --id whole-period",
    "monitor-chunks": "%aisec monitor ref live --id by-rows",
    "monitor-time": "%aisec monitor ref live --time-col ts --id by-time",
    "monitor-windows": "%aisec monitor ref live --time-col ts --window 12h --id by-window",
    "stream-widget": "import aisec_nb\n"
                     "from aisec_nb.jupyter import monitor_widget, record_monitor\n"
                     "mon = aisec_nb.Monitor(ref)\nmonitor_widget(mon)",
    "stream-feed": "for i in range(10):\n"
                   "    batch = live.drop(columns='ts').iloc[i * 2000 : (i + 1) * 2000]\n"
                   "    mon.update(batch, label=f'hour {i + 1}')\n"
                   "record_monitor(mon, 'inference-log')",
    "status": "%aisec status",
    "typo": "%aisec check data peopel",
}


def _project(root: Path) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    root.mkdir(parents=True, exist_ok=True)
    (root / "model.pkl").write_bytes(pickle.dumps({"coef": [1.0, 2.0]}, protocol=4))
    (root / "trapped.pkl").write_bytes(pickle.dumps(Trap(), protocol=4))
    nb = new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.cells = [new_code_cell(source, metadata={"name": name}) for name, source in CELLS.items()]
    nbformat.write(nb, str(root / "reports.ipynb"))


def _settings(home: Path) -> None:
    """Every cell rendered (no windowing), so a full-page screenshot holds the whole notebook."""
    folder = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')


def _without_cards(folder: Path) -> Path:
    """A config folder that turns the extension's card renderer off, so the reports' HTML shows
    as in front ends without the extension (VS Code, nbviewer, a bare Notebook)."""
    labconfig = folder / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "page_config.json").write_text(
        '{"disabledExtensions": {"aisec-nb:renderer": true}}')
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    SHOTS.mkdir(parents=True, exist_ok=True)  # not emptied: $AISEC_SCREENSHOTS may be shared
    with chromium(extension=False) as b:
        yield b


@pytest.fixture(scope="module", params=["cards", "html"])
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[tuple[str, Server]]:
    """JupyterLab as installed (the extension's cards show the reports), and with the card
    renderer off (the reports' own HTML shows)."""
    variant = str(request.param)
    base = tmp_path_factory.mktemp(f"reports-{variant}")
    root = base / "root"
    _project(root)
    _settings(base / "lab-home")
    with pytest.MonkeyPatch.context() as patch:
        if variant == "html":  # an extra config path: its page config is merged with the rest
            patch.setenv("JUPYTER_CONFIG_PATH", str(_without_cards(base / "no-cards")))
        with notebook_server("lab", root) as server:
            yield variant, server


class Page(Front):
    """The notebook of reports: slow cells (hence the long timeout), and Run All that stops at
    the first error."""

    def __init__(self, page: Any, server: Server) -> None:
        super().__init__(page, server, timeout_ms=TIMEOUT)

    def run_all_cells(self) -> list[str]:
        """Run every cell; the names of cells that did not run (Run All stops at an error)."""
        self.command("notebook:run-all-cells")
        self.wait(f"""() => {{
          const w = {CURRENT};
          const cells = w.context.model.cells;
          let pending = false, failed = false;
          for (let i = 0; i < cells.length; i++) {{
            const c = cells.get(i);
            if (c.type !== 'code') continue;
            if (c.executionCount === null) pending = true;
            for (let j = 0; j < c.outputs.length; j++) {{
              if (c.outputs.get(j).type === 'error') failed = true;
            }}
          }}
          const idle = w.sessionContext.session.kernel.status === 'idle';
          const busy = w.content.widgets.some(
            c => c.promptNode && c.promptNode.textContent.includes('*'));
          return idle && (!pending || failed) && !busy;
        }}""")
        return list(self.js(f"""() => {{
          const cells = {CURRENT}.context.model.cells, out = [];
          for (let i = 0; i < cells.length; i++) {{
            const c = cells.get(i);
            if (c.type === 'code' && c.executionCount === null) out.push(c.getMetadata('name'));
          }}
          return out;
        }}"""))


def _cells(page: Page) -> dict[str, int]:
    names = page.js(f"""() => {{
      const cells = {CURRENT}.context.model.cells;
      const out = [];
      for (let i = 0; i < cells.length; i++) out.push(cells.get(i).getMetadata('name'));
      return out;
    }}""")
    return {name: i for i, name in enumerate(names)}


FIGURE_PROBLEMS = """() => {
  const problems = [];
  const fg = getComputedStyle(document.body).getPropertyValue('--jp-ui-font-color1').trim();
  const probe = document.createElement('span');
  probe.style.color = fg; document.body.appendChild(probe);
  const want = getComputedStyle(probe).color; probe.remove();
  const boxes = (root, sel) => [...root.querySelectorAll(sel)]
      .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0);
  const meets = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 &&
                          a.top < b.bottom - 1 && b.top < a.bottom - 1;
  document.querySelectorAll('.jp-RenderedPlotly, .js-plotly-plot').forEach((fig, n) => {
    const title = (fig.querySelector('.gtitle') || {}).textContent || `figure ${n}`;
    const svg = fig.querySelector('svg.main-svg');
    if (!svg) return;
    const bg = svg.style.background || getComputedStyle(svg).backgroundColor;
    const paper = fig.querySelector('rect.bg');
    const fills = [bg, paper ? getComputedStyle(paper).fill : ''];
    for (const f of fills) {
      const m = f.match(/rgba?\\(([^)]+)\\)/);
      if (!m) continue;
      const parts = m[1].split(',').map(Number);
      const alpha = parts.length > 3 ? parts[3] : 1;
      if (alpha > 0.05 && parts[0] + parts[1] + parts[2] > 600) {
        problems.push(`${title}: white background ${f}`);
      }
    }
    const texts = [...fig.querySelectorAll('text')].filter(t => t.textContent.trim());
    for (const t of texts) {
      if (t.closest('.legend') || t.closest('.hoverlayer')) continue;
      const fill = getComputedStyle(t).fill;
      if (fill !== want && !t.closest('.colorbar')) {
        problems.push(`${title}: text "${t.textContent}" is ${fill}, theme text is ${want}`);
        break;
      }
    }
    const outer = svg.getBoundingClientRect();
    for (const t of texts) {
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.left < outer.left - 1 || r.right > outer.right + 1 || r.top < outer.top - 1 ||
          r.bottom > outer.bottom + 1) {
        problems.push(`${title}: "${t.textContent}" is cut off`);
        break;
      }
    }
    const ticks = boxes(fig, '.xtick text, .ytick text');
    for (const lg of boxes(fig, '.legend .traces')) {
      if (ticks.some(t => meets(t, lg))) problems.push(`${title}: the legend covers tick labels`);
    }
    for (const g of fig.querySelectorAll('.infolayer g[class^="g-"][class$="title"]')) {
      const axis = g.getAttribute('class').slice(2, -5);  // g-y2title -> y2
      const own = boxes(fig, `.${axis}tick text`);
      if (!own.length || !g.querySelector('text')) continue;
      const all = {left: Math.min(...own.map(r => r.left)),
                   right: Math.max(...own.map(r => r.right)),
                   top: Math.min(...own.map(r => r.top)),
                   bottom: Math.max(...own.map(r => r.bottom))};
      if (meets(g.querySelector('text').getBoundingClientRect(), all)) {
        problems.push(`${title}: the ${axis} axis title sits among its tick labels`);
      }
    }
    for (const ann of boxes(fig, '.annotation-text')) {
      if (ticks.some(t => meets(t, ann))) {
        problems.push(`${title}: a subplot title runs into tick labels`);
      }
    }
    for (const tx of [...fig.querySelectorAll('.xtick text')].map(t => t.textContent)) {
      if (/e[+-]\\d/.test(tx)) { problems.push(`${title}: tick label ${tx}`); break; }
    }
  });
  return problems;
}"""

WRAPPED = """() => {
  const wrapped = [];
  const picked = '.aisec-report code, .aisec-report .aisec-nowrap';
  document.querySelectorAll(picked).forEach(e => {
      // on more than one line when a box starts below where the first one ends
      const rs = [...e.getClientRects()];
      if (rs.some(r => r.top >= rs[0].bottom - 1)) wrapped.push(e.textContent);
    });
  return wrapped;
}"""


def _full_height(page: Page) -> None:
    """A viewport as tall as the notebook, so every cell is on screen at once."""
    height = page.js(f"""() => {{
      const w = {CURRENT};
      const outer = w.node.querySelector('.jp-WindowedPanel-outer') || w.content.node;
      return outer.scrollHeight;
    }}""")
    page.page.set_viewport_size({"width": 1280, "height": min(int(height) + 160, 30_000)})
    page.page.wait_for_timeout(1500)


def test_every_report_and_figure_in_both_themes(browser: Any, lab: tuple[str, Server]) -> None:
    variant, server = lab
    page = Page(browser.new_page(viewport={"width": 1280, "height": 1000}), server)
    try:
        page.open_notebook("reports.ipynb")
        page.js("() => window.jupyterapp.shell.collapseLeft()")
        assert page.run_all_cells() == []
        index = _cells(page)
        page.page.wait_for_selector(".jp-RenderedPlotly .main-svg")
        page.page.wait_for_timeout(2000)  # plotly draws after the output is attached
        assert not (server.root / "OWNED").exists()
        texts = page.js(f"""() => {{
          const cells = {CURRENT}.content.widgets;
          return cells.map(c => c.node.querySelector('.jp-Cell-outputArea')?.innerText ?? '');
        }}""")
        errors = [name for name in index if "Traceback" in texts[index[name]]
                  or "Error" in texts[index[name]]]
        assert errors == ["typo"], {name: texts[index[name]][:500] for name in errors}
        assert ("%aisec check data: no variable 'peopel' in the notebook (DF)"
                in texts[index["typo"]])
        assert "aisec: 3 checks and 5 monitors recorded" in texts[index["status"]]
        if variant == "html":
            for name in ("model-benign", "data", "monitor-chunks", "stream-feed", "status"):
                assert "aisec-nb " in texts[index[name]] and " UTC" in texts[index[name]], name
            assert "all 44 bytes, parsed as pickle and hashed" in texts[index["model-benign"]]
        problems: dict[str, list[str]] = {}
        for theme in ("light", "dark"):
            page.theme(theme, settle_ms=800)
            _full_height(page)
            page.page.screenshot(path=str(SHOTS / f"{variant}-{theme}-notebook.png"),
                                 full_page=True)
            cells = page.page.locator(".jp-Notebook .jp-Cell")
            for name, i in index.items():
                out = cells.nth(i).locator(".jp-Cell-outputWrapper")
                if out.count() and out.first.is_visible() and out.first.bounding_box():
                    out.first.screenshot(path=str(SHOTS / f"{variant}-{theme}-{i:02d}-{name}.png"))
            problems[theme] = page.js(FIGURE_PROBLEMS) + [
                f"wrapped: {w}" for w in page.js(WRAPPED)
            ]
            page.page.set_viewport_size({"width": 1280, "height": 1000})
        assert problems == {"light": [], "dark": []}
    finally:
        page.page.close()
