/**
 * @jest-environment jsdom
 */
import { renderCard, VERDICT_WORDS } from '../card';
import { coverage } from '../coverage';
import type { ICatalogue } from '../api';

const check = (verdict: string, findings: object[] = []) => ({
  schema_version: 1,
  kind: 'check',
  id: 'model:m.pkl',
  payload: {
    id: 'model:m.pkl',
    kind: 'model',
    verdict,
    target: { kind: 'file', path: 'm.pkl', size: 3, sha256: 'ab'.repeat(32) },
    findings,
    recorded_at: '2026-01-01T09:00:00Z'
  }
});

const hostile = '<img src=x onerror="window.pwned=1">';

describe('cards', () => {
  test('a check: verdict in words and a symbol, target, findings worst first', () => {
    const card = renderCard(
      check('fail', [
        { code: 'AISEC-X-1', severity: 'low', message: 'minor' },
        { code: 'AISEC-X-2', severity: 'critical', message: hostile }
      ])
    );
    expect(card.dataset.aisecVerdict).toBe('fail');
    expect(card.textContent).toContain('FAIL');
    expect(card.textContent).toContain('failed');
    expect(card.getAttribute('aria-label')).toContain('failed');
    expect(card.querySelector('.jp-AisecCard-target')?.textContent).toBe('m.pkl');
    const first = card.querySelector('.jp-AisecCard-top .jp-AisecFinding');
    expect(first?.textContent).toContain('critical');
    // Payload text is text: no element is made from it.
    expect(card.querySelector('img')).toBeNull();
    expect(card.textContent).toContain(hostile);
  });

  test('the full list opens with a button that says whether it is open', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ code: `C${i}`, severity: 'high', message: `m${i}` }));
    const card = renderCard(check('fail', many));
    const toggle = card.querySelector('button') as HTMLButtonElement;
    const details = card.querySelector('.jp-AisecCard-details') as HTMLElement;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(details.hidden).toBe(true);
    toggle.click();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(details.hidden).toBe(false);
    expect(details.querySelectorAll('.jp-AisecCard-all li').length).toBe(5);
    expect(toggle.getAttribute('aria-controls')).toBe(details.id);
  });

  test.each([
    [{ schema_version: 1, kind: 'monitor', id: 'drift:live', payload: { recorded_at: 'x', verdict: 'warn', drifted: ['a'] } }, 'Drift monitor', 'drift in 1 column(s): a'],
    [{ schema_version: 1, kind: 'threat_model', id: null, payload: { recorded_at: 'x', answers: { q1: 'y' } } }, 'Threat model', '1 answers'],
    [{ schema_version: 1, kind: 'model_card', id: null, payload: { recorded_at: 'x', name: 'clf' } }, 'Model card', 'clf'],
    [{ schema_version: 1, kind: 'hologram', id: 'h:1', payload: { recorded_at: 'x', beam: 3 } }, 'hologram', 'beam']
  ])('kind %#: a readable card', (fragment, title, text) => {
    const card = renderCard(fragment);
    expect(card.textContent).toContain(title);
    expect(card.textContent).toContain(text);
  });

  test('a model card: completeness, the missing fields, payload text kept as text', () => {
    const fragment = {
      schema_version: 1,
      kind: 'model_card',
      id: 'model_card',
      payload: {
        recorded_at: 'x',
        name: hostile,
        complete: false,
        verdict: 'fail',
        required: ['name', 'retention_time', 'review_frequency'],
        missing: ['retention_time', 'datasets[1].role'],
        fields: { name: { value: hostile, source: 'user' } },
        evidence: { 'signature:model.sig': { kind: 'signature', verdict: 'fail' } }
      }
    };
    const card = renderCard(fragment);
    expect(card.dataset.aisecKind).toBe('model_card');
    expect(card.dataset.aisecComplete).toBe('false');
    expect(card.dataset.aisecVerdict).toBe('fail');
    expect(card.textContent).toContain('2 required field(s) missing');
    expect(card.textContent).toContain('1 of 3 required filled');
    const missing = Array.from(card.querySelectorAll('.jp-AisecCard-missing li')).map(li => li.textContent);
    expect(missing).toEqual(['retention_time', 'datasets[1].role']);
    expect(card.querySelector('img')).toBeNull();
    expect(card.querySelector('.jp-AisecCard-target')?.textContent).toBe(hostile);
    const done = renderCard({ ...fragment, payload: { ...fragment.payload, complete: true, missing: [] } });
    expect(done.dataset.aisecComplete).toBe('true');
    expect(done.textContent).toContain('complete: every required field filled');
    expect(done.querySelector('.jp-AisecCard-missing')).toBeNull();
  });

  test.each([
    [false, 'pass', 'incomplete', '! INCOMPLETE'],
    [false, undefined, 'incomplete', '! INCOMPLETE'],
    [false, 'fail', 'fail', '✗ FAIL'],
    [true, 'pass', 'complete', '✓ COMPLETE'],
    [true, undefined, 'complete', '✓ COMPLETE'],
    [true, 'warn', 'warn', '! WARN'],
    [true, 'error', 'error', '⚠ ERROR']
  ])('a model card complete=%s with evidence %s shows %s', (complete, verdict, shown, badge) => {
    const payload = {
      recorded_at: 'x',
      name: 'clf',
      complete,
      verdict,
      missing: complete ? [] : ['license'],
      evidence: { 'model:m.npy': { kind: 'model', verdict: verdict ?? 'pass' } }
    };
    const card = renderCard({ schema_version: 1, kind: 'model_card', id: 'model_card', payload });
    expect(card.dataset.aisecVerdict).toBe(shown);
    expect(card.classList.contains(`jp-AisecCard-${shown}`)).toBe(true);
    expect(card.querySelector('.jp-AisecCard-header .jp-AisecVerdict')?.textContent).toBe(badge);
    if (verdict) {
      expect(card.querySelector('.jp-AisecCard-summary')?.textContent).toContain(
        `1 check(s) as evidence, ${VERDICT_WORDS[verdict].text}`
      );
    }
  });

  test('a fragment stored as a string, and one that is not readable', () => {
    expect(renderCard(JSON.stringify(check('pass'))).dataset.aisecVerdict).toBe('pass');
    expect(renderCard('{oops').textContent).toContain('could not be read');
  });
});

