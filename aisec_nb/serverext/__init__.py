"""The jupyter_server extension: REST endpoints the JupyterLab extension calls.

``GET|POST {base_url}aisec/lint`` lints a notebook by its contents path (query ``path=`` or JSON
body ``{"path": ...}``) with the same code as ``aisec-nb lint``; ``GET {base_url}aisec/rules``
returns the rule catalogue and the guidelines' subsections. Enabled on install by
``etc/jupyter/jupyter_server_config.d/aisec_nb.json``; a face, thin: the linting is
:mod:`aisec_nb.lint`'s, the catalogue :mod:`aisec_nb.rules`'.
"""

from __future__ import annotations

from typing import Any


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Register the handlers (called by jupyter_server)."""
    from .handlers import setup_handlers

    setup_handlers(serverapp.web_app)
    serverapp.log.info("aisec_nb: endpoints registered under %saisec/",
                       serverapp.web_app.settings.get("base_url", "/"))


# The older name, for jupyter_server releases that still look for it.
load_jupyter_server_extension = _load_jupyter_server_extension
