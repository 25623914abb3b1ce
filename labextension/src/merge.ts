/**
 * The merge rule of `aisec_nb/transport.py`, ported line for line so that the front end records
 * exactly what `aisec-nb sync` would. Both sides run the JSON vectors of `tests/fixtures/merge/`.
 *
 * * entries are keyed by slot and id (`checks[id]`, `monitors[id]`, `threat_model`, `model_card`);
 * * per key the entry with the newest `payload.recorded_at` wins;
 * * equal times are broken by the larger canonical JSON text of the payload;
 * * unknown fields inside payloads and unknown top-level keys of `metadata.aisec` are kept.
 */

import { compareInstants, IInstant, parseInstant } from './isotime';
import {
  canonicalJSON,
  compareCodePoints,
  copyJSON,
  isObject,
  JSONObject,
  jsonEqual,
  pyRepr,
  pyTruthy,
  pyTypeName
} from './pyjson';
import { checkError, IValidationError, monitorError } from './validate';

export const MIME_TYPE = 'application/vnd.aisec.v1+json';
export const SCHEMA_VERSION = 1;

export const KEYED_SLOTS: { [kind: string]: string } = { check: 'checks', monitor: 'monitors' };
export const SINGLE_SLOTS: { [kind: string]: string } = {
  threat_model: 'threat_model',
  model_card: 'model_card'
};
export const FRAGMENT_KINDS = [...Object.keys(KEYED_SLOTS), ...Object.keys(SINGLE_SLOTS)];

const VALIDATORS: { [slot: string]: (payload: unknown) => IValidationError | null } = {
  checks: checkError,
  monitors: monitorError
};

/** Malformed or foreign `aisec` metadata or output; the message starts with the notebook. */
export class RecordError extends Error {
  constructor(
    readonly notebook: string,
    readonly problem: string
  ) {
    super(`${notebook}: ${problem}`);
    this.name = 'RecordError';
  }
}

export interface IEntry {
  slot: string;
  id: string | null;
  payload: JSONObject;
  /** 0-based index of the cell whose output carried it; `null` for `metadata.aisec`. */
  cell: number | null;
}

export interface IRecord extends JSONObject {}

export interface INotebookEvidence {
  record: IRecord;
  /** Per key (`slot` + NUL + `id`), the 0-based cell that shows the winning entry. */
  cells: Map<string, number>;
}

/** A minimal notebook: what `readRecord` reads (an nbformat v4 object has this shape). */
export interface INotebookLike {
  metadata?: unknown;
  cells?: unknown;
}

export function keyOf(slot: string, id: string | null): string {
  return `${slot}\u0000${id ?? ''}`;
}

export function emptyRecord(): IRecord {
  return {
    schema_version: SCHEMA_VERSION,
    checks: {},
    threat_model: null,
    model_card: null,
    monitors: {}
  };
}

function parseTime(value: unknown, where: string, notebook: string): IInstant {
  if (typeof value !== 'string') {
    throw new RecordError(notebook, `${where}: recorded_at is missing or not a string`);
  }
  const parsed = parseInstant(value);
  if (parsed === null) {
    throw new RecordError(notebook, `${where}: recorded_at ${pyRepr(value)} is not an ISO 8601 time`);
  }
  return parsed;
}

function validatePayload(slot: string, payload: unknown, where: string, notebook: string): JSONObject {
  if (!isObject(payload)) {
    throw new RecordError(notebook, `${where}: expected a JSON object, found ${pyTypeName(payload)}`);
  }
  const validate = VALIDATORS[slot];
  if (validate !== undefined) {
    parseTime(payload['recorded_at'], where, notebook);
    const error = validate(payload);
    if (error !== null) {
      throw new RecordError(notebook, `${where}: ${error.loc.join('.')}: ${error.msg}`);
    }
  }
  return payload;
}

function checkVersion(version: unknown, where: string, notebook: string): void {
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw new RecordError(
      notebook,
      `${where}: schema_version must be an integer, found ${pyRepr(version)}`
    );
  }
  if (version > SCHEMA_VERSION) {
    throw new RecordError(
      notebook,
      `${where}: written by a newer aisec-nb (schema ${version}, this one reads up to ` +
        `${SCHEMA_VERSION}); upgrade aisec-nb`
    );
  }
}

/** The entries of a `metadata.aisec` value (which may be absent: `undefined` or `null`). */
export function metadataEntries(aisec: unknown, notebook = '<notebook>'): IEntry[] {
  if (aisec === undefined || aisec === null) {
    return [];
  }
  if (!isObject(aisec)) {
    throw new RecordError(
      notebook,
      `metadata.aisec is a ${pyTypeName(aisec)}, not an aisec-nb record object`
    );
  }
  if (!('schema_version' in aisec)) {
    throw new RecordError(notebook, 'metadata.aisec has no schema_version: not an aisec-nb record');
  }
  checkVersion(aisec['schema_version'], 'metadata.aisec', notebook);
  const out: IEntry[] = [];
  for (const slot of Object.values(KEYED_SLOTS)) {
    const raw = aisec[slot];
    const items = pyTruthy(raw) ? raw : {};
    if (!isObject(items)) {
      throw new RecordError(notebook, `metadata.aisec.${slot} must be an object keyed by id`);
    }
    for (const [key, payload] of Object.entries(items)) {
      const where = `metadata.aisec.${slot}[${pyRepr(key)}]`;
      out.push({ slot, id: key, payload: validatePayload(slot, payload, where, notebook), cell: null });
    }
  }
  for (const slot of Object.values(SINGLE_SLOTS)) {
    const payload = aisec[slot];
    if (payload !== undefined && payload !== null) {
      out.push({
        slot,
        id: null,
        payload: validatePayload(slot, payload, `metadata.aisec.${slot}`, notebook),
        cell: null
      });
    }
  }
  return out;
}

