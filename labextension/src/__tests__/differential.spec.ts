/**
 * Differential test: cases generated and merged by the Python side
 * (`tests/labextension/test_merge_differential.py`), merged again here; both must agree on the
 * record, or on the error. Jest collects it only when that test hands a case file over
 * (`jest.config.js`); without one it fails rather than passing empty.
 */
import { readFileSync } from 'fs';

import { readRecord, RecordError } from '../merge';

const file = process.env.AISEC_MERGE_CASES;

interface ICase {
  notebook: { metadata: unknown; cells: unknown };
  expected?: unknown;
  error?: string;
}

describe('the TypeScript merge agrees with Python', () => {
  if (!file) {
    throw new Error('AISEC_MERGE_CASES names no case file: run tests/labextension/test_merge_differential.py');
  }
  const cases = JSON.parse(readFileSync(file, 'utf-8')) as ICase[];
  test(`on ${cases.length} generated notebooks`, () => {
    const disagreements: string[] = [];
    cases.forEach((c, i) => {
      let got: unknown;
      let error: string | null = null;
      try {
        got = readRecord(c.notebook, 'gen.ipynb').record;
      } catch (e) {
        error = e instanceof RecordError ? e.message : String(e);
      }
      if (c.error !== undefined) {
        if (error !== c.error) {
          disagreements.push(`case ${i}: Python error ${JSON.stringify(c.error)}, TS ${JSON.stringify(error ?? got)}`);
        }
      } else if (error !== null || JSON.stringify(got) !== JSON.stringify(c.expected)) {
        disagreements.push(`case ${i}: ${error ?? 'records differ'}`);
      }
    });
    expect(disagreements).toEqual([]);
  });
});
