// The replay's line scanner, compiled to WebAssembly (AssemblyScript; `pnpm --filter
// @selfheal/events generate` writes src/log/lineScan.generated.ts). For each line of a chunk it
// checks the whole line against the JSON grammar (RFC 8259, as JSON.parse applies it), finds
// the fields the replay fold reads, applies the envelope rules to their bytes and reads the
// timestamp, without building any value. What it declines (escapes, other timestamp shapes,
// nesting past 64, ...) the caller takes the exact way (JSON.parse). Contract and layout:
// src/log/lineLocator.ts. Inside strings it tests 16 bytes at a time (SIMD).
//
// Memory: the records and times below are static; the chunk is copied to `chunkBase()` (the
// caller grows the memory to fit it, plus 16 bytes: string and newline searches read whole
// 16-byte words and stop at the line's `\n`).

import {
  ABSENT,
  ASCII,
  EVENT_ID,
  EVENT_TYPE,
  HASH_SLOTS,
  IDS,
  KEY_BYTES,
  KEYS,
  LONGEST_KEY,
  NAME_IDS,
  NAMED_SLOTS,
  NAMED_TABLES,
  NUMBER,
  OTHER,
  PACKED,
  PACKED_NAMES,
  PACKED_SLOTS,
  PACKED_VALUE_BYTES,
  REPO,
  SEQ,
  SERVER_NAME,
  SLOTS,
  TABLE_BYTES_AT,
  TABLE_HASH_AT,
  TABLE_HASH_SLOTS,
  TABLE_ID_AT,
  TABLE_IDS,
  TABLE_VALUE_BYTES,
  TABLES,
  TIMESTAMP,
  TRACE_ID,
  VALUE_BYTES,
  WIDE,
} from './foldFields.generated';

// Value kinds, field slots and keys come from scripts/foldFields.mjs (the readers' layout is
// generated from the same list). A record: the index of the line's `\n`, 1 when accepted
// (else 0), `[kind, from, to]` per slot, then the id of each slot in NAMED_SLOTS in its intern
// table (-1 when it has none), then the offset of each slot in PACKED_SLOTS in the packed bytes
// (-1 when not packed). Offsets are indexes in the caller's buffer (chunk offset + bias), packed
// ones in the caller's packed bytes (offset in STRINGS + the `stringsBias` of `scanLines`).
const RECORD_INTS: i32 = 2 + SLOTS * 3 + NAME_IDS + PACKED;
const MAX_RECORDS: i32 = 2048;

const RECORDS = memory.data(MAX_RECORDS * RECORD_INTS * 4, 16);
const TIMES = memory.data(MAX_RECORDS * 8, 16);
// The packed values of the records of one `scanLines` call, side by side in record order: the
// thread that builds strings decodes many at once (src/log/slotValues.ts `packedAt`).
// (Plus 16 bytes: values are copied a 16-byte word at a time.)
const STRINGS = memory.data(MAX_RECORDS * PACKED * PACKED_VALUE_BYTES + 16, 16);
// Bytes written to STRINGS by the last `scanLines`.
let packedBytes: i32 = 0;
// The keys' bytes are laid out in NAMES at start-up (with room for word compares past the
// last), and by length the first slot of that length (or 255) goes to FIRST, the next slot of
// the same length to NEXT.
const NAMES = memory.data(KEY_BYTES);
const NAME_AT = memory.data(SLOTS);
const FIRST = memory.data(LONGEST_KEY + 1);
const NEXT = memory.data(SLOTS);

memory.fill(FIRST, 255, LONGEST_KEY + 1);
for (let slot: i32 = 0, at: i32 = 0; slot < SLOTS; slot++) {
  const name = KEYS[slot];
  store<u8>(NAME_AT + slot, <u8>at);
  for (let k: i32 = 0; k < name.length; k++) store<u8>(NAMES + at + k, <u8>name.charCodeAt(k));
  store<u8>(NEXT + slot, load<u8>(FIRST + name.length));
  store<u8>(FIRST + name.length, <u8>slot);
  at += name.length;
}

