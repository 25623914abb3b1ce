/**
 * Which of the guidelines' 17 subsections a notebook's record gives evidence for, from the rule
 * catalogue: a recorded check applies the rules of its area (a model scan the `scan` rules, a data
 * check the `data` rules, a monitor the `drift` rules), so it is evidence for every subsection
 * those rules name; a finding adds its own rule's subsection; a threat model and a complete model
 * card count for the subsections the catalogue lists for them, and a threat model written by the
 * questionnaire also for every subsection it has answered questions of.
 */

import type { ICatalogue } from './api';
import { cardComplete } from './card';
import { isObject, JSONObject } from './pyjson';

export interface ICoverage {
  section: string;
  subsection: string;
  /** What gives the evidence: `checks[model:m.pkl]`-style labels, in record order. */
  evidence: string[];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function coverage(record: JSONObject | null, catalogue: ICatalogue): ICoverage[] {
  const byArea = new Map<string, Set<string>>();
  const byCode = new Map<string, string>();
  for (const rule of catalogue.rules) {
    const set = byArea.get(rule.area) ?? new Set<string>();
    set.add(rule.guideline);
    byArea.set(rule.area, set);
    byCode.set(rule.code, rule.guideline);
  }
  const evidence = new Map<string, string[]>();
  const add = (subsection: string, label: string): void => {
    const list = evidence.get(subsection) ?? [];
    if (!list.includes(label)) {
      list.push(label);
    }
    evidence.set(subsection, list);
  };
  const findings = (payload: JSONObject, label: string): void => {
    for (const key of ['findings', 'alerts']) {
      const list = payload[key];
      if (Array.isArray(list)) {
        for (const f of list) {
          const guideline = isObject(f) && typeof f['code'] === 'string' ? byCode.get(f['code']) : undefined;
          if (guideline) {
            add(guideline, label);
          }
        }
      }
    }
  };
  if (record) {
    const checks = isObject(record['checks']) ? record['checks'] : {};
    for (const [id, payload] of Object.entries(checks)) {
      if (!isObject(payload)) {
        continue;
      }
      const area = catalogue.areas.checks[String(payload['kind'])];
      for (const subsection of byArea.get(area) ?? []) {
        add(subsection, `check ${id}`);
      }
      findings(payload, `check ${id}`);
    }
    const monitors = isObject(record['monitors']) ? record['monitors'] : {};
    for (const [id, payload] of Object.entries(monitors)) {
      for (const subsection of byArea.get(catalogue.areas.monitors) ?? []) {
        add(subsection, `monitor ${id}`);
      }
      if (isObject(payload)) {
        findings(payload, `monitor ${id}`);
      }
    }
    // A threat model written by the questionnaire covers each subsection it answered questions of.
    const threats = record['threat_model'];
    if (isObject(threats) && Array.isArray(threats['coverage'])) {
      for (const c of threats['coverage']) {
        if (isObject(c) && typeof c['answered'] === 'number' && c['answered'] > 0) {
          add(text(c['subsection']), `threat model (${c['answered']}/${String(c['applicable'])} answered)`);
        }
      }
    }
    for (const [slot, subsections] of Object.entries(catalogue.documents)) {
      // A model card counts once it is complete: its required fields are the documentation
      // "Document your data, models and prompts" asks for.
      if (isObject(record[slot]) && (slot !== 'model_card' || cardComplete(record[slot]))) {
        subsections.forEach(s => add(s, slot === 'model_card' ? 'complete model card' : slot.replace('_', ' ')));
      }
    }
  }
  const out: ICoverage[] = [];
  for (const { section, subsections } of catalogue.guidelines) {
    for (const subsection of subsections) {
      out.push({ section, subsection, evidence: evidence.get(subsection) ?? [] });
    }
  }
  return out;
}
