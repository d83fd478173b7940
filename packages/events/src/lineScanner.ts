import {
  ASCII,
  ATTEMPT,
  createLineLocator,
  ERROR,
  EVENT_TYPE,
  EVENT_TYPE_ID,
  type LineLocator,
  latin1Slice,
  lineRecords,
  NUMBER,
  REASON,
  REPO,
  REPO_ID,
  RESPONSE_TIME,
  SERVER_NAME,
  SERVER_NAME_ID,
  STATUS,
  STATUS_ID,
  STRATEGY,
  STRATEGY_ID,
  TIMESTAMP,
  TRACE_HASH,
  TRACE_ID,
  TRANSPORT,
  utf8Slice,
  WIDE,
} from './lineLocator.js';

/**
 * The fields of one event that the replay fold reads (summary, projection, SLA), taken from the
 * bytes of a line without building the whole object. Absent fields, and fields whose value has
 * a type the fold ignores (a `status` that is a number, ...), are `undefined`.
 */
export type FoldEvent = {
  event_type: string;
  timestamp: string;
  /** Undefined only when the reader's `traceFilter` said it is not needed. */
  trace_id: string | undefined;
  repo: string | undefined;
  server_name: string | undefined;
  status: string | undefined;
  response_time_ms: number | undefined;
  error: string | undefined;
  reason: string | undefined;
  attempt: number | undefined;
  strategy: string | undefined;
  transport: string | undefined;
};

/** Reads the fold fields of one line of bytes; see {@link createLineScanner}. */
export interface LineScanner {
  /**
   * The fields of the line that starts at `bytes[start]` and ends at the next `\n`, or
   * `undefined` when the line is not one the scanner vouches for (or has no `\n`): then the
   * caller must take the exact path (decode + JSON.parse + envelope check). After a hit,
   * {@link LineScanner.ms} is the timestamp in epoch ms and {@link LineScanner.end} the index of
   * the line's `\n`. (The log readers locate whole chunks at once with a `LineLocator`, on a
   * worker thread for big files, and build with a {@link FoldBuilder}.)
   */
  scan(bytes: Uint8Array, start: number): FoldEvent | undefined;
  /** The timestamp of the last line scanned with success, in epoch ms. */
  readonly ms: number;
  /** The index of the `\n` that ended the last line scanned with success. */
  readonly end: number;
}

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
function sliceAt(b: Uint8Array, g: Int32Array, k: number): string {
  return g[k] === WIDE
    ? utf8Slice.call(b, g[k + 1]!, g[k + 2]!)
    : latin1Slice.call(b, g[k + 1]!, g[k + 2]!);
}
function textAt(b: Uint8Array, g: Int32Array, k: number): string | undefined {
  return g[k] === ASCII || g[k] === WIDE ? sliceAt(b, g, k) : undefined;
}
/** The names seen so far, by the id the scanner gave them (see `EVENT_TYPE_ID`). */
type Names = string[];
/** A name slot's string: the table's when the scanner gave it an id (sliced on first sight). */
function namedAt(b: Uint8Array, g: Int32Array, k: number, id: number, names: Names) {
  if (id < 0) return textAt(b, g, k);
  let name = names[id];
  if (name === undefined) {
    name = latin1Slice.call(b, g[k + 1]!, g[k + 2]!);
    names[id] = name;
  }
  return name;
}
function numberSlot(b: Uint8Array, g: Int32Array, k: number): number | undefined {
  return g[k] === NUMBER ? numberAt(b, g[k + 1]!, g[k + 2]!) : undefined;
}

/**
 * Builds the {@link FoldEvent} of a located line from its fields (`RECORD_INTS - 2` ints from
 * `fields[at]`) and its bytes. Names that repeat are made once, by the id the scanner gave
 * them: so a builder serves the records of one `LineLocator`, in the order it made them.
 */
export type FoldBuilder = (bytes: Uint8Array, fields: Int32Array, at: number) => FoldEvent;

/**
 * Creates a {@link FoldBuilder}; `traceFilter` (see `ReadLogOptions.traceFilter`) decides from
 * its hash whether a trace id is made a string.
 */
export function createFoldBuilder(traceFilter?: (hash: number) => boolean): FoldBuilder {
  const names: Names = [];
  return (bytes, g, at) => ({
    event_type: namedAt(bytes, g, at + EVENT_TYPE * 3, g[at + EVENT_TYPE_ID]!, names) as string,
    timestamp: sliceAt(bytes, g, at + TIMESTAMP * 3),
    trace_id:
      traceFilter === undefined || traceFilter(g[at + TRACE_HASH]!)
        ? sliceAt(bytes, g, at + TRACE_ID * 3)
        : undefined,
    repo: namedAt(bytes, g, at + REPO * 3, g[at + REPO_ID]!, names),
    server_name: namedAt(bytes, g, at + SERVER_NAME * 3, g[at + SERVER_NAME_ID]!, names),
    status: namedAt(bytes, g, at + STATUS * 3, g[at + STATUS_ID]!, names),
    response_time_ms: numberSlot(bytes, g, at + RESPONSE_TIME * 3),
    error: textAt(bytes, g, at + ERROR * 3),
    reason: textAt(bytes, g, at + REASON * 3),
    attempt: numberSlot(bytes, g, at + ATTEMPT * 3),
    strategy: namedAt(bytes, g, at + STRATEGY * 3, g[at + STRATEGY_ID]!, names),
    transport: textAt(bytes, g, at + TRANSPORT * 3),
  });
}

/**
 * Creates a {@link LineScanner}: the {@link LineLocator} on one line at a time, and the builder
 * of the fold fields from a located line's slots. Its contract is the locator's: it gives
 * fields only for a line that JSON.parse would accept as an object whose envelope passes
 * `envelopeTime`, and the fields are what JSON.parse would give; it declines the rest, which
 * the caller then takes the exact way. Where WebAssembly SIMD is missing it declines every line.
 *
 * Strings that repeat (`event_type`, `server_name`, `repo`, `status`, `strategy`) are made once
 * (at most 2,048 of them, each at most 64 bytes), so most lines allocate only their `timestamp`
 * and `trace_id`.
 */
export function createLineScanner(): LineScanner {
  const locator: LineLocator | undefined = createLineLocator();
  const one = lineRecords(1);
  let lastMs = 0;
  let lastEnd = 0;

  const build = createFoldBuilder();

  return {
    scan(bytes, start) {
      const nl = bytes.indexOf(0x0a, start);
      if (!locator || nl < 0) return undefined;
      locator.locate(bytes, start, nl, one);
      if (one.records[1] !== 1) return undefined;
      lastEnd = nl;
      lastMs = one.ms[0]!;
      return build(bytes, one.records, 2);
    },
    get ms() {
      return lastMs;
    },
    get end() {
      return lastEnd;
    },
  };
}