/** The entry a fragment carries; `null` for a kind this version does not know. */
export function fragmentEntry(
  fragment: unknown,
  where: string,
  notebook: string,
  cell: number | null
): IEntry | null {
  let value = fragment;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new RecordError(notebook, `${where}: ${MIME_TYPE} output is not valid JSON`);
    }
  }
  if (!isObject(value)) {
    throw new RecordError(notebook, `${where}: ${MIME_TYPE} output is not a JSON object`);
  }
  checkVersion(value['schema_version'], where, notebook);
  const kind = value['kind'];
  if (typeof kind !== 'string' || !FRAGMENT_KINDS.includes(kind)) {
    return null;
  }
  const keyed = kind in KEYED_SLOTS;
  const slot = keyed ? KEYED_SLOTS[kind] : SINGLE_SLOTS[kind];
  const fid = value['id'];
  if (keyed && typeof fid !== 'string') {
    throw new RecordError(notebook, `${where}: a ${kind} fragment needs a string id`);
  }
  const payload = validatePayload(slot, value['payload'], where, notebook);
  return { slot, id: keyed ? (fid as string) : null, payload, cell };
}

/** The entries carried by the outputs of a notebook's cells (nbformat v4 objects). */
export function outputEntries(cells: unknown, notebook = '<notebook>'): IEntry[] {
  if (!Array.isArray(cells)) {
    throw new RecordError(notebook, 'the notebook has no list of cells');
  }
  const out: IEntry[] = [];
  cells.forEach((cell, index) => {
    const outputs = isObject(cell) ? cell['outputs'] : undefined;
    const list = Array.isArray(outputs) ? outputs : [];
    list.forEach((output, outIndex) => {
      const data = isObject(output) ? output['data'] : undefined;
      if (isObject(data) && MIME_TYPE in data) {
        const where = `cell ${index + 1}, output ${outIndex + 1}`;
        const entry = fragmentEntry(data[MIME_TYPE], where, notebook, index);
        if (entry !== null) {
          out.push(entry);
        }
      }
    });
  });
  return out;
}

interface IRank {
  when: IInstant;
  text: string;
  entry: IEntry;
}

function compareRanks(a: IRank, b: IRank): number {
  return compareInstants(a.when, b.when) || compareCodePoints(a.text, b.text);
}

/** Merge entries by the newest-wins rule into a record; `base` is the existing metadata.aisec. */
export function mergeEntries(
  entries: IEntry[],
  base: JSONObject | null = null,
  notebook = '<notebook>'
): INotebookEvidence {
  const best = new Map<string, IRank>();
  const shownIn = new Map<string, IEntry[]>();
  const keys = new Map<string, [string, string | null]>();
  for (const entry of entries) {
    const where = entry.id !== null ? `${entry.slot}[${pyRepr(entry.id)}]` : entry.slot;
    const when = parseTime(entry.payload['recorded_at'], where, notebook);
    const rank: IRank = { when, text: canonicalJSON(entry.payload), entry };
    const key = keyOf(entry.slot, entry.id);
    keys.set(key, [entry.slot, entry.id]);
    const current = best.get(key);
    if (current === undefined || compareRanks(rank, current) > 0) {
      best.set(key, rank);
    }
    if (entry.cell !== null) {
      const list = shownIn.get(key) ?? [];
      list.push(entry);
      shownIn.set(key, list);
    }
  }

  const record = emptyRecord();
  if (base !== null) {
    for (const [name, value] of Object.entries(base)) {
      if (!(name in record)) {
        record[name] = copyJSON(value);
      }
    }
  }
  const cells = new Map<string, number>();
  const ordered = [...keys.entries()].sort(([, a], [, b]) => {
    return compareCodePoints(a[0], b[0]) || compareCodePoints(a[1] ?? '', b[1] ?? '');
  });
  for (const [key, [slot, fid]] of ordered) {
    const winner = (best.get(key) as IRank).entry;
    const payload = copyJSON(winner.payload);
    if (fid === null) {
      record[slot] = payload;
    } else {
      (record[slot] as JSONObject)[fid] = payload;
    }
    const carriers = shownIn.get(key) ?? [];
    const same = carriers.filter(e => jsonEqual(e.payload, winner.payload));
    const chosen = (same.length ? same : carriers).slice(-1);
    if (chosen.length && chosen[0].cell !== null) {
      cells.set(key, chosen[0].cell);
    }
  }
  return { record, cells };
}

/** The merged record of a notebook, from its metadata and its outputs. */
export function readRecord(nb: INotebookLike, notebook = '<notebook>'): INotebookEvidence {
  const metadata = nb.metadata;
  if (!isObject(metadata)) {
    throw new RecordError(notebook, 'the notebook has no metadata object');
  }
  const aisec = metadata['aisec'];
  const entries = [...metadataEntries(aisec, notebook), ...outputEntries(nb.cells, notebook)];
  return mergeEntries(entries, isObject(aisec) ? aisec : null, notebook);
}

/** Whether a record holds any evidence (as `aisec-nb sync` decides whether to write one). */
export function hasEvidence(record: JSONObject): boolean {
  return ['checks', 'monitors', 'threat_model', 'model_card'].some(slot => pyTruthy(record[slot]));
}

/**
 * What the recorder writes: the merged record when it differs from `current` (the notebook's
 * `metadata.aisec`), or `null` to leave the notebook untouched, as `aisec-nb sync` does.
 */
export function recordToWrite(current: unknown, merged: IRecord): IRecord | null {
  if ((current === undefined || current === null) && !hasEvidence(merged)) {
    return null;
  }
  return jsonEqual(current, merged) ? null : merged;
}
