/**
 * ISO 8601 times as the merge rule reads them: Python's `datetime.fromisoformat` after `Z` is
 * replaced by `+00:00`; a time without an offset is UTC. Times are compared as instants, to the
 * microsecond (JavaScript's `Date` keeps only milliseconds, so seconds and microseconds are kept
 * apart).
 */

export interface IInstant {
  /** Whole seconds since 1970-01-01T00:00:00Z. */
  seconds: number;
  /** Microseconds within the second, 0..999999. */
  micros: number;
}

const DATE = /^(\d{4})-?(\d{2})-?(\d{2})/;
const TIME = /^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?/;
const OFFSET = /^ ?([+-])(\d{2})(?::?(\d{2})(?::?(\d{2})(?:\.(\d{1,6}))?)?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function fraction(digits: string | undefined): number {
  return digits ? Number((digits + '000000').slice(0, 6)) : 0;
}

/** The instant an ISO 8601 text names, or `null` when Python would refuse it. */
export function parseInstant(text: string): IInstant | null {
  let rest = text.replace(/Z/g, '+00:00');
  const date = DATE.exec(rest);
  if (!date) {
    return null;
  }
  const separated = date[0].includes('-');
  if (separated !== /^\d{4}-\d{2}-\d{2}/.test(rest)) {
    return null;
  }
  const year = Number(date[1]);
  const month = Number(date[2]);
  const day = Number(date[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return null;
  }
  rest = rest.slice(date[0].length);
  let hour = 0;
  let minute = 0;
  let second = 0;
  let micros = 0;
  let offsetSeconds = 0;
  if (rest.length > 0) {
    if (!/^[T ]/.test(rest)) {
      return null;
    }
    rest = rest.slice(1);
    const time = TIME.exec(rest);
    if (!time) {
      return null;
    }
    hour = Number(time[1]);
    minute = time[2] ? Number(time[2]) : 0;
    second = time[3] ? Number(time[3]) : 0;
    micros = fraction(time[4]);
    if (hour > 23 || minute > 59 || second > 59) {
      return null;
    }
    rest = rest.slice(time[0].length);
    if (rest.length > 0) {
      const offset = OFFSET.exec(rest);
      if (!offset) {
        return null;
      }
      const oh = Number(offset[2]);
      const om = offset[3] ? Number(offset[3]) : 0;
      const os = offset[4] ? Number(offset[4]) : 0;
      if (oh > 23 || om > 59 || os > 59) {
        return null;
      }
      const sign = offset[1] === '-' ? -1 : 1;
      // Sub-second offsets exist in Python but no writer uses them; they shift by whole seconds.
      offsetSeconds = sign * (oh * 3600 + om * 60 + os);
    }
  }
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC maps years 0..99 to 1900..1999; correct for them.
  const fixed = year < 100 ? new Date(epochMs).setUTCFullYear(year) : epochMs;
  return { seconds: fixed / 1000 - offsetSeconds, micros };
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function compareInstants(a: IInstant, b: IInstant): number {
  if (a.seconds !== b.seconds) {
    return a.seconds < b.seconds ? -1 : 1;
  }
  return a.micros === b.micros ? 0 : a.micros < b.micros ? -1 : 1;
}
