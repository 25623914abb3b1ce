"""REST handlers: ``aisec/lint`` and ``aisec/rules``.

Every verb needs jupyter_server's authentication (``@web.authenticated``) and authorisation to
read contents (``@authorized``). A path is a contents path, relative to the server root; one
that leaves the root (``..``, an absolute path, a symbolic link pointing out) is refused with 403,
a hidden or missing one with 404, and request bodies, paths and notebooks are bounded. Errors are
JSON: ``{"message": "<path>: <what is wrong>", "reason": ..., "path": ...}``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

MAX_BODY_BYTES = 64 * 1024
"""A lint request is a path; anything larger is refused (413)."""
MAX_PATH_CHARS = 4096
MAX_NOTEBOOK_BYTES = 100 * 1024 * 1024
"""Notebooks larger than this are not linted by the server (413); ``aisec-nb lint`` can."""
AUTH_RESOURCE = "contents"

CHECK_AREAS = {"model": "scan", "guard": "scan", "data": "data"}
"""Which catalogue area's rules a recorded check of each kind applies (the side panel's
guideline coverage)."""
MONITOR_AREA = "drift"
DOCUMENTS = {
    "threat_model": ("Model the threats to your system", "threats"),
    "model_card": ("Document your data, models and prompts", "card"),
}
"""The subsection a threat model or a model card gives evidence for (DESIGN.md's guideline map),
and the catalogue area whose rules' subsections it adds (an area not catalogued adds none)."""


class PathRefused(web.HTTPError):
    """A request refused because of its path; the JSON error names the path."""

    def __init__(self, status: int, path: str, problem: str) -> None:
        super().__init__(status, log_message=f"{path}: {problem}")
        self.path = path


def resolve_contents_path(root: Path, api_path: Any, *, allow_hidden: bool = False) -> Path:
    """The notebook file a contents path names, inside ``root``; raises :class:`PathRefused`.

    >>> import tempfile; root = Path(tempfile.mkdtemp())
    >>> _ = (root / "a.ipynb").write_text("{}")
    >>> resolve_contents_path(root, "/a.ipynb") == root.resolve() / "a.ipynb"
    True
    >>> try:
    ...     resolve_contents_path(root, "../etc/passwd")
    ... except PathRefused as refused:
    ...     print(refused.status_code, refused.log_message)
    403 ../etc/passwd: leaves the server root
    """
    if not isinstance(api_path, str) or not api_path.strip("/"):
        raise PathRefused(400, str(api_path or ""), "a notebook path is required (path=...)")
    if len(api_path) > MAX_PATH_CHARS:
        raise PathRefused(400, api_path[:80] + "…", f"path longer than {MAX_PATH_CHARS} characters")
    if "\x00" in api_path:
        raise PathRefused(400, api_path.replace("\x00", "\\0"), "path contains a NUL character")
    parts = [p for p in api_path.strip("/").split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise PathRefused(403, api_path, "leaves the server root")
    if not allow_hidden and any(p.startswith(".") for p in parts):
        raise PathRefused(404, api_path, "hidden files are not served")
    real_root = root.resolve()
    candidate = real_root.joinpath(*parts)
    real = candidate.resolve()
    if real != real_root and real_root not in real.parents:
        raise PathRefused(403, api_path, "resolves outside the server root (a link out of it)")
    if not real.exists():
        raise PathRefused(404, api_path, "no such notebook")
    if real.is_dir():
        raise PathRefused(400, api_path, "is a folder, not a notebook")
    if real.suffix != ".ipynb":
        raise PathRefused(400, api_path, "is not a notebook (.ipynb)")
    size = real.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise PathRefused(413, api_path, f"{size} bytes is more than the server lints "
                                         f"({MAX_NOTEBOOK_BYTES}); run aisec-nb lint on it")
    return candidate


def lint_document(notebook: Path, label: str) -> dict[str, Any]:
    """What ``aisec-nb lint --format json`` prints for the notebook, named ``label`` (the
    contents path, as the command line run from the server root names it), plus ``path``."""
    from ..errors import NotebookError
    from ..lint.engine import lint_paths
    from ..lint.report import render_json
    from ..settings import load_settings

    report = lint_paths([notebook], settings=load_settings(notebook).lint)
    named = dataclasses.replace(
        report,
        findings=tuple(dataclasses.replace(f, notebook=label) for f in report.findings),
        suppressed=tuple(dataclasses.replace(f, notebook=label) for f in report.suppressed),
        errors=tuple(NotebookError(label, e.problem) for e in report.errors),
        notebooks=(label,),
    )
    document: dict[str, Any] = json.loads(render_json(named))
    return {"path": label, **document}


@lru_cache(maxsize=1)
def catalogue_document() -> dict[str, Any]:
    """The rule catalogue, the guidelines' subsections by section and the coverage sources."""
    from .._version import __version__
    from ..rules import guideline_subsections, rules

    sections: dict[str, list[str]] = {}
    for heading, section in guideline_subsections().items():
        sections.setdefault(section, []).append(heading)
    return {
        "version": __version__,
        "guidelines": [{"section": s, "subsections": h} for s, h in sections.items()],
        "rules": [
            {"code": r.code, "area": r.area, "kind": r.kind, "severity": r.severity,
             "title": r.title, "guideline": r.guideline, "section": r.section}
            for r in rules()
        ],
        "areas": {"checks": CHECK_AREAS, "monitors": MONITOR_AREA},
        "documents": {
            slot: sorted({heading} | {r.guideline for r in rules() if r.area == area})
            for slot, (heading, area) in DOCUMENTS.items()
        },
    }


HandlerMethod = TypeVar("HandlerMethod", bound=Callable[..., Awaitable[None]])


def _read_access(method: HandlerMethod) -> HandlerMethod:
    """jupyter_server's authentication, then authorisation to read contents."""
    checked: Any = authorized("read", resource=AUTH_RESOURCE)(method)
    return cast("HandlerMethod", web.authenticated(checked))


class _Handler(APIHandler):
    auth_resource = AUTH_RESOURCE

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, web.HTTPError):
            reply: dict[str, Any] = {"message": exc.log_message or exc.reason or str(status_code),
                                     "reason": exc.reason}
            if isinstance(exc, PathRefused):
                reply["path"] = exc.path
        else:
            reply = {"message": "internal error in the aisec_nb server extension", "reason": None}
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(reply))