const QUOTE: u32 = 0x22;
const BACKSLASH: u32 = 0x5c;
const COMMA: u32 = 0x2c;
const COLON: u32 = 0x3a;
const OPEN_BRACE: u32 = 0x7b;
const CLOSE_BRACE: u32 = 0x7d;
const OPEN_BRACKET: u32 = 0x5b;
const CLOSE_BRACKET: u32 = 0x5d;
const MINUS: u32 = 0x2d;
const PLUS: u32 = 0x2b;
const DOT: u32 = 0x2e;
const ZERO: u32 = 0x30;
const NINE: u32 = 0x39;
const NEWLINE: u32 = 0x0a;
const MAX_DEPTH: i32 = 64;

/**
 * The epoch ms of the timestamp at [at, at + length), or NaN; called when the day differs from
 * the last one accepted, so the calendar rules are the exact parser's (`parseTimestamp`).
 */
@external("lineScan", "timestampMs")
declare function exactTimestampMs(at: usize, length: i32): f64;

/** Where the records go (`MAX_RECORDS` of `RECORD_INTS` ints). */
export function recordsBase(): usize {
  return RECORDS;
}
/** Where each accepted line's timestamp goes, in epoch ms (f64 per record). */
export function timesBase(): usize {
  return TIMES;
}
/** Where the packed values of the last `scanLines` are (`stringBytes()` bytes). */
export function stringsBase(): usize {
  return STRINGS;
}
/** Bytes of packed values the last `scanLines` wrote. */
export function stringBytes(): i32 {
  return packedBytes;
}
/** Where the caller copies the chunk (16-byte aligned, above everything static). */
export function chunkBase(): usize {
  return (__heap_base + 15) & ~15;
}

// Whether the last string skipped held bytes >= 0x80.
let wide = false;
// `YYYY-MM-DDT` of the last canonical timestamp read, and its midnight in epoch ms.
const DAY = memory.data(16);
let dayKnown = false;
let dayMs: f64 = 0;

// Values that repeat line after line (event types, server names, trace ids, ...) get ids in
// their intern table (scripts/foldFields.mjs), so the thread that builds strings makes each
// once: the first time its id appears, it slices the value's bytes; after that it reads its
// table. A table gives at most TABLE_IDS ids, in the order values are first seen, to values of
// at most TABLE_VALUE_BYTES bytes; past that a value gets -1 and is sliced each time. Each
// value keeps its id for the life of the module (one read), so a value that got -1 equals
// no value with an id.
const HASHES = memory.data(HASH_SLOTS * 4); // per table: id + 1 per slot, 0 when empty
const VALUE_HASH = memory.data(IDS * 4); // per id: its value's hash, compared before its bytes
const VALUE_LENGTH = memory.data(IDS * 4);
const VALUES = memory.data(VALUE_BYTES); // per id: its value's bytes, TABLE_VALUE_BYTES apart
const COUNTS = memory.data(TABLES * 4); // ids given, per table

// The value's bytes are read 8 at a time, the last word masked: a value lies inside a line,
// whose `\n` has 16 readable bytes after it (see chunkBase), and a stored value inside VALUES,
// so a word read past either end stays in memory.

/** Bytes [k, n) of the word at `s + k`, the rest zero (n - k from 1 to 8). */
function tail(s: usize, k: i32, n: i32): u64 {
  const word = load<u64>(s + <usize>k);
  return n - k >= 8 ? word : word & ((<u64>1 << (<u64>(n - k) << 3)) - 1);
}

/** A hash of the bytes at [s, s + n), 8 at a time. */
function hashBytes(s: usize, n: i32): u32 {
  let h: u64 = <u64>n * 0x9e3779b97f4a7c15;
  for (let k: i32 = 0; k < n; k += 8) {
    h = (h ^ tail(s, k, n)) * 0xff51afd7ed558ccd;
    h ^= h >> 32;
  }
  h *= 0xc4ceb9fe1a85ec53;
  return <u32>(h ^ (h >> 29));
}

