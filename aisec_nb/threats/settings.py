"""``[tool.aisec-nb.threats]``: an organisation's bank, a project's own questions, the default
profile and how old evidence may be. Read by the faces (from :class:`aisec_nb.settings.Settings`)
and handed to the core as :class:`ThreatSettings`.

Example ``pyproject.toml``::

    [tool.aisec-nb.threats]
    bank = "../security/ai-question-bank.json"    # the organisation's layer (JSON or TOML)
    profile = ["user-facing", "personal-data"]
    remove = ["DP3.4"]
    evidence_max_age_days = 60

    [tool.aisec-nb.threats.overrides."DE1.1"]
    help = "Our yearly course is https://intranet.example/ai-security."

    [[tool.aisec-nb.threats.questions]]
    id = "ORG1.1"
    stage = "deployment"
    subsection = "Secure your infrastructure"
    text = "Is the model served only from the approved cluster?"
    help = ""
    refs = []
    evidence = ["manual"]
    risks = ["unauthorised-access"]

Layers apply in order: the built-in bank, then each ``bank`` file, then the project's own
``questions``, ``risks``, ``remove`` and ``overrides``.

    >>> s = threat_settings({"profile": ["generative"], "remove": ["DP3.4"]})
    >>> sorted(s.profile), [label for label, _ in s.layers]
    (['generative'], ['pyproject.toml [tool.aisec-nb.threats]'])
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .bank import Bank, load_bank, parse_profile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

KEYS = ("bank", "questions", "risks", "remove", "overrides", "profile", "evidence_max_age_days")
LAYER_KEYS = ("questions", "risks", "remove", "overrides")
DEFAULT_MAX_AGE_DAYS = 90
"""Evidence older than this no longer lowers a risk (a check re-run makes it fresh again)."""
PROJECT_LABEL = "pyproject.toml [tool.aisec-nb.threats]"


@dataclass(frozen=True)
class ThreatSettings:
    """The questionnaire's settings, resolved."""

    layers: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    """``(label, layer data)`` over the built-in bank, in order."""
    profile: frozenset[str] = frozenset()
    """The profile a new questionnaire starts from."""
    evidence_max_age_days: int = DEFAULT_MAX_AGE_DAYS

    def bank(self) -> Bank:
        """The layered bank (validated; raises :class:`UsageError` naming the layer)."""
        return load_bank(self.layers)


def read_layer(path: Path) -> Mapping[str, Any]:
    """An organisation's bank layer: a JSON or TOML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: the question bank cannot be read: {exc}") from None
    try:
        data: Any = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        kind = "TOML" if path.suffix == ".toml" else "JSON"
        raise UsageError(f"{path}: the question bank is not valid {kind}: {exc}") from None
    if not isinstance(data, Mapping):
        raise UsageError(f"{path}: the question bank must be an object at the top")
    return data


def threat_settings(table: Mapping[str, Any], root: Path | None = None,
                    where: str = "[tool.aisec-nb.threats]") -> ThreatSettings:
    """:class:`ThreatSettings` from a ``[tool.aisec-nb.threats]`` table; ``root`` is the folder
    ``bank`` paths are relative to. Raises :class:`UsageError` naming the key."""
    if not isinstance(table, Mapping):
        raise UsageError(f"{where} must be a table, found {type(table).__name__}")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r}; known: {', '.join(KEYS)}")
    files = table.get("bank", [])
    files = [files] if isinstance(files, str) else files
    if not isinstance(files, list) or not all(isinstance(f, str) and f.strip() for f in files):
        raise UsageError(f"{where}: bank must be a path or a list of paths, found {files!r}")
    layers: list[tuple[str, Mapping[str, Any]]] = []
    for name in files:
        path = Path(name).expanduser()
        if not path.is_absolute() and root is not None:
            path = root / path
        layers.append((str(name), read_layer(path)))
    own = {key: table[key] for key in LAYER_KEYS if key in table}
    if own:
        layers.append((PROJECT_LABEL, own))
    profile = table.get("profile", [])
    if not isinstance(profile, list) or not all(isinstance(p, str) for p in profile):
        raise UsageError(f"{where}: profile must be a list of flags, found {profile!r}")
    age = table.get("evidence_max_age_days", DEFAULT_MAX_AGE_DAYS)
    if not isinstance(age, int) or isinstance(age, bool) or age <= 0:
        raise UsageError(f"{where}: evidence_max_age_days must be a positive integer, "
                         f"found {age!r}")
    try:
        flags = parse_profile(profile)
    except UsageError as exc:
        raise UsageError(f"{where}: {exc}") from None
    return ThreatSettings(layers=tuple(layers), profile=flags, evidence_max_age_days=age)


def from_settings(settings: Any) -> ThreatSettings:
    """The threat settings of resolved project :class:`aisec_nb.settings.Settings`."""
    table = settings.tables.get("threats", {})
    source: Path | None = settings.source
    where = f"{source}: [tool.aisec-nb.threats]" if source is not None else \
        "[tool.aisec-nb.threats]"
    return threat_settings(table, source.parent if source is not None else None, where)
