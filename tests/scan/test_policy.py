"""The globals policy data file, its danger grading and user additions from pyproject.toml."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aisec_nb.scan.policy import Danger, load_policy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

POLICY = load_policy()
DATA = tomllib.loads(
    (Path(__file__).parents[2] / "aisec_nb" / "scan" / "policy.toml").read_text("utf-8")
)


def test_the_data_file_is_the_source_of_the_allowlist() -> None:
    listed = {f"{m}.{n}" for m, names in DATA["allow"].items() for n in names}
    assert listed == set(POLICY.allowed)
    assert POLICY.describe() == {"name": "default", "version": DATA["version"], "user_allow": []}
    assert load_policy() is POLICY  # read once


@pytest.mark.parametrize(
    "full",
    [
        "torch._utils._rebuild_tensor_v2",
        "torch.FloatStorage",
        "torch.bfloat16",
        "collections.OrderedDict",
        "numpy._core.multiarray._reconstruct",
        "numpy.dtype",
        "pandas.core.frame.DataFrame",
        "sklearn.pipeline.Pipeline",
        "scipy.sparse._csr.csr_matrix",
        "datetime.datetime",
        "decimal.Decimal",
        "uuid.UUID",
        "pathlib.PurePosixPath",
        "copyreg._reconstructor",
        "builtins.set",
    ],
)
def test_data_reconstructors_are_allowed(full: str) -> None:
    assert POLICY.classify(*full.rsplit(".", 1)) is None


@pytest.mark.parametrize(
    ("full", "danger"),
    [
        ("builtins.eval", Danger.CODE_EXECUTION),
        ("builtins.getattr", Danger.CODE_EXECUTION),
        ("os.system", Danger.PROCESS),
        ("posix.system", Danger.PROCESS),
        ("subprocess.Popen", Danger.PROCESS),
        ("asyncio.unix_events._UnixSubprocessTransport", Danger.PROCESS),
        ("uuid._get_command_stdout", Danger.PROCESS),
        ("importlib.import_module", Danger.IMPORT),
        ("pkgutil.resolve_name", Danger.IMPORT),
        ("shutil.rmtree", Danger.FILE_SYSTEM),
        ("pathlib.Path", Danger.FILE_SYSTEM),
        ("socket.create_connection", Danger.NETWORK),
        ("pandas.read_csv", Danger.NETWORK),
        ("mylib.layers.Custom", Danger.UNKNOWN),
        ("vendor.utils.system", Danger.PROCESS),  # a classic name in an unknown module
        ("numpy.__builtins__", Danger.CODE_EXECUTION),
        ("pip._internal.cli.main.main", Danger.CODE_EXECUTION),
        ("torch.utils.cpp_extension.load_inline", Danger.CODE_EXECUTION),
        ("torch.distributed.rpc.rpc_sync", Danger.NETWORK),
    ],
)
def test_everything_else_is_graded(full: str, danger: Danger) -> None:
    assert POLICY.classify(*full.rsplit(".", 1)) is danger


def test_no_allowed_name_is_also_named_dangerous() -> None:
    # Module-wide dangers (pathlib, builtins) may keep specific safe names; exact entries may not.
    for danger, rules in POLICY.dangers:
        assert not (rules.globals & POLICY.allowed), danger
        named = {a for a in POLICY.allowed if a.rsplit(".", 1)[1] in rules.names}
        assert not named, (danger, named)


def test_whole_modules_are_not_allowed() -> None:
    assert POLICY.classify("uuid", "_popen") is Danger.PROCESS
    assert POLICY.classify("torch", "load") is Danger.CODE_EXECUTION
    assert POLICY.classify("numpy", "load") is Danger.CODE_EXECUTION


def test_severity_follows_the_danger() -> None:
    assert [d.severity for d in Danger] == [
        "critical",
        "critical",
        "critical",
        "high",
        "high",
        "medium",
        "info",
    ]


def test_user_additions_are_allowed_by_exact_name() -> None:
    policy = load_policy(["mylib.layers.Custom", "mylib.layers.Other"])
    assert policy.classify("mylib.layers", "Custom") is None
    assert policy.describe()["user_allow"] == ["mylib.layers.Custom", "mylib.layers.Other"]
    assert POLICY.classify("mylib.layers", "Custom") is Danger.UNKNOWN