/** Whether the n bytes at a and at b are the same. */
function sameBytes(a: usize, b: usize, n: i32): bool {
  for (let k: i32 = 0; k < n; k += 8) if (tail(a, k, n) != tail(b, k, n)) return false;
  return true;
}

/** The id in `table` of the ASCII value at [s, s + n), or -1 when it is too long or the table is full. */
function internId(table: i32, s: usize, n: i32): i32 {
  const width = unchecked(TABLE_VALUE_BYTES[table]);
  if (n > width) return -1;
  const h = hashBytes(s, n);
  const mask = unchecked(TABLE_HASH_SLOTS[table]) - 1;
  const hashes = HASHES + <usize>(unchecked(TABLE_HASH_AT[table]) * 4);
  const first = unchecked(TABLE_ID_AT[table]);
  const values = VALUES + <usize>unchecked(TABLE_BYTES_AT[table]);
  for (let at = <i32>(h & <u32>mask); ; at = (at + 1) & mask) {
    const entry = load<i32>(hashes + <usize>(at * 4));
    if (entry == 0) {
      const count = load<i32>(COUNTS + <usize>(table * 4));
      if (count == unchecked(TABLE_IDS[table])) return -1;
      store<i32>(COUNTS + <usize>(table * 4), count + 1);
      const k = <usize>((first + count) * 4);
      store<u32>(VALUE_HASH + k, h);
      store<i32>(VALUE_LENGTH + k, n);
      memory.copy(values + <usize>(count * width), s, n);
      store<i32>(hashes + <usize>(at * 4), count + 1);
      return count;
    }
    const id = entry - 1;
    const k = <usize>((first + id) * 4);
    if (
      load<u32>(VALUE_HASH + k) == h &&
      load<i32>(VALUE_LENGTH + k) == n &&
      sameBytes(values + <usize>(id * width), s, n)
    ) {
      return id;
    }
  }
  return unreachable();
}

// Per named slot, the id its last value got (-1 for none): an event type, a repo or a status
// is mostly the one of the line before, which a compare finds without hashing.
const LAST_ID = memory.data(NAME_IDS * 4);
memory.fill(LAST_ID, 0xff, NAME_IDS * 4);

/**
 * The id of the value of the `k`th slot of NAMED_SLOTS in its table, or -1 when it is not an
 * ASCII string or has none.
 */
function slotNameId(slots: usize, k: i32): i32 {
  const slot = unchecked(NAMED_SLOTS[k]);
  if (kindOf(slots, slot) != ASCII) return -1;
  const from = fromOf(slots, slot);
  const n = <i32>(toOf(slots, slot) - from);
  const table = unchecked(NAMED_TABLES[k]);
  const last = load<i32>(LAST_ID + <usize>(k * 4));
  if (last >= 0) {
    const at = unchecked(TABLE_ID_AT[table]) + last;
    const width = unchecked(TABLE_VALUE_BYTES[table]);
    const value = VALUES + <usize>(unchecked(TABLE_BYTES_AT[table]) + last * width);
    if (load<i32>(VALUE_LENGTH + <usize>(at * 4)) == n && sameBytes(value, from, n)) return last;
  }
  const id = internId(table, from, n);
  store<i32>(LAST_ID + <usize>(k * 4), id);
  return id;
}

function spaces(i: usize): usize {
  let c = <u32>load<u8>(i);
  while (c == 0x20 || c == 0x09 || c == 0x0d) c = <u32>load<u8>(++i);
  return i;
}

