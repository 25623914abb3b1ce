/**
 * Payload validation against the Record's JSON Schema, the file the Python side generates from
 * its typed models (`aisec_nb/schema/record.schema.json`, copied in at build time). Only the
 * keywords that file uses are interpreted; values are accepted as pydantic's default (lax) mode
 * accepts them (an integer may come as a numeric string, a time as a number of seconds).
 *
 * A check is validated against the model of its `kind` (`model`, `guard`, `data`; any other kind
 * against the plain `CheckResult`), as the Python side's tagged union does.
 */

import schemaFile from './generated/record.schema.json';
import { parseInstant } from './isotime';
import { isObject, pyRepr } from './pyjson';

export interface ISchema {
  [key: string]: unknown;
}

export interface IValidationError {
  /** Path inside the payload, e.g. `['findings', '0', 'severity']`. */
  loc: string[];
  msg: string;
}

const ROOT = schemaFile as unknown as ISchema;
const DEFS = (ROOT['$defs'] ?? {}) as { [name: string]: ISchema };

const CHECK_MODELS: { [kind: string]: string } = {
  model: 'ModelCheck',
  guard: 'GuardCheck',
  data: 'DataCheck'
};

function resolve(schema: ISchema): ISchema {
  let current = schema;
  for (let depth = 0; typeof current['$ref'] === 'string' && depth < 32; depth++) {
    const name = (current['$ref'] as string).replace('#/$defs/', '');
    current = DEFS[name] ?? {};
  }
  return current;
}

const NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
const INTEGER = /^\s*[+-]?\d+\s*$/;
const BOOLEAN_WORDS = ['0', 'off', 'f', 'false', 'n', 'no', '1', 'on', 't', 'true', 'y', 'yes'];

/** The message pydantic gives for a value of the wrong type (its wording, so both sides agree). */
function typeError(type: string, schema: ISchema, value: unknown): string {
  if (type === 'object' && schema['properties'] && typeof schema['title'] === 'string') {
    return `Input should be a valid dictionary or instance of ${schema['title']}`;
  }
  if (type === 'number' && typeof value === 'string') {
    return 'Input should be a valid number, unable to parse string as a number';
  }
  if (type === 'integer' && typeof value === 'string') {
    return 'Input should be a valid integer, unable to parse string as an integer';
  }
  if (type === 'integer' && typeof value === 'number' && Number.isFinite(value)) {
    return 'Input should be a valid integer, got a number with a fractional part';
  }
  switch (type) {
    case 'string':
      return 'Input should be a valid string';
    case 'integer':
      return 'Input should be a valid integer';
    case 'number':
      return 'Input should be a valid number';
    case 'boolean':
      return 'Input should be a valid boolean';
    case 'array':
      return 'Input should be a valid array';
    case 'object':
      return 'Input should be a valid dictionary';
    case 'null':
      return 'Input should be None';
    default:
      return `Input should be of type ${type}`;
  }
}

function matchesType(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return (
        (typeof value === 'number' && Number.isInteger(value)) ||
        (typeof value === 'string' && INTEGER.test(value)) ||
        typeof value === 'boolean'
      );
    case 'number':
      return (
        (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && NUMERIC.test(value)) ||
        typeof value === 'boolean'
      );
    case 'boolean':
      return (
        typeof value === 'boolean' ||
        value === 0 ||
        value === 1 ||
        (typeof value === 'string' && BOOLEAN_WORDS.includes(value.trim().toLowerCase()))
      );
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    case 'null':
      return value === null;
    default:
      return true;
  }
}

function asNumber(value: unknown): number | null {
  if (typeof value === 'number') {
    return value;
  }
  if (typeof value === 'string' && NUMERIC.test(value)) {
    return Number(value);
  }
  return null;
}

