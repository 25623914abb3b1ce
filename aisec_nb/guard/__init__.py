"""Guarded loading: scan a model file first, load it only when the scan passes.

:func:`safe_load` is the explicit form; :func:`switch_on` patches the usual loaders in this
process (``pickle.load``/``loads``, ``torch.load``, ``joblib.load``, ``numpy.load`` with
``allow_pickle=True``, ``pandas.read_pickle``, ``keras.models.load_model``) so they scan first
and raise :class:`~aisec_nb.errors.GuardRefusal` unless the verdict is ``pass``. Loaders of modules
imported later are patched when they are imported. Example::

    >>> import pathlib, pickle, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.pkl"
    >>> _ = p.write_bytes(pickle.dumps({"coef": [1.0]}))
    >>> safe_load(p)
    {'coef': [1.0]}

Loading anyway is possible and always recorded: ``safe_load(path, accept_risk="why")``, or
:func:`trust` for a file's exact content. Listeners added with :func:`add_listener` receive a
:class:`GuardEvent` for every refusal and override; the notebook extension adds one while it is
loaded, so they land in the notebook's record. Nothing here imports a front end.

The modules: :mod:`.state` (settings, trusted content, listeners), :mod:`.check` (the scans),
:mod:`.decide` (load or refuse), :mod:`.load` (:func:`safe_load`), :mod:`.patch` (the
patched loaders) and :mod:`.audit` (the second line).

An unpickling that goes around the patched loaders (``pickle.Unpickler(f).load()``, a name bound
before the guard was switched on such as ``from torch import load``, a library unpickling by
itself) is still seen: while the guard is on, the interpreter's audit hook judges every global
such an unpickling resolves (the ``pickle.find_class`` event of the C and the Python unpickler)
and refuses one the policy does not allow before it is imported (:mod:`.audit`). Such a load is
judged global by global, not scanned as a whole file first.
"""

from __future__ import annotations

from .check import check_path, check_pickle_bytes, check_pickle_stream
from .decide import decide, refusal_message, trust
from .load import safe_load
from .patch import is_on, patched, switch_off, switch_on
from .state import (
    REFUSED_VERDICTS,
    WARN_OPT_OUT,
    GuardEvent,
    add_listener,
    allow_warn,
    forget_trusted,
    remove_listener,
    warn_allowed,
)

__all__ = [
    "REFUSED_VERDICTS",
    "WARN_OPT_OUT",
    "GuardEvent",
    "add_listener",
    "allow_warn",
    "check_path",
    "check_pickle_bytes",
    "check_pickle_stream",
    "decide",
    "forget_trusted",
    "is_on",
    "patched",
    "refusal_message",
    "remove_listener",
    "safe_load",
    "switch_off",
    "switch_on",
    "trust",
    "warn_allowed",
]
