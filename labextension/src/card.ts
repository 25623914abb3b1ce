/**
 * The compact card for one aisec result (a fragment of `application/vnd.aisec.v1+json`).
 *
 * Built from text nodes only (never `innerHTML` of payload data), so it is safe in untrusted
 * notebooks. The verdict is said in words and with a symbol as well as a colour; the full list
 * opens with a real button (keyboard: Tab, then Enter or Space).
 */

import { isObject, JSONObject, JSONValue } from './pyjson';

export const SEVERITY_ORDER: { [severity: string]: number } = {
  info: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4
};
export const VERDICT_ORDER: { [verdict: string]: number } = { pass: 0, warn: 1, fail: 2, error: 3 };

export const VERDICT_WORDS: { [verdict: string]: { label: string; symbol: string; text: string } } =
  {
    pass: { label: 'PASS', symbol: '✓', text: 'passed' },
    warn: { label: 'WARN', symbol: '!', text: 'passed with warnings' },
    fail: { label: 'FAIL', symbol: '✗', text: 'failed' },
    error: { label: 'ERROR', symbol: '⚠', text: 'ended in error' },
    none: { label: 'RECORDED', symbol: '•', text: 'recorded' },
    // A model card's own states: whether its evidence passed says nothing about the card's gaps.
    complete: { label: 'COMPLETE', symbol: '✓', text: 'complete' },
    incomplete: { label: 'INCOMPLETE', symbol: '!', text: 'incomplete' }
  };

const KIND_TITLES: { [kind: string]: string } = {
  model: 'Model file check',
  data: 'Data check',
  guard: 'Guarded load',
  batch: 'Drift check',
  stream: 'Drift monitor'
};

const TOP_FINDINGS = 3;
const MAX_LISTED = 500;

let counter = 0;

export interface IFinding {
  code: string;
  severity: string;
  message: string;
  where: string;
  evidence: string;
}

function text(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A new element with an optional class and text content (text only: never parsed as HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  content?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (content !== undefined) {
    node.textContent = content;
  }
  return node;
}

/** `member`, `column`, `path`, `offset`, `row` of a finding's location, as the Python side says. */
export function describeLocation(location: unknown): string {
  if (!isObject(location)) {
    return '';
  }
  const parts: string[] = [];
  if (location['member'] !== undefined && location['member'] !== null) {
    parts.push(text(location['member']));
  }
  if (location['column'] !== undefined && location['column'] !== null) {
    parts.push(`column '${text(location['column'])}'`);
  }
  if (location['path'] !== undefined && location['path'] !== null) {
    parts.push(text(location['path']));
  }
  if (location['offset'] !== undefined && location['offset'] !== null) {
    parts.push(`@ offset ${text(location['offset'])}`);
  }
  if (location['row'] !== undefined && location['row'] !== null) {
    parts.push(`row ${text(location['row'])}`);
  }
  return parts.join(' ');
}

/** The findings of a payload (`findings`, and a monitor's `alerts`), worst first. */
export function findingsOf(payload: JSONObject): IFinding[] {
  const raw: JSONValue[] = [];
  for (const key of ['findings', 'alerts']) {
    const list = payload[key];
    if (Array.isArray(list)) {
      raw.push(...list);
    }
  }
  const out = raw.filter(isObject).map(f => ({
    code: text(f['code']),
    severity: typeof f['severity'] === 'string' ? f['severity'] : 'info',
    message: text(f['message']),
    where: describeLocation(f['location']),
    evidence: text(f['evidence'])
  }));
  return out
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (SEVERITY_ORDER[b.f.severity] ?? 0) - (SEVERITY_ORDER[a.f.severity] ?? 0) || a.i - b.i)
    .map(({ f }) => f);
}

export function verdictOf(payload: JSONObject): string {
  const v = payload['verdict'];
  return typeof v === 'string' && v in VERDICT_ORDER ? v : 'none';
}

/**
 * The badge a payload of this kind shows: a model card shows whether it is complete, unless its
 * evidence failed or ended in error (worse than a gap); every other kind shows its verdict.
 *
 *     headVerdict('model_card', { complete: false, missing: ['license'], verdict: 'pass' }) // 'incomplete'
 */
