import { type FoldEvent, foldEventAt, internedTables } from './foldFields.generated.js';
import { createLineLocator, type LineLocator, lineRecords } from './lineLocator.js';
import { type PackedStrings, packedStrings } from './slotValues.js';

export type { FoldEvent } from './foldFields.generated.js';
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

/**
 * Builds the {@link FoldEvent} of a located line from its fields (`RECORD_INTS - 2` ints from
 * `fields[at]`) and its bytes. Names that repeat are made once, by the id the scanner gave
 * them: so a builder serves the records of one `LineLocator`, in the order it made them.
 * `packed`, the chunk's {@link packedStrings} (one per chunk, for its records in order), gives
 * the packed values (timestamps, trace ids without an id) a window of lines at a time; without
 * it they are sliced from `bytes` one by one (the same strings, slower).
 */
export type FoldBuilder = (
  bytes: Uint8Array,
  fields: Int32Array,
  at: number,
  packed?: PackedStrings,
) => FoldEvent;

/** Creates a {@link FoldBuilder} (with its own tables of interned names and trace ids). */
export function createFoldBuilder(): FoldBuilder {
  const interned = internedTables();
  return (bytes, fields, at, packed) => foldEventAt(bytes, fields, at, interned, packed);
}

/**
 * Creates a {@link LineScanner}: the {@link LineLocator} on one line at a time, and the builder
 * of the fold fields from a located line's slots. Its contract is the locator's: it gives
 * fields only for a line that JSON.parse would accept as an object whose envelope passes
 * `envelopeTime`, and the fields are what JSON.parse would give; it declines the rest, which
 * the caller then takes the exact way. Where WebAssembly SIMD is missing it declines every line.
 *
 * Strings that repeat (`event_type`, `server_name`, `repo`, `status`, `strategy`) are made once
 * (at most 2,048 of them, each at most 64 bytes), and so is each of the first 4,096 trace ids
 * (at most 64 bytes each): a line allocates its `timestamp`, and its `trace_id` only when that
 * is new or past those (both from one decode; a log reader decodes them for many lines at once).
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
      return build(bytes, one.records, 2, packedStrings(one));
    },
    get ms() {
      return lastMs;
    },
    get end() {
      return lastEnd;
    },
  };
}
