"""``%aisec card`` in a real JupyterLab (headless Chromium, as in ``test_browser.py``): the form
becomes interactive, a field typed in it reaches ``metadata.aisec.model_card`` and the saved file,
the card output renders its completeness, the side panel lists the card, and after a kernel
restart re-running the cell gives the typed answer back.

The times are printed (``time to interactive``: from running the cell to a usable field;
``edit to record``: from typing to the card in the notebook's live metadata). Screenshots are saved
under ``tests/labextension/screenshots/card/`` (or ``$AISEC_SCREENSHOTS/card``) for review.
Run alone with ``python -m pytest -m browser tests/labextension/test_browser_card.py -s``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.labextension.support import extension_installed, require
from tests.labextension.test_browser import ARGS, CHROMIUM, CURRENT, SHOTS, Front, _notebook
from tests.serverproc import Server, jupyter

pytestmark = pytest.mark.browser

CARD_SHOTS = SHOTS / "card"
INTERACTIVE_S = 1.5
"""The target: the form usable this long after its cell starts (printed; asserted loosely on a
busy machine, see LIMIT_S)."""
RECORDED_S = 1.0
"""The target: an edit in the card's live record this long after it is typed."""
LIMIT_S = 15.0
"""What the test fails on: a machine shared with other test runs is slower than the targets."""

