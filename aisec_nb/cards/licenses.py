"""Licence ids: Hugging Face's lowercase ids and SPDX's case-sensitive ones.

The Hub's ``license:`` takes ids such as ``apache-2.0`` and ``cc-by-4.0``; CycloneDX and SPDX
take SPDX ids (``Apache-2.0``: the CycloneDX schema rejects ``apache-2.0``). A card may hold
either; these functions give each format its own.

Example::

    >>> spdx_id("apache-2.0"), spdx_id("Apache-2.0"), hf_id("CC-BY-4.0"), hf_id("Apache-2.0")
    ('Apache-2.0', 'Apache-2.0', 'cc-by-4.0', 'apache-2.0')
    >>> spdx_id("llama3") is None, hf_id("Proprietary-licence")
    (True, 'other')
"""

from __future__ import annotations

import re
from types import MappingProxyType

HF_TO_SPDX = MappingProxyType({
    "apache-2.0": "Apache-2.0", "mit": "MIT", "afl-3.0": "AFL-3.0",
    "artistic-2.0": "Artistic-2.0", "bsl-1.0": "BSL-1.0", "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause", "bsd-3-clause-clear": "BSD-3-Clause-Clear",
    "c-uda": "C-UDA-1.0", "cc0-1.0": "CC0-1.0", "cc-by-2.0": "CC-BY-2.0",
    "cc-by-2.5": "CC-BY-2.5", "cc-by-3.0": "CC-BY-3.0", "cc-by-4.0": "CC-BY-4.0",
    "cc-by-sa-3.0": "CC-BY-SA-3.0", "cc-by-sa-4.0": "CC-BY-SA-4.0",
    "cc-by-nc-2.0": "CC-BY-NC-2.0", "cc-by-nc-3.0": "CC-BY-NC-3.0",
    "cc-by-nc-4.0": "CC-BY-NC-4.0", "cc-by-nd-4.0": "CC-BY-ND-4.0",
    "cc-by-nc-nd-3.0": "CC-BY-NC-ND-3.0", "cc-by-nc-nd-4.0": "CC-BY-NC-ND-4.0",
    "cc-by-nc-sa-2.0": "CC-BY-NC-SA-2.0", "cc-by-nc-sa-3.0": "CC-BY-NC-SA-3.0",
    "cc-by-nc-sa-4.0": "CC-BY-NC-SA-4.0", "cdla-sharing-1.0": "CDLA-Sharing-1.0",
    "cdla-permissive-1.0": "CDLA-Permissive-1.0", "cdla-permissive-2.0": "CDLA-Permissive-2.0",
    "wtfpl": "WTFPL", "ecl-2.0": "ECL-2.0", "epl-1.0": "EPL-1.0", "epl-2.0": "EPL-2.0",
    "etalab-2.0": "etalab-2.0", "eupl-1.1": "EUPL-1.1", "eupl-1.2": "EUPL-1.2",
    "agpl-3.0": "AGPL-3.0-only", "gpl-2.0": "GPL-2.0-only", "gpl-3.0": "GPL-3.0-only",
    "lgpl-2.1": "LGPL-2.1-only", "lgpl-3.0": "LGPL-3.0-only", "isc": "ISC",
    "lppl-1.3c": "LPPL-1.3c", "ms-pl": "MS-PL", "mpl-2.0": "MPL-2.0", "odc-by": "ODC-By-1.0",
    "odbl": "ODbL-1.0", "osl-3.0": "OSL-3.0", "postgresql": "PostgreSQL", "ofl-1.1": "OFL-1.1",
    "ncsa": "NCSA", "unlicense": "Unlicense", "zlib": "Zlib", "pddl": "PDDL-1.0",
})
"""Hugging Face licence id -> SPDX id, for the ids that have one (``llama3``, ``openrail``,
``gemma`` and the like have none: they are exported by name)."""

SPDX_TO_HF = MappingProxyType({v.lower(): k for k, v in HF_TO_SPDX.items()})
HF_ONLY = frozenset({
    "openrail", "openrail++", "bigscience-openrail-m", "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0", "bigcode-openrail-m", "llama2", "llama3", "llama3.1",
    "llama3.2", "llama3.3", "llama4", "gemma", "deepfloyd-if-license", "apple-ascl",
    "apple-amlr", "h-research", "intel-research", "lgpl-lr", "openmdw-1.0",
    "fair-noncommercial-research-license", "cc", "bsd", "gpl", "lgpl", "gfdl", "unknown",
    "other",
})


def spdx_id(licence: str | None) -> str | None:
    """The SPDX id of a licence given as a Hugging Face or an SPDX id, or ``None`` when it has
    none (exporters then name the licence instead)."""
    if not licence:
        return None
    text = licence.strip()
    key = text.lower()
    if key in HF_TO_SPDX:
        return HF_TO_SPDX[key]
    if key in SPDX_TO_HF:
        return HF_TO_SPDX[SPDX_TO_HF[key]]
    return None


def hf_id(licence: str | None) -> str | None:
    """The Hugging Face id of a licence: its own id when it is one, the id mapped from an SPDX
    id, else ``other`` (the Hub then wants ``license_name`` and ``license_link``)."""
    if not licence:
        return None
    key = licence.strip().lower()
    if key in HF_TO_SPDX or key in HF_ONLY:
        return key
    return SPDX_TO_HF.get(key, "other")


def licence_ref(licence: str) -> str:
    """An SPDX ``LicenseRef-`` for a licence that has no SPDX id.

    >>> licence_ref("Llama 3 Community")
    'LicenseRef-Llama-3-Community'
    """
    return "LicenseRef-" + (re.sub(r"[^A-Za-z0-9.-]+", "-", licence.strip()).strip("-") or "other")
