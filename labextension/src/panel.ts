/**
 * The "AI security" side panel for the current notebook: its checks with their verdicts, stale
 * and failed evidence, which of the guidelines' 17 subsections have evidence, and the linter's
 * findings from the server (re-run with a button). Clicking a check or a finding scrolls to its
 * cell.
 */

import { NotebookPanel } from '@jupyterlab/notebook';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { fetchCatalogue, ICatalogue, ILintFinding, ILintReport, lintNotebook } from './api';
import {
  cardComplete,
  cardMissing,
  el,
  isQuestionnaire,
  severityBadge,
  threatRisks,
  threatStages,
  VERDICT_ORDER,
  VERDICT_WORDS,
  headVerdict,
  verdictBadge,
  verdictOf
} from './card';
import { coverage } from './coverage';
import { keyOf } from './merge';
import { isObject, JSONObject } from './pyjson';
import { IRecorderState, NotebookRecorder } from './recorder';

const SHIELD =
  '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">' +
  '<path class="jp-icon3" fill="#616161" d="M12 1 3 5v6c0 5.55 3.84 10.74 9 12 5.16-1.26 9-6.45 ' +
  '9-12V5l-9-4zm-2 16-4-4 1.41-1.41L10 14.17l6.59-6.59L18 9l-8 8z"/></svg>';

export const shieldIcon = new LabIcon({ name: 'aisec-nb:shield', svgstr: SHIELD });

/** The worst verdict of a record's checks and monitors (`none` for an empty record). */
export function worstVerdict(record: JSONObject | null): string {
  let worst = 'none';
  const consider = (payload: unknown): void => {
    if (isObject(payload)) {
      const v = verdictOf(payload);
      if (v !== 'none' && (worst === 'none' || VERDICT_ORDER[v] > VERDICT_ORDER[worst])) {
        worst = v;
      }
    }
  };
  if (record) {
    for (const slot of ['checks', 'monitors']) {
      const items = record[slot];
      if (isObject(items)) {
        Object.values(items).forEach(consider);
      }
    }
  }
  return worst;
}

interface ILintState {
  report: ILintReport | null;
  error: string | null;
  running: boolean;
  at: Date | null;
  dirty: boolean;
}

