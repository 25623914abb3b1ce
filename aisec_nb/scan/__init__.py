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

from .api import scan_model_file, scan_path
from .hashing import directory_digest, hash_file
from .sniff import sniff_format

__all__ = ["directory_digest", "hash_file", "scan_model_file", "scan_path", "sniff_format"]
