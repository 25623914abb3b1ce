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


def publish_live(fragment: Mapping[str, Any], *, html_text: str, plain_text: str,
                 handle: Any = None) -> Any:
    """:func:`publish` into one output that later calls update in place: the first call (no
    ``handle``) displays it and returns its display handle; pass that handle back, from a widget
    callback too, to replace the output with a newer fragment."""
    from IPython.display import display

    from .html import align_cells

    data, metadata = build_bundle(
        fragment, html_text=align_cells(html_text), plain_text=plain_text
    )
    if handle is None:
        handle = display(data, raw=True, metadata=metadata, display_id=True)  # type: ignore[no-untyped-call]
    else:
        handle.update(data, raw=True, metadata=metadata)
    entry = fragment_entry(fragment, "this kernel", "<kernel>", None)
    if entry is not None:
        _RECORDED[:] = [e for e in _RECORDED if e.key != entry.key]  # one per key: the newest
        _RECORDED.append(entry)
    return handle


def recorded(base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The merged record of everything published in this kernel, over ``base`` (a notebook's
    ``metadata.aisec``, e.g. from :func:`aisec_nb.jupyter.frontend.notebook_record`)."""
    from ..transport import metadata_entries

    entries = [*metadata_entries(base, "<notebook>"), *_RECORDED]
    return merge_entries(entries, base, "<kernel>").record


def forget() -> None:
    """Clear what this kernel has recorded (used by tests and ``%aisec status --clear``)."""
    _RECORDED.clear()
