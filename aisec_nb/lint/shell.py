"""Shell commands in cells (``!pip``, ``%pip``, ``%%bash``, ``subprocess.run([...])``).

Only what the code rules need: installs without exact pins, downloads of model or data files
without a pinned revision or hash, and switches that turn TLS verification off.

    >>> [h.code for h in shell_hits("pip install -q torch==2.3.1 'pandas>=2' && curl -k URL")]
    ['AISEC-CODE-007', 'AISEC-CODE-004']
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

UNPINNED = "AISEC-CODE-007"
DOWNLOAD = "AISEC-CODE-003"
INSECURE = "AISEC-CODE-004"

_SPLIT = re.compile(r"\s*(?:&&|\|\||;|\|)\s*")
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")
_EXACT = re.compile(r"^===?\s*[A-Za-z0-9._+!-]+\s*(?:;.*)?$")
_COMMIT = re.compile(r"@[0-9a-f]{40}\b|#(?:sha256|sha384|sha512)=[0-9a-f]{64,}")
HEX40 = re.compile(r"^[0-9a-f]{40}$")
ARTIFACT = re.compile(
    r"\.(?:pt|pth|bin|ckpt|safetensors|pkl|pickle|joblib|h5|hdf5|keras|onnx|gguf|ggml|npy|npz|"
    r"pb|tflite|mar|model|zip|tar|tgz|gz|bz2|xz|csv|tsv|parquet|jsonl|arrow|feather)(?:[?#].*)?$",
    re.IGNORECASE,
)
"""URL endings of model and data files (a download of a web page is not flagged)."""
PIP_VALUE_OPTIONS = frozenset({
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-c", "--constraint",
    "-t", "--target", "--prefix", "--root", "--platform", "--python-version", "--implementation",
    "--abi", "--progress-bar", "--log", "--cache-dir", "--src", "--upgrade-strategy",
    "--no-binary", "--only-binary", "-C", "--config-settings", "--global-option",
    "--install-option", "--trusted-host", "--proxy", "--retries", "--timeout", "--exists-action",
    "--cert", "--client-cert", "--python", "--report", "--root-user-action", "-e", "--editable",
})
CONDA_VALUE_OPTIONS = frozenset({"-c", "--channel", "-n", "--name", "-p", "--prefix",
                                 "--file", "--override-channels"})


@dataclass(frozen=True)
class ShellHit:
    code: str
    message: str


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=True)
    except ValueError:
        return command.split()


def _install_args(words: list[str]) -> tuple[str, list[str]] | None:
    """``("pip", args)`` / ``("conda", args)`` for an install command, else ``None``."""
    for i, word in enumerate(words):
        base = word.rsplit("/", 1)[-1]
        if re.fullmatch(r"pip[0-9.]*", base) or (base == "pip" and i > 0):
            rest = words[i + 1 :]
            if rest[:1] == ["install"]:
                return "pip", rest[1:]
            return None
        if base in ("conda", "mamba", "micromamba"):
            rest = words[i + 1 :]
            if rest[:1] == ["install"]:
                return "conda", rest[1:]
            return None
        if base == "uv" and words[i + 1 : i + 3] == ["pip", "install"]:
            return "pip", words[i + 3 :]
        if base in ("-m",) and i + 1 < len(words) and words[i + 1] == "pip":
            rest = words[i + 2 :]
            return ("pip", rest[1:]) if rest[:1] == ["install"] else None
    return None


def pip_pinned(requirement: str) -> bool | None:
    """Whether a pip requirement pins one exact version; ``None`` when it cannot be told (a
    variable, a local path or wheel).

    >>> pip_pinned("torch==2.3.1"), pip_pinned("torch>=2"), pip_pinned("torch"), pip_pinned(".")
    (True, False, False, None)
    """
    req = requirement.strip()
    if not req or "{" in req or "$" in req:
        return None
    if req.startswith((".", "/", "~")) or (req.endswith((".whl", ".tar.gz", ".zip"))
                                            and "://" not in req):
        return None
    if "://" in req or req.startswith("git+") or " @ " in req or re.search(r"^\S+@\S", req):
        return bool(_COMMIT.search(req))
    match = _NAME.match(req)
    if match is None:
        return None
    spec = match.group(3).strip()
    return bool(spec) and bool(_EXACT.match(spec)) and "*" not in spec


def _unpinned_requirements(tool: str, args: list[str], base: Path | None) -> Iterator[str]:
    skip_next = False
    values = PIP_VALUE_OPTIONS if tool == "pip" else CONDA_VALUE_OPTIONS
    for i, arg in enumerate(args):
        if skip_next:
            skip_next = False
            continue
        if arg in ("-r", "--requirement") and tool == "pip":
            if i + 1 < len(args) and base is not None:
                yield from _requirements_file(base / args[i + 1])
            skip_next = True
            continue
        if arg in values:
            skip_next = True
            continue
        if arg.startswith("-"):
            continue
        if tool == "conda":
            if "=" not in arg and "{" not in arg and "$" not in arg:
                yield arg
            continue
        if pip_pinned(arg) is False:
            yield arg


def _requirements_file(path: Path) -> Iterator[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    for line in text.splitlines():
        req = line.split(" #", 1)[0].strip()
        if req and not req.startswith(("#", "-")) and pip_pinned(req) is False:
            yield f"{req} (in {path.name})"


def shell_hits(command: str, base: Path | None = None) -> list[ShellHit]:
    """Findings of one shell command line (which may chain commands with ``&&``, ``;``, ``|``).

    ``base`` is the notebook's folder, where ``pip install -r FILE`` finds its file.
    """
    hits: list[ShellHit] = []
    whole = command
    for part in _SPLIT.split(command):
        words = _words(part)
        if not words:
            continue
        install = _install_args(words)
        if install is not None:
            tool, args = install
            loose = list(_unpinned_requirements(tool, args, base))
            if loose:
                names = ", ".join(repr(r) for r in loose)
                bound = any(">=" in r or ">" in r or "~=" in r for r in loose)
                why = " (a lower bound is not a pin)" if bound else ""
                hits.append(ShellHit(UNPINNED, f"{tool} install of {names} is not pinned to an "
                                              f"exact version{why}"))
            if "--trusted-host" in args:
                hits.append(ShellHit(INSECURE, f"{tool} install --trusted-host accepts that "
                                               "host without TLS verification"))
            continue
        tool = words[0].rsplit("/", 1)[-1]
        if tool == "curl":
            if "-k" in words or "--insecure" in words or any(
                    re.fullmatch(r"-[a-zA-Z]*k[a-zA-Z]*", w) for w in words[1:]):
                hits.append(ShellHit(INSECURE, "curl -k/--insecure turns TLS verification off"))
            hits.extend(_download(tool, words, whole))
        elif tool == "wget":
            if "--no-check-certificate" in words:
                hits.append(ShellHit(INSECURE, "wget --no-check-certificate turns TLS "
                                               "verification off"))
            hits.extend(_download(tool, words, whole))
        elif tool in ("huggingface-cli", "hf") and words[1:2] == ["download"]:
            repo = next((w for w in words[2:] if not w.startswith("-")), None)
            revision = _option(words, "--revision")
            if repo and not (revision and HEX40.match(revision)):
                hits.append(ShellHit(DOWNLOAD, _unpinned_hub(repo, revision)))
        elif tool == "git" and any(w.lower() in ("http.sslverify=false", "http.sslverify=0")
                                   for w in words):
            hits.append(ShellHit(INSECURE, "git -c http.sslVerify=false turns TLS "
                                           "verification off"))
    return hits


def _option(words: list[str], name: str) -> str | None:
    for i, word in enumerate(words):
        if word == name and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


def _download(tool: str, words: list[str], whole: str) -> list[ShellHit]:
    urls = [w for w in words[1:] if re.match(r"^(?:https?|ftp)://", w) and ARTIFACT.search(w)]
    if not urls or re.search(r"\b(?:sha256sum|shasum|sha512sum)\b", whole):
        return []
    return [ShellHit(DOWNLOAD, f"{tool} downloads {urls[0]} without checking a pinned hash")]


def _unpinned_hub(repo: str, revision: str | None) -> str:
    if revision is None:
        return f"{repo} is downloaded without a pinned revision (a commit hash)"
    return (f"{repo} is downloaded at revision {revision!r}, which is a branch or tag that can "
            "move, not a commit hash")
