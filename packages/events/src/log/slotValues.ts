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
/** Most bytes one slice spans to give two values of a line (see {@link spanAt}). */
const SPAN_BYTES = 96;
/**
 * One string holding the values of the text slots at g[k] and g[m] (m's after k's, both ASCII,
 * at most SPAN_BYTES from the start of k's to the end of m's), to cut both from with
 * {@link partAt}; else undefined (each is sliced alone). V8 makes a substring of 13 characters or
 * more a view of its parent, not a copy: two values written side by side (a line's timestamp
 * and trace id) cost one decoder call and one copy instead of two, and a value kept holds at
 * most SPAN_BYTES.
 */
export function spanAt(b: Uint8Array, g: Int32Array, k: number, m: number): string | undefined {
  if (g[k] !== ASCII || g[m] !== ASCII) return undefined;
  const from = g[k + 1]!;
  const to = g[m + 2]!;
  if (g[m + 1]! < g[k + 2]! || to - from > SPAN_BYTES) return undefined;
  return latin1Slice.call(b, from, to);
}
/** The string of the text slot at g[k]: cut from `span` (spanAt from g[k0], `from` = g[k0 + 1]). */
export function partAt(span: string, g: Int32Array, k: number, from: number): string {
  return span.slice(g[k + 1]! - from, g[k + 2]! - from);
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