export function headVerdict(kind: string, payload: JSONObject): string {
  const verdict = verdictOf(payload);
  if (kind !== 'model_card' || verdict === 'fail' || verdict === 'error') {
    return verdict;
  }
  if (!cardComplete(payload)) {
    return 'incomplete';
  }
  return verdict === 'warn' ? 'warn' : 'complete';
}

export function verdictBadge(verdict: string): HTMLElement {
  const words = VERDICT_WORDS[verdict] ?? VERDICT_WORDS.none;
  const badge = el('span', `jp-AisecVerdict jp-AisecVerdict-${verdict}`);
  const symbol = el('span', 'jp-AisecVerdict-symbol', words.symbol);
  symbol.setAttribute('aria-hidden', 'true');
  badge.append(symbol, document.createTextNode(` ${words.label}`));
  return badge;
}

export function severityBadge(severity: string): HTMLElement {
  return el('span', `jp-AisecSeverity jp-AisecSeverity-${severity}`, severity);
}

function findingItem(f: IFinding): HTMLElement {
  const item = el('li', 'jp-AisecFinding');
  item.append(severityBadge(f.severity), document.createTextNode(' '));
  if (f.code) {
    item.append(el('code', 'jp-AisecFinding-code', f.code), document.createTextNode(' '));
  }
  item.append(el('span', 'jp-AisecFinding-message', f.message));
  if (f.where) {
    item.append(el('span', 'jp-AisecFinding-where', ` (${f.where})`));
  }
  if (f.evidence) {
    item.append(el('div', 'jp-AisecFinding-evidence', f.evidence));
  }
  return item;
}

function fact(list: HTMLElement, label: string, value: string, code = false): void {
  if (!value) {
    return;
  }
  list.append(el('dt', undefined, label));
  const dd = el('dd');
  dd.append(code ? el('code', undefined, value) : document.createTextNode(value));
  list.append(dd);
}

function shortHash(value: unknown): string {
  return typeof value === 'string' && value.length > 16 ? `${value.slice(0, 12)}…` : text(value);
}

interface ICardParts {
  title: string;
  target: string;
  summary: string[];
  facts: [string, string, boolean][];
}

function checkParts(payload: JSONObject): ICardParts {
  const kind = text(payload['kind']);
  const target = isObject(payload['target']) ? payload['target'] : {};
  const summary = isObject(payload['summary']) ? payload['summary'] : {};
  const label = text(target['path']) || text(target['name']) || text(payload['id']);
  const line: string[] = [];
  if (typeof target['size'] === 'number') {
    line.push(`${target['size'].toLocaleString('en')} bytes`);
  }
  if (Array.isArray(target['shape'])) {
    line.push(`shape ${target['shape'].join(' × ')}`);
  }
  if (typeof summary['format'] === 'string') {
    line.push(`format ${summary['format']}`);
  }
  if (typeof summary['rows'] === 'number') {
    line.push(`${summary['rows'].toLocaleString('en')} rows`);
  }
  if (target['sha256']) {
    line.push(`sha256 ${shortHash(target['sha256'])}`);
  }
  const tool = isObject(payload['tool']) ? payload['tool'] : {};
  return {
    title: KIND_TITLES[kind] ?? `${kind || 'Unknown'} check`,
    target: label,
    summary: line,
    facts: [
      ['id', text(payload['id']), true],
      ['target', text(target['kind']), false],
      ['sha256', text(target['sha256']), true],
      ['content hash', text(target['content_hash']), true],
      ['tool', `${text(tool['name'])} ${text(tool['version'])}`.trim(), false],
      ['recorded', text(payload['recorded_at']), false],
      [
        'duration',
        typeof payload['duration_s'] === 'number' ? `${payload['duration_s'].toFixed(3)} s` : '',
        false
      ]
    ]
  };
}

function monitorParts(id: string, payload: JSONObject): ICardParts {
  const kind = text(payload['kind']);
  const drifted = Array.isArray(payload['drifted']) ? payload['drifted'].map(text) : null;
  const line: string[] = [];
  if (drifted !== null) {
    line.push(
      drifted.length
        ? `drift in ${drifted.length} column(s): ${drifted.slice(0, 5).join(', ')}${drifted.length > 5 ? ', …' : ''}`
        : 'no column drifted'
    );
  }
  if (typeof payload['drift_share'] === 'number') {
    line.push(`drift share ${(payload['drift_share'] * 100).toFixed(1)}%`);
  }
  if (typeof payload['batches'] === 'number') {
    line.push(`${payload['batches']} batch(es)`);
  }
  return {
    title: KIND_TITLES[kind] ?? 'Drift monitor',
    target: id,
    summary: line,
    facts: [
      ['id', id, true],
      ['recorded', text(payload['recorded_at']), false]
    ]
  };
}

