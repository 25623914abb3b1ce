"""``aisec-nb demo``: run the quickstart notebook headlessly, then sync and lint the result."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import AisecError
from .lint.engine import LintReport, lint_paths
from .sync import sync_notebook

QUICKSTART = "quickstart.ipynb"


def quickstart_path() -> Path:
    """The quickstart notebook: shipped in the wheel, or in the source tree of a checkout."""
    shipped = resources.files("aisec_nb").joinpath("_demo", QUICKSTART)
    if shipped.is_file():
        return Path(str(shipped))
    checkout = Path(__file__).resolve().parent.parent / "example-notebooks" / QUICKSTART
    if checkout.is_file():
        return checkout
    msg = "the quickstart notebook is missing from this installation; reinstall aisec-nb"
    raise AisecError(msg)


@dataclass(frozen=True)
class DemoRun:
    """What the demo produced."""

    notebook: Path
    synced: bool
    lint: LintReport


def run_demo(out_dir: Path, *, timeout: int = 600) -> DemoRun:
    """Execute the quickstart in ``out_dir`` with a real kernel, then sync and lint it."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from .notebook_io import write_notebook

    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / QUICKSTART
    shutil.copyfile(quickstart_path(), target)
    nb = nbformat.read(target, as_version=4)  # type: ignore[no-untyped-call]
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(out_dir)}}
    )
    # The kernel's own start-up chatter goes to a log beside the notebook, not the terminal.
    log_path = out_dir / "kernel.log"
    try:
        with log_path.open("w", encoding="utf-8") as log:
            client.execute(stderr=log)
    except CellExecutionError as exc:
        write_notebook(target, nb)
        msg = f"{target}: a cell failed while running the demo:\n{exc}"
        raise AisecError(msg) from None
    write_notebook(target, nb)
    synced = sync_notebook(target)
    return DemoRun(notebook=target, synced=synced, lint=lint_paths([target]))
