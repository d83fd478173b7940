// The values of a located line's field slots (`[kind, from, to]`, see foldFields.generated.ts),
// read from its bytes exactly as JSON.parse would give them.
import { ASCII, NUMBER, WIDE } from './foldFields.generated.js';
import { latin1Slice, utf8Slice } from './lineLocator.js';

const ZERO = 0x30;
const NINE = 0x39;
const MINUS = 0x2d;
const DOT = 0x2e;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
/** The value of the JSON number in b[s, e), exactly as JSON.parse reads it. */
function numberAt(b: Uint8Array, s: number, e: number): number {
  let k = s;
  const negative = b[k] === MINUS;
  if (negative) k++;
  let mantissa = 0;
  let digits = 0;
  let decimals = 0;
  let dot = false;
  for (; k < e; k++) {
    const c = b[k]!;
    if (c === DOT) dot = true;
    else if (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      if (dot) decimals++;
    } else break; // an exponent: the general path below
  }
  // Up to 15 digits the mantissa and 10^decimals are exact doubles, so one division is
  // correctly rounded: the same double as JSON.parse gives.
  if (k === e && digits <= 15) {
    const v = decimals === 0 ? mantissa : mantissa / POW10[decimals]!;
    return negative ? -v : v;
  }
  return Number(latin1Slice.call(b, s, e));
}

// Strings of a field slot `[kind, from, to]` at g[k]: a fresh slice, or undefined when the value
// is not a string.
export function sliceAt(b: Uint8Array, g: Int32Array, k: number): string {
  return g[k] === WIDE
    ? utf8Slice.call(b, g[k + 1]!, g[k + 2]!)
    : latin1Slice.call(b, g[k + 1]!, g[k + 2]!);
}
export function textAt(b: Uint8Array, g: Int32Array, k: number): string | undefined {
  return g[k] === ASCII || g[k] === WIDE ? sliceAt(b, g, k) : undefined;
}
/**
 * Most bytes one decode of packed values spans. The scanner copies the values of the packed slots
 * (a line's timestamp, its trace id without an id; scripts/foldFields.mjs) side by side, line
 * after line, and the builder decodes them a window at a time: one call into Node's decoder per
 * window instead of one per line, and each value cut from the window with `slice`, which V8
 * makes a view of 13 characters or more (a copy below). A value kept (a server's last check
 * time) holds at most this many bytes of its window.
 */
const WINDOW_BYTES = 1024;
/** The packed values of a chunk's records (`LineRecords.strings`), decoded a window at a time. */
export interface PackedStrings {
  readonly bytes: Uint8Array;
  /** Bytes packed. */
  readonly length: number;
  /** The window decoded last, of the packed bytes [from, to). */
  window: string;
  from: number;
  to: number;
}
/** The {@link PackedStrings} of one chunk's records, before any window is decoded. */
export function packedStrings(records: {
  strings: Uint8Array;
  stringBytes: number;
}): PackedStrings {
  return { bytes: records.strings, length: records.stringBytes, window: '', from: 0, to: 0 };
}
/**
 * The string of the text slot at g[k] from `packed` when the scanner packed it at `offset`; else
 * (-1, or no packed values given) undefined: the caller slices it from the line.
 */
export function packedAt(
  g: Int32Array,
  k: number,
  offset: number,
  packed: PackedStrings | undefined,
): string | undefined {
  if (offset < 0 || packed === undefined) return undefined;
  const end = offset + g[k + 2]! - g[k + 1]!;
  if (offset < packed.from || end > packed.to) {
    packed.from = offset;
    packed.to = Math.min(offset + WINDOW_BYTES, packed.length);
    packed.window = latin1Slice.call(packed.bytes, offset, packed.to);
  }
  return packed.window.slice(offset - packed.from, end - packed.from);
}
/** The names seen so far, by the id the scanner gave them (see `EVENT_TYPE_ID`). */
export type Names = string[];
/** A name slot's string: the table's when the scanner gave it an id (sliced on first sight). */
export function namedAt(b: Uint8Array, g: Int32Array, k: number, id: number, names: Names) {
  if (id < 0) return textAt(b, g, k);
  let name = names[id];
  if (name === undefined) {
    name = latin1Slice.call(b, g[k + 1]!, g[k + 2]!);
    names[id] = name;
  }
  return name;
}
export function numberSlot(b: Uint8Array, g: Int32Array, k: number): number | undefined {
  return g[k] === NUMBER ? numberAt(b, g[k + 1]!, g[k + 2]!) : undefined;
}