function singletonParts(kind: string, payload: JSONObject): ICardParts {
  const title = kind === 'threat_model' ? 'Threat model' : kind === 'model_card' ? 'Model card' : kind;
  const line: string[] = [];
  for (const key of ['name', 'title', 'system']) {
    if (typeof payload[key] === 'string') {
      line.push(payload[key] as string);
      break;
    }
  }
  for (const key of ['answers', 'risks', 'threats', 'sections']) {
    const value = payload[key];
    const n = Array.isArray(value) ? value.length : isObject(value) ? Object.keys(value).length : 0;
    if (n) {
      line.push(`${n} ${key}`);
    }
  }
  return {
    title,
    target: '',
    summary: line,
    facts: [['recorded', text(payload['recorded_at']), false]]
  };
}

export const SEVERITIES_WORST_FIRST = ['critical', 'high', 'medium', 'low', 'info'];

export interface IStageCoverage {
  stage: string;
  section: string;
  answered: number;
  applicable: number;
}

/** A threat model's answered / applicable questions per guideline stage (from `coverage`). */
export function threatStages(payload: JSONObject): IStageCoverage[] {
  const out = new Map<string, IStageCoverage>();
  const list = Array.isArray(payload['coverage']) ? payload['coverage'] : [];
  for (const c of list) {
    if (!isObject(c)) {
      continue;
    }
    const stage = text(c['stage']);
    const entry = out.get(stage) ?? { stage, section: text(c['section']) || stage, answered: 0, applicable: 0 };
    entry.answered += typeof c['answered'] === 'number' ? c['answered'] : 0;
    entry.applicable += typeof c['applicable'] === 'number' ? c['applicable'] : 0;
    out.set(stage, entry);
  }
  return [...out.values()];
}

export interface IOpenRisk {
  id: string;
  title: string;
  severity: string;
  owned: boolean;
}

/** A threat model's risks that apply (status not n/a), worst residual severity first. */
export function threatRisks(payload: JSONObject): IOpenRisk[] {
  const list = Array.isArray(payload['risks']) ? payload['risks'] : [];
  const out: IOpenRisk[] = [];
  for (const r of list) {
    if (!isObject(r) || r['status'] === 'n/a') {
      continue;
    }
    const residual = isObject(r['residual']) ? r['residual'] : {};
    out.push({
      id: text(r['id']),
      title: text(r['title']) || text(r['id']),
      severity: typeof residual['severity'] === 'string' ? residual['severity'] : 'info',
      owned: !!text(r['owner']).trim() && !!text(r['response'])
    });
  }
  return out.sort((a, b) => (SEVERITY_ORDER[b.severity] ?? 0) - (SEVERITY_ORDER[a.severity] ?? 0));
}

/** Whether a threat model was written by the questionnaire (it has coverage and a register). */
export function isQuestionnaire(payload: JSONObject): boolean {
  return Array.isArray(payload['coverage']) && Array.isArray(payload['risks']);
}

function threatModelParts(payload: JSONObject): ICardParts {
  const stages = threatStages(payload);
  const answered = stages.reduce((n, s) => n + s.answered, 0);
  const applicable = stages.reduce((n, s) => n + s.applicable, 0);
  const risks = threatRisks(payload);
  const counts = SEVERITIES_WORST_FIRST.map(s => [s, risks.filter(r => r.severity === s).length] as [string, number]).filter(
    ([, n]) => n
  );
  const unowned = risks.filter(r => !r.owned && (r.severity === 'high' || r.severity === 'critical')).length;
  const line = [`${answered} of ${applicable} applicable questions answered`];
  line.push(counts.length ? `residual: ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}` : 'no risks open');
  if (unowned) {
    line.push(`${unowned} high or critical without an owner and a response`);
  }
  const bank = isObject(payload['bank']) ? payload['bank'] : {};
  const profile = isObject(payload['profile']) ? payload['profile'] : {};
  const flags = Object.keys(profile).filter(k => profile[k] === true);
  return {
    title: 'Threat model',
    target: '',
    summary: line,
    facts: [
      ['question bank', `${text(bank['name'])} ${text(bank['version'])}`.trim(), false],
      ['MITRE ATLAS', text(payload['atlas_version']), false],
      ['profile', flags.map(f => f.replace(/_/g, '-')).join(', ') || 'none of the flags', false],
      ['recorded', text(payload['recorded_at']), false]
    ]
  };
}

