"""Personal data and credential shapes in text values: counts and redacted shapes, never values.

The patterns live in ``pii_patterns.toml`` (loaded once). Scanning works on the *distinct* values of
a column with their row counts, in two steps:

1. a gate: one combined regular expression marks the values that may hold anything; with pyarrow
   installed this runs in RE2 (linear time, no backtracking), otherwise in Python's ``re``;
2. on the few gated values, each pattern in file order finds matches, a validator (card issuer,
   length and Luhn, IBAN mod-97, SSN ranges, IPv4 octets, entropy, phone digit count) keeps the
   real ones, and a span already claimed by an earlier pattern is not counted again (a card number
   is not also a phone).

Two kinds need the context of the match. A card number written without separators counts only
where the column's card-shaped digit runs pass Luhn well above the 10% that random digits do
(``card_luhn_share``): numeric identifiers held as text are not cards. A high-entropy token inside
a URL counts only as the value of a credential-named query parameter (``?api_key=…``): path
segments and slugs are not credentials, nor is a slug of words outside a URL.

Example::

    >>> hits = scan_values(["mail me: ann@example.org", "fine"], [3, 5])
    >>> hits["email"].cells, hits["email"].samples
    (3, ('•••@•••.org',))
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

MAX_SAMPLES = 3
CHUNK_VALUES = 1 << 16
"""Distinct values turned into Python strings at a time by :func:`scan_distinct`."""
MAX_VALUE_CHARS = 1 << 20
"""Characters of one value looked at in step 2 (the gate reads whole values)."""
_ALNUM = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class Pattern:
    """One kind of personal data or credential (see ``pii_patterns.toml``)."""

    kind: str
    category: str
    regex: str
    severity: str
    validator: str | None = None
    keep: int = 0

    @property
    def compiled(self) -> re.Pattern[str]:
        return _compile(self.regex)


@dataclass(frozen=True)
class Hits:
    """What one pattern found in one column: rows with a match and up to 3 redacted shapes."""

    kind: str
    category: str
    severity: str
    cells: int
    samples: tuple[str, ...]


@lru_cache(maxsize=64)
def _compile(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


@lru_cache(maxsize=1)
def load_patterns() -> tuple[Pattern, ...]:
    """The shipped patterns, in priority order."""
    text = resources.files("aisec_nb.data").joinpath("pii_patterns.toml").read_text("utf-8")
    patterns = tuple(Pattern(**entry) for entry in tomllib.loads(text)["pattern"])
    for p in patterns:
        if p.validator is not None and p.validator not in VALIDATORS:
            raise UsageError(f"pii_patterns.toml: {p.kind}: unknown validator {p.validator!r}")
    return patterns


# --- validators ----------------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum of a card number (digits only).

    >>> luhn_ok("4111111111111111"), luhn_ok("4111111111111112")
    (True, False)
    """
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@lru_cache(maxsize=1)
def card_issuers() -> tuple[tuple[str, int, int, frozenset[int]], ...]:
    """``(name, first prefix, last prefix, lengths)`` of every issuer range in
    ``pii_patterns.toml``, prefixes as integers of the range's digit count."""
    text = resources.files("aisec_nb.data").joinpath("pii_patterns.toml").read_text("utf-8")
    out = []
    for issuer in tomllib.loads(text)["card_issuer"]:
        for prefix in issuer["prefixes"]:
            first, _, last = prefix.partition("-")
            lengths = frozenset(issuer["lengths"])
            out.append((issuer["name"], int(first), int(last or first), lengths))
    return tuple(out)


def card_issuer(digits: str) -> str | None:
    """The issuer whose prefix and length ``digits`` has, or ``None``.

    >>> card_issuer("4111111111111111"), card_issuer("378282246310005")
    ('Visa', 'American Express')
    >>> card_issuer("9111111111111111") is None
    True
    """
    for name, first, last, lengths in card_issuers():
        width = len(str(first))
        if len(digits) in lengths and first <= int(digits[:width]) <= last:
            return name
    return None