function enumMessage(values: unknown[]): string {
  const items = values.map(pyRepr);
  const listed =
    items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}` : items[0];
  return `Input should be ${listed}`;
}

/** The first error of `value` against `schema`, or `null` when it is valid. */
export function firstError(
  schema: ISchema,
  value: unknown,
  loc: string[] = []
): IValidationError | null {
  const s = resolve(schema);
  const options = (s['anyOf'] ?? s['oneOf']) as ISchema[] | undefined;
  if (options) {
    let best: IValidationError | null = null;
    for (const option of options) {
      const error = firstError(option, value, loc);
      if (error === null) {
        return null;
      }
      // Report the error of the non-null alternative, as pydantic does for `X | None`.
      if (best === null && resolve(option)['type'] !== 'null') {
        best = error;
      }
    }
    return best ?? { loc, msg: 'Input should be None' };
  }
  if ('const' in s && value !== s['const']) {
    return { loc, msg: `Input should be ${pyRepr(s['const'])}` };
  }
  if (Array.isArray(s['enum']) && !(s['enum'] as unknown[]).includes(value)) {
    return { loc, msg: enumMessage(s['enum'] as unknown[]) };
  }
  const type = s['type'];
  if (typeof type === 'string') {
    const isTime = type === 'string' && s['format'] === 'date-time';
    if (isTime) {
      const ok =
        (typeof value === 'string' && parseInstant(value) !== null) ||
        (typeof value === 'number' && Number.isFinite(value));
      if (!ok) {
        return { loc, msg: 'Input should be a valid datetime' };
      }
      return null;
    }
    if (!matchesType(type, value)) {
      return { loc, msg: typeError(type, s, value) };
    }
  }
  if (typeof s['minimum'] === 'number') {
    const n = asNumber(value);
    if (n !== null && n < (s['minimum'] as number)) {
      return { loc, msg: `Input should be greater than or equal to ${s['minimum']}` };
    }
  }
  if (Array.isArray(value)) {
    if (typeof s['minItems'] === 'number' && value.length < (s['minItems'] as number)) {
      return { loc, msg: `Tuple should have at least ${s['minItems']} items` };
    }
    if (typeof s['maxItems'] === 'number' && value.length > (s['maxItems'] as number)) {
      return { loc, msg: `Tuple should have at most ${s['maxItems']} items` };
    }
    const prefix = (s['prefixItems'] ?? []) as ISchema[];
    for (let i = 0; i < value.length; i++) {
      const itemSchema = i < prefix.length ? prefix[i] : (s['items'] as ISchema | undefined);
      if (itemSchema && typeof itemSchema === 'object') {
        const error = firstError(itemSchema, value[i], [...loc, String(i)]);
        if (error) {
          return error;
        }
      }
    }
  }
  if (isObject(value)) {
    const properties = (s['properties'] ?? {}) as { [name: string]: ISchema };
    for (const name of (s['required'] ?? []) as string[]) {
      if (!(name in value)) {
        return { loc: [...loc, name], msg: 'Field required' };
      }
    }
    for (const [name, propSchema] of Object.entries(properties)) {
      if (name in value) {
        const error = firstError(propSchema, value[name], [...loc, name]);
        if (error) {
          return error;
        }
      }
    }
    const extra = s['additionalProperties'];
    if (isObject(extra)) {
      for (const [name, item] of Object.entries(value)) {
        if (!(name in properties)) {
          const error = firstError(extra as ISchema, item, [...loc, name]);
          if (error) {
            return error;
          }
        }
      }
    }
  }
  return null;
}

/** The first error of a check payload against the model of its kind. */
export function checkError(payload: unknown): IValidationError | null {
  const kind = isObject(payload) ? payload['kind'] : undefined;
  const model = (typeof kind === 'string' && CHECK_MODELS[kind]) || 'CheckResult';
  return firstError({ $ref: `#/$defs/${model}` }, payload);
}

/** The first error of a monitor payload. */
export function monitorError(payload: unknown): IValidationError | null {
  return firstError({ $ref: '#/$defs/MonitorSummary' }, payload);
}
