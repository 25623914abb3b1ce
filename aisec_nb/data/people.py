"""Personal names and street addresses in text columns, told from the column's name and the shape
of its values. No NER model can be downloaded here, and a whole column needs none: its name and
what most of its values look like say enough. Every finding names the signal that fired.

A column holds *likely personal names* when at least :data:`NAME_SHARE` of its rows look like a
name and

* the shape is a strong one, 'Surname, Title Given' (``Braund, Mr. Owen Harris``) or 'Title Given
  Surname' (``Dr Jane Smith``); or
* the column's name says names (``Name``, ``customer_name``, ``surname``; not ``product_name``
  or ``Indicator Name``); or
* at least :data:`GIVEN_SHARE` of its rows hold a common given name (``people.toml``), so that
  'Given Surname' values are people (``John Smith``) and not places (``New York``).

A column holds *likely street addresses* when at least :data:`ADDRESS_SHARE` of its rows contain a
street address ('<number> <name> <street type>', ``Hauptstraße 12``, ``12 rue de la Paix``), or its
name says addresses and at least :data:`ADDRESS_NAMED_SHARE` of its rows do.

The decision is made on the first :data:`SAMPLE_VALUES` distinct values (weighted by their rows);
the rows are then counted over all of them. Free text with the odd address in it is not reported:
the shapes are too loose for that.

Example::

    >>> found = find_people("passenger", ["Braund, Mr. Owen Harris", "Heikkinen, Miss. Laina",
    ...                                   "Allen, Mr. William Henry", "Moran, Mr. James"], [1] * 4)
    >>> [(p.kind, p.rows, p.signal) for p in found]
    [('personal_names', 4, "100% of values look like 'Surname, Title Given'")]
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SAMPLE_VALUES = 2000
CHUNK_VALUES = 1 << 16
MIN_DISTINCT = 3
NAME_SHARE = 0.5
GIVEN_SHARE = 0.3
ADDRESS_SHARE = 0.5
ADDRESS_NAMED_SHARE = 0.2
STRONG = ("Surname, Title Given", "Title Given Surname")

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_TOKENS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


@dataclass(frozen=True)
class People:
    """A column found to hold names or addresses: its kind, rows and the signal that fired."""

    kind: str
    """``"personal_names"`` or ``"street_addresses"``."""
    rows: int
    share: float
    signal: str


@lru_cache(maxsize=1)
def _words() -> dict[str, Any]:
    text = resources.files("aisec_nb.data").joinpath("people.toml").read_text("utf-8")
    return tomllib.loads(text)


def column_words(name: str) -> set[str]:
    """The lower-case words of a column name (``snake_case``, ``camelCase``, spaces), and the
    name with its separators dropped.

    >>> sorted(column_words("CustomerFullName")), sorted(column_words("first_name"))
    (['customer', 'customerfullname', 'full', 'name'], ['first', 'firstname', 'name'])
    """
    return {w.lower() for w in _TOKENS.findall(name)} | {
        re.sub(r"[^a-z0-9]", "", name.lower())
    }


def names_column(name: str) -> bool:
    """The column's name says it holds names of people."""
    words = column_words(name)
    w = _words()
    return bool(words & set(w["name_words"])) and not words & set(w["not_person_words"])


def address_column(name: str) -> bool:
    """The column's name says it holds addresses."""
    words = column_words(name)
    w = _words()
    return bool(words & set(w["address_words"])) and not words & set(w["not_address_words"])


@lru_cache(maxsize=1)
def name_shapes() -> dict[str, re.Pattern[str]]:
    """The name shapes, strongest first, each a full match of a stripped value."""
    titles = "|".join(_words()["titles"])
    word = rf"[{_UP}][{_LOW}]*(?:[{_UP}][{_LOW}]+)?(?:['’-][{_UP}]?[{_LOW}]+)*"
    given = rf"[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?"
    initial = rf"[{_UP}]\.?"
    particle = r"(?:van|von|de|der|den|del|della|di|da|du|le|la|bin|ibn|al|el|dos|das|ten|ter)"
    title = rf"(?:{titles})\.?"
    surnames = rf"(?:{particle} )*{word}(?:[ -](?:{particle} )*{word})?"
    return {
        "Surname, Title Given": re.compile(rf"{surnames}, (?:the )?{title} .+"),
        "Title Given Surname": re.compile(
            rf"{title} {given}(?: (?:{initial}|{given}))*(?: {particle})* {word}"
        ),
        "Surname, Given": re.compile(rf"{surnames}, {given}(?: (?:{initial}|{given}))*"),
        "Given Surname": re.compile(rf"{given}(?: (?:{initial}|{given}))?(?: {particle})* {word}"),
    }


@lru_cache(maxsize=1)
def _given_token() -> re.Pattern[str]:
    titles = "|".join(_words()["titles"])
    return re.compile(rf"(?:[^,]*, )?(?:the )?(?:(?:{titles})\.? )?([{_UP}][{_LOW}]+)")


