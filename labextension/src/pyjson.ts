/**
 * The few Python behaviours the merge rule depends on, so that the front end decides exactly as
 * `aisec_nb/transport.py` does: canonical JSON text (`json.dumps(sort_keys=True,
 * separators=(",", ":"), ensure_ascii=False)`), string order by code point, truthiness, `repr` of
 * simple values and type names in messages.
 *
 * One difference cannot be removed: JSON parsed in JavaScript no longer tells `1.0` from `1`, so a
 * float with an integral value is written `1` here and `1.0` by Python. It matters only when two
 * payloads with the same `recorded_at` differ in nothing else.
 */

export type JSONValue =
  | null
  | boolean
  | number
  | string
  | JSONValue[]
  | { [key: string]: JSONValue };

export type JSONObject = { [key: string]: JSONValue };

export function isObject(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Compare two strings by Unicode code point, as Python compares `str`. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) {
      return x.done && y.done ? 0 : x.done ? -1 : 1;
    }
    const cx = x.value.codePointAt(0) as number;
    const cy = y.value.codePointAt(0) as number;
    if (cx !== cy) {
      return cx < cy ? -1 : 1;
    }
  }
}

/** A float as Python's `repr` writes it (shortest round trip; exponent below 1e-4 or from 1e16). */
export function pyFloat(value: number): string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? 'Infinity' : '-Infinity';
  }
  if (Number.isInteger(value) && Math.abs(value) < 1e16) {
    // An integer in JSON (Python would write 1.0 for a float; see the module note).
    return Object.is(value, -0) ? '0' : String(value);
  }
  const [mantissa, exp] = value.toExponential().split('e');
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  // Between 1e-4 and 1e16 both languages write the shortest digits without an exponent.
  return String(value);
}

const ESCAPES: { [ch: string]: string } = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f'
};

function pyString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ESCAPES[ch] !== undefined) {
      out += ESCAPES[ch];
    } else if (code < 0x20) {
      out += '\\u' + code.toString(16).padStart(4, '0');
    } else {
      out += ch;
    }
  }
  return out + '"';
}

/** `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`. */
export function canonicalJSON(value: unknown): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  if (typeof value === 'number') {
    return pyFloat(value);
  }
  if (typeof value === 'string') {
    return pyString(value);
  }
  if (Array.isArray(value)) {
    return '[' + value.map(canonicalJSON).join(',') + ']';
  }
  const obj = value as { [key: string]: unknown };
  const keys = Object.keys(obj).sort(compareCodePoints);
  return '{' + keys.map(k => pyString(k) + ':' + canonicalJSON(obj[k])).join(',') + '}';
}

/** Python's truthiness of a JSON value (`[]`, `{}`, `""`, `0`, `false`, `null` are false). */
export function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') {
    return false;
  }
  if (Array.isArray(value)) {
    return value.length > 0;
  }
  if (isObject(value)) {
    return Object.keys(value).length > 0;
  }
  return true;
}

/** The name Python gives the type of a JSON value (`str`, `list`, `dict`, ...). */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) {
    return 'NoneType';
  }
  if (typeof value === 'boolean') {
    return 'bool';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'int' : 'float';
  }
  if (typeof value === 'string') {
    return 'str';
  }
  return Array.isArray(value) ? 'list' : 'dict';
}

/** Python's `repr` of a JSON value, for messages. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'number') {
    return pyFloat(value);
  }
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value
      .replace(/\\/g, '\\\\')
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replace(/\t/g, '\\t');
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (Array.isArray(value)) {
    return '[' + value.map(pyRepr).join(', ') + ']';
  }
  const obj = value as { [key: string]: unknown };
  return '{' + Object.keys(obj).map(k => `${pyRepr(k)}: ${pyRepr(obj[k])}`).join(', ') + '}';
}

/** A deep copy of JSON data. */
export function copyJSON<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Deep equality of JSON values (key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every(k => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}
