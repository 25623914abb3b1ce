"""The exports, read back by the formats' own libraries: huggingface_hub parses the README,
cyclonedx-python-lib's strict validator checks the ML-BOM for 1.5, 1.6 and 1.7, spdx-python-model
deserialises the SPDX document; the HTML escapes everything and runs nothing."""

from __future__ import annotations

import copy
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from aisec_nb.cards import ModelCard, build_card, export_card
from aisec_nb.cards.cyclonedx import build_bom
from aisec_nb.cards.hf import aisec_block
from aisec_nb.cards.licenses import HF_TO_SPDX, hf_id, spdx_id
from aisec_nb.cards.spdx import SPDX_NEEDS
from aisec_nb.cards.yamlout import dump
from aisec_nb.errors import UsageError
from tests.cards.support import HOSTILE, METRICS, filled


@pytest.fixture
def card(tmp_path: Path) -> ModelCard:
    return filled(tmp_path, extra={"guardrails": [{"name": HOSTILE, "type": "filter"}],
                                   "references": ["https://example.org/paper"],
                                   "hyperparameters": [{"name": "C", "value": 0.5}],
                                   "prompts": [{"name": "system prompt", "role": "system",
                                                "sha256": "ab" * 32, "version": "3"}]})[0]


# --- Hugging Face README ------------------------------------------------------------------------


def test_hf_readme_loads_with_default_strictness(card: ModelCard, tmp_path: Path) -> None:
    from huggingface_hub import ModelCard as HFCard

    readme = tmp_path / "README.md"
    readme.write_text(export_card(card, "hf"), encoding="utf-8")
    loaded = HFCard.load(readme)  # a Path: never a Hub repo id, never the network
    assert len(loaded.data.eval_results) == len(METRICS)
    assert [(e.metric_type, e.metric_value) for e in loaded.data.eval_results] == [
        ("accuracy", 0.93), ("f1", 0.88), ("auc", 0.951)]
    assert {e.dataset_name for e in loaded.data.eval_results} == {"holdout"}
    assert loaded.data["aisec"] == json.loads(json.dumps(aisec_block(card)))
    assert loaded.data.license == "apache-2.0" and loaded.data.language == ["no", "en"]
    assert loaded.data.tags == ["churn", "on"] and loaded.data.pipeline_tag == \
        "tabular-classification"
    top = list(yaml.safe_load(readme.read_text().split("---\n")[1]))
    assert top == ["license", "library_name", "tags", "pipeline_tag", "metrics", "language",
                   "model-index", "aisec"]
    text = readme.read_text()
    assert "[More Information Needed]" not in text and "Model Card for Model ID" not in text
    assert "## Security" in text and "## Bias, Risks, and Limitations" in text
    # The body is Markdown (which renders HTML): user text in it is escaped; the front matter is
    # data, and round-trips as it was typed.
    body = text.split("\n---\n", 1)[1]
    assert HOSTILE not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "https://example.org/paper" in body


def test_hf_export_is_byte_identical_and_keeps_ambiguous_scalars(card: ModelCard) -> None:
    first, second = export_card(card, "hf"), export_card(card, "hf")
    assert first == second
    meta = yaml.safe_load(first.split("---\n")[1])
    assert meta["aisec"]["fields"]["version"]["value"] == "1.10"
    assert meta["aisec"]["fields"]["last_reviewed"]["value"] == "2026-02-01"
    assert meta["aisec"]["fields"]["intended_uses"]["value"][1] == "no"


def test_placeholders_are_never_exported(tmp_path: Path) -> None:
    card = build_card(user={"name": "m", "summary": "[More Information Needed]",
                            "limitations": ["Model Card for Model ID"]})
    readme = export_card(card, "hf")
    body = readme.split("\n---\n", 1)[1]
    assert "More Information Needed" not in body and "Model Card for Model ID" not in body
    assert "summary" in card.problems


@pytest.mark.parametrize("value", ["no", "Yes", "ON", "null", "~", "1.10", "2024-01-01", "12:30",
                                   "a: b", "#x", "- x", "'q'", '"dq"', "x\ny", "tab\there",
                                   "\u2028sep", "\x85nel", "\ufeffbom", "", " lead", "trail ",
                                   "0x1F", "1e5", ".inf", "emoji 🙂", "back\\slash", "end."])