/** The first index from `i` of a quote, a backslash, a byte below 0x20 or one >= 0x80. */
function special(i: usize): usize {
  const quote = i8x16.splat(0x22);
  const backslash = i8x16.splat(0x5c);
  const space = i8x16.splat(0x20);
  const zero = i8x16.splat(0);
  for (;;) {
    const v = v128.load(i);
    const hit = v128.or(
      v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash)),
      v128.or(i8x16.lt_u(v, space), i8x16.lt_s(v, zero)),
    );
    const bits = i8x16.bitmask(hit);
    if (bits != 0) return i + <usize>ctz(bits);
    i += 16;
  }
  return unreachable();
}

/** The index of the first `\n` from `i`. */
function newline(i: usize): usize {
  const nl = i8x16.splat(0x0a);
  for (;;) {
    const bits = i8x16.bitmask(i8x16.eq(v128.load(i), nl));
    if (bits != 0) return i + <usize>ctz(bits);
    i += 16;
  }
  return unreachable();
}

/**
 * Index after the string that opens at `i` (a quote), or -1 for an escape or a control
 * character; sets `wide` when it held a byte >= 0x80.
 */
function skipString(i: usize): isize {
  wide = false;
  i++;
  for (;;) {
    i = special(i);
    const c = <u32>load<u8>(i);
    if (c == QUOTE) return <isize>(i + 1);
    if (c < 0x80) return -1;
    wide = true;
    i++;
  }
  return unreachable();
}

/** Index after the number at `i` (no leading zeros, no bare dot), or -1. */
function skipNumber(i: usize): isize {
  let c = <u32>load<u8>(i);
  if (c == MINUS) c = <u32>load<u8>(++i);
  if (c == ZERO) c = <u32>load<u8>(++i);
  else if (c > ZERO && c <= NINE) {
    do c = <u32>load<u8>(++i);
    while (c >= ZERO && c <= NINE);
  } else return -1;
  if (c == DOT) {
    c = <u32>load<u8>(++i);
    if (!(c >= ZERO && c <= NINE)) return -1;
    do c = <u32>load<u8>(++i);
    while (c >= ZERO && c <= NINE);
  }
  if (c == 0x65 || c == 0x45) {
    c = <u32>load<u8>(++i);
    if (c == PLUS || c == MINUS) c = <u32>load<u8>(++i);
    if (!(c >= ZERO && c <= NINE)) return -1;
    do c = <u32>load<u8>(++i);
    while (c >= ZERO && c <= NINE);
  }
  return <isize>i;
}

/** Index after `true`, `false` or `null` at `i`, or -1. */
function skipLiteral(i: usize): isize {
  const c = <u32>load<u8>(i);
  if (c == 0x74) return load<u32>(i) == 0x65757274 ? <isize>(i + 4) : -1; // "true"
  if (c == 0x66) return load<u32>(i + 1) == 0x65736c61 ? <isize>(i + 5) : -1; // "f" + "alse"
  if (c == 0x6e) return load<u32>(i) == 0x6c6c756e ? <isize>(i + 4) : -1; // "null"
  return -1;
}

/** Index after any JSON value at `i` (no leading whitespace), or -1. */
function skipValue(i: usize, depth: i32): isize {
  const c = <u32>load<u8>(i);
  if (c == QUOTE) return skipString(i);
  if (c == MINUS || (c >= ZERO && c <= NINE)) return skipNumber(i);
  if (c != OPEN_BRACE && c != OPEN_BRACKET) return skipLiteral(i);
  if (depth >= MAX_DEPTH) return -1;
  const object = c == OPEN_BRACE;
  const close: u32 = object ? CLOSE_BRACE : CLOSE_BRACKET;
  i = spaces(i + 1);
  if (<u32>load<u8>(i) == close) return <isize>(i + 1);
  for (;;) {
    if (object) {
      if (<u32>load<u8>(i) != QUOTE) return -1;
      const key = skipString(i);
      if (key < 0) return -1;
      i = spaces(<usize>key);
      if (<u32>load<u8>(i) != COLON) return -1;
      i = spaces(i + 1);
    }
    const after = skipValue(i, depth + 1);
    if (after < 0) return -1;
    i = spaces(<usize>after);
    const d = <u32>load<u8>(i);
    if (d == close) return <isize>(i + 1);
    if (d != COMMA) return -1;
    i = spaces(i + 1);
  }
  return unreachable();
}

