/**
 * The merge rule, specified by the JSON vectors the Python tests run too
 * (`tests/fixtures/merge/*.json`): the two implementations cannot drift apart.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

import { readRecord, RecordError, recordToWrite } from '../merge';

const FOLDER = join(__dirname, '..', '..', '..', 'tests', 'fixtures', 'merge');
const VECTORS = readdirSync(FOLDER)
  .filter(name => name.endsWith('.json'))
  .sort();

interface IVector {
  description: string;
  notebook: { metadata: unknown; cells: unknown };
  expected?: unknown;
  error?: string;
}

function load(name: string): IVector {
  return JSON.parse(readFileSync(join(FOLDER, name), 'utf-8')) as IVector;
}

test('there are vectors for results and errors', () => {
  expect(VECTORS.filter(n => n.startsWith('e')).length).toBeGreaterThanOrEqual(5);
  expect(VECTORS.filter(n => !n.startsWith('e')).length).toBeGreaterThanOrEqual(12);
});

describe.each(VECTORS)('merge vector %s', name => {
  const vector = load(name);
  test(vector.description, () => {
    if (vector.error !== undefined) {
      let caught: unknown = null;
      try {
        readRecord(vector.notebook, 'vec.ipynb');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RecordError);
      const message = (caught as RecordError).message;
      expect(message).toContain(vector.error);
      expect(message.startsWith('vec.ipynb: ')).toBe(true);
    } else {
      expect(readRecord(vector.notebook, 'vec.ipynb').record).toEqual(vector.expected);
    }
  });
});

test('the cell that shows the winner is remembered', () => {
  const vector = load('05_cell_order_does_not_matter.json');
  const evidence = readRecord(vector.notebook);
  expect(evidence.cells.get('checks\u0000model:a')).toBe(0);
});

test('merging never changes what it reads', () => {
  const vector = load('09_unknown_fields_preserved.json');
  const before = JSON.stringify(vector.notebook);
  const record = readRecord(vector.notebook).record;
  (record['checks'] as { [k: string]: unknown })['model:a'] = null;
  (record['future_slot'] as { [k: string]: unknown })['x'] = 2;
  expect(JSON.stringify(vector.notebook)).toBe(before);
});

describe('what the recorder writes', () => {
  test('nothing for a notebook without evidence and without a record', () => {
    const merged = readRecord(load('01_empty.json').notebook).record;
    expect(recordToWrite(undefined, merged)).toBeNull();
  });
  test('nothing when the merged record equals the saved one (opening does not dirty)', () => {
    const vector = load('04_metadata_newer_than_output.json');
    const merged = readRecord(vector.notebook).record;
    const saved = (vector.notebook.metadata as { aisec: unknown }).aisec;
    expect(recordToWrite(saved, merged)).toBeNull();
  });
  test('the merged record when an output is newer', () => {
    const vector = load('03_output_newer_than_metadata.json');
    const merged = readRecord(vector.notebook).record;
    const saved = (vector.notebook.metadata as { aisec: unknown }).aisec;
    expect(recordToWrite(saved, merged)).toEqual(vector.expected);
  });
  test('clearing outputs keeps recorded evidence', () => {
    const vector = load('03_output_newer_than_metadata.json');
    const merged = readRecord(vector.notebook).record;
    const cleared = { metadata: { aisec: merged }, cells: [{ cell_type: 'code', outputs: [] }] };
    expect(readRecord(cleared).record).toEqual(merged);
    expect(recordToWrite(merged, readRecord(cleared).record)).toBeNull();
  });
});