describe('guideline coverage', () => {
  const catalogue: ICatalogue = {
    version: '0',
    guidelines: [
      { section: 'Secure development', subsections: ['Secure your supply chain', 'Document your data, models and prompts'] },
      { section: 'Secure operation and maintenance', subsections: ["Monitor your system's inputs"] }
    ],
    rules: [
      { code: 'S1', area: 'scan', severity: 'high', title: 't', guideline: 'Secure your supply chain', section: 'Secure development' },
      { code: 'D1', area: 'drift', severity: 'high', title: 't', guideline: "Monitor your system's inputs", section: 'x' }
    ],
    areas: { checks: { model: 'scan' }, monitors: 'drift' },
    documents: { model_card: ['Document your data, models and prompts'] }
  };
  test('a check counts for its area, a monitor for drift, a card for documentation', () => {
    const record = {
      schema_version: 1,
      checks: { 'model:m.pkl': check('pass').payload },
      monitors: {},
      threat_model: null,
      model_card: { recorded_at: 'x', complete: true, missing: [] }
    };
    const rows = coverage(record as never, catalogue);
    expect(rows.map(r => [r.subsection, r.evidence])).toEqual([
      ['Secure your supply chain', ['check model:m.pkl']],
      ['Document your data, models and prompts', ['complete model card']],
      ["Monitor your system's inputs", []]
    ]);
  });

  test('an incomplete model card is not evidence for documentation', () => {
    for (const card of [{ recorded_at: 'x' }, { recorded_at: 'x', complete: false, missing: ['retention_time'] },
                        { recorded_at: 'x', complete: true, missing: ['name'] }]) {
      const rows = coverage({ schema_version: 1, checks: {}, monitors: {}, threat_model: null, model_card: card } as never,
                            catalogue);
      expect(rows.find(r => r.subsection === 'Document your data, models and prompts')?.evidence).toEqual([]);
    }
  });
});
