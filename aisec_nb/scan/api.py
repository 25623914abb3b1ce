"""The scanner's public entry points: a file or a folder in, a :class:`CheckResult` out, and a
pickle scanned from a stream.

Verdicts fail closed (:func:`~aisec_nb.scan.verdict.verdict_of`): ``fail`` when a high or
critical finding says the model can run code or lies about its structure; ``error`` when
anything could not be checked; ``warn`` for lesser findings; ``pass`` only for a fully parsed
file with nothing above ``info``.

Example::

    >>> import pathlib, pickle, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.pkl"
    >>> _ = p.write_bytes(pickle.dumps({"coef": [1.0, 2.0]}, protocol=4))
    >>> scan_path(p).target.kind
    'file'
    >>> from aisec_nb.scan.policy import load_policy
    >>> scan_pickle_bytes(b"cos\\nsystem\\n(S'x'\\ntR.", policy=load_policy()).findings[0].code
    'AISEC-PKL-002'
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..errors import UnreadableInputError, UsageError
from ..record import Finding, ModelCheck, Target, Timing, make_check
from .ahead import HashAhead
from .context import ScanContext, finding, truncate
from .directory import scan_directory
from .dispatch import scan_stream
from .file import FileOutcome, scan_file
from .hashing import Progress
from .limits import DEFAULT_LIMITS, FormatScan, Limits
from .pickle.vm import scan_pickle
from .policy import Policy, load_policy
from .signing import compare, find_claims
from .source import ByteSource
from .verdict import verdict_of


def _check_hex(expect: str | None) -> str | None:
    if expect is None:
        return None
    value = expect.strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        msg = f"expect_sha256: {truncate(expect, 80)!r} is not 64 hexadecimal digits"
        raise UsageError(msg)
    return value


def scan_path(
    path: str | Path,
    *,
    expect_sha256: str | None = None,
    policy: Policy | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    ahead: HashAhead | None = None,
) -> ModelCheck:
    """Scan a model file or folder. The result's ``id`` is ``model:<path as given>``.

    ``expect_sha256`` is compared with the file's digest (a folder's model-signing root
    digest); a ``model.sig`` or ``SHA256SUMS`` next to the model is compared too. A mismatch
    fails the scan. ``policy`` defaults to the shipped one (a face adds the project's allowlist:
    ``load_policy(settings.scan.allow)``). ``ahead`` is a thread already hashing the file
    (:mod:`~aisec_nb.scan.ahead`; ``aisec_nb.scan.scan_path`` starts one for a big file before
    it imports the scanner). Raises :class:`UnreadableInputError` for a path that cannot be
    read.
    """
    given = str(path)
    p = Path(path)
    expected = _check_hex(expect_sha256)
    timing = Timing.start()
    if not p.exists() and not p.is_symlink():
        raise UnreadableInputError(given, "no such file")
    used = policy or load_policy()
    ctx = ScanContext(policy=used, limits=limits, folder=p.parent, file=p)
    if p.is_dir():
        target, findings, complete, summary = scan_directory(p, given, ctx, progress)
    else:
        target, findings, complete, summary = _scan_one(p, given, ctx, progress, ahead)
    if expected is not None:
        summary["expected_sha256"] = expected
        if target.sha256 != expected:
            findings.append(finding("AISEC-HASH-001", f"sha256 {target.sha256} is "
                                    f"not the expected {expected}"))
    summary["complete"] = complete
    return make_check(
        ModelCheck,
        id=f"model:{given}",
        target=target,
        verdict=verdict_of(findings, complete),
        findings=findings,
        timing=timing,
        parameters={"policy": used.describe(), "limits": asdict(limits)},
        summary=summary,
    )


def _scan_one(p: Path, given: str, ctx: ScanContext, progress: Progress | None,
              ahead: HashAhead | None = None
              ) -> tuple[Target, list[Finding], bool, dict[str, Any]]:
    if not p.is_file():
        # A FIFO blocks and a device such as /dev/zero never ends: refuse, do not hang.
        raise UnreadableInputError(given, "is not a regular file (FIFO, socket or device)")
    try:
        outcome = scan_file(p, ctx, progress, None if progress is not None else ahead)
    except IsADirectoryError:
        raise UnreadableInputError(given, "is a folder") from None
    except OSError as exc:
        raise UnreadableInputError(given, f"cannot be read: {exc.strerror or exc}") from None
    findings = list(outcome.scan.findings)
    summary: dict[str, Any] = {
        "format": outcome.scan.format,
        "details": outcome.scan.details,
        "bytes_parsed": outcome.bytes_parsed,
    }
    if p.name != "model.sig":
        claims, problems = find_claims(p.parent)
        findings.extend(problems)
        for claim in claims:
            findings.extend(compare(claim, {p.name: outcome.sha256}, whole_folder=False))
        if claims:
            summary["signatures"] = [c.describe() for c in claims]
    target = Target(kind="file", path=given, size=outcome.size, sha256=outcome.sha256)
    return target, findings, outcome.scan.complete, summary


def scan_model_file(path: str | Path, **options: Any) -> ModelCheck:
    """Scan one model file; see :func:`scan_path`."""
    return scan_path(path, **options)


def scan_pickle_stream(
    stream: ByteSource,
    *,
    policy: Policy,
    limits: Limits = DEFAULT_LIMITS,
    member: str | None = None,
    single: bool = False,
    depth: int = 0,
) -> FormatScan:
    """Scan the pickle(s) at the stream's position (what ``pickle.load`` reads).

    ``single=True`` stops right after the first ``STOP`` and never reads past it; otherwise
    stacked pickles are read to the end of the stream. Payloads nested in the pickle that are not
    pickles themselves are scanned by their format.
    """
    ctx = ScanContext(policy, limits, depth, rescan=scan_stream)
    return scan_pickle(stream, ctx, member, single=single)


def scan_pickle_bytes(data: bytes, *, policy: Policy, limits: Limits = DEFAULT_LIMITS,
                      member: str | None = None, single: bool = False,
                      depth: int = 0) -> FormatScan:
    """:func:`scan_pickle_stream` over bytes in memory."""
    return scan_pickle_stream(io.BytesIO(data), policy=policy, limits=limits, member=member,
                              single=single, depth=depth)


def scan_pickle_at(
    stream: Any,
    label: str,
    *,
    policy: Policy | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ModelCheck:
    """The check of the one pickle at ``stream``'s position (what ``pickle.load`` reads next),
    hashed; ``stream`` must be seekable and is left where it was.

    >>> import io, pickle
    >>> fh = io.BytesIO(pickle.dumps([1, 2]) + b"rest")
    >>> r = scan_pickle_at(fh, "<stream>")
    >>> r.verdict, r.target.size, fh.tell()
    ('pass', 20, 0)
    """
    timing = Timing.start()
    used = policy or load_policy()
    start = stream.tell()
    scan = scan_pickle_stream(stream, policy=used, limits=limits, single=True)
    size = stream.tell() - start
    stream.seek(start)
    digest = hashlib.sha256()
    left = size
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            break
        digest.update(chunk)
        left -= len(chunk)
    stream.seek(start)  # the loader reads the same bytes next
    return make_check(
        ModelCheck,
        id=f"model:{label}",
        target=Target(kind="stream", name=label, size=size, sha256=digest.hexdigest()),
        verdict=verdict_of(scan.findings, scan.complete),
        findings=scan.findings,
        timing=timing,
        parameters={"policy": used.describe()},
        summary={"format": scan.format, "details": scan.details, "complete": scan.complete},
    )


__all__ = ["FileOutcome", "scan_file", "scan_model_file", "scan_path", "scan_pickle_at",
           "scan_pickle_bytes", "scan_pickle_stream", "verdict_of"]
