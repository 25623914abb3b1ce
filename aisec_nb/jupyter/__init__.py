"""The Jupyter faces: ``%aisec`` magics, HTML reports, widgets. Thin: logic lives in the core.

``%load_ext aisec_nb`` calls :func:`load_ipython_extension` here: it registers ``%aisec`` and
the load guard's notebook listener (refusals and overrides are shown and recorded);
``%unload_ext aisec_nb`` removes the listener and switches the guard off. Loading also opens the
comm through which the JupyterLab extension sends the notebook's ``metadata.aisec``
(:mod:`aisec_nb.jupyter.frontend`). The core never imports
this package.

For a streaming :class:`~aisec_nb.drift.Monitor`, :func:`monitor_widget` is a live plotly
``FigureWidget`` redrawn after each ``update`` and :func:`record_monitor` records its state::

    from aisec_nb.jupyter import monitor_widget
    monitor_widget(mon)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from .monitor_live import monitor_widget, record_monitor

# Served lazily: plotly and pandas are imported on first use, not by %load_ext.
_LAZY = {
    "monitor_widget": "aisec_nb.jupyter.monitor_live",
    "record_monitor": "aisec_nb.jupyter.monitor_live",
}

__all__ = ["load_ipython_extension", "monitor_widget", "record_monitor", "unload_ipython_extension"]


__getattr__ = lazy_attributes(__name__, _LAZY)


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%aisec`` and show the load guard's refusals and overrides in this kernel."""
    from .frontend import open_comm
    from .guard import attach
    from .magics import register

    register(ipython)
    attach()
    open_comm()  # the front end answers with the notebook's metadata.aisec (frontend.py)


def unload_ipython_extension(ipython: Any) -> None:
    """Undo what loading did: stop showing guard events and switch the load guard off."""
    from .frontend import close_comm
    from .guard import detach

    detach()
    close_comm()
