"""``%aisec threats``: the real ipywidgets objects operated (values set, buttons clicked) and the
fragments they emit asserted; the debounce on a clock of the test's own; restore from the
Record."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from nbformat.v4 import new_code_cell, new_notebook, new_output

from aisec_nb.errors import UsageError
from aisec_nb.jupyter import frontend, session
from aisec_nb.jupyter import threats as face
from aisec_nb.jupyter.threats_figures import PLOTLY_MIME, heatmap_figure
from aisec_nb.jupyter.threats_widget import Debouncer, ThreatForm, loop_call_later
from aisec_nb.scan import scan_path
from aisec_nb.threats.model import ThreatModel
from aisec_nb.transport import MIME_TYPE, check_fragment, make_fragment
from tests.evidence import write

SAFE = b"\x80\x04K\x01."


class Clock:
    """A scheduler the test advances by hand."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[list[Any]] = []

    def call_later(self, delay: float, fn: Callable[[], None]) -> Any:
        timer = [self.now + delay, fn, False]
        self.timers.append(timer)

        class Handle:
            def cancel(self) -> None:
                timer[2] = True

        return Handle()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for timer in list(self.timers):
            if not timer[2] and timer[0] <= self.now:
                timer[2] = True
                timer[1]()


@pytest.fixture(params=[True, False], ids=["one-widget-stages", "ipywidgets-controls"])
def compact(request: pytest.FixtureRequest) -> bool:
    value: bool = request.param
    return value


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    sh = InteractiveShell.instance()
    session.forget()
    frontend.close_comm()
    frontend._BRIDGE.received = 0
    face.close_current()
    yield sh
    face.close_current()
    session.forget()


def _fragments(outputs: list[Any]) -> list[dict[str, Any]]:
    return [o.data[MIME_TYPE] for o in outputs if MIME_TYPE in o.data]


_COMPACT: list[bool] = [True]


def _open(shell: InteractiveShell, clock: Clock | None = None, **kwargs: Any
          ) -> tuple[ThreatForm, Any]:
    cap = capture_output()
    outputs = cap.__enter__()
    kwargs.setdefault("compact", _COMPACT[0])
    form = face.open_form(shell, call_later=clock.call_later if clock else None, **kwargs)
    return form, (cap, outputs)


