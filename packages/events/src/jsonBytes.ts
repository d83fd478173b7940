// The JSON grammar (RFC 8259, as JSON.parse applies it) over the bytes of one line, without
// building values: the replay's byte scanner uses it to find the fields it reads and to prove
// that JSON.parse would accept the line. Plain functions over locals (no closures), so V8 keeps
// the read position in a register. Every function stops at a byte below 0x20 that is not
// JSON whitespace, so a line's `\n` bounds every loop.

/** Value kinds recorded per field slot by {@link scanObjectLine}. */
export const ABSENT = 0;
/** A string of ASCII bytes, no escapes. */
export const ASCII = 1;
/** A string with bytes >= 0x80 (to decode as UTF-8), no escapes. */
export const WIDE = 2;
/** A number. */
export const NUMBER = 3;
/** true, false, null, an object or an array. */
export const OTHER = 4;

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const MAX_DEPTH = 64;

// What a byte means inside a string: 0 a plain byte, 1 the closing quote, 2 a byte this reader
// declines (a control character, which JSON.parse rejects, or a backslash, which starts an
// escape), 3 a byte >= 0x80 (part of a UTF-8 sequence). One table load per byte.
const IN_STRING = new Uint8Array(256);
IN_STRING.fill(2, 0, 0x20);
IN_STRING[QUOTE] = 1;
IN_STRING[BACKSLASH] = 2;
IN_STRING.fill(3, 0x80, 0x100);
const PLAIN = 0;
const CLOSE = 1;
const HIGH = 3;

/**
 * A set of key names to find in objects, as flat typed arrays (one monomorphic loop to match a
 * key); see {@link createKeyTable}.
 */
export interface KeyTable {
  /** By byte length, the first key index of that length, or -1. */
  first: Int16Array;
  /** The next key index of the same length, or -1. */
  next: Int16Array;
  /** Where each key's bytes start in `bytes`. */
  start: Int32Array;
  bytes: Uint8Array;
}

/** A {@link KeyTable} of ASCII `names`; a key's index in `names` is its slot. */
export function createKeyTable(names: readonly string[]): KeyTable {
  const longest = Math.max(...names.map((n) => n.length));
  const first = new Int16Array(longest + 1).fill(-1);
  const next = new Int16Array(names.length).fill(-1);
  const start = new Int32Array(names.length);
  const bytes = Buffer.from(names.join(''), 'latin1');
  let at = 0;
  names.forEach((name, slot) => {
    start[slot] = at;
    at += name.length;
    next[slot] = first[name.length]!;
    first[name.length] = slot;
  });
  return { first, next, start, bytes };
}

/** The slot of the key in b[s, s + n), or -1. */
function slotOf(b: Uint8Array, s: number, n: number, keys: KeyTable): number {
  if (n >= keys.first.length) return -1;
  const flat = keys.bytes;
  for (let k = keys.first[n]!; k >= 0; k = keys.next[k]!) {
    const o = keys.start[k]! - s;
    let m = s;
    const e = s + n;
    while (m < e && b[m] === flat[o + m]) m++;
    if (m === e) return k;
  }
  return -1;
}

/** Index after the JSON whitespace (space, tab, CR) at `i`. */
function spaces(b: Uint8Array, i: number): number {
  let c = b[i]!;
  while (c === 0x20 || c === 0x09 || c === 0x0d) c = b[++i]!;
  return i;
}

/**
 * Index after the string that opens at `i` (a quote), or -1. Declines escapes (a backslash):
 * the exact path takes those lines.
 */
function skipString(b: Uint8Array, i: number): number {
  for (;;) {
    const t = IN_STRING[b[++i]!]!;
    if (t === PLAIN || t === HIGH) continue;
    return t === CLOSE ? i + 1 : -1;
  }
}

/** Index after the number at `i` (JSON grammar: no leading zeros, no bare dot), or -1. */
function skipNumber(b: Uint8Array, i: number): number {
  let c = b[i]!;
  if (c === MINUS) c = b[++i]!;
  if (c === ZERO) c = b[++i]!;
  else if (c > ZERO && c <= NINE) {
    do c = b[++i]!;
    while (c >= ZERO && c <= NINE);
  } else return -1;
  if (c === DOT) {
    c = b[++i]!;
    if (!(c >= ZERO && c <= NINE)) return -1;
    do c = b[++i]!;
    while (c >= ZERO && c <= NINE);
  }
  if (c === 0x65 || c === 0x45) {
    c = b[++i]!;
    if (c === PLUS || c === MINUS) c = b[++i]!;
    if (!(c >= ZERO && c <= NINE)) return -1;
    do c = b[++i]!;
    while (c >= ZERO && c <= NINE);
  }
  return i;
}

/** Index after `true`, `false` or `null` at `i`, or -1. */
function skipLiteral(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === 0x74) return b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? i + 4 : -1;
  if (c === 0x66) {
    return b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65
      ? i + 5
      : -1;
  }
  if (c === 0x6e) return b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c ? i + 4 : -1;
  return -1;
}

