import { parseInstant, compareInstants } from '../isotime';
import { canonicalJSON, compareCodePoints, pyFloat, pyRepr, pyTruthy } from '../pyjson';

describe('canonical JSON as Python writes it', () => {
  test.each([
    [0.5, '0.5'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [1.5e16, '1.5e+16'],
    [123456.789, '123456.789'],
    [3, '3'],
    [-2.5e-7, '-2.5e-07']
  ])('float %p', (value, text) => {
    expect(pyFloat(value)).toBe(text);
  });
  test('keys sorted, compact, non-ASCII kept, control characters escaped', () => {
    expect(canonicalJSON({ b: [1, 'é\n\u0001'], a: null, c: true })).toBe(
      '{"a":null,"b":[1,"é\\n\\u0001"],"c":true}'
    );
  });
  test('keys sorted by code point, not UTF-16 unit', () => {
    expect(canonicalJSON({ '\uffff': 1, '\u{1F600}': 2 })).toBe('{"\uffff":1,"\u{1F600}":2}');
    expect(compareCodePoints('\u{1F600}', '\uffff')).toBe(1);
  });
});

describe('Python semantics used in messages and slots', () => {
  test('repr', () => {
    expect(pyRepr('yesterday')).toBe("'yesterday'");
    expect(pyRepr(null)).toBe('None');
    expect(pyRepr("it's")).toBe('"it\'s"');
  });
  test('truthiness', () => {
    expect([[], {}, '', 0, null, false].map(pyTruthy)).toEqual([false, false, false, false, false, false]);
    expect([[0], { a: 1 }, 'x', 1, true].map(pyTruthy)).toEqual([true, true, true, true, true]);
  });
});

describe('ISO 8601 times as Python 3.11 fromisoformat reads them', () => {
  const at = (text: string) => parseInstant(text.replace(/Z/g, '+00:00'));
  test.each([
    '2026-01-01',
    '2026-01-01T09',
    '2026-01-01T09:00',
    '2026-01-01 09:00:00',
    '20260101T090000',
    '2026-01-01T09:00:00.1234567',
    '2026-01-01T09:00:00,5',
    '2026-01-01T09:00:00+02',
    '2026-01-01T09:00:00.123+0200',
    '2026-01-01T09:00:00 +02:00'
  ])('accepts %s', text => {
    expect(at(text)).not.toBeNull();
  });
  test.each(['yesterday', '2026-01-01T24:00:00', '2026-1-01', '2026-02-30', '+2026-01-01', ''])(
    'refuses %p',
    text => {
      expect(at(text)).toBeNull();
    }
  );
  test('instants, offsets and microseconds', () => {
    const a = at('2026-01-01T10:30:00+02:00')!;
    const b = at('2026-01-01T09:00:00Z')!;
    expect(compareInstants(a, b)).toBe(-1);
    expect(compareInstants(at('2026-01-01T09:00:00.000001')!, b)).toBe(1);
    expect(compareInstants(at('2026-01-01T09:00:00.0000001')!, b)).toBe(0);
    expect(at('1970-01-01T00:00:01Z')).toEqual({ seconds: 1, micros: 0 });
  });
});
