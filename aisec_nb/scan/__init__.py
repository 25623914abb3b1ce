"""Static scanning of model files: format by content, hashes, and (see ``scan_path``) a verdict.

Nothing here unpickles, imports or executes scanned content.
"""

from __future__ import annotations

from .sniff import hash_file, sniff_format
from .api import scan_model_file, scan_path

__all__ = ["hash_file", "scan_model_file", "scan_path", "sniff_format"]