def card_shape(text: str) -> str | None:
    """``"grouped"`` for a card-shaped match written in a card's groups (one separator, groups of
    4 but the last, or 4-6-5 / 4-6-4), ``"bare"`` for one without separators, ``None`` for a digit
    run of no issuer's prefix and length, or grouped some other way.

    >>> card_shape("4111 1111 1111 1111"), card_shape("4111111111111111"), card_shape("41 1111")
    ('grouped', 'bare', None)
    """
    digits = re.sub(r"[ -]", "", text)
    if len(set(digits)) == 1 or card_issuer(digits) is None:
        return None
    separators = set(re.sub(r"[0-9]", "", text))
    if not separators:
        return "bare"
    if len(separators) > 1:
        return None
    groups = [len(g) for g in re.split(r"[ -]", text)]
    fours = all(g == 4 for g in groups[:-1]) and 1 <= groups[-1] <= 4
    return "grouped" if fours or groups in ([4, 6, 5], [4, 6, 4]) else None


def _card(text: str, _: Mapping[str, float]) -> bool:
    """A card number: an issuer's prefix and length, card grouping or none, and Luhn."""
    return card_shape(text) is not None and luhn_ok(re.sub(r"[ -]", "", text))


def iban_ok(text: str) -> bool:
    """The ISO 13616 mod-97 check of an IBAN (spaces allowed).

    >>> iban_ok("GB82 WEST 1234 5698 7654 32"), iban_ok("GB82 WEST 1234 5698 7654 33")
    (True, False)
    """
    compact = text.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


def _ssn(text: str, _: Mapping[str, float]) -> bool:
    area, group, serial = text.split("-")
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def _ipv4(text: str, _: Mapping[str, float]) -> bool:
    parts = text.split(".")
    return all(len(p) <= 3 and int(p) <= 255 and (p == "0" or p[0] != "0") for p in parts)


def _phone(text: str, _: Mapping[str, float]) -> bool:
    return 9 <= sum(ch.isdigit() for ch in text) <= 15


def shannon_bits(text: str) -> float:
    """Shannon entropy per character of ``text``.

    >>> round(shannon_bits("aabb"), 2)
    1.0
    """
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values()) if n else 0.0


_PARTS = re.compile(r"[/_.+=-]+")
_WORDLIKE = re.compile(r"[a-z]{1,24}[0-9]{0,4}|[A-Z][a-z]{1,23}[0-9]{0,4}|[A-Z]{1,5}|[0-9]{1,8}")


def is_slug(text: str) -> bool:
    """Words (or short numbers) joined by ``-``, ``_``, ``/`` or ``.``: a slug or a path, not a
    credential.

    >>> is_slug("/2019/05/how-to-build-a-data-pipeline"), is_slug("wJalrXUtnFEMI/K7MDENG/bPxRfi")
    (True, False)
    """
    parts = [part for part in _PARTS.split(text) if part]
    return len(parts) >= 2 and all(_WORDLIKE.fullmatch(part) for part in parts)


def _entropy(text: str, t: Mapping[str, float]) -> bool:
    has_digit = any(ch.isdigit() for ch in text)
    has_alpha = any(ch.isalpha() for ch in text)
    return (
        len(text) >= t["entropy_min_length"]
        and has_digit
        and has_alpha
        and not is_slug(text)
        and shannon_bits(text) >= t["entropy_min_bits"]
    )


VALIDATORS: dict[str, Any] = {
    "luhn": _card,
    "iban_mod97": lambda text, _: iban_ok(text),
    "ssn": _ssn,
    "ipv4": _ipv4,
    "phone": _phone,
    "entropy": _entropy,
    "word": lambda text, _: True,
}


# --- redaction -----------------------------------------------------------------------------------


def redact(pattern: Pattern, text: str) -> str:
    """A shape of ``text`` with every letter and digit masked, bar a public prefix or e-mail TLD.

    >>> redact(Pattern("aws_access_key", "secret", "", "critical", keep=4), "AKIAABCDEFGHIJKLMNOP")
    'AKIA•••…(20 chars)'
    """
    if pattern.kind == "private_key":
        return "-----BEGIN … PRIVATE KEY-----"
    if pattern.kind == "email":
        domain = text.rsplit("@", 1)[-1]
        return f"•••@•••.{domain.rsplit('.', 1)[-1].lower()}"
    head = text[: pattern.keep]
    masked = _ALNUM.sub("•", text[pattern.keep :])
    if len(masked) > 8:
        return f"{head}•••…({len(text)} chars)"
    return head + masked