function threatModelBody(card: HTMLElement, payload: JSONObject): void {
  const stages = threatStages(payload);
  const list = el('ul', 'jp-AisecCard-stages');
  list.setAttribute('aria-label', 'Questions answered per stage');
  for (const s of stages) {
    const item = el('li', s.answered >= s.applicable ? 'jp-AisecCard-stage-done' : 'jp-AisecCard-stage');
    item.dataset.stage = s.stage;
    item.append(el('span', undefined, `${s.section}: `), el('b', undefined, `${s.answered}/${s.applicable}`));
    list.append(item);
  }
  card.append(el('div', 'jp-AisecCard-heading', 'Coverage per stage'), list);
  const risks = threatRisks(payload).filter(r => r.severity === 'critical' || r.severity === 'high');
  if (risks.length) {
    const top = el('ul', 'jp-AisecCard-risks');
    top.setAttribute('aria-label', 'Open risks by residual severity');
    for (const r of risks.slice(0, TOP_FINDINGS + 2)) {
      const item = el('li', 'jp-AisecCard-risk');
      item.dataset.risk = r.id;
      item.append(severityBadge(r.severity), document.createTextNode(` ${r.title}`));
      if (!r.owned) {
        item.append(el('span', 'jp-AisecCard-flag', ' no owner or response'));
      }
      top.append(item);
    }
    if (risks.length > TOP_FINDINGS + 2) {
      top.append(el('li', undefined, `… and ${risks.length - TOP_FINDINGS - 2} more high or critical`));
    }
    card.append(el('div', 'jp-AisecCard-heading', 'Highest residual risks'), top);
  }
}

/** The fields a model card still lacks (its `missing` list), as the Python side wrote them. */
export function cardMissing(payload: JSONObject): string[] {
  const missing = payload['missing'];
  return Array.isArray(missing) ? missing.map(text).filter(m => m) : [];
}

/** Whether a model card says it is complete (every required field has a usable value). */
export function cardComplete(payload: unknown): boolean {
  return isObject(payload) && payload['complete'] === true && cardMissing(payload).length === 0;
}

function modelCardParts(payload: JSONObject): ICardParts {
  const missing = cardMissing(payload);
  const fields = isObject(payload['fields']) ? payload['fields'] : {};
  const required = Array.isArray(payload['required']) ? payload['required'].length : 0;
  const line: string[] = [];
  line.push(
    cardComplete(payload)
      ? 'complete: every required field filled'
      : `${missing.length} required field(s) missing`
  );
  if (required) {
    line.push(`${Math.max(required - missing.length, 0)} of ${required} required filled`);
  }
  const evidence = isObject(payload['evidence']) ? Object.keys(payload['evidence']).length : 0;
  if (evidence) {
    const verdict = verdictOf(payload);
    const words = verdict === 'none' ? '' : `, ${VERDICT_WORDS[verdict].text}`;
    line.push(`${evidence} check(s) as evidence${words}`);
  }
  const overrides = isObject(payload['overrides']) ? Object.keys(payload['overrides']) : [];
  if (overrides.length) {
    line.push(`${overrides.length} evidence value(s) overridden`);
  }
  return {
    title: 'Model card',
    target: text(payload['name']),
    summary: line,
    facts: [
      ['fields', String(Object.keys(fields).length), false],
      ['overridden', overrides.join(', '), false],
      ['next review', text(payload['review_due']), false],
      ['recorded', text(payload['recorded_at']), false]
    ]
  };
}

function genericParts(kind: string, id: string, payload: JSONObject): ICardParts {
  return {
    title: `aisec result of kind “${kind || 'unknown'}”`,
    target: id,
    summary: ['This version of the extension does not know this kind; its fields are listed below.'],
    facts: Object.keys(payload)
      .slice(0, 40)
      .map(k => [k, text(payload[k]).slice(0, 400), false] as [string, string, boolean])
  };
}

