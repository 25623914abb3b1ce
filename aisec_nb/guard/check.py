"""The scan results the guard decides on: a file or folder, or the one pickle a loader reads.

Every scan is the scanner's, with the guard's policy (:func:`~aisec_nb.guard.state.policy`);
nothing here unpickles.

    >>> import pickle
    >>> check_pickle_bytes(pickle.dumps([1, 2]), "<bytes>").verdict
    'pass'
"""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING, Any

from . import state

if TYPE_CHECKING:
    from ..record import ModelCheck

# The scanner is imported when a scan is asked for, not with the guard: `%load_ext aisec_nb`
# imports the guard and must not pay for the scanner and pydantic.


def check_path(path: str | os.PathLike[str]) -> ModelCheck:
    """The scan result for a file or folder, with the guard's policy."""
    from ..scan import scan_path

    return scan_path(os.fspath(path), policy=state.policy())


def check_pickle_bytes(data: bytes, label: str) -> ModelCheck:
    """A scan result for one in-memory pickle (what ``pickle.loads`` reads)."""
    return check_pickle_stream(io.BytesIO(data), label)


def check_pickle_stream(fh: Any, label: str) -> ModelCheck:
    """A scan result for the one pickle at ``fh``'s position (what ``pickle.load`` reads).

    ``fh`` must be seekable; it is left where it was.
    """
    from ..scan import scan_pickle_at

    return scan_pickle_at(fh, label, policy=state.policy())
