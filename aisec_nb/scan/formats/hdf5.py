"""HDF5 (Keras ``.h5`` models and ``model.weights.h5``): read attributes with h5py only.

Legacy Keras ``.h5`` files keep the model config as JSON in the root attribute
``model_config`` and compile settings in ``training_config``; ``load_model`` rebuilds the model
from them and ignores ``safe_mode`` (CVE-2025-9905). We read every attribute through h5py (never
Keras or TensorFlow), bounded in count, and check each JSON object with the Keras rules.

Example::

    >>> from aisec_nb.scan.policy import load_policy
    >>> from aisec_nb.scan.source import MemorySource
    >>> scan_hdf5(MemorySource(b"\\x89HDF\\r\\n\\x1a\\n"), ScanContext(load_policy())).complete
    False
"""

from __future__ import annotations

import json
import os
from typing import Any

from ...record import Finding, Location
from ..context import ScanContext, finding, truncate
from ..limits import FormatScan
from ..source import ByteSource, as_file
from .keras import keras_config_findings

FORMAT = "hdf5"
MAX_ATTR_BYTES = 16 * 1024 * 1024


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    return None


def scan_hdf5(stream: ByteSource, ctx: ScanContext, member: str | None = None) -> FormatScan:
    """Walk every group and dataset's attributes; Keras configs get the Keras rules."""
    import h5py  # heavy (it loads numpy): imported when an HDF5 file is met, not with the scanner

    findings: list[Finding] = []
    details: dict[str, Any] = {}
    complete = True
    objects = 0
    try:
        with h5py.File(as_file(stream), "r") as h5:
            details["root_attributes"] = sorted(truncate(str(k), 60) for k in h5.attrs)[:50]
            if "model_config" in h5.attrs:
                details["keras"] = True
            queue: list[Any] = [h5]
            while queue:
                obj = queue.pop()
                objects += 1
                if objects > ctx.limits.max_members:
                    findings.append(finding("AISEC-SCAN-003", f"more than "
                                            f"{ctx.limits.max_members:,} HDF5 objects; the rest "
                                            "were not checked", member=member))
                    complete = False
                    break
                attr_findings = _attributes(obj, member, ctx)
                findings.extend(attr_findings)
                if any(f.code in ("AISEC-H5-001", "AISEC-SCAN-003", "AISEC-KER-004")
                       for f in attr_findings):
                    complete = False
                if isinstance(obj, h5py.Group):
                    # Links are not followed: external links and soft links point elsewhere.
                    for name in obj:
                        link = obj.get(name, getlink=True)
                        if isinstance(link, h5py.HardLink):
                            queue.append(obj[name])
                        elif isinstance(link, h5py.ExternalLink):
                            findings.append(finding(
                                "AISEC-TAR-001", "HDF5 external link to "
                                f"{truncate(link.filename, 120)!r}", member=member,
                                path=truncate(f"{obj.name}/{name}", 200)))
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        findings.append(finding("AISEC-H5-001", f"HDF5 cannot be read: "
                                f"{truncate(str(exc), 160)}", member=member))
        complete = False
    details["objects"] = objects
    stream.seek(0, os.SEEK_END)
    return FormatScan(FORMAT, tuple(findings), complete=complete, details=details)


KERAS_KEYS = frozenset({"model_config", "training_config"})
"""Root attributes Keras rebuilds a model from: they must be readable and checked."""


def _attributes(obj: Any, member: str | None, ctx: ScanContext) -> list[Finding]:
    found: list[Finding] = []
    for key in obj.attrs:
        where = truncate(f"{obj.name} attribute {key}", 200)
        keras_key = key in KERAS_KEYS
        try:
            value = obj.attrs[key]
        except (OSError, ValueError, TypeError, KeyError) as exc:
            if keras_key:
                found.append(finding("AISEC-H5-001", f"{key} cannot be read: "
                                     f"{truncate(str(exc), 100)}", member=member, path=where))
            continue
        text = _text(value)
        if text is None or not (keras_key or text.lstrip().startswith(("{", "["))):
            continue
        if len(text) > MAX_ATTR_BYTES:
            found.append(finding("AISEC-SCAN-003", f"attribute of {len(text):,} "
                                 f"characters is over the {MAX_ATTR_BYTES:,} limit: not checked",
                                 member=member, path=where))
            continue
        try:
            config = json.loads(text)
        except (ValueError, RecursionError) as exc:
            if keras_key:
                found.append(finding("AISEC-KER-004", f"{key} is not valid JSON: "
                                     f"{truncate(str(exc), 100)}", member=member, path=where))
            continue
        for f in keras_config_findings(config, member, ctx.policy):
            loc = f.location
            path = where if loc is None or loc.path is None else f"{where} {loc.path}"
            found.append(f.model_copy(update={"location": (loc or Location()).model_copy(
                update={"path": truncate(path, 300)})}))
    return found

