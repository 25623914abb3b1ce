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

from .api import scan_model_file, scan_path, scan_pickle_at
from .hashing import directory_digest, hash_file
from .policy import Policy, load_policy
from .sniff import sniff_format
from .verdict import verdict_of

__all__ = ["Policy", "directory_digest", "hash_file", "load_policy", "scan_model_file",
           "scan_path", "scan_pickle_at", "sniff_format", "verdict_of"]
