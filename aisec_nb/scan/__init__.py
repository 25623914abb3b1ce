"""Static scanning of model files: format by content, hashes, signatures and a verdict.

Nothing here unpickles, imports or executes scanned content.

Example::

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "config.json"
    >>> _ = path.write_text("{}")
    >>> scan_path(path).verdict      # a CheckResult; 'pass' for a clean file
    'pass'
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._lazy import lazy_attributes
from . import ahead as _ahead

if TYPE_CHECKING:  # served lazily at run time (see _LAZY)
    from ..record import ModelCheck
    from .api import scan_model_file, scan_pickle_at
    from .hashing import directory_digest, hash_file
    from .policy import Policy, load_policy
    from .sniff import sniff_format
    from .verdict import verdict_of


def scan_path(path: str | Path, **options: Any) -> ModelCheck:
    """Scan a model file or folder: :func:`aisec_nb.scan.api.scan_path`, given a head start.

    A big file starts being hashed on a thread now, before the scanner's modules are imported,
    so that hashing (the whole cost of scanning a checkpoint of arrays) overlaps the imports and
    the parse (:mod:`~aisec_nb.scan.ahead`). With a ``progress`` callback the file is hashed in
    the parser's one pass instead, on the caller's thread.
    """
    job = _ahead.start(path) if options.get("progress") is None else None
    if job is None:
        from .api import scan_path as scan

        return scan(path, **options)
    with _ahead.quick_switching():
        from .api import scan_path as scan  # the scanner, imported while the thread hashes

        return scan(path, ahead=job, **options)


_LAZY = {
    "Policy": "aisec_nb.scan.policy", "load_policy": "aisec_nb.scan.policy",
    "directory_digest": "aisec_nb.scan.hashing", "hash_file": "aisec_nb.scan.hashing",
    "scan_model_file": "aisec_nb.scan.api", "scan_pickle_at": "aisec_nb.scan.api",
    "sniff_format": "aisec_nb.scan.sniff", "verdict_of": "aisec_nb.scan.verdict",
}
__getattr__ = lazy_attributes(__name__, _LAZY)

__all__ = ["Policy", "directory_digest", "hash_file", "load_policy", "scan_model_file",
           "scan_path", "scan_pickle_at", "sniff_format", "verdict_of"]