/** The slot of the ASCII key at [s, s + n), or -1. */
function slotOf(s: usize, n: i32): i32 {
  if (n > LONGEST_KEY) return -1;
  for (let k = <i32>load<u8>(FIRST + n); k != 255; k = <i32>load<u8>(NEXT + k)) {
    const name = NAMES + <usize>load<u8>(NAME_AT + k);
    let m: i32 = 0;
    while (m + 8 <= n && load<u64>(s + m) == load<u64>(name + m)) m += 8;
    while (m < n && load<u8>(s + m) == load<u8>(name + m)) m++;
    if (m == n) return k;
  }
  return -1;
}

/**
 * Checks that the line at `i` is one JSON object (then only whitespace up to its `\n`), and
 * records each top-level key's slot as `[kind, from, to]` at `slots` (absolute addresses;
 * strings without their quotes; the last of duplicate keys wins, as in JSON.parse). Returns
 * the index of the line's `\n`, or -1.
 */
function scanObject(i: usize, slots: usize): isize {
  for (let k: i32 = 0; k < SLOTS; k++) store<i32>(slots + <usize>(k * 12), ABSENT);
  i = spaces(i);
  if (<u32>load<u8>(i) != OPEN_BRACE) return -1;
  i = spaces(i + 1);
  if (<u32>load<u8>(i) == CLOSE_BRACE) return -1; // {} has no envelope: the exact path says so
  for (;;) {
    if (<u32>load<u8>(i) != QUOTE) return -1;
    const keyStart = i + 1;
    const keyEnd = skipString(i);
    if (keyEnd < 0) return -1;
    // Keys are compared byte for byte with ASCII names, so a non-ASCII key matches none.
    const slot = wide ? -1 : slotOf(keyStart, <i32>(<usize>keyEnd - 1 - keyStart));
    i = spaces(<usize>keyEnd);
    if (<u32>load<u8>(i) != COLON) return -1;
    i = spaces(i + 1);
    const at = i;
    const c = <u32>load<u8>(i);
    let after: isize;
    let kind: i32;
    if (c == QUOTE) {
      after = skipString(i);
      kind = wide ? WIDE : ASCII;
    } else if (c == MINUS || (c >= ZERO && c <= NINE)) {
      after = skipNumber(i);
      kind = NUMBER;
    } else {
      after = skipValue(i, 1);
      kind = OTHER;
    }
    if (after < 0) return -1;
    i = <usize>after;
    if (slot >= 0) {
      const p = slots + <usize>(slot * 12);
      const text = kind == ASCII || kind == WIDE;
      store<i32>(p, kind);
      store<i32>(p, <i32>(text ? at + 1 : at), 4);
      store<i32>(p, <i32>(text ? i - 1 : i), 8);
    }
    i = spaces(i);
    const d = <u32>load<u8>(i);
    if (d == CLOSE_BRACE) break;
    if (d != COMMA) return -1;
    i = spaces(i + 1);
  }
  i = spaces(i + 1);
  return <u32>load<u8>(i) == NEWLINE ? <isize>i : -1;
}

function kindOf(slots: usize, slot: i32): i32 {
  return load<i32>(slots + <usize>(slot * 12));
}
function fromOf(slots: usize, slot: i32): usize {
  return <usize>load<i32>(slots + <usize>(slot * 12), 4);
}
function toOf(slots: usize, slot: i32): usize {
  return <usize>load<i32>(slots + <usize>(slot * 12), 8);
}
function isText(slots: usize, slot: i32): bool {
  const kind = kindOf(slots, slot);
  return kind == ASCII || kind == WIDE;
}
function nonEmpty(slots: usize, slot: i32): bool {
  return isText(slots, slot) && toOf(slots, slot) > fromOf(slots, slot);
}

