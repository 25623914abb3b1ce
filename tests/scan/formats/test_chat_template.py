"""Chat templates are code: one checker for every place a template lives (GGUF metadata,
``tokenizer_config.json`` as a string or a list, ``chat_template.json``, ``chat_template.jinja``),
parsing with Jinja's own parser and never rendering. Benign templates in the style of popular open
models pass; the published payload patterns fail; hostile templates are never rendered."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from aisec_nb.scan import scan_path
from aisec_nb.scan.formats import chat_template
from aisec_nb.scan.formats.chat_template import check_template, find_escapes, templates_in_json
from tests.scan.corpus_templates import BENIGN, hostile
from tests.scan.helpers import assert_scanned

MARKER = "TEMPLATE_RAN"
HOSTILE = hostile(Path("/nonexistent") / MARKER)
TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Get the weather in a city",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "The city"},
        "days": {"type": ["integer", "null"], "description": "How many days"}},
        "required": ["city"]}}}]
CONVERSATION = [
    {"role": "user", "content": "Hello"},
    {"role": "assistant", "content": "Hi! How can I help?"},
    {"role": "user", "content": "What is 2 + 2?"},
]


def test_the_benign_set_is_large_enough() -> None:
    assert len(BENIGN) >= 20
    assert len(HOSTILE) >= 20


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_benign_templates_are_real_and_pass(name: str) -> None:
    text = BENIGN[name]
    assert find_escapes(text) == []
    assert check_template(text, code="AISEC-TPL-001", where="chat_template") == []
    # They render, so they are templates as runtimes use them (our own benign text only), in
    # a sandbox with transformers' options and extensions.
    env = chat_template._jinja()[1].overlay(trim_blocks=True, lstrip_blocks=True)

    def raise_exception(message: str) -> None:
        raise AssertionError(message)

    env.globals.update(raise_exception=raise_exception,
                       strftime_now=lambda fmt: datetime(2026, 1, 2).strftime(fmt))
    out = env.from_string(text).render(messages=CONVERSATION, add_generation_prompt=True,
                                       bos_token="<s>", eos_token="</s>", tools=TOOLS,
                                       documents=[{"title": "a", "text": "b"}])
    assert "What is 2 + 2?" in out


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_templates_are_template_injection(name: str) -> None:
    found = check_template(HOSTILE[name], code="AISEC-TPL-001", where="chat_template")
    assert [f.code for f in found] == ["AISEC-TPL-001"], [(f.code, f.message) for f in found]
    assert found[0].severity == "critical"
    assert not (Path("/nonexistent") / MARKER).exists()


def test_what_the_checker_names() -> None:
    whats = [e.what for e in find_escapes(HOSTILE["subscript-dict-keys"])]
    assert "['__class__']" in whats
    assert [e.what for e in find_escapes("{{ ns.found }}{{ messages[loop.index0 + 1] }}"
                                         "{% for k in tool %}{{ tool[k] }}{% endfor %}")] == []
    # a {% set %} variable named like a web global is the template's own
    assert find_escapes("{% set config = {'a': 1} %}{{ config['a'] }}") == []


def _gguf(path: Path, templates: dict[str, str]) -> Path:
    import gguf

    writer = gguf.GGUFWriter(str(path), "llama")
    for key, text in templates.items():
        writer.add_string(key, text)
    writer.add_tensor("t", np.ones((32,), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.mark.parametrize("layout", ["tokenizer_config-string", "tokenizer_config-list",
                                    "chat_template.json", "chat_template.jinja", "gguf",
                                    "gguf-named"])
def test_every_place_a_template_lives(tmp_path: Path, layout: str) -> None:
    good, bad = BENIGN["qwen-2.5-tools"], HOSTILE["cycler-globals"]
    codes = {}
    for label, text in (("good", good), ("bad", bad)):
        folder = tmp_path / label
        folder.mkdir()
        if layout == "tokenizer_config-string":
            path = folder / "tokenizer_config.json"
            path.write_text(json.dumps({"model_max_length": 4096, "chat_template": text}))
        elif layout == "tokenizer_config-list":
            path = folder / "tokenizer_config.json"
            path.write_text(json.dumps({"chat_template": [
                {"name": "default", "template": BENIGN["chatml"]},
                {"name": "tool_use", "template": text}]}))
        elif layout == "chat_template.json":
            path = folder / "chat_template.json"
            path.write_text(json.dumps({"chat_template": text}, indent=2))
        elif layout == "chat_template.jinja":
            path = folder / "chat_template.jinja"
            path.write_text(text)
        elif layout == "gguf":
            path = _gguf(folder / "m.gguf", {"tokenizer.chat_template": text})
        else:
            path = _gguf(folder / "m.gguf", {"tokenizer.chat_template": BENIGN["chatml"],
                                             "tokenizer.chat_template.tool_use": text})
        result = assert_scanned(scan_path(folder))
        codes[label] = (result.verdict, sorted({f.code for f in result.findings}))
    expected = "AISEC-GGUF-001" if layout.startswith("gguf") else "AISEC-TPL-001"
    assert codes == {"good": ("pass", []), "bad": ("fail", [expected])}


def test_where_the_finding_points(tmp_path: Path) -> None:
    path = tmp_path / "tokenizer_config.json"
    path.write_text(json.dumps({"chat_template": [{"name": "rag", "template":
                                                   HOSTILE["lipsum-globals"]}]}))
    result = scan_path(path)
    (f,) = result.findings
    assert f.location is not None and f.location.path == "chat_template[rag]"
    assert "lipsum" in (f.evidence or "")
    digests = result.summary.details["chat_templates_sha256"]
    assert list(digests) == ["chat_template[rag]"]


def test_templates_in_json_shapes() -> None:
    assert templates_in_json({"chat_template": "x"}) == [("chat_template", "x")]
    assert templates_in_json({"chat_template": [{"name": "a", "template": "y"}, {"bad": 1},
                                                {"template": "z"}]}) == [
        ("chat_template[a]", "y"), ("chat_template[2]", "z")]
    assert templates_in_json([{"chat_template": "x"}]) == []
    assert templates_in_json({"chat_template": 3}) == []


def test_text_that_is_not_a_template_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("Render with {{ messages }} and {% broken tags\n")
    (tmp_path / "train.py").write_text("print('%s {%%d}' % 1)\nx = {'a': '{{'}\n")
    (tmp_path / "notes.txt").write_text("about {{ ''.__class__ }} attacks")  # looks like one
    result = assert_scanned(scan_path(tmp_path))
    assert {(f.code, f.location.member if f.location else None) for f in result.findings} == {
        ("AISEC-DIR-003", "train.py"), ("AISEC-TPL-001", "notes.txt")}


def test_a_named_template_that_does_not_parse(tmp_path: Path) -> None:
    path = tmp_path / "chat_template.jinja"
    path.write_text("{% for m in messages %}{{ m.content }}")
    result = assert_scanned(scan_path(path))
    assert [(f.code, f.severity) for f in result.findings] == [("AISEC-TPL-003", "medium")]
    assert result.verdict == "warn"
    path.write_text(HOSTILE["unparsable-with-markers"])
    assert [f.code for f in scan_path(path).findings] == ["AISEC-TPL-001"]


def test_limits_and_a_missing_parser_are_not_checked(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tokenizer_config.json"
    path.write_text(json.dumps({"chat_template": "{{ x }}" * 200_000}))
    result = assert_scanned(scan_path(path))
    assert [f.code for f in result.findings] == ["AISEC-SCAN-003"]
    assert result.verdict == "error"
    path.write_text(json.dumps({"chat_template": "{{ " + "(" * 20_000 + ")" * 20_000 + " }}"}))
    result = assert_scanned(scan_path(path))
    assert [f.code for f in result.findings] == ["AISEC-SCAN-003"]

    def missing() -> None:
        raise chat_template.Unavailable("No module named 'jinja2'")

    monkeypatch.setattr(chat_template, "_jinja", missing)
    path.write_text(json.dumps({"chat_template": BENIGN["chatml"]}))
    result = assert_scanned(scan_path(path))
    assert [f.code for f in result.findings] == ["AISEC-TPL-002"]
    assert result.verdict == "error"