class LintHandler(_Handler):
    """Lint one notebook by its contents path."""

    @_read_access
    async def get(self) -> None:
        await self._lint(self.get_query_argument("path", default=""))

    @_read_access
    async def post(self) -> None:
        body = self.request.body or b""
        if len(body) > MAX_BODY_BYTES:
            raise web.HTTPError(413, log_message=f"request body of {len(body)} bytes is more "
                                                 f"than {MAX_BODY_BYTES}")
        try:
            data = json.loads(body.decode("utf-8")) if body else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise web.HTTPError(400, log_message=f"request body is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise web.HTTPError(400, log_message='request body must be {"path": "<notebook>"}')
        await self._lint(data.get("path"))

    async def _lint(self, api_path: Any) -> None:
        manager = self.contents_manager
        root_dir = getattr(manager, "root_dir", None) or self.settings.get("server_root_dir", ".")
        root = Path(root_dir).expanduser()
        allow_hidden = bool(getattr(manager, "allow_hidden", False))
        notebook = resolve_contents_path(root, api_path, allow_hidden=allow_hidden)
        label = "/".join(p for p in str(api_path).strip("/").split("/") if p not in ("", "."))
        from ..errors import AisecError

        loop = asyncio.get_running_loop()
        try:
            document = await loop.run_in_executor(None, lint_document, notebook, label)
        except AisecError as exc:  # a bad [tool.aisec-nb] table, not the notebook
            raise web.HTTPError(422, log_message=f"{label}: {exc}") from None
        self.finish(json.dumps(document))


class RulesHandler(_Handler):
    """The rule catalogue."""

    @_read_access
    async def get(self) -> None:
        self.finish(json.dumps(catalogue_document()))


def setup_handlers(web_app: Any) -> None:
    """Add the handlers under the server's base URL."""
    base = web_app.settings.get("base_url", "/")
    web_app.add_handlers(".*$", [
        (url_path_join(base, "aisec", "lint"), LintHandler),
        (url_path_join(base, "aisec", "rules"), RulesHandler),
    ])
