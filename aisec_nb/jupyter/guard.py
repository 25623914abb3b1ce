"""``%aisec guard on|off|status|allow``: scan files before this kernel's loaders unpickle them.

While the guard is on, ``pickle.load(s)``, ``torch.load``, ``joblib.load``,
``numpy.load(allow_pickle=True)``, ``pandas.read_pickle`` and ``keras.models.load_model`` scan
their input first and raise :class:`~aisec_nb.errors.GuardRefusal` unless the scan passes.
Every refusal and every override (``%aisec guard allow PATH --reason ...`` or
``safe_load(..., accept_risk=...)``) is displayed and recorded in the notebook as a
``guard:<file>`` check while the extension is loaded (:func:`attach` and :func:`detach` are
called by ``%load_ext`` and ``%unload_ext``). Example cell::

    %aisec guard on
    model = torch.load("downloaded.pt")   # refused if the file can run code
"""

from __future__ import annotations

import argparse
from typing import Any

from .. import guard as core

HELP = (
    "guard pickle/torch/joblib/numpy/keras loaders in this kernel: scan first, refuse unless clean"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=["on", "off", "status", "allow"],
        help="switch the guard on or off, show it, or allow one file's content",
    )
    parser.add_argument("path", nargs="?", help="with 'allow': the file to load despite its scan")
    parser.add_argument("--reason", default="", help="with 'allow': why (recorded)")
    parser.add_argument(
        "--allow-warn",
        action="store_true",
        help="with 'on': load files whose only findings are globals off the allowlist "
        "(each such load is recorded as an override)",
    )


def record_event(event: core.GuardEvent) -> None:
    """Show a refusal or override and record it as a ``guard:<file>`` check."""
    from ..transport import check_fragment, plain_summary
    from .html import check_result_html
    from .session import publish

    result = event.result
    parameters = dict(result.parameters)
    parameters.update(action=event.action, loader=event.loader)
    if event.reason is not None:
        parameters["reason"] = event.reason
    recorded = result.model_copy(
        update={"id": f"guard:{event.label}", "kind": "guard", "parameters": parameters}
    )
    if event.action == "override":
        headline = (
            f"aisec guard: {event.label} allowed despite verdict {result.verdict!r} "
            f"(reason: {event.reason})"
        )
    else:
        headline = f"aisec guard: refused to load {event.label} (verdict {result.verdict!r})"
    from ..transport import escape

    publish(
        check_fragment(recorded),
        html_text=check_result_html(recorded, f"<p><b>{escape(headline)}</b></p>"),
        plain_text=f"{headline}\n{plain_summary(recorded)}",
    )


def notebook_hint(label: str) -> str:
    """How a refused load goes on, in the notebook's words."""
    return (f"Inspect it with `%aisec check model {label}`; to load it anyway (recorded in the "
            f"notebook) use `%aisec guard allow {label} --reason ...` or "
            "safe_load(..., accept_risk='...').")


def attach() -> None:
    """Show and record the guard's refusals and overrides in this kernel (``%load_ext``)."""
    core.add_listener(record_event)
    core.state.set_hint(notebook_hint)


def detach() -> None:
    """Stop showing them and restore the loaders (``%unload_ext``)."""
    core.remove_listener(record_event)
    core.state.set_hint(None)
    core.switch_off()


def _status() -> str:
    if not core.is_on():
        return "aisec guard: off"
    names = ", ".join(core.patched()) or "none yet"
    refused = "fail/error" if core.warn_allowed() else "warn/fail/error"
    return (
        f"aisec guard: on; refuses {refused}; guarded now: {names} "
        "(torch/joblib/keras are guarded when imported)"
    )


def run(args: argparse.Namespace, shell: Any) -> None:
    from ..errors import UsageError

    if args.action != "allow" and args.path is not None:
        raise UsageError(f"%aisec guard {args.action} takes no path")
    if args.allow_warn and args.action != "on":
        raise UsageError("--allow-warn goes with %aisec guard on")
    if args.action == "on":
        attach()  # already done by %load_ext; switching the guard on must record its refusals
        from ..scan import load_policy
        from ..settings import load_settings

        core.allow_warn(args.allow_warn)
        core.switch_on(load_policy(load_settings().scan.allow))
    elif args.action == "off":
        core.switch_off()
    elif args.action == "allow":
        if args.path is None:
            raise UsageError("%aisec guard allow needs the PATH of the file to allow")
        if not args.reason.strip():
            raise UsageError("%aisec guard allow: --reason is required and is recorded")
        result = core.trust(args.path, args.reason)
        print(
            f"aisec guard: {args.path} (sha256 {result.target.sha256}) may be loaded; "
            "this override is recorded"
        )
        return
    print(_status())
