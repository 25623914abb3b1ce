"""``aisec-nb sync``: merge the evidence in a notebook's outputs into ``metadata.aisec``."""

from __future__ import annotations

from pathlib import Path

from .notebook_io import dumps_notebook, read_notebook, write_notebook
from .transport import read_record


def sync_notebook(path: Path) -> bool:
    """Merge output fragments into ``metadata.aisec`` of the notebook at ``path``.

    Returns ``True`` when the file was rewritten, ``False`` when its record was already up to date
    (the file is then left untouched, byte for byte). Raises :class:`~aisec_nb.errors.NotebookError`
    for a notebook that cannot be read or whose record is malformed.
    """
    nb = read_notebook(path)
    evidence = read_record(nb, str(path))
    if not _has_evidence(evidence.record) and "aisec" not in nb.metadata:
        return False
    if nb.metadata.get("aisec") == evidence.record:
        return False
    before = dumps_notebook(nb)
    nb.metadata["aisec"] = evidence.record
    after = dumps_notebook(nb)
    if after == before:
        return False
    write_notebook(path, nb)
    return True


def _has_evidence(record: dict[str, object]) -> bool:
    return any(record.get(slot) for slot in ("checks", "monitors", "threat_model", "model_card"))