@pytest.fixture(autouse=True)
def _kind(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests that take ``compact`` run on both kinds of stage; the others on one widget."""
    _COMPACT[0] = request.getfixturevalue("compact") if "compact" in request.fixturenames \
        else True
    yield
    _COMPACT[0] = True


def _view(form: ThreatForm, qid: str) -> Any:
    n = face_stages().index(form.q.bank.question(qid).stage)
    form._ensure(n + 1)
    return form.stage_views[n]


def face_stages() -> list[str]:
    from aisec_nb.threats.bank import STAGES

    return list(STAGES)


def _set(form: ThreatForm, qid: str, key: str, value: str | None) -> None:
    """Set a question's answer ``value`` or ``reason`` as its widget would, on either kind of
    stage."""
    if form.compact:
        view = _view(form, qid)
        answers = dict(view.answers)
        answers[qid] = {**answers.get(qid, {"value": None, "reason": ""}), key: value}
        view.answers = answers
    else:
        form._controls[qid][0 if key == "value" else 1].value = value


def _click(form: ThreatForm, qid: str, value: str | None) -> None:
    """What a click on an answer button does."""
    _set(form, qid, "value", value)


def _type(form: ThreatForm, qid: str, reason: str) -> None:
    """What typing a reason (and leaving the box) does."""
    _set(form, qid, "reason", reason)


def _shown(form: ThreatForm, qid: str) -> Any:
    """The answer the form's widgets show for a question."""
    if form.compact:
        return (_view(form, qid).answers.get(qid) or {}).get("value")
    return form._controls[qid][0].value


def _close(handle: Any) -> list[Any]:
    cap, outputs = handle
    cap.__exit__(None, None, None)
    return list(outputs.outputs)


def test_answering_with_the_buttons_emits_one_debounced_fragment(shell: InteractiveShell,
                                                                 compact: bool) -> None:
    clock = Clock()
    form, handle = _open(shell, clock, profile="user-facing")
    _click(form, "DE1.1", "yes")
    _click(form, "DE1.2", "no")
    _click(form, "DE1.3", "partial")
    _type(form, "DE1.3", "we scan downloads only")
    assert form.emitted == 0 and form.pending  # nothing before the quiet period
    clock.advance(0.2)
    assert form.emitted == 0
    clock.advance(0.2)  # 0.3 s after the last change
    assert form.emitted == 1 and not form.pending
    outputs = _close(handle)
    kinds = [sorted(o.data) for o in outputs]
    assert kinds[0] == ["application/vnd.jupyter.widget-view+json", "text/plain"]
    assert outputs[1].data == face.HEATMAP_PENDING  # drawn once the form is up
    assert MIME_TYPE not in outputs[2].data  # a new questionnaire: nothing recorded yet
    updates = [o for o in outputs if o.update]
    record_id = outputs[2].transient["display_id"]
    (fragment,) = _fragments([o for o in updates if o.transient["display_id"] == record_id])
    assert (fragment["kind"], fragment["schema_version"]) == ("threat_model", 1)
    answers = fragment["payload"]["answers"]
    assert {k: (v["value"], v["reason"]) for k, v in answers.items()} == {
        "DE1.1": ("yes", ""), "DE1.2": ("no", ""), "DE1.3": ("partial", "we scan downloads only")}
    assert fragment["payload"]["profile"]["user_facing"] is True
    ThreatModel.model_validate(fragment["payload"])
    heat = [o for o in updates if o.transient["display_id"] == outputs[1].transient["display_id"]]
    assert len(heat) == 1 and PLOTLY_MIME in heat[0].data
    # The session remembers it, as for every published result.
    assert session.recorded()["threat_model"]["answers"]["DE1.1"]["value"] == "yes"


def test_the_heat_map_is_drawn_after_the_form(shell: InteractiveShell) -> None:
    # Without a front end (nbclient): when the cell ends, while its outputs are still kept.
    form, handle = _open(shell, Clock())
    shell.events.trigger("post_run_cell", None)
    outputs = _close(handle)
    (heat,) = [o for o in outputs if o.update]
    assert PLOTLY_MIME in heat.data and form.emitted == 0
    # With a live front end: a moment after the form, so plotly.js does not delay it.
    frontend._BRIDGE.received = 1
    clock = Clock()
    form, handle = _open(shell, clock)
    shell.events.trigger("post_run_cell", None)
    assert not [o for o in handle[1].outputs if o.update]
    clock.advance(1.0)
    (heat,) = [o for o in _close(handle) if o.update]
    assert PLOTLY_MIME in heat.data


def test_every_control_reaches_the_fragment(shell: InteractiveShell, compact: bool) -> None:
    clock = Clock()
    form, handle = _open(shell, clock, profile="all")
    # The profile step: all 83 apply; one flag off hides its questions and says why.
    assert "Every question of the bank applies" in form.hidden.value
    form.profile_boxes["agentic"].value = False
    assert "DE3.5: apply only if the system takes actions" in form.hidden.value
    assert "DE3.5" not in form._controls and all(
        q["id"] != "DE3.5" for v in form.stage_views.values() for q in v.questions)
    # A stage tab is built when opened.
    form.tabs.selected_index = 2
    _click(form, "DV1.1", "yes")
    assert form.tabs.titles[2] == "Development 1/21"
    # The register: owner, response, controls, review date, likelihood, impact; a risk added.
    form.tabs.selected_index = 5
    cells = form.register_box.children[1].children
    rows = {c.value.split('data-risk="')[1].split('"')[0]: n for n, c in enumerate(cells)
            if 'data-risk="' in str(getattr(c, "value", "") or "")}
    row = rows["malicious-model-file"]
    owner, response, controls, review, likelihood, impact = cells[row + 1:row + 7]
    owner.value = "ML lead"
    response.value = "mitigate"
    controls.value = "scan every file; guard on"
    review.value = dt.date(2026, 9, 1)
    likelihood.value = "medium"
    impact.value = "high"
    form.new_title.value = "Labels from an unvetted vendor"
    form.new_likelihood.value = "high"
    form.add_button.click()
    clock.advance(1)
    outputs = _close(handle)
    payload = _fragments([o for o in outputs if o.update])[-1]["payload"]
    assert payload["profile"]["agentic"] is False
    assert payload["answers"]["DV1.1"]["value"] == "yes"
    risk = next(r for r in payload["risks"] if r["id"] == "malicious-model-file")
    assert (risk["owner"], risk["response"], risk["controls"], risk["review_date"],
            risk["status"]) == ("ML lead", "mitigate", ["scan every file", "guard on"],
                                "2026-09-01", "mitigated")
    assert risk["inherent"]["likelihood_source"] == "given"
    custom = next(r for r in payload["risks"] if r["custom"])
    assert (custom["title"], custom["inherent"]["severity"]) == (
        "Labels from an unvetted vendor", "high")
    assert form.emitted == 1
    # The register's labels follow the residual rating.
    label = form._register_rows["malicious-model-file"].value
    assert "→" in label and "high" in label


def test_a_partial_answer_without_a_reason_is_marked_and_not_counted(
        shell: InteractiveShell, compact: bool) -> None:
    form, handle = _open(shell, Clock(), profile="user-facing")
    _click(form, "DE1.1", "n/a")
    if not compact:  # (the one-widget stage marks it in the browser: threats_form.js)
        assert "aisec-threats-missing" in form._controls["DE1.1"][1]._dom_classes
    assert form.tabs.titles[1].endswith(" 0/17")
    _type(form, "DE1.1", "no staff: a one-person project")
    if not compact:
        assert "aisec-threats-missing" not in form._controls["DE1.1"][1]._dom_classes
    assert form.tabs.titles[1].endswith(" 1/17")
    assert form.q.answers["DE1.1"].reason == "no staff: a one-person project"
    _close(handle)


def _evidence_shown(form: ThreatForm, qid: str) -> str:
    form.tabs.selected_index = 2
    if form.compact:
        (q,) = [q for q in _view(form, qid).questions if q["id"] == qid]
        return f"aisec-threats-evidence-{q['evidence']['status']} {q['evidence']['why']}"
    cells = form.stage_boxes[1].children[1].children
    return str(next(c.value for c in cells
                    if f'data-question="{qid}"' in str(getattr(c, "value", "") or "")))


def test_evidence_badges_show_what_the_notebook_holds(shell: InteractiveShell, tmp_path: Path,
                                                      compact: bool) -> None:
    (tmp_path / "model.pkl").write_bytes(SAFE)
    scanned = scan_path("model.pkl")
    session.publish_live(check_fragment(scanned), html_text="", plain_text="")
    form, handle = _open(shell, Clock(), profile="all")
    text = _evidence_shown(form, "DV1.1")
    assert "aisec-threats-evidence-fresh" in text and "check model:model.pkl passed" in text
    (tmp_path / "model.pkl").write_bytes(b"\x80\x04K\x02.")  # changed after the check
    _close(handle)
    form, handle = _open(shell, Clock(), profile="all")
    text = _evidence_shown(form, "DV1.1")
    assert "aisec-threats-evidence-stale" in text and "changed since it was checked" in text
    _close(handle)


def test_changes_from_code_are_emitted_when_the_cell_ends(shell: InteractiveShell,
                                                          compact: bool) -> None:
    form, handle = _open(shell, Clock(), profile="user-facing")
    form.answer("DV1.1", "yes")
    form.answers({"DE1.1": "yes", "DE1.3": ("n/a", "no model files are loaded")})
    form.set_risk("evasion", owner="platform", response="accept")
    rid = form.add_risk("Vendor labels", likelihood="high")
    assert _shown(form, "DE1.1") == "yes"  # the buttons follow
    assert form.emitted == 0
    shell.events.trigger("post_run_cell", None)
    assert form.emitted == 1
    payload = _fragments([o for o in _close(handle) if o.update])[-1]["payload"]
    assert payload["answers"]["DE1.3"] == {**payload["answers"]["DE1.3"], "value": "n/a",
                                           "reason": "no model files are loaded"}
    assert any(r["id"] == rid for r in payload["risks"])
    assert form.threat_model["answers"].keys() == payload["answers"].keys()


def test_rerunning_restores_from_this_kernel_then_from_the_front_end(
        shell: InteractiveShell) -> None:
    clock = Clock()
    form, handle = _open(shell, clock, profile="user-facing")
    _click(form, "DE1.1", "yes")
    clock.advance(1)
    first = _fragments([o for o in _close(handle) if o.update])[-1]["payload"]
    # The same kernel, the cell run again: restored, shown as recorded.
    again, handle = _open(shell, Clock())
    assert _shown(again, "DE1.1") == "yes"
    assert again.tabs.selected_index == 1
    outputs = _close(handle)
    assert _fragments(outputs)[0]["payload"] == first
    # A restarted kernel: the front end pushed the notebook's record over the comm.
    session.forget()
    face.close_current()
    frontend._on_msg({"content": {"data": {"type": "record", "path": "work.ipynb",
                                           "record": {"schema_version": 1,
                                                      "threat_model": first}}}})
    restored, handle = _open(shell, Clock())
    assert _shown(restored, "DE1.1") == "yes"
    assert "restored from the open notebook" in restored.header.value
    _close(handle)


def test_an_empty_form_never_replaces_recorded_answers(shell: InteractiveShell) -> None:
    form, handle = _open(shell, Clock())
    outputs = _close(handle)
    assert _fragments(outputs) == []
    assert form.tabs.selected_index == 0  # nothing known yet: the profile step first


def test_the_front_ends_record_arriving_late_is_caught_up(shell: InteractiveShell) -> None:
    recorded = _questionnaire_payload()
    frontend._BRIDGE.comm = object()  # %load_ext ran; the reply has not reached the kernel yet
    try:
        form, handle = _open(shell, Clock())
        assert form.q.answers == {}
        frontend._on_msg({"content": {"data": {"type": "record", "path": "work.ipynb",
                                               "record": {"schema_version": 1,
                                                          "threat_model": recorded}}}})
        assert _shown(form, "DE1.1") == "yes"
        outputs = _close(handle)
        assert _fragments([o for o in outputs if o.update])[-1]["payload"] == recorded
    finally:
        frontend._BRIDGE.comm = None
        frontend._BRIDGE.message = None


def _questionnaire_payload() -> dict[str, Any]:
    from aisec_nb.threats.assess import Questionnaire

    q = Questionnaire(profile=["user_facing"])
    q.answer("DE1.1", "yes")
    return q.assess()


def test_restoring_from_a_saved_notebook_named_on_the_command(shell: InteractiveShell,
                                                              tmp_path: Path) -> None:
    nb = new_notebook()
    cell = new_code_cell("%aisec threats")
    fragment = make_fragment("threat_model", "t", _questionnaire_payload())
    cell.outputs.append(new_output("display_data", data={"text/plain": "x", MIME_TYPE: fragment}))
    nb.cells.append(cell)
    path = write(nb, tmp_path / "saved.ipynb")
    form, handle = _open(shell, Clock(), notebook=str(path))
    assert _shown(form, "DE1.1") == "yes"
    assert f"restored from {path}" in form.header.value
    _close(handle)


def test_the_magic_binds_the_form_and_checks_its_arguments(shell: InteractiveShell) -> None:
    from aisec_nb.jupyter.magics import build_parser

    parser = build_parser("threats")
    with capture_output():
        face.run(parser.parse_args(["--profile", "generative,agentic", "--as", "tm"]), shell)
    form = shell.user_ns["tm"]
    assert isinstance(form, ThreatForm)
    assert form.q.profile == {"generative", "agentic"}
    with pytest.raises(UsageError, match="--profile: profile: unknown flag 'robots'"), \
            capture_output():
        face.run(parser.parse_args(["--profile", "robots"]), shell)
    with pytest.raises(UsageError, match="--as: '1x' is not a Python name"), capture_output():
        face.run(parser.parse_args(["--as", "1x"]), shell)


def test_a_new_form_replaces_the_old_one_after_emitting_its_change(
        shell: InteractiveShell) -> None:
    clock = Clock()
    old, handle = _open(shell, clock, profile="user-facing")
    _click(old, "DE1.1", "yes")
    new, second = _open(shell, clock)  # the pending change is emitted, then the form closes
    assert old.emitted == 1
    assert _shown(new, "DE1.1") == "yes"
    _close(second)
    _close(handle)


# --- the debounce --------------------------------------------------------------------------------


def test_the_debounce_restarts_on_every_trigger_and_fires_once() -> None:
    clock = Clock()
    fired: list[float] = []
    d = Debouncer(lambda: fired.append(clock.now), 0.3, call_later=clock.call_later)
    for _ in range(5):
        d.trigger()
        clock.advance(0.1)
    assert fired == []
    clock.advance(0.15)  # 0.25 s after the last trigger
    assert fired == []
    clock.advance(0.1)
    assert fired == [pytest.approx(0.75)]
    clock.advance(5)
    assert len(fired) == 1
    assert d.flush() is False
    d.trigger()
    d.cancel()
    clock.advance(1)
    assert len(fired) == 1


def test_the_debounce_runs_on_the_kernels_event_loop() -> None:
    fired: list[str] = []

    async def main() -> None:
        d = Debouncer(lambda: fired.append("emitted"), 0.05)
        d.trigger()
        d.trigger()
        await asyncio.sleep(0.02)
        assert fired == []
        await asyncio.sleep(0.1)

    asyncio.run(main())
    assert fired == ["emitted"]
    # Without a running loop (a plain script) it runs at once.
    out: list[int] = []
    loop_call_later(10, lambda: out.append(1))
    assert out == [1]


def test_the_heat_map_counts_inherent_and_residual_risks() -> None:
    from aisec_nb.threats.assess import Questionnaire

    q = Questionnaire()
    q.answer("DV1.1", "yes")
    q.answer("DV1.2", "yes")
    model = q.assess()
    fig = heatmap_figure(model)
    inherent, residual = fig["data"]
    total = sum(int(n) for row in inherent["text"] for n in row)
    assert total == sum(int(n) for row in residual["text"] for n in row) == len(model["risks"])
    # The model file risk moved from high × high to low × high.
    assert "A model file runs code" in inherent["customdata"][2][2]
    assert "A model file runs code" in residual["customdata"][2][0]
    json.dumps(fig)  # plain JSON, no plotly objects


# --- a real kernel -------------------------------------------------------------------------------


@pytest.mark.kernel
def test_answers_survive_sync_a_restart_and_re_execution(tmp_path: Path) -> None:
    import nbformat

    from aisec_nb.cli import main
    from tests.notebooks import execute, make_notebook, outputs_with, save

    nb = make_notebook(
        "%load_ext aisec_nb",
        "%aisec threats --profile user-facing --as tm --notebook work.ipynb",
        'tm.answer("DE1.1", "yes")\n'
        'tm.answers({"DV1.1": "no", "DE1.3": ("n/a", "we load no model files")})\n'
        'tm.set_risk("malicious-model-file", owner="ML lead", response="mitigate")',
    )
    execute(nb, tmp_path)
    shown = outputs_with(nb, MIME_TYPE)
    assert [cell for cell, _ in shown] == [1]  # the answers went to the form's own output
    path = save(nb, tmp_path / "work.ipynb")
    assert main(["sync", str(path)]) == 0
    saved = nbformat.read(str(path), as_version=4).metadata["aisec"]["threat_model"]
    answers = {k: (v["value"], v["reason"]) for k, v in saved["answers"].items()}
    assert answers == {"DE1.1": ("yes", ""), "DV1.1": ("no", ""),
                       "DE1.3": ("n/a", "we load no model files")}
    risk = next(r for r in saved["risks"] if r["id"] == "malicious-model-file")
    assert (risk["owner"], risk["status"]) == ("ML lead", "mitigated")

    # A new kernel runs the saved notebook without the cell that answered: the answers return.
    again = nbformat.read(str(path), as_version=4)
    del again.cells[2]
    again.metadata.pop("aisec")  # only the saved outputs carry them now
    save(again, path)
    rerun = nbformat.read(str(path), as_version=4)
    execute(rerun, tmp_path)
    (_, output), = outputs_with(rerun, MIME_TYPE)
    assert output["data"][MIME_TYPE]["payload"] == saved
