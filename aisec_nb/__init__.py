"""aisec-nb: the Guidelines for secure AI system development, done inside the notebook.

Load the magics with ``%load_ext aisec_nb``; the library API is imported lazily so that importing
this package stays cheap (no pandas, numpy, plotly, scipy or ipywidgets on import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_attributes
from ._version import __version__

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

# Public names served lazily: name -> module that defines it.
_LAZY: dict[str, str] = {
    "scan_model_file": "aisec_nb.scan",
    "scan_path": "aisec_nb.scan",
    "safe_load": "aisec_nb.guard",
    "check_dataframe": "aisec_nb.data",
    "Monitor": "aisec_nb.drift",
    "build_profile": "aisec_nb.drift",
    "compare_to_profile": "aisec_nb.drift",
}

__all__ = [
    "__version__",
    "load_ipython_extension",
    "unload_ipython_extension",
    *sorted(_LAZY),
]


__getattr__ = lazy_attributes(__name__, _LAZY)


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """Register ``%aisec`` and the load guard's notebook display (``%load_ext aisec_nb``)."""
    from .jupyter import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: InteractiveShell) -> None:
    """Undo what loading did: stop displaying guard events, switch the load guard off."""
    from .jupyter import unload_ipython_extension as unload

    unload(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the built JupyterLab extension is (``jupyter labextension develop`` reads it)."""
    return [{"src": "labextension", "dest": "aisec-nb"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """The jupyter_server extension (REST endpoints the JupyterLab extension calls)."""
    return [{"module": "aisec_nb.serverext"}]
