import type { SelfhealEvent } from '@selfheal/schemas';

const EVENT_TYPE = /^[a-z][a-z0-9_]*$/;
const DATE_TIME =
  /^(\d\d\d\d)-(\d\d)-(\d\d)[Tt\s](\d\d):(\d\d):(\d\d(?:\.\d+)?)(?:([Zz])|([+-])(\d\d)(?::?(\d\d))?)$/;
const REPLICA = /^[^\s.*>]+$/;
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch milliseconds of an RFC 3339 date-time as the event schema accepts it (the ajv-formats
 * `date-time` rules: a real calendar date, a time zone, a leap second only at 23:59:60 UTC), or
 * `NaN` when the string is not one. A leap second counts as the last millisecond before it.
 */
export function parseTimestamp(value: string): number {
  const fast = parseCanonical(value);
  if (fast !== undefined) return fast;
  const m = DATE_TIME.exec(value);
  if (!m) return Number.NaN;
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && leap ? 29 : DAYS[month]!)) {
    return Number.NaN;
  }
  const hour = +m[4]!;
  const minute = +m[5]!;
  const second = +m[6]!;
  const sign = m[8] === '-' ? -1 : 1;
  const tzHour = m[9] === undefined ? 0 : +m[9];
  const tzMinute = m[10] === undefined ? 0 : +m[10];
  if (tzHour > 23 || tzMinute > 59) return Number.NaN;
  if (!(hour <= 23 && minute <= 59 && second < 60)) {
    // The same leap-second rule as ajv-formats, so both accept exactly the same strings.
    const utcMinute = minute - tzMinute * sign;
    const utcHour = hour - tzHour * sign - (utcMinute < 0 ? 1 : 0);
    const leapSecond =
      (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second < 61;
    if (!leapSecond) return Number.NaN;
  }
  const capped = Math.min(second, 59.999);
  const whole = Math.floor(capped);
  const millis = Math.floor((capped - whole) * 1000 + 1e-6);
  const offsetMs = sign * (tzHour * 60 + tzMinute) * 60_000;
  const utc = Date.UTC(year, month - 1, day, hour, minute, whole, millis);
  // Date.UTC reads years 0-99 as 1900-1999.
  const fixed = year < 100 ? new Date(utc).setUTCFullYear(year) : utc;
  return fixed - offsetMs;
}

const DASH = 45;
const COLON = 58;
const T = 84;
const Z = 90;
const DOT = 46;

// The date part (`YYYY-MM-DDT`) of the last canonical timestamp read, and its epoch ms at
// midnight: a log's timestamps share their day for hours, so most reads skip the calendar.
let lastDay = '';
let lastDayMs = 0;

/** The value of the two digits at `i`, or NaN when either is not a digit. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN;
}

/**
 * The shape Selfheal itself writes (`Date#toISOString`: `YYYY-MM-DDTHH:MM:SS[.fff]Z`) read
 * digit by digit (a third of the regular expression's cost), the date part remembered from
 * the previous call; `undefined` for any other shape, which then takes the general path.
 */
function parseCanonical(s: string): number | undefined {
  const n = s.length;
  if (
    (n !== 20 && n !== 24) ||
    s.charCodeAt(n - 1) !== Z ||
    s.charCodeAt(10) !== T ||
    s.charCodeAt(13) !== COLON ||
    s.charCodeAt(16) !== COLON
  ) {
    return undefined;
  }
  let dayMs: number;
  if (lastDay !== '' && s.startsWith(lastDay)) dayMs = lastDayMs;
  else {
    const found = canonicalDay(s);
    if (found === undefined) return undefined;
    dayMs = found;
    lastDay = s.slice(0, 11);
    lastDayMs = dayMs;
  }
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  let millis = 0;
  if (n === 24) {
    if (s.charCodeAt(19) !== DOT) return undefined;
    const d = s.charCodeAt(20) - 48;
    const rest = two(s, 21);
    if (!(d >= 0 && d <= 9)) return undefined;
    millis = d * 100 + rest;
  }
  // A NaN (from a non-digit) fails every comparison below.
  if (!(hour <= 23 && minute <= 59 && second <= 59 && millis >= 0)) return undefined;
  return dayMs + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
}

/** Epoch ms at midnight of the `YYYY-MM-DD` that starts `s`, or `undefined`. */
function canonicalDay(s: string): number | undefined {
  if (s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH) return undefined;
  const year = two(s, 0) * 100 + two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  if (!(year >= 100 && month >= 1 && month <= 12 && day >= 1)) return undefined;
  if (day > 28) {
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (!(day <= (month === 2 && leap ? 29 : DAYS[month]!))) return undefined;
  }
  return daysFromCivil(year, month, day) * 86_400_000;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

// The last event_type that passed the pattern (undefined: none yet, so '' is still checked).
let lastGoodType: string | undefined;

/**
 * The cheap envelope test of the replay fast path: the checks the event schema makes on every
 * event whatever its type (`event_type` snake_case, `timestamp` an RFC 3339 date-time,
 * `trace_id` non-empty, and the types of `repo`, `event_id`, `seq`, `server_name` when present).
 * Returns `undefined` for a good envelope, else a short reason. It does not check the fields of
 * known event types; the ajv validator does that (see `scanLog`'s `validation` option).
 */
export function checkEnvelope(value: unknown): string | undefined {
  const result = envelopeTime(value);
  return typeof result === 'string' ? result : undefined;
}

/**
 * {@link checkEnvelope} that returns the timestamp in epoch ms for a good envelope (the reason,
 * a string, for a bad one), so the reader parses each timestamp once.
 */
export function envelopeTime(value: unknown): number | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'not a JSON object';
  }
  const e = value as Record<string, unknown>;
  const type = e.event_type;
  if (typeof type !== 'string') return 'bad or missing event_type';
  // Logs repeat a handful of types: remember the last one that passed.
  if (type !== lastGoodType) {
    if (!EVENT_TYPE.test(type)) return 'bad or missing event_type';
    lastGoodType = type;
  }
  const timestamp = e.timestamp;
  const ms = typeof timestamp === 'string' ? parseTimestamp(timestamp) : Number.NaN;
  if (Number.isNaN(ms)) return 'bad or missing timestamp';
  if (typeof e.trace_id !== 'string' || e.trace_id === '') return 'bad or missing trace_id';
  if (e.repo !== undefined && typeof e.repo !== 'string') return 'repo is not a string';
  if (e.event_id !== undefined && (typeof e.event_id !== 'string' || e.event_id === '')) {
    return 'event_id is not a non-empty string';
  }
  if (e.seq !== undefined && !(Number.isInteger(e.seq) && (e.seq as number) >= 0)) {
    return 'seq is not an integer >= 0';
  }
  if (e.server_name !== undefined && (typeof e.server_name !== 'string' || e.server_name === '')) {
    return 'server_name is not a non-empty string';
  }
  if (e.replica !== undefined && (typeof e.replica !== 'string' || !REPLICA.test(e.replica))) {
    return 'replica is not a NATS subject token';
  }
  return ms;
}

/** Guard form of {@link checkEnvelope}. */
export function hasEventEnvelope(value: unknown): value is SelfhealEvent {
  return checkEnvelope(value) === undefined;
}