SETUP = 'import numpy as np\nnp.save("weights.npy", np.arange(8.0))\nscores = {"accuracy": 0.9}'
CARD = "%aisec card --name browser-demo --model weights.npy --metrics scores"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    require(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        require(False, "playwright is not installed (pip install -e '.[test]')")
        raise
    require(extension_installed(), "the JupyterLab extension is not built and installed "
                                   "(pip install -e . builds it)")
    CARD_SHOTS.mkdir(parents=True, exist_ok=True)
    for old in CARD_SHOTS.glob("*.png"):
        old.unlink()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    import nbformat

    root = tmp_path_factory.mktemp("lab-card") / "root"
    root.mkdir(parents=True)
    nb = _notebook("%load_ext aisec_nb", SETUP, CARD)
    nbformat.write(nbformat.from_dict(nb), str(root / "card.ipynb"))
    extra = {"LabApp": {"expose_app_in_browser": True}}
    with jupyter("lab", root, extra=extra, timeout=120) as server:
        yield server


FIELD = ".aisec-card-field-{key} input"


def _run(front: Front, index: int) -> None:
    front.js(f"() => {{ {CURRENT}.content.activeCellIndex = {index}; }}")
    front.command("notebook:run-cell")


def _tab(page: Any, name: str) -> None:
    page.locator(".aisec-card-form .lm-TabBar-tab", has_text=name).first.click()


def _card_in_metadata(front: Front, key: str, value: str) -> None:
    front.wait(f"""([key, value]) => {{
      const m = {CURRENT}.context.model.getMetadata('aisec');
      const f = m && m.model_card && m.model_card.fields && m.model_card.fields[key];
      return !!f && f.value === value;
    }}""", [key, value])


def test_card_form_in_jupyterlab(chromium: Any, lab: Server) -> None:
    page = chromium.new_page(viewport={"width": 1400, "height": 1400})
    try:
        _flow(Front(page, lab), lab)
    except BaseException:
        page.screenshot(path=str(CARD_SHOTS / "lab-card-failure.png"))
        raise
    finally:
        page.close()


def _flow(front: Front, server: Server) -> None:
    page = front.page
    front.open("/lab/tree/card.ipynb", "card.ipynb")
    _run(front, 0)
    _run(front, 1)
    front.wait(f"() => !!{CURRENT}.context.model.cells.get(1).executionCount && "
               f"{CURRENT}.sessionContext.session.kernel.status === 'idle'")

    # Time to interactive: from running the cell to a field that takes input.
    started = time.perf_counter()
    _run(front, 2)
    page.locator(".aisec-card-form .lm-TabBar-tab", has_text="Security").first.wait_for()
    name = page.locator(FIELD.format(key="name")).first
    name.wait_for(state="visible")
    interactive = time.perf_counter() - started
    assert name.is_enabled() and name.input_value() == "browser-demo"
    print(f"time to interactive: {interactive:.2f} s (target {INTERACTIVE_S} s)")
    page.wait_for_selector(".jp-AisecCard[data-aisec-kind='model_card']")
    front.wait(f"""() => {{
      const m = {CURRENT}.context.model.getMetadata('aisec');
      return !!(m && m.model_card && m.checks && m.checks['model:weights.npy']);
    }}""")
    assert interactive < LIMIT_S

    # Type a field: it reaches the live record, then the saved file.
    _tab(page, "Security")
    retention = page.locator(FIELD.format(key="retention_time")).first
    retention.wait_for(state="visible")
    started = time.perf_counter()
    retention.fill("P2Y")
    _card_in_metadata(front, "retention_time", "P2Y")
    recorded = time.perf_counter() - started
    print(f"edit to record: {recorded:.2f} s (target {RECORDED_S} s)")
    assert recorded < LIMIT_S
    artifacts = page.locator(".aisec-card-field-artifacts input").first
    assert not artifacts.is_enabled()  # evidence: locked until overridden
    form = page.locator(".aisec-card-form").first
    form.screenshot(path=str(CARD_SHOTS / "lab-card-form-security-light.png"))
    _tab(page, "Details")
    page.wait_for_timeout(300)
    form.screenshot(path=str(CARD_SHOTS / "lab-card-form-details-light.png"))
    rendered = page.locator(".jp-AisecCard[data-aisec-kind='model_card']").first
    assert "required field(s) missing" in rendered.inner_text()
    assert rendered.get_attribute("data-aisec-complete") == "false"
    rendered.screenshot(path=str(CARD_SHOTS / "lab-card-output-light.png"))
    front.save()
    saved = json.loads((server.root / "card.ipynb").read_text(encoding="utf-8"))
    card = saved["metadata"]["aisec"]["model_card"]
    assert card["fields"]["retention_time"] == {"value": "P2Y", "source": "user"}
    assert card["fields"]["artifacts"]["source"] == "check:model:weights.npy"
    assert card["fields"]["metrics"]["value"] == [{"type": "accuracy", "value": 0.9}]
    assert not any("metadata" in o and "widgets" in str(o.get("metadata"))
                   for c in saved["cells"] for o in c.get("outputs", []))

    # The side panel lists the card and its gaps; dark theme pictures.
    front.command("aisec-nb:open-panel")
    panel = page.locator("#aisec-nb-panel")
    row = panel.locator(".jp-AisecPanel-check[data-slot='model_card']")
    row.wait_for()
    assert "required field(s) missing" in row.inner_text()
    missing = panel.locator(".jp-AisecPanel-missing[data-subsection="
                            "'Document your data, models and prompts']")
    missing.wait_for()
    panel.screenshot(path=str(CARD_SHOTS / "lab-card-panel-light.png"))
    front.command("apputils:change-theme", {"theme": "JupyterLab Dark"})
    front.wait("() => document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(500)
    form.screenshot(path=str(CARD_SHOTS / "lab-card-form-dark.png"))
    rendered.screenshot(path=str(CARD_SHOTS / "lab-card-output-dark.png"))
    front.command("apputils:change-theme", {"theme": "JupyterLab Light"})
    front.wait("() => document.body.dataset.jpThemeLight === 'true'")

    # The same cell again in the warm kernel (imports done, the model already checked).
    before = front.js(f"() => {CURRENT}.context.model.cells.get(2).executionCount")
    started = time.perf_counter()
    _run(front, 2)
    front.wait(f"() => {CURRENT}.context.model.cells.get(2).executionCount > {before}")
    page.locator(FIELD.format(key="name")).first.wait_for(state="visible")
    warm = time.perf_counter() - started
    print(f"time to interactive, warm kernel: {warm:.2f} s (target {INTERACTIVE_S} s)")
    assert warm < LIMIT_S

    # Restart the kernel and run the cells again: the typed answer comes back.
    front.js(f"() => {CURRENT}.sessionContext.restartKernel()")
    front.wait(f"() => {CURRENT}.sessionContext.session.kernel.status === 'idle'")
    _run(front, 0)
    front.wait(f"() => !!{CURRENT}.context.model.cells.get(0).executionCount && "
               f"{CURRENT}.sessionContext.session.kernel.status === 'idle'")
    _run(front, 1)
    page.wait_for_timeout(500)
    _run(front, 2)
    _tab(page, "Security")
    restored = page.locator(FIELD.format(key="retention_time")).first
    restored.wait_for(state="visible")
    front.page.wait_for_function(
        "(sel) => { const i = document.querySelector(sel); return !!i && i.value === 'P2Y'; }",
        arg=FIELD.format(key="retention_time"), timeout=30_000)
    print(f"screenshots: {CARD_SHOTS}")
