"""Static scanning of model files: format by content, hashes, signatures and a verdict.

Nothing here unpickles, imports or executes scanned content.

Example::

    from aisec_nb.scan import scan_path

    result = scan_path("model.pt")   # a CheckResult; result.verdict is 'pass' for a clean file
"""

from __future__ import annotations

from .api import scan_model_file, scan_path
from .hashing import directory_digest, hash_file
from .sniff import sniff_format

__all__ = ["directory_digest", "hash_file", "scan_model_file", "scan_path", "sniff_format"]
