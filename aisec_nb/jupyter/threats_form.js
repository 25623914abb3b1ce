// One stage of the %aisec threats questionnaire as a single widget (anywidget): every question
// of the stage with its answer buttons, reason box and evidence badge, drawn from the model's
// `questions` and kept in step with its `answers` ({id: {value, reason}}). Built from text nodes
// only: question text from a bank is never parsed as HTML.

const CHOICES = ["yes", "partial", "no", "n/a"];
const NEEDS_REASON = new Set(["partial", "n/a"]);
const BADGES = {
  fresh: ["#1a7f37", "✓ evidence"],
  stale: ["#9a6700", "! stale evidence"],
  failed: ["#cf222e", "✗ contradicted"],
  none: ["#57606a", "no check yet"],
};
const STYLE = `
.aisec-threats-grid { display: grid; grid-template-columns: minmax(22em, 1fr) auto minmax(9em, 16em);
  gap: 6px 10px; align-items: center; }
.aisec-threats-q { line-height: 1.35; padding: 2px 0; }
.aisec-threats-q .aisec-threats-help { opacity: 0.75; font-size: 85%; }
.aisec-threats-q .aisec-threats-why { opacity: 0.8; font-size: 85%; }
.aisec-threats-q .aisec-threats-refs { opacity: 0.6; font-size: 80%; }
.aisec-threats-evidence { border: 1px solid; border-radius: 3px; padding: 0 4px; font-size: 85%;
  white-space: nowrap; }
.aisec-threats-choices { display: flex; gap: 2px; }
.aisec-threats-choices button { min-width: 5.4em; padding: 3px 6px; cursor: pointer;
  color: var(--jp-ui-font-color1, inherit); background: var(--jp-layout-color2, #eee);
  border: 1px solid var(--jp-border-color1, #bbb); border-radius: 2px; font: inherit; }
.aisec-threats-choices button[aria-pressed="true"] { background: var(--jp-brand-color1, #1976d2);
  border-color: var(--jp-brand-color1, #1976d2); color: #fff; font-weight: 600; }
.aisec-threats-reason { width: 100%; box-sizing: border-box; padding: 3px 5px; font: inherit;
  color: var(--jp-ui-font-color1, inherit); background: var(--jp-layout-color1, #fff);
  border: 1px solid var(--jp-border-color1, #bbb); border-radius: 2px; }
.aisec-threats-reason.aisec-threats-missing { border-color: #cf222e; box-shadow: 0 0 0 1px #cf222e; }
`;

function node(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function render({ model, el }) {
  const style = node("style");
  style.textContent = STYLE;
  const grid = node("div", "aisec-threats-grid");
  grid.setAttribute("role", "list");
  const rows = new Map();

  const answerOf = (id) => (model.get("answers") || {})[id] || { value: null, reason: "" };
  const save = (id, change) => {
    const answers = { ...(model.get("answers") || {}) };
    answers[id] = { ...answerOf(id), ...change };
    model.set("answers", answers);
    model.save_changes();
  };

  for (const q of model.get("questions") || []) {
    const text = node("div", "aisec-threats-q");
    text.dataset.question = q.id;
    text.setAttribute("role", "listitem");
    text.append(node("b", undefined, q.id), document.createTextNode(` ${q.text} `));
    const badge = BADGES[q.evidence && q.evidence.status];
    if (badge) {
      const span = node("span", `aisec-threats-evidence aisec-threats-evidence-${q.evidence.status}`, badge[1]);
      span.style.color = badge[0];
      span.style.borderColor = badge[0];
      span.title = q.evidence.why || "";
      text.append(span);
    }
    text.append(node("div", "aisec-threats-help", q.help || ""));
    if (q.evidence && ["fresh", "stale", "failed"].includes(q.evidence.status)) {
      text.append(node("div", "aisec-threats-why", q.evidence.why || ""));
    }
    text.append(node("div", "aisec-threats-refs", q.refs || ""));

    const choices = node("div", "aisec-threats-choices aisec-threats-answer");
    choices.setAttribute("role", "group");
    choices.setAttribute("aria-label", `answer to ${q.id}`);
    const buttons = CHOICES.map((value) => {
      const button = node("button", "aisec-threats-choice", value);
      button.type = "button";
      button.dataset.value = value;
      button.addEventListener("click", () => {
        const current = answerOf(q.id).value;
        save(q.id, { value: current === value ? null : value });
      });
      choices.append(button);
      return button;
    });
    const reason = node("input", "aisec-threats-reason");
    reason.type = "text";
    reason.placeholder = "reason (needed for partial and n/a)";
    reason.setAttribute("aria-label", `reason for the answer to ${q.id}`);
    reason.addEventListener("change", () => save(q.id, { reason: reason.value }));
    // The notebook's command-mode shortcuts must not take the keys typed here.
    reason.addEventListener("keydown", (event) => event.stopPropagation());
    grid.append(text, choices, reason);
    rows.set(q.id, { buttons, reason });
  }

  const update = () => {
    for (const [id, row] of rows) {
      const { value, reason } = answerOf(id);
      for (const button of row.buttons) {
        button.setAttribute("aria-pressed", String(button.dataset.value === value));
      }
      if (document.activeElement !== row.reason) row.reason.value = reason || "";
      const missing = NEEDS_REASON.has(value) && !(reason || "").trim();
      row.reason.classList.toggle("aisec-threats-missing", missing);
    }
  };
  model.on("change:answers", update);
  update();
  el.append(style, grid);
  return () => model.off("change:answers", update);
}

export default { render };