/** The card for a fragment (or its JSON text); a fragment that cannot be read gets a notice. */
export function renderCard(fragment: unknown): HTMLElement {
  let value = fragment;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      value = null;
    }
  }
  const card = el('div', 'jp-AisecCard');
  if (!isObject(value) || !isObject(value['payload'])) {
    card.classList.add('jp-AisecCard-unreadable');
    card.append(el('p', undefined, 'This aisec output could not be read: it is not a JSON fragment with a payload.'));
    return card;
  }
  const kind = text(value['kind']);
  const id = text(value['id']);
  const payload = value['payload'];
  const parts =
    kind === 'check'
      ? checkParts(payload)
      : kind === 'monitor'
        ? monitorParts(id, payload)
        : kind === 'model_card'
          ? modelCardParts(payload)
          : kind === 'threat_model'
            ? isQuestionnaire(payload)
              ? threatModelParts(payload)
              : singletonParts(kind, payload)
            : genericParts(kind, id, payload);
  const verdict = headVerdict(kind, payload);
  const words = VERDICT_WORDS[verdict];
  card.classList.add(`jp-AisecCard-${verdict}`);
  card.dataset.aisecKind = kind;
  card.dataset.aisecVerdict = verdict;
  card.setAttribute('role', 'group');
  card.setAttribute(
    'aria-label',
    `${parts.title}${parts.target ? ' ' + parts.target : ''}: ${words.text}`
  );

  const header = el('div', 'jp-AisecCard-header');
  header.append(verdictBadge(verdict), el('span', 'jp-AisecCard-title', parts.title));
  if (parts.target) {
    header.append(el('code', 'jp-AisecCard-target', parts.target));
  }
  header.append(el('span', 'jp-AisecCard-words', words.text));
  card.append(header);

  const findings = findingsOf(payload);
  const line = [...parts.summary];
  if (kind === 'check' || findings.length) {
    line.unshift(findings.length ? `${findings.length} finding(s)` : 'no findings');
  }
  if (line.length) {
    card.append(el('div', 'jp-AisecCard-summary', line.join(' · ')));
  }
  if (kind === 'model_card') {
    card.dataset.aisecComplete = String(cardComplete(payload));
    const missing = cardMissing(payload);
    if (missing.length) {
      const list = el('ul', 'jp-AisecCard-missing');
      list.setAttribute('aria-label', 'Missing required fields');
      missing.slice(0, MAX_LISTED).forEach(m => list.append(el('li', undefined, m)));
      card.append(el('div', 'jp-AisecCard-heading', 'Missing required fields'), list);
    }
  }
  if (kind === 'threat_model' && isQuestionnaire(payload)) {
    threatModelBody(card, payload);
  }
  if (findings.length) {
    const top = el('ul', 'jp-AisecCard-top');
    findings.slice(0, TOP_FINDINGS).forEach(f => top.append(findingItem(f)));
    card.append(top);
  }

  const details = el('div', 'jp-AisecCard-details');
  details.id = `jp-AisecCard-details-${++counter}`;
  details.hidden = true;
  if (findings.length > TOP_FINDINGS) {
    details.append(el('div', 'jp-AisecCard-heading', `All ${findings.length} findings`));
    const all = el('ul', 'jp-AisecCard-all');
    findings.slice(0, MAX_LISTED).forEach(f => all.append(findingItem(f)));
    if (findings.length > MAX_LISTED) {
      all.append(el('li', undefined, `… and ${findings.length - MAX_LISTED} more`));
    }
    details.append(all);
  }
  const facts = el('dl', 'jp-AisecCard-facts');
  parts.facts.forEach(([label, value, code]) => fact(facts, label, value, code));
  details.append(facts);

  const toggle = el('button', 'jp-AisecCard-toggle jp-mod-styled');
  toggle.type = 'button';
  toggle.setAttribute('aria-expanded', 'false');
  toggle.setAttribute('aria-controls', details.id);
  const more = findings.length > TOP_FINDINGS ? `all ${findings.length} findings and details` : 'details';
  toggle.textContent = `Show ${more}`;
  toggle.addEventListener('click', () => {
    const open = details.hidden;
    details.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = `${open ? 'Hide' : 'Show'} ${more}`;
  });
  // Enter and Space belong to the button, not to the notebook's command-mode shortcuts.
  toggle.addEventListener('keydown', event => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.stopPropagation();
    }
  });
  card.append(toggle, details);
  return card;
}
