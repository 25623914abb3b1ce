"""Compare our SHA-256 digests with an OpenSSF ``model.sig`` or a ``SHA256SUMS`` manifest.

``model.sig`` (OpenSSF model signing v1.0) is a Sigstore bundle whose DSSE payload is an in-toto
statement listing a digest per file (``predicate.resources``) and a root digest (the subject).
We read it as untrusted JSON (bounded), check it is self-consistent and compare every digest with
the ones we computed while scanning. A mismatch fails the scan. The signature itself is *not*
verified cryptographically here (that needs ``model-signing`` and, for keyless, a network trust
root), and the record says so.

Example::

    >>> parse_sums("ab" * 32 + "  weights.bin\\n")
    {'weights.bin': 'abababababababababababababababababababababababababababababababab'}
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..record import Finding
from .context import finding, truncate
from .hashing import root_digest
from .stop import ScanStop

SIGNATURE_NAME = "model.sig"
MANIFEST_NAMES = ("SHA256SUMS", "sha256sums.txt", "SHA256SUMS.txt")
MAX_SIGNATURE_BYTES = 16 * 1024 * 1024
PREDICATE_V1 = "https://model_signing/signature/v1.0"
PREDICATE_V02 = "https://model_signing/Digests/v0.1"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class SignatureError(ScanStop, ValueError):
    """A ``model.sig`` or manifest that cannot be read as one."""


@dataclass
class Claims:
    """What a signature or manifest says about the files."""

    format: str
    path: str
    digests: dict[str, str] = field(default_factory=dict)
    root: str | None = None
    method: str | None = None
    verified: bool | None = None
    reason: str = ""

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"format": self.format, "path": self.path,
                               "files": len(self.digests), "verified": self.verified,
                               "reason": self.reason}
        if self.root is not None:
            out["root_digest"] = self.root
        if self.method is not None:
            out["method"] = self.method
        return out


def parse_sums(text: str) -> dict[str, str]:
    """``sha256sum`` output: ``<hex>  <name>`` (or ``<hex> *<name>``) per line."""
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) != 2 or not _HEX64.match(parts[0].lower()):
            msg = f"line {number} is not '<sha256>  <file name>'"
            raise SignatureError(msg)
        out[parts[1].lstrip("*").strip()] = parts[0].lower()
    return out


def _method(bundle: dict[str, Any]) -> str:
    material = bundle.get("verificationMaterial")
    if not isinstance(material, dict):
        return "unknown"
    if "publicKey" in material:
        return "key"
    if "certificate" in material or "x509CertificateChain" in material:
        return "sigstore" if material.get("tlogEntries") else "certificate"
    return "unknown"


def read_model_sig(path: Path) -> Claims:
    """Parse an OpenSSF model-signing bundle (v1.0, or the v0.2 compat format)."""
    if path.stat().st_size > MAX_SIGNATURE_BYTES:
        msg = f"larger than {MAX_SIGNATURE_BYTES:,} bytes"
        raise SignatureError(msg)
    try:
        bundle = json.loads(path.read_bytes())
        envelope = bundle["dsseEnvelope"]
        statement = json.loads(base64.b64decode(envelope["payload"], validate=True))
        predicate_type = statement["predicateType"]
    except (ValueError, KeyError, TypeError, binascii.Error, RecursionError) as exc:
        msg = f"not a Sigstore bundle with an in-toto payload ({type(exc).__name__}: " \
              f"{truncate(str(exc), 80)})"
        raise SignatureError(msg) from None
    claims = Claims(format="sigstore-bundle", path=path.name, method=_method(bundle),
                    reason="digests compared; the signature itself was not cryptographically "
                    "verified (install aisec-nb[signing] and run model_signing verify)")
    try:
        if predicate_type == PREDICATE_V1:
            subjects = statement["subject"]
            claims.root = str(subjects[0]["digest"]["sha256"]).lower()
            for res in statement["predicate"]["resources"]:
                if res.get("algorithm", "sha256") != "sha256":
                    msg = f"resource digest algorithm {res.get('algorithm')!r} is not sha256"
                    raise SignatureError(msg)
                claims.digests[str(res["name"])] = str(res["digest"]).lower()
        elif predicate_type == PREDICATE_V02:
            for subject in statement["subject"]:
                claims.digests[str(subject["name"])] = str(subject["digest"]["sha256"]).lower()
        else:
            msg = f"unknown predicate type {truncate(str(predicate_type), 80)!r}"
            raise SignatureError(msg)
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        msg = f"payload is missing {truncate(str(exc), 60)}"
        raise SignatureError(msg) from None
    return claims


def find_claims(folder: Path) -> tuple[list[Claims], list[Finding]]:
    """Every ``model.sig`` / ``SHA256SUMS`` in ``folder``, and findings for unreadable ones."""
    claims: list[Claims] = []
    problems: list[Finding] = []
    sig = folder / SIGNATURE_NAME
    if sig.is_file():
        try:
            claims.append(read_model_sig(sig))
        except (SignatureError, OSError) as exc:
            problems.append(finding("AISEC-SIG-003", f"{SIGNATURE_NAME}: {exc}",
                                    member=SIGNATURE_NAME))
    for name in MANIFEST_NAMES:
        manifest = folder / name
        if manifest.is_file():
            try:
                if manifest.stat().st_size > MAX_SIGNATURE_BYTES:
                    raise SignatureError("too large")
                digests = parse_sums(manifest.read_text(encoding="utf-8"))
            except (SignatureError, OSError, UnicodeDecodeError) as exc:
                problems.append(finding("AISEC-SIG-003", f"{name}: {exc}", member=name))
                continue
            claims.append(Claims(format="sha256sums", path=name, digests=digests,
                                 reason="plain checksum list: integrity only, no signature"))
    return claims, problems


def compare(claims: Claims, ours: dict[str, str], *, whole_folder: bool) -> list[Finding]:
    """Findings where ``claims`` and our ``{name: sha256}`` disagree.

    ``whole_folder``: every file we hashed must be covered (a folder scan); otherwise only the
    files we hashed are looked up (a single-file scan next to a folder signature).
    """
    found: list[Finding] = []
    src = claims.path
    if claims.root is not None and root_digest(claims.digests.items()) != claims.root:
        found.append(finding("AISEC-SIG-003", f"{src}: the root digest does not "
                             "match its own file list (tampered manifest)", member=src,
                             severity="critical"))
    for name, digest in sorted(ours.items()):
        claimed = claims.digests.get(name)
        if claimed is None:
            # In a folder scan an uncovered file is unprotected content next to signed files;
            # a single file the signature does not list is simply unsigned.
            found.append(finding("AISEC-SIG-002", f"{src} does not cover this file",
                                 member=truncate(name, 200),
                                 severity="high" if whole_folder else "info"))
        elif claimed != digest:
            found.append(finding("AISEC-SIG-001", f"sha256 {digest[:16]}… differs "
                                 f"from {claimed[:16]}… in {src}", member=truncate(name, 200),
                                 evidence=f"expected {claimed}"))
    if whole_folder and claims.format == "sigstore-bundle":
        for name in sorted(set(claims.digests) - set(ours))[:100]:
            found.append(finding("AISEC-SIG-002", f"{src} lists a file that is missing",
                                 member=truncate(name, 200)))
    if claims.format == "sigstore-bundle" and not any(
            f.severity != "info" or f.code == "AISEC-SIG-002" for f in found):
        found.append(finding("AISEC-SIG-004", f"{src}: all digests match; signature "
                             f"({claims.method}) not cryptographically verified", member=src))
    return found
