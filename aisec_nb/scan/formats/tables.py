"""The data tables of the format parsers, one TOML file beside them per format, read once.

``gguf.toml`` (GGML type sizes), ``chat_template.toml`` (names templates have no use for),
``keras.toml`` (Keras's own modules,
Lambda classes), ``savedmodel.toml`` (file-system, Python and checkpoint ops) and
``safetensors.toml`` (dtype sizes). Example::

    >>> load_table("safetensors")["dtype_bits"]["F32"]
    32
"""

from __future__ import annotations

import sys
from functools import cache
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


@cache
def load_table(name: str) -> dict[str, Any]:
    """The data file ``<name>.toml`` of the format parsers."""
    text = resources.files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)