/**
 * The index, from `j` on in steps of 4, of the first 4-byte word that may hold a quote, a
 * backslash, a control character or a byte >= 0x80; the caller reads on byte by byte from
 * there. Each word is tested at once (SWAR): a byte below 0x20 borrows into its top bit when
 * 0x20 is taken from it, a quote or a backslash is a zero byte after the XOR, which borrows
 * when 1 is taken from it. A borrow only ever comes from such a byte, and bytes >= 0x80 stop
 * the run anyway, so the test has no false negatives. Never reads past `words`.
 */
function plainRun(words: DataView<ArrayBufferLike>, j: number): number {
  const last = words.byteLength - 4;
  while (j <= last) {
    const x = words.getInt32(j, true);
    if (
      ((x - 0x20202020) | ((x ^ 0x22222222) - 0x01010101) | ((x ^ 0x5c5c5c5c) - 0x01010101) | x) &
      0x80808080
    ) {
      return j;
    }
    j += 4;
  }
  return j;
}

/** Index after any JSON value at `i` (no leading whitespace), or -1. */
export function skipValue(b: Uint8Array, i: number, depth = 0): number {
  const c = b[i]!;
  if (c === QUOTE) return skipString(b, i);
  if (c === MINUS || (c >= ZERO && c <= NINE)) return skipNumber(b, i);
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) return skipLiteral(b, i);
  if (depth >= MAX_DEPTH) return -1;
  const object = c === OPEN_BRACE;
  const close = object ? CLOSE_BRACE : CLOSE_BRACKET;
  i = spaces(b, i + 1);
  if (b[i] === close) return i + 1;
  for (;;) {
    if (object) {
      if (b[i] !== QUOTE) return -1;
      i = skipString(b, i);
      if (i < 0) return -1;
      i = spaces(b, i);
      if (b[i] !== COLON) return -1;
      i = spaces(b, i + 1);
    }
    i = skipValue(b, i, depth + 1);
    if (i < 0) return -1;
    i = spaces(b, i);
    const d = b[i];
    if (d === close) return i + 1;
    if (d !== COMMA) return -1;
    i = spaces(b, i + 1);
  }
}

/**
 * Checks that the line starting at `i` is one JSON object (then only whitespace up to its
 * `\n`), and records for each top-level key that `slotOf` maps to a slot its value's kind and
 * byte range in `fields` (`[kind, from, to]` per slot; strings without their quotes). The last
 * of duplicate keys wins, as in JSON.parse. Returns the index of the line's `\n`, or -1 when the
 * line is not such an object or uses what this reader declines (escapes, nesting past 64).
 * Slots must be reset to {@link ABSENT} by the caller. `words` is a DataView of `b`'s bytes.
 * The slots start at `fields[base]`.
 */
export function scanObjectLine(
  b: Uint8Array,
  words: DataView<ArrayBufferLike>,
  i: number,
  fields: Int32Array,
  base: number,
  keys: KeyTable,
): number {
  i = spaces(b, i);
  if (b[i] !== OPEN_BRACE) return -1;
  i = spaces(b, i + 1);
  if (b[i] === CLOSE_BRACE) return -1; // {} has no envelope: the exact path reports it
  for (;;) {
    if (b[i] !== QUOTE) return -1;
    const keyStart = i + 1;
    i = skipString(b, plainRun(words, keyStart) - 1);
    if (i < 0) return -1;
    // Keys are compared byte for byte with ASCII names, so a non-ASCII key matches none.
    const slot = slotOf(b, keyStart, i - 1 - keyStart, keys);
    i = spaces(b, i);
    if (b[i] !== COLON) return -1;
    i = spaces(b, i + 1);
    const at = i;
    let c = b[i]!;
    let kind: number;
    if (c === QUOTE) {
      kind = ASCII;
      i = plainRun(words, i + 1) - 1;
      for (;;) {
        const t = IN_STRING[b[++i]!]!;
        if (t === PLAIN) continue;
        if (t === HIGH) kind = WIDE;
        else if (t === CLOSE) break;
        else return -1;
      }
      i++;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      i = skipNumber(b, i);
      if (i < 0) return -1;
      kind = NUMBER;
    } else {
      i = skipValue(b, i, 1);
      if (i < 0) return -1;
      kind = OTHER;
    }
    if (slot >= 0) {
      const k = base + slot * 3;
      fields[k] = kind;
      fields[k + 1] = kind === ASCII || kind === WIDE ? at + 1 : at;
      fields[k + 2] = kind === ASCII || kind === WIDE ? i - 1 : i;
    }
    i = spaces(b, i);
    c = b[i]!;
    if (c === CLOSE_BRACE) break;
    if (c !== COMMA) return -1;
    i = spaces(b, i + 1);
  }
  i = spaces(b, i + 1);
  return b[i] === NEWLINE ? i : -1;
}