def test_every_string_reads_back_as_itself(value: str) -> None:
    text = dump({"k": value, "list": [value], "nested": {value or "e": [{"v": value}]}})
    assert yaml.safe_load(text) == {"k": value, "list": [value],
                                    "nested": {value or "e": [{"v": value}]}}


@pytest.mark.parametrize("value", [0, -3, 2**70, 0.1, 1e-05, 1e20, -0.0, True, False, None,
                                   float("inf"), [], {}])
def test_numbers_and_empties_read_back(value: Any) -> None:
    assert yaml.safe_load(dump({"k": value})) == {"k": value}


def test_licence_ids_map_both_ways() -> None:
    assert spdx_id("MIT") == "MIT" and spdx_id("cc-by-nc-sa-4.0") == "CC-BY-NC-SA-4.0"
    assert hf_id("ODbL-1.0") == "odbl" and hf_id("llama3") == "llama3"
    for hf, spdx in HF_TO_SPDX.items():
        assert hf_id(spdx) == hf and spdx_id(hf) == spdx


def test_every_mapped_spdx_id_is_one_cyclonedx_knows() -> None:
    import cyclonedx

    schema = Path(cyclonedx.__file__).parent / "schema" / "_res" / "spdx.SNAPSHOT.schema.json"
    known = set(json.loads(schema.read_text())["enum"])
    assert set(HF_TO_SPDX.values()) <= known


# --- CycloneDX --------------------------------------------------------------------------------


def _errors(text: str, spec: str) -> list[tuple[str, str]]:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    version = {"1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6,
               "1.7": SchemaVersion.V1_7}[spec]
    found = JsonStrictValidator(version).validate_str(text, all_errors=True) or []
    return [(e.data.json_path, e.data.message) for e in found]