# --- scanning ------------------------------------------------------------------------------------


def _gate(values: Sequence[str], patterns: Sequence[Pattern]) -> list[int]:
    """Indexes of values in which any pattern may match."""
    combined = "|".join(f"(?:{p.regex})" for p in patterns)
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is installed wherever the tests run
        gate = _compile(combined)
        return [i for i, v in enumerate(values) if gate.search(v)]
    mask = pc.match_substring_regex(pa.array(values, type=pa.large_string()), combined)
    flags = mask.fill_null(False).to_numpy(zero_copy_only=False)
    return [int(i) for i in flags.nonzero()[0]]


_SEPARATORS = " -."


def _boundary_ok(value: str, start: int, end: int) -> bool:
    # A match inside a longer run of letters/digits is a fragment of something else, and so is a
    # digit group continued by a separator and more digits (part of a longer number: an invalid
    # card number is not a phone number).
    before = value[max(0, start - 2) : start]
    after = value[end : end + 2]
    if before[-1:].isalnum() and value[start].isalnum():
        return False
    if after[:1].isalnum() and value[end - 1].isalnum():
        return False
    if (
        value[start].isdigit()
        and len(before) == 2
        and before[1] in _SEPARATORS
        and (before[0].isdigit())
    ):
        return False
    return not (
        value[end - 1].isdigit()
        and len(after) == 2
        and after[0] in _SEPARATORS
        and after[1].isdigit()
    )


_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]{1,15}://|www\.)[^\s\"'<>]+")
_CREDENTIAL_PARAM = re.compile(
    r"[?&;#]([A-Za-z0-9_.-]*(?:key|token|secret|sig|signature|password|passwd|pwd|auth|"
    r"credential|session|access)[A-Za-z0-9_.-]*)=([^&#;\s]+)",
    re.IGNORECASE,
)


def _in_url_but_not_a_credential(value: str, start: int, end: int) -> bool:
    """The span lies in a URL, and not in the value of a credential-named query parameter."""
    for url in _URL.finditer(value):
        if url.start() <= start < url.end():
            for param in _CREDENTIAL_PARAM.finditer(value, url.start(), url.end()):
                if param.start(2) <= start < param.end(2) or start <= param.start(2) < end:
                    return False
            return True
    return False


@dataclass
class _Tally:
    """What a scan found so far in one column, before the column-wide decisions."""

    cells: Counter[str]
    samples: dict[str, list[str]]
    bare_runs: int = 0
    """Card-shaped digit runs without separators (distinct values' matches)."""
    bare_luhn: int = 0
    """... of them passing Luhn."""
    bare_cells: int = 0
    """Rows whose only card number is written without separators."""
    bare_samples: tuple[str, ...] = ()

    def add(self, other: _Tally) -> None:
        self.cells.update(other.cells)
        for kind, shown in other.samples.items():
            mine = self.samples.setdefault(kind, [])
            mine.extend(x for x in shown if x not in mine and len(mine) < MAX_SAMPLES)
        self.bare_runs += other.bare_runs
        self.bare_luhn += other.bare_luhn
        self.bare_cells += other.bare_cells
        more = (x for x in other.bare_samples if x not in self.bare_samples)
        self.bare_samples = (*self.bare_samples, *more)[:MAX_SAMPLES]


def _note(samples: dict[str, list[str]], kind: str, shape: str) -> None:
    shown = samples.setdefault(kind, [])
    if len(shown) < MAX_SAMPLES and shape not in shown:
        shown.append(shape)


