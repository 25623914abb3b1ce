"""What this kernel has recorded so far, and the one way results are shown: ``publish``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..transport import Entry, build_bundle, fragment_entry, merge_entries

_RECORDED: list[Entry] = []


def publish(fragment: Mapping[str, Any], *, html_text: str, plain_text: str) -> None:
    """Display ``fragment`` as an aisec MIME bundle and remember it for ``%aisec status``."""
    from IPython.display import display

    from .html import align_cells

    data, metadata = build_bundle(
        fragment, html_text=align_cells(html_text), plain_text=plain_text
    )
    display(data, raw=True, metadata=metadata)  # type: ignore[no-untyped-call]
    entry = fragment_entry(fragment, "this kernel", "<kernel>", None)
    if entry is not None:
        _RECORDED.append(entry)


def recorded() -> dict[str, Any]:
    """The merged record of everything published in this kernel."""
    return merge_entries(_RECORDED, None, "<kernel>").record


def forget() -> None:
    """Clear what this kernel has recorded (used by tests and ``%aisec status --clear``)."""
    _RECORDED.clear()