/** `^[a-z][a-z0-9_]*$` on [s, e). */
function isSnakeCase(s: usize, e: usize): bool {
  if (e == s) return false;
  const first = <u32>load<u8>(s);
  if (!(first >= 0x61 && first <= 0x7a)) return false;
  for (let k = s + 1; k < e; k++) {
    const c = <u32>load<u8>(k);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= ZERO && c <= NINE) || c == 0x5f)) return false;
  }
  return true;
}

/** The envelope rules of `envelopeTime` on the slots, the timestamp apart. */
function envelopeOk(slots: usize): bool {
  if (kindOf(slots, EVENT_TYPE) != ASCII) return false;
  if (!isSnakeCase(fromOf(slots, EVENT_TYPE), toOf(slots, EVENT_TYPE))) return false;
  if (!nonEmpty(slots, TRACE_ID)) return false;
  if (kindOf(slots, REPO) != ABSENT && !isText(slots, REPO)) return false;
  if (kindOf(slots, EVENT_ID) != ABSENT && !nonEmpty(slots, EVENT_ID)) return false;
  if (kindOf(slots, SERVER_NAME) != ABSENT && !nonEmpty(slots, SERVER_NAME)) return false;
  if (kindOf(slots, SEQ) != ABSENT) {
    if (kindOf(slots, SEQ) != NUMBER) return false;
    // Digits only, at most 15 (an exact integer as a double; JSON.parse reads 309 digits as
    // Infinity, which is no integer): a sign, fraction, exponent or more digits goes to the
    // exact path.
    if (toOf(slots, SEQ) - fromOf(slots, SEQ) > 15) return false;
    for (let k = fromOf(slots, SEQ); k < toOf(slots, SEQ); k++) {
      const c = <u32>load<u8>(k);
      if (c < ZERO || c > NINE) return false;
    }
  }
  return true;
}