@lru_cache(maxsize=1)
def address_shape() -> re.Pattern[str]:
    """Street addresses: '<number> <name> <street type>', 'Hauptstraße 12', 'Via Roma 10',
    '12 rue de la Paix'."""
    types = "|".join(_words()["street_types"])
    number = r"[0-9]{1,5}[A-Za-z]?(?:[-/][0-9]{1,5}[A-Za-z]?)?"
    name = rf"[{_UP}0-9][{_LOW}0-9]*\.?"
    forms = [
        rf"\b{number},? (?:{name} ){{0,4}}(?:{types})\b",
        rf"\b[{_UP}][{_LOW}]+(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|laan|straat"
        rf"|gade|gatan|vej|veien|katu) ?[0-9]{{1,5}}[a-z]?\b",
        rf"\b(?:Calle|Avenida|Rua|Via|Viale|Piazza|Corso|Paseo|Carrer|Rue|Ulica)"
        rf"(?: [{_UP}{_LOW}'.-]+){{1,5}},? [0-9]{{1,5}}[a-z]?\b",
        rf"\b[0-9]{{1,5}}(?: ?bis| ?ter)?,? (?:rue|avenue|boulevard|bd|allée|place|chemin|impasse"
        rf"|quai|route|cours) [{_UP}{_LOW}'. -]+",
    ]
    return re.compile("|".join(f"(?:{f})" for f in forms))


def _strings(uniques: Any, counts: Any) -> tuple[list[str], list[int]]:
    import numpy as np

    values, weights = [], []
    for value, c in zip(np.asarray(uniques, dtype=object).tolist(), counts, strict=True):
        if isinstance(value, str) and c > 0:
            values.append(value.strip())
            weights.append(int(c))
    return values, weights


def _name_of(value: str) -> str | None:
    for shape, pattern in name_shapes().items():
        if pattern.fullmatch(value):
            return shape
    return None


def _given(value: str) -> bool:
    m = _given_token().match(value)
    return m is not None and m.group(1).lower() in _given_set()


@lru_cache(maxsize=1)
def _given_set() -> frozenset[str]:
    return frozenset(_words()["given_names"])


def _names(column: str, sample: list[str], rows: list[int]) -> str | None:
    """The signal that says the sampled values are names, or ``None``."""
    total = sum(rows)
    by_shape: dict[str, int] = {}
    named = given = 0
    for value, c in zip(sample, rows, strict=True):
        shape = _name_of(value)
        if shape is not None:
            by_shape[shape] = by_shape.get(shape, 0) + c
            named += c
            given += c if _given(value) else 0
    if named < NAME_SHARE * total:
        return None
    top = max(by_shape, key=lambda k: by_shape[k])
    shown = f"{_pct(by_shape[top] / total)} of values look like {top!r}"
    if any(by_shape.get(s, 0) >= NAME_SHARE * total for s in STRONG):
        return shown
    if names_column(column):
        return f"{shown}; the column's name says names"
    if given >= GIVEN_SHARE * total:
        return f"{shown}; {_pct(given / total)} start with a common given name"
    return None


def _addresses(column: str, sample: list[str], rows: list[int]) -> str | None:
    """The signal that says the sampled values are street addresses, or ``None``."""
    shape = address_shape()
    total = sum(rows)
    hits = sum(c for v, c in zip(sample, rows, strict=True) if shape.search(v))
    named = address_column(column)
    if hits < ADDRESS_SHARE * total and not (named and hits >= ADDRESS_NAMED_SHARE * total):
        return None
    return (
        f"{_pct(hits / total)} of values look like street addresses ('<number> <name> "
        "<street type>' and the like)" + ("; the column's name says addresses" if named else "")
    )


def _pct(share: float) -> str:
    from .findings import pct

    return pct(share)


def _count(uniques: Any, counts: Any, matches: Any) -> tuple[int, int]:
    """Rows whose value ``matches``, and rows holding text, over all distinct values in chunks."""
    rows = text = 0
    for start in range(0, len(uniques), CHUNK_VALUES):
        values, weights = _strings(uniques[start : start + CHUNK_VALUES],
                                   counts[start : start + CHUNK_VALUES])
        text += sum(weights)
        rows += sum(c for v, c in zip(values, weights, strict=True) if matches(v))
    return rows, text


def find_people(column: str, uniques: Any, counts: Sequence[int] | Any) -> list[People]:
    """Names and addresses in one text column, from its distinct values and their row counts."""
    sample, rows = _strings(uniques[:SAMPLE_VALUES], counts[:SAMPLE_VALUES])
    if len(sample) < MIN_DISTINCT or sum(rows) == 0:
        return []
    found = []
    signal = _names(column, sample, rows)
    if signal is not None:
        n, text = _count(uniques, counts, lambda v: _name_of(v) is not None)
        found.append(People("personal_names", n, n / max(text, 1), signal))
    signal = _addresses(column, sample, rows)
    if signal is not None:
        shape = address_shape()
        n, text = _count(uniques, counts, lambda v: shape.search(v) is not None)
        found.append(People("street_addresses", n, n / max(text, 1), signal))
    return found