def _tally(
    values: Sequence[str], counts: Sequence[int], t: Mapping[str, float], pats: Sequence[Pattern]
) -> _Tally:
    tally = _Tally(Counter(), {})
    for index in _gate(values, pats):
        value = values[index][:MAX_VALUE_CHARS]
        claimed: list[tuple[int, int]] = []
        bare_card: str | None = None
        grouped_card = False
        for p in pats:
            check = VALIDATORS.get(p.validator or "word")
            hit = False
            for m in p.compiled.finditer(value):
                start, end = m.span()
                if p.kind != "email" and not _boundary_ok(value, start, end):
                    continue
                if any(start < e and s < end for s, e in claimed):
                    continue
                if p.validator == "luhn" and card_shape(m.group()) == "bare":
                    tally.bare_runs += 1
                    if luhn_ok(m.group()):
                        tally.bare_luhn += 1
                        claimed.append((start, end))
                        bare_card = bare_card or redact(p, m.group())
                    continue
                if check is not None and not check(m.group(), t):
                    continue
                if p.kind == "high_entropy_token" and _in_url_but_not_a_credential(
                    value, start, end
                ):
                    continue
                claimed.append((start, end))
                if not hit:
                    hit = True
                    _note(tally.samples, p.kind, redact(p, m.group()))
            if hit:
                tally.cells[p.kind] += int(counts[index])
                grouped_card = grouped_card or p.validator == "luhn"
        if bare_card is not None and not grouped_card:
            tally.bare_cells += int(counts[index])
            if len(tally.bare_samples) < MAX_SAMPLES and bare_card not in tally.bare_samples:
                tally.bare_samples = (*tally.bare_samples, bare_card)
    return tally


def _hits(tally: _Tally, t: Mapping[str, float], pats: Sequence[Pattern]) -> dict[str, Hits]:
    """The column-wide decisions: bare card numbers count where the column's card-shaped runs
    pass Luhn well above chance; then the row minimum."""
    cells = Counter(tally.cells)
    samples = {kind: list(shown) for kind, shown in tally.samples.items()}
    card = next((p.kind for p in pats if p.validator == "luhn"), None)
    share = t.get("card_luhn_share", 0.5)
    if card is not None and tally.bare_cells and tally.bare_luhn >= share * tally.bare_runs:
        cells[card] += tally.bare_cells
        for shape in tally.bare_samples:
            _note(samples, card, shape)
    by_kind = {p.kind: p for p in pats}
    return {
        kind: Hits(
            kind, by_kind[kind].category, by_kind[kind].severity, n, tuple(samples.get(kind, ()))
        )
        for kind, n in cells.items()
        if n >= t.get("pii_min_count", 1)
    }


def scan_values(
    values: Sequence[str],
    counts: Sequence[int],
    thresholds: Mapping[str, float] | None = None,
    patterns: Sequence[Pattern] | None = None,
) -> dict[str, Hits]:
    """Find personal data and credentials in the distinct ``values`` of one column, seen
    ``counts`` times each.

    Returns, per kind found, the number of rows with at least one valid match and up to
    :data:`MAX_SAMPLES` redacted shapes.
    """
    from .thresholds import default_thresholds

    t = thresholds or default_thresholds()
    pats = tuple(patterns or load_patterns())
    return _hits(_tally(values, counts, t, pats), t, pats)


def scan_distinct(
    uniques: Any, counts: Any, thresholds: Mapping[str, float] | None = None
) -> tuple[dict[str, Hits], bool]:
    """:func:`scan_values` over a column's distinct values (any array-like), chunk by chunk.

    Non-text values are skipped; at most ``max_text_chars`` characters are scanned. Returns the
    hits and whether the bound cut the scan short.

    >>> hits, cut = scan_distinct(["a@b.org", 3, "x"], [2, 1, 1])
    >>> hits["email"].cells, cut
    (2, False)
    """
    import numpy as np

    from .thresholds import default_thresholds

    t = thresholds or default_thresholds()
    pats = load_patterns()
    budget = int(t["max_text_chars"])
    total = _Tally(Counter(), {})
    cut = False
    for start in range(0, len(uniques), CHUNK_VALUES):
        chunk = np.asarray(uniques[start : start + CHUNK_VALUES], dtype=object).tolist()
        weights = counts[start : start + CHUNK_VALUES]
        values, kept = [], []
        for value, c in zip(chunk, weights, strict=True):
            if isinstance(value, str):
                budget -= len(value)
                if budget < 0:
                    cut = True
                    break
                values.append(value)
                kept.append(int(c))
        total.add(_tally(values, kept, t, pats))
        if cut:
            break
    return _hits(total, t, pats), cut