/** The value of two ASCII digits at k, or -1. */
function two(k: usize): i32 {
  const x = <i32>load<u8>(k) - <i32>ZERO;
  const y = <i32>load<u8>(k + 1) - <i32>ZERO;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/**
 * `HH:MM:SS[.fff]Z` of the canonical timestamp at s (n 20 or 24 bytes) in ms since midnight,
 * or -1 (a leap second too: the exact path takes it).
 */
function timeOfDay(s: usize, n: i32): i32 {
  if (<u32>load<u8>(s + 13) != COLON || <u32>load<u8>(s + 16) != COLON) return -1;
  const hour = two(s + 11);
  const minute = two(s + 14);
  const second = two(s + 17);
  let millis: i32 = 0;
  if (n == 24) {
    const d = <i32>load<u8>(s + 20) - <i32>ZERO;
    const rest = two(s + 21);
    if (<u32>load<u8>(s + 19) != DOT || d < 0 || d > 9 || rest < 0) return -1;
    millis = d * 100 + rest;
  }
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  return hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
}

/** Epoch ms of the canonical (`toISOString`) timestamp in the slots, or NaN. */
function timestampMs(slots: usize): f64 {
  if (kindOf(slots, TIMESTAMP) != ASCII) return NaN;
  const s = fromOf(slots, TIMESTAMP);
  const n = <i32>(toOf(slots, TIMESTAMP) - s);
  if ((n != 24 && n != 20) || <u32>load<u8>(s + <usize>n - 1) != 0x5a) return NaN;
  const tod = timeOfDay(s, n);
  if (tod < 0) return NaN;
  if (dayKnown && load<u64>(s) == load<u64>(DAY) && load<u32>(s + 7) == load<u32>(DAY + 7)) {
    return dayMs + <f64>tod;
  }
  // A new day: the exact parser decides, and gives the day's midnight for the next lines.
  const ms = exactTimestampMs(s, n);
  if (isNaN(ms)) return NaN;
  store<u64>(DAY, load<u64>(s));
  store<u32>(DAY + 7, load<u32>(s + 7));
  dayKnown = true;
  dayMs = ms - <f64>tod;
  return ms;
}

/**
 * Copies n bytes from `from` to `to` a 16-byte word at a time, so up to 15 bytes past each end
 * are read and written: the chunk has 16 bytes of room after it, and the next value packed
 * overwrites the excess. (`memory.copy` is a call out of WebAssembly in V8: packing cost 20 ns a
 * line with it, 5 to 12 with this.)
 */
function copyWords(to: usize, from: usize, n: i32): void {
  for (let k: i32 = 0; k < n; k += 16) v128.store(to + <usize>k, v128.load(from + <usize>k));
}

/**
 * Packs the value of the `k`th slot of PACKED_SLOTS (an ASCII string of at most
 * PACKED_VALUE_BYTES bytes; a name only without an id, `ids` of the record) after the values
 * packed before it; returns its offset shifted by `bias`, or -1.
 */
function pack(slots: usize, ids: usize, k: i32, bias: i32): i32 {
  const slot = unchecked(PACKED_SLOTS[k]);
  if (kindOf(slots, slot) != ASCII) return -1;
  const name = unchecked(PACKED_NAMES[k]);
  if (name >= 0 && load<i32>(ids + <usize>(name * 4)) >= 0) return -1;
  const from = fromOf(slots, slot);
  const n = <i32>(toOf(slots, slot) - from);
  if (n > PACKED_VALUE_BYTES) return -1;
  copyWords(STRINGS + <usize>packedBytes, from, n);
  const at = packedBytes + bias;
  packedBytes += n;
  return at;
}

/**
 * Scans the lines of the chunk from offset `start` up to the `\n` at offset `last`: one record
 * per line (at most `MAX_RECORDS`), offsets in the records shifted by `bias`, and the packed
 * values of accepted lines in STRINGS (their offsets shifted by `stringsBias`). Returns the
 * number of records written; the next line starts after the last record's `\n`.
 */
export function scanLines(start: i32, last: i32, bias: i32, stringsBias: i32): i32 {
  const base = chunkBase();
  packedBytes = 0;
  const shift = bias - <i32>base;
  const end = base + <usize>last;
  let i = base + <usize>start;
  let count: i32 = 0;
  while (i <= end && count < MAX_RECORDS) {
    const record = RECORDS + <usize>(count * RECORD_INTS * 4);
    const slots = record + 8;
    const nl = scanObject(i, slots);
    let ms: f64 = NaN;
    if (nl >= 0 && envelopeOk(slots)) ms = timestampMs(slots);
    if (!isNaN(ms)) {
      store<i32>(record, <i32>nl + shift);
      store<i32>(record, 1, 4);
      const ids = slots + <usize>(SLOTS * 12);
      for (let k: i32 = 0; k < NAME_IDS; k++) {
        store<i32>(ids + <usize>(k * 4), slotNameId(slots, k));
      }
      const packed = ids + <usize>(NAME_IDS * 4);
      for (let k: i32 = 0; k < PACKED; k++) {
        store<i32>(packed + <usize>(k * 4), pack(slots, ids, k, stringsBias));
      }
      for (let k: i32 = 0; k < SLOTS; k++) {
        const p = slots + <usize>(k * 12);
        if (load<i32>(p) != ABSENT) {
          store<i32>(p, load<i32>(p, 4) + shift, 4);
          store<i32>(p, load<i32>(p, 8) + shift, 8);
        }
      }
      store<f64>(TIMES + <usize>(count * 8), ms);
      i = <usize>nl + 1;
    } else {
      const at = newline(i);
      store<i32>(record, <i32>at + shift);
      store<i32>(record, 0, 4);
      i = at + 1;
    }
    count++;
  }
  return count;
}
