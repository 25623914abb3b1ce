"""Keras config rules at any depth."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.formats.keras import keras_config_findings, scan_keras_config
from aisec_nb.scan.limits import FormatScan
from tests.scan.corpus_formats import marshalled_lambda
from tests.scan.helpers import assert_scanned, context, source


def config(data: bytes) -> FormatScan:
    return assert_scanned(scan_keras_config(source(data), context()))


def _codes(config: object) -> list[str]:
    return sorted(f.code for f in keras_config_findings(config))


def test_plain_keras_config_is_clean() -> None:
    cfg = {"module": "keras", "class_name": "Sequential", "config": {"layers": [
        {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2},
         "registered_name": None}]}}
    assert _codes(cfg) == []


def test_lambda_nested_deep_inside_a_submodel() -> None:
    inner = {"class_name": "Lambda", "module": "keras.layers", "config": {}}
    cfg: dict[str, object] = {"class_name": "Functional", "config": {"layers": [inner]}}
    for _ in range(30):
        cfg = {"class_name": "Functional", "module": "keras", "config": {"layers": [cfg]}}
    (finding,) = keras_config_findings(cfg)
    assert finding.code == "AISEC-KER-001"
    assert finding.location is not None and finding.location.path.count("layers[0]") == 31


def test_marshalled_code_anywhere_is_critical() -> None:
    cfg = {"deep": [{"x": marshalled_lambda()}]}
    (finding,) = keras_config_findings(cfg)
    assert (finding.code, finding.severity) == ("AISEC-KER-002", "critical")


def test_module_outside_keras_and_custom_objects() -> None:
    cfg = {"module": "keras.layers", "class_name": "Dense", "config": {
        "kernel_initializer": {"module": "keras_hub.layers", "class_name": "X"},
        "activation": {"module": "os", "class_name": "function", "config": "system"},
        "bias": {"module": "keras_evil", "class_name": "Y"}},
        "registered_name": "MyPkg>Custom"}
    assert _codes(cfg) == ["AISEC-KER-003", "AISEC-KER-003", "AISEC-KER-005"]


def test_invalid_and_deep_json_is_an_error_not_a_crash() -> None:
    assert [f.code for f in config(b"{nope").findings] == ["AISEC-KER-004"]
    deep = config(("[" * 200_000 + "]" * 200_000).encode())
    assert not deep.complete and [f.code for f in deep.findings] == ["AISEC-KER-004"]
    assert config(json.dumps({"a": 1}).encode()).complete


def test_project_allowlist_turns_a_custom_module_into_info() -> None:
    from aisec_nb.scan.policy import load_policy

    cfg = {"module": "mylib.layers", "class_name": "Custom", "config": {}}
    (default,) = keras_config_findings(cfg, policy=load_policy())
    (allowed,) = keras_config_findings(cfg, policy=load_policy(["mylib.layers.Custom"]))
    assert (default.code, default.severity) == ("AISEC-KER-003", "high")
    assert (allowed.code, allowed.severity) == ("AISEC-KER-003", "info")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["module", "class_name", "config", "registered_name",
                                       "function", "function_type", "__lambda__", "x"]),
                      children, max_size=5),
    max_leaves=30,
)


@given(json_values)
def test_any_json_tree_gives_findings_never_exceptions(tree: object) -> None:
    for f in keras_config_findings(tree):
        assert f.code.startswith(("AISEC-KER-", "AISEC-SCAN-"))
    config(json.dumps(tree).encode())


def test_keras2_savedmodel_metadata_is_checked() -> None:
    from aisec_nb.scan.dispatch import scan_stream
    from tests.scan.corpus_formats import pb_int, pb_len

    def obj(path: str, config: dict[str, object]) -> bytes:
        return pb_len(1, pb_int(1, 1) + pb_len(2, path.encode())
                      + pb_len(3, b"_tf_keras_layer") + pb_len(4, json.dumps(config).encode()))

    lam = {"class_name": "Lambda", "config": {"function": [marshalled_lambda(), None, None],
                                              "function_type": "lambda"}}
    blob = obj("root.layer-0", {"class_name": "Dense", "config": {}}) + obj("root.layer-1", lam)
    result = assert_scanned(scan_stream(source(blob), context()))
    assert result.format == "keras-metadata"
    assert {f.code for f in result.findings} == {"AISEC-KER-001", "AISEC-KER-002"}
    assert all(f.location and f.location.path.startswith("root.layer-1")
               for f in result.findings)
    # A protobuf that is not Keras metadata stays plain data.
    other = assert_scanned(scan_stream(source(pb_len(1, pb_len(3, b"something"))), context()))
    assert other.format == "protobuf-data"
