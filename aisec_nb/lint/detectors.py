"""The one adapter between the linter and the data checks' detectors of secrets and personal data.

The patterns, validators (Luhn, entropy, ...) and redaction are the data checks'
(:mod:`aisec_nb.data.pii`); the linter reaches them only through :func:`find_sensitive`, so a
change of that API is absorbed here. Two adjustments for text that is not a data column:
loopback, private and unspecified IPv4 addresses (a server printing ``127.0.0.1``) are not
personal data, and a Hugging Face token (``hf_`` and 34 letters), the credential most often
pasted into notebooks, is a secret shape too.

    >>> [(h.kind, h.category, h.sample) for h in find_sensitive("key AKIAABCDEFGHIJKLMNOP ok")]
    [('aws_access_key', 'secret', 'AKIA•••…(20 chars)')]
    >>> find_sensitive("serving on http://127.0.0.1:8888")
    []
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_HF_TOKEN = re.compile(r"(?<![A-Za-z0-9_])hf_[A-Za-z]{34}(?![A-Za-z0-9])")
_PRIVATE_IP = re.compile(r"^(?:127\.|10\.|0\.|192\.168\.|169\.254\.|172\.(?:1[6-9]|2\d|3[01])\.)")


@dataclass(frozen=True)
class Sensitive:
    """One kind of secret or personal data found in a text, by its redacted shape only."""

    kind: str
    category: str
    """``"secret"`` or ``"pii"``."""
    severity: str
    sample: str
    """The redacted shape (never the value)."""


NEEDS = {"email": "@", "us_ssn": "-", "ip_address": ".", "private_key": "-----BEGIN",
         "jwt": "eyJ"}
"""A character or text each of these kinds cannot match without (a quick test before the
pattern runs; a kind not listed is always tried)."""


@lru_cache(maxsize=1)
def _gates() -> tuple[tuple[str | None, re.Pattern[str]], ...]:
    from ..data.pii import load_patterns

    return tuple((NEEDS.get(p.kind), re.compile(p.regex)) for p in load_patterns())


def _gate_search(text: str) -> bool:
    return any((need is None or need in text) and pattern.search(text) is not None
               for need, pattern in _gates())


def may_be_sensitive(text: str) -> bool:
    """A cheap test: whether :func:`find_sensitive` could find anything in ``text``."""
    return _gate_search(text) or _HF_TOKEN.search(text) is not None


def find_sensitive(text: str, *, categories: Iterable[str] = ("secret", "pii"),
                   skip: Iterable[str] = ()) -> list[Sensitive]:
    """Secrets and personal data in ``text``: one entry per kind found, redacted.

    ``categories`` limits the kinds to ``"secret"`` and/or ``"pii"``; ``skip`` leaves out kinds
    by name (e.g. ``"high_entropy_token"``).
    """
    wanted = set(categories)
    skipped = set(skip)
    out: list[Sensitive] = []
    if "secret" in wanted and "hf_token" not in skipped:
        token = _HF_TOKEN.search(text)
        if token:
            out.append(Sensitive("hf_token", "secret", "critical", "hf_•••…(37 chars)"))
    if not _gate_search(text):
        return out
    for kind, category, severity, sample in _scan(text):
        if category in wanted and kind not in skipped:
            out.append(Sensitive(kind, category, severity, sample))
    return out


@lru_cache(maxsize=1)
def _thresholds() -> dict[str, float]:
    from ..data.thresholds import default_thresholds

    return default_thresholds()


def _scan(text: str) -> list[tuple[str, str, str, str]]:
    """What :func:`aisec_nb.data.pii.scan_values` finds in one value, without its column-wide
    gate (built for many values at once, it costs milliseconds per call): patterns in order,
    a span claimed once, each match validated; (kind, category, severity, redacted sample)."""
    from ..data.pii import VALIDATORS, _boundary_ok, load_patterns, redact

    thresholds = _thresholds()
    claimed: list[tuple[int, int]] = []
    found: list[tuple[str, str, str, str]] = []
    for pattern in load_patterns():
        check = VALIDATORS.get(pattern.validator or "word")
        sample = None
        for m in pattern.compiled.finditer(text):
            start, end = m.span()
            if pattern.kind != "email" and not _boundary_ok(text, start, end):
                continue
            if any(start < e and s < end for s, e in claimed):
                continue
            if check is not None and not check(m.group(), thresholds):
                continue
            if pattern.kind == "ip_address" and _PRIVATE_IP.match(m.group()):
                continue
            claimed.append((start, end))
            if sample is None:
                sample = redact(pattern, m.group())
        if sample is not None:
            found.append((pattern.kind, pattern.category, pattern.severity, sample))
    return found


def mask(value: str) -> str:
    """A shape of a credential value that shows only its length.

    >>> mask("hunter22")
    '•••…(8 chars)'
    """
    return f"•••…({len(value)} chars)"