export class AisecPanel extends Widget {
  constructor() {
    super();
    this.id = 'aisec-nb-panel';
    this.addClass('jp-AisecPanel');
    this.title.icon = shieldIcon;
    this.title.caption = 'AI security';
    this.title.label = '';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'AI security');
    this.node.tabIndex = -1;
    fetchCatalogue()
      .then(c => {
        this._catalogue = c;
        this.render();
      })
      .catch(error => {
        this._catalogueError = String(error instanceof Error ? error.message : error);
        this.render();
      });
    this.render();
  }

  /** Show a notebook (or none). */
  setNotebook(panel: NotebookPanel | null, recorder: NotebookRecorder | null): void {
    if (this._recorder) {
      this._recorder.changed.disconnect(this._onRecord, this);
    }
    if (this._panel) {
      this._panel.context.saveState.disconnect(this._onSave, this);
    }
    this._panel = panel;
    this._recorder = recorder;
    this._lint = { report: null, error: null, running: false, at: null, dirty: false };
    if (recorder) {
      recorder.changed.connect(this._onRecord, this);
    }
    if (panel) {
      panel.context.saveState.connect(this._onSave, this);
      void panel.context.ready.then(() => {
        if (this._panel === panel) {
          void this.runLint();
        }
      });
    }
    this.render();
  }

  /** Lint the saved notebook on the server. */
  async runLint(): Promise<void> {
    const panel = this._panel;
    if (!panel) {
      return;
    }
    this._lint = { ...this._lint, running: true };
    this.render();
    const state: ILintState = {
      report: null,
      error: null,
      running: false,
      at: new Date(),
      dirty: panel.context.model.dirty
    };
    try {
      state.report = await lintNotebook(panel.context.path);
    } catch (error) {
      state.error = error instanceof Error ? error.message : String(error);
    }
    if (this._panel === panel) {
      this._lint = state;
      this.render();
    }
  }

  private _onRecord(_: NotebookRecorder, __: IRecorderState): void {
    this.render();
  }

  private _onSave(_: unknown, state: string): void {
    if (state === 'completed') {
      void this.runLint();
    }
  }

  private _scrollTo(index: number | null): void {
    const panel = this._panel;
    if (!panel || index === null || index < 0 || index >= panel.content.widgets.length) {
      return;
    }
    const notebook = panel.content;
    notebook.activeCellIndex = index;
    notebook.mode = 'command';
    void notebook.scrollToItem(index, 'center');
    notebook.activeCell?.node.focus();
  }

  private _cellOfFinding(f: ILintFinding): number | null {
    const model = this._panel?.content.model;
    if (model && f.cell_id) {
      for (let i = 0; i < model.cells.length; i++) {
        if (model.cells.get(i).id === f.cell_id) {
          return i;
        }
      }
    }
    return f.cell;
  }

  private _link(label: string, index: number | null, className: string): HTMLElement {
    if (index === null) {
      return el('span', className, label);
    }
    const button = el('button', `${className} jp-AisecPanel-link`, label);
    button.type = 'button';
    button.title = `Go to cell ${index + 1}`;
    button.addEventListener('click', () => this._scrollTo(index));
    return button;
  }

  render(): void {
    const root = el('div', 'jp-AisecPanel-content');
    const panel = this._panel;
    const state = this._recorder?.state ?? { evidence: null, error: null };
    const record = state.evidence?.record ?? null;
    const heading = el('h2', 'jp-AisecPanel-title', 'AI security');
    root.append(heading);
    if (!panel) {
      root.append(el('p', 'jp-AisecPanel-empty', 'Open a notebook to see its security evidence.'));
      this.node.replaceChildren(root);
      return;
    }
    const head = el('div', 'jp-AisecPanel-notebook');
    head.append(verdictBadge(worstVerdict(record)), el('span', undefined, ` ${panel.context.path}`));
    root.append(head);
    if (state.error) {
      const error = el('div', 'jp-AisecPanel-error', `Evidence could not be recorded: ${state.error}`);
      error.setAttribute('role', 'alert');
      root.append(error);
    }
    const lint = this._lint.report?.findings ?? [];
    root.append(this._checks(record, lint, state), this._attention(record, lint, state));
    root.append(this._lintSection(), this._guidelines(record));
    this.node.replaceChildren(root);
  }

  private _section(title: string): HTMLElement {
    const section = el('section', 'jp-AisecPanel-section');
    section.append(el('h3', 'jp-AisecPanel-heading', title));
    return section;
  }

  private _checks(record: JSONObject | null, lint: ILintFinding[], state: IRecorderState): HTMLElement {
    const section = this._section('Checks');
    const checks = record && isObject(record['checks']) ? record['checks'] : {};
    const monitors = record && isObject(record['monitors']) ? record['monitors'] : {};
    const list = el('ul', 'jp-AisecPanel-list jp-AisecPanel-checks');
    const row = (slot: string, id: string, payload: unknown, what: string): void => {
      const p = isObject(payload) ? payload : {};
      const item = el('li', 'jp-AisecPanel-check');
      item.dataset.checkId = id;
      const index = state.evidence?.cells.get(keyOf(slot, id)) ?? null;
      item.append(verdictBadge(verdictOf(p)), document.createTextNode(' '));
      item.append(this._link(id, index, 'jp-AisecPanel-id'));
      item.append(el('span', 'jp-AisecPanel-kind', ` ${what}`));
      if (lint.some(f => f.code === 'AISEC-L03' && f.check_id === id)) {
        item.append(el('span', 'jp-AisecPanel-flag', 'stale'));
      }
      list.append(item);
    };
    for (const [id, payload] of Object.entries(checks)) {
      row('checks', id, payload, isObject(payload) ? `${String(payload['kind'])} check` : 'check');
    }
    for (const [id, payload] of Object.entries(monitors)) {
      row('monitors', id, payload, 'monitor');
    }
    for (const slot of ['threat_model', 'model_card']) {
      if (record && isObject(record[slot])) {
        const item = el('li', 'jp-AisecPanel-check');
        item.dataset.slot = slot;
        const payload = record[slot] as JSONObject;
        const index = state.evidence?.cells.get(keyOf(slot, null)) ?? null;
        let words = `${slot.replace('_', ' ')} recorded`;
        if (slot === 'threat_model' && isQuestionnaire(payload)) {
          const stages = threatStages(payload);
          const done = stages.reduce((n, st) => n + st.answered, 0);
          const total = stages.reduce((n, st) => n + st.applicable, 0);
          const unowned = threatRisks(payload).filter(
            r => !r.owned && (r.severity === 'high' || r.severity === 'critical')
          ).length;
          words = `threat model: ${done}/${total} answered${unowned ? `, ${unowned} high or critical unowned` : ''}`;
        }
        if (slot === 'model_card') {
          const missing = cardMissing(payload);
          words = cardComplete(payload) ? 'model card complete' : `model card: ${missing.length} required field(s) missing`;
        }
        item.append(verdictBadge(headVerdict(slot, payload)), document.createTextNode(' '));
        item.append(this._link(words, index, 'jp-AisecPanel-id'));
        list.append(item);
      }
    }
    if (!list.childElementCount) {
      section.append(
        el('p', 'jp-AisecPanel-empty', 'Nothing recorded yet: run %load_ext aisec_nb, then %aisec check model PATH or %aisec check data DF.')
      );
    } else {
      section.append(list);
    }
    return section;
  }

  private _attention(record: JSONObject | null, lint: ILintFinding[], state: IRecorderState): HTMLElement {
    const section = this._section('Needs attention');
    const list = el('ul', 'jp-AisecPanel-list');
    const checks = record && isObject(record['checks']) ? record['checks'] : {};
    for (const [id, payload] of Object.entries(checks)) {
      const verdict = isObject(payload) ? verdictOf(payload) : 'none';
      if (verdict === 'fail' || verdict === 'error') {
        const item = el('li');
        const index = state.evidence?.cells.get(keyOf('checks', id)) ?? null;
        item.append(verdictBadge(verdict), document.createTextNode(' '));
        item.append(this._link(id, index, 'jp-AisecPanel-id'));
        item.append(el('span', undefined, ` ${VERDICT_WORDS[verdict].text}`));
        list.append(item);
      }
    }
    for (const f of lint.filter(f => f.code === 'AISEC-L03')) {
      const item = el('li');
      item.append(el('span', 'jp-AisecPanel-flag', 'stale'), document.createTextNode(' '));
      item.append(this._link(f.message, this._cellOfFinding(f), 'jp-AisecPanel-message'));
      list.append(item);
    }
    section.append(list.childElementCount ? list : el('p', 'jp-AisecPanel-empty', 'No failed, errored or stale evidence.'));
    return section;
  }

  private _guidelines(record: JSONObject | null): HTMLElement {
    const section = this._section('Guideline coverage');
    if (!this._catalogue) {
      section.append(
        el(
          'p',
          'jp-AisecPanel-empty',
          this._catalogueError
            ? `The rule catalogue could not be fetched from the server: ${this._catalogueError}`
            : 'Loading the rule catalogue…'
        )
      );
      return section;
    }
    const rows = coverage(record, this._catalogue);
    const covered = rows.filter(r => r.evidence.length).length;
    section.append(
      el('p', 'jp-AisecPanel-summary', `${covered} of ${rows.length} subsections of the guidelines have evidence.`)
    );
    let current = '';
    let list: HTMLElement | null = null;
    for (const r of rows) {
      if (r.section !== current) {
        current = r.section;
        section.append(el('h4', 'jp-AisecPanel-subheading', r.section));
        list = el('ul', 'jp-AisecPanel-list jp-AisecPanel-guidelines');
        section.append(list);
      }
      const item = el('li', r.evidence.length ? 'jp-AisecPanel-covered' : 'jp-AisecPanel-missing');
      item.dataset.subsection = r.subsection;
      const mark = el('span', 'jp-AisecPanel-mark', r.evidence.length ? '✓' : '–');
      mark.setAttribute('aria-hidden', 'true');
      item.append(mark, el('span', 'jp-AisecPanel-subsection', ` ${r.subsection}`));
      const note = r.evidence.length ? `evidence: ${r.evidence.join(', ')}` : 'no evidence yet';
      item.append(el('div', 'jp-AisecPanel-note', note));
      list?.append(item);
    }
    return section;
  }

  private _lintSection(): HTMLElement {
    const section = this._section('Lint');
    const bar = el('div', 'jp-AisecPanel-toolbar');
    const button = el('button', 'jp-mod-styled jp-mod-accept jp-AisecPanel-lint', this._lint.running ? 'Linting…' : 'Re-run lint');
    button.type = 'button';
    button.disabled = this._lint.running;
    button.addEventListener('click', () => void this.runLint());
    bar.append(button);
    if (this._lint.at) {
      const when = this._lint.at.toLocaleTimeString();
      bar.append(
        el('span', 'jp-AisecPanel-note', ` saved file linted at ${when}${this._lint.dirty ? ' (unsaved changes are not included)' : ''}`)
      );
    }
    section.append(bar);
    if (this._lint.error) {
      const error = el('div', 'jp-AisecPanel-error', `Lint failed: ${this._lint.error}`);
      error.setAttribute('role', 'alert');
      section.append(error);
    }
    const report = this._lint.report;
    if (report) {
      const list = el('ul', 'jp-AisecPanel-list jp-AisecPanel-findings');
      for (const f of report.findings) {
        const item = el('li', 'jp-AisecPanel-finding');
        item.append(severityBadge(f.severity), el('code', undefined, ` ${f.code} `));
        item.append(this._link(f.message, this._cellOfFinding(f), 'jp-AisecPanel-message'));
        list.append(item);
      }
      for (const e of report.errors) {
        list.append(el('li', 'jp-AisecPanel-error', e.message));
      }
      section.append(list.childElementCount ? list : el('p', 'jp-AisecPanel-empty', 'No lint findings.'));
    }
    return section;
  }

  private _panel: NotebookPanel | null = null;
  private _recorder: NotebookRecorder | null = null;
  private _catalogue: ICatalogue | null = null;
  private _catalogueError: string | null = null;
  private _lint: ILintState = { report: null, error: null, running: false, at: null, dirty: false };
}

/** The status-bar item: the current notebook's worst verdict, in words. */
export class AisecStatus extends Widget {
  constructor() {
    super();
    this.addClass('jp-AisecStatus');
    this.node.title = 'AI security: the worst verdict recorded in this notebook';
    this.update_(null);
  }

  update_(record: JSONObject | null): void {
    const verdict = worstVerdict(record);
    const label = el('span', 'jp-AisecStatus-label', 'AI security: ');
    const words = VERDICT_WORDS[verdict];
    const value = el('span', `jp-AisecVerdict jp-AisecVerdict-${verdict}`);
    const symbol = el('span', 'jp-AisecVerdict-symbol', words.symbol);
    symbol.setAttribute('aria-hidden', 'true');
    value.append(symbol, document.createTextNode(verdict === 'none' ? ' nothing recorded' : ` ${words.label}`));
    this.node.replaceChildren(label, value);
  }
}