@pytest.mark.parametrize("spec", ["1.5", "1.6", "1.7"])
def test_cyclonedx_passes_the_strict_validator(card: ModelCard, spec: str) -> None:
    text = export_card(card, "cyclonedx", spec=spec)
    assert _errors(text, spec) == []
    bom = json.loads(text)
    assert bom["specVersion"] == spec
    model = bom["metadata"]["component"]
    assert model["type"] == "machine-learning-model"
    assert model["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert model["hashes"][0]["alg"] == "SHA-256"
    data = [c for c in bom["components"] if c["type"] == "data"
            and c["data"][0]["type"] == "dataset"]
    assert sorted(c["name"] for c in data) == ["holdout", "train"]
    refs = [d["ref"] for d in model["modelCard"]["modelParameters"]["datasets"]]
    assert sorted(refs) == sorted(c["bom-ref"] for c in data)
    props = {p["name"] for p in model["modelCard"]["properties"]}
    assert {"aisec:retention_time", "aisec:review_frequency", "aisec:failure_mode",
            "aisec:out_of_scope_use", "aisec:guardrail"} <= props
    roles = {c["name"]: [p["value"] for p in c["properties"] if p["name"] == "aisec:data_role"]
             for c in data}
    assert roles == {"train": ["training"], "holdout": ["evaluation"]}
    assert ("authors" in model) == (spec != "1.5")
    [prompt] = [c for c in bom["components"] if c["type"] == "data"
                and c["data"][0]["type"] == "configuration"]
    assert prompt["name"] == "system prompt" and prompt["version"] == "3"
    assert prompt["hashes"] == [{"alg": "SHA-256", "content": "ab" * 32}]
    assert {"name": "aisec:prompt_role", "value": "system"} in prompt["properties"]


def test_cyclonedx_is_deterministic_and_the_serial_follows_the_card(card: ModelCard) -> None:
    assert export_card(card, "cyclonedx") == export_card(card, "cyclonedx")
    other = card.model_copy(update={"name": "another"})
    assert build_bom(other)["serialNumber"] != build_bom(card)["serialNumber"]
    with pytest.raises(UsageError):
        export_card(card, "cyclonedx", spec="1.4")


SEEDED = [
    ("an unknown modelCard key", lambda b: b["metadata"]["component"]["modelCard"].update(
        nonsense=1), "$.metadata.component.modelCard"),
    ("a lowercase licence id", lambda b: b["metadata"]["component"].update(
        licenses=[{"license": {"id": "apache-2.0"}}]), "$.metadata.component.licenses"),
    ("a sha256 of the wrong length", lambda b: b["metadata"]["component"]["hashes"][0].update(
        content="ab" * 31), "$.metadata.component.hashes[0].content"),
    ("approach llm", lambda b: b["metadata"]["component"]["modelCard"]["modelParameters"]
     .update(approach={"type": "llm"}),
     "$.metadata.component.modelCard.modelParameters.approach.type"),
]


@pytest.mark.parametrize(("what", "seed", "path"), SEEDED, ids=[s[0] for s in SEEDED])
@pytest.mark.parametrize("spec", ["1.5", "1.6", "1.7"])
def test_seeded_bad_boms_fail_with_the_json_path_named(card: ModelCard, what: str, seed: Any,
                                                       path: str, spec: str) -> None:
    bom = copy.deepcopy(build_bom(card, spec))
    seed(bom)
    errors = _errors(json.dumps(bom), spec)
    assert errors, what
    assert any(p == path or p.startswith(path + "[") for p, _ in errors), errors


# --- SPDX ------------------------------------------------------------------------------------


def test_spdx_loads_with_the_spdx_bindings(card: ModelCard) -> None:
    import io

    from spdx_python_model import v3_0_1 as spdx

    data = json.loads(export_card(card, "spdx"))
    objects = spdx.SHACLObjectSet()
    spdx.JSONLDDeserializer().deserialize_data(data, objects)
    packages = list(objects.foreach_type(spdx.ai_AIPackage))
    datasets = list(objects.foreach_type(spdx.dataset_DatasetPackage))
    assert len(packages) == 1 and len(datasets) == 2
    model = packages[0]
    # The properties the SPDX AI profile requires (research §4.4), present and typed.
    assert model.suppliedBy is not None and model.releaseTime is not None
    assert model.software_downloadLocation == "https://models.example.org/churn/1.10"
    assert model.software_packageVersion == "1.10"
    assert model.software_primaryPurpose == spdx.software_SoftwarePurpose.model
    assert [h.hashValue for h in model.verifiedUsing] == [card.value("artifacts")[0]["sha256"]]
    relations = {r.relationshipType for r in objects.foreach_type(spdx.Relationship)}
    assert {spdx.RelationshipType.hasDeclaredLicense, spdx.RelationshipType.hasConcludedLicense,
            spdx.RelationshipType.trainedOn, spdx.RelationshipType.testedOn} <= relations
    for dataset in datasets:
        assert dataset.builtTime is not None and dataset.releaseTime is not None
        assert dataset.originatedBy and dataset.software_downloadLocation
    # Writing it back enforces the bindings' required properties too.
    out = io.BytesIO()
    spdx.JSONLDSerializer().write(objects, out)
    assert export_card(card, "spdx") == export_card(card, "spdx")


def test_spdx_names_the_fields_it_needs() -> None:
    card = build_card(user={"name": "m", "license": "mit"})
    with pytest.raises(UsageError) as caught:
        export_card(card, "spdx")
    for key in ("version", "owners", "download_location", "release_time"):
        assert key in str(caught.value)
    assert set(SPDX_NEEDS) >= {"download_location", "release_time", "owners"}


# --- HTML ------------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]


def test_html_escapes_every_user_string_and_has_no_script(card: ModelCard) -> None:
    hostile = build_card(user={"name": HOSTILE, "summary": f"<script>alert(1)</script>{HOSTILE}",
                               "owners": [{"name": HOSTILE}], "limitations": [HOSTILE]})
    for page in (export_card(hostile, "html"), export_card(card, "html")):
        parser = _Tags()
        parser.feed(page)
        assert "script" not in parser.tags and "img" not in parser.tags
        assert not [a for a in parser.attrs if a.startswith("on")]
        assert "<script" not in page.lower()
    page = export_card(hostile, "html")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Missing required fields" in page
    assert export_card(card, "html") == export_card(card, "html")
