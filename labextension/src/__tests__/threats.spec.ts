/**
 * @jest-environment jsdom
 */
import { renderCard, threatRisks, threatStages } from '../card';
import { coverage } from '../coverage';
import type { ICatalogue } from '../api';
import type { JSONObject } from '../pyjson';

const hostile = '<img src=x onerror="window.pwned=1">';

const payload: JSONObject = {
  recorded_at: '2026-03-01T12:00:00Z',
  format: 'aisec-nb.threats/1',
  bank: { name: 'aisec-nb', version: '1.0' },
  atlas_version: '5.6.0',
  profile: { generative: true, user_facing: false },
  answers: { 'DE1.1': { value: 'yes', reason: '' } },
  coverage: [
    { stage: 'design', section: 'Secure design', subsection: 'Raise staff awareness of threats and risks', applicable: 4, answered: 4 },
    { stage: 'design', section: 'Secure design', subsection: 'Model the threats to your system', applicable: 6, answered: 0 },
    { stage: 'development', section: 'Secure development', subsection: 'Secure your supply chain', applicable: 6, answered: 2 }
  ],
  risks: [
    { id: 'evasion', title: 'Crafted inputs', status: 'open', owner: '', response: null, residual: { severity: 'high' } },
    { id: 'malicious-model-file', title: hostile, status: 'open', owner: '', response: null, residual: { severity: 'critical' } },
    { id: 'owned', title: 'Owned one', status: 'mitigated', owner: 'ML lead', response: 'mitigate', residual: { severity: 'critical' } },
    { id: 'gone', title: 'Does not apply', status: 'n/a', owner: '', residual: { severity: 'critical' } },
    { id: 'small', title: 'Small one', status: 'open', owner: '', residual: { severity: 'low' } }
  ]
};
const fragment = { schema_version: 1, kind: 'threat_model', id: 'threats', payload };

describe('the threat model card', () => {
  test('coverage per stage and the open risks by residual severity, worst first', () => {
    expect(threatStages(payload)).toEqual([
      { stage: 'design', section: 'Secure design', answered: 4, applicable: 10 },
      { stage: 'development', section: 'Secure development', answered: 2, applicable: 6 }
    ]);
    expect(threatRisks(payload).map(r => [r.id, r.severity, r.owned])).toEqual([
      ['malicious-model-file', 'critical', false],
      ['owned', 'critical', true],
      ['evasion', 'high', false],
      ['small', 'low', false]
    ]);
    const card = renderCard(fragment);
    expect(card.dataset.aisecKind).toBe('threat_model');
    const summary = card.querySelector('.jp-AisecCard-summary')?.textContent;
    expect(summary).toBe(
      '6 of 16 applicable questions answered · residual: 2 critical, 1 high, 1 low · 2 high or critical without an owner and a response'
    );
    const stages = [...card.querySelectorAll('.jp-AisecCard-stages li')].map(li => li.textContent);
    expect(stages).toEqual(['Secure design: 4/10', 'Secure development: 2/6']);
    const risks = [...card.querySelectorAll('.jp-AisecCard-risks li')];
    expect(risks.map(li => (li as HTMLElement).dataset.risk)).toEqual(['malicious-model-file', 'owned', 'evasion']);
    expect(risks[0].textContent).toContain('no owner or response');
    expect(risks[1].textContent).not.toContain('no owner or response');
    // Payload text stays text.
    expect(card.querySelector('img')).toBeNull();
    expect(card.textContent).toContain(hostile);
    expect(card.textContent).toContain('generative');
  });

  test('a threat model written by hand keeps the short card', () => {
    const card = renderCard({ schema_version: 1, kind: 'threat_model', id: null, payload: { recorded_at: 'x', answers: { q1: 'y' } } });
    expect(card.querySelector('.jp-AisecCard-summary')?.textContent).toBe('1 answers');
    expect(card.querySelector('.jp-AisecCard-stages')).toBeNull();
  });

  test('the side panel counts each subsection with answered questions as covered', () => {
    const catalogue: ICatalogue = {
      version: '0',
      guidelines: [
        { section: 'Secure design', subsections: ['Raise staff awareness of threats and risks', 'Model the threats to your system'] },
        { section: 'Secure development', subsections: ['Secure your supply chain', 'Manage your technical debt'] }
      ],
      rules: [],
      areas: { checks: {}, monitors: 'drift' },
      documents: { threat_model: ['Model the threats to your system'] }
    };
    const rows = coverage({ schema_version: 1, checks: {}, monitors: {}, threat_model: payload }, catalogue);
    expect(rows.map(r => [r.subsection, r.evidence])).toEqual([
      ['Raise staff awareness of threats and risks', ['threat model (4/4 answered)']],
      ['Model the threats to your system', ['threat model']],
      ['Secure your supply chain', ['threat model (2/6 answered)']],
      ['Manage your technical debt', []]
    ]);
  });
});
