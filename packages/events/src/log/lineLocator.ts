// Runs the line scanner (assembly/lineScan.ts, compiled to WebAssembly) over the lines of a
// chunk: for each line whether the scanner vouches for it, where its fold fields are, and its
// timestamp. The strings are built later, on the thread that folds (`createFoldBuilder`).
import { parseTimestamp } from '../model/envelope.js';
// The record layout (slots, name ids, `RECORD_INTS`) is generated from scripts/foldFields.mjs,
// as is the scanner's.
import { RECORD_INTS } from './foldFields.generated.js';
import { LINE_SCAN_WASM } from './lineScan.generated.js';

export { RECORD_INTS } from './foldFields.generated.js';

/**
 * One record per line of a chunk, per accepted line its timestamp in epoch ms, and the packed
 * values the records point to (see `PackedStrings`).
 */
export interface LineRecords {
  records: Int32Array;
  ms: Float64Array;
  /** Records filled. */
  count: number;
  /** The packed values of the records, side by side (ASCII bytes). */
  strings: Uint8Array;
  /** Bytes filled in `strings`. */
  stringBytes: number;
}

/** Packed bytes a line is given room for at first (a timestamp and a trace id; grown as needed). */
const LINE_STRING_BYTES = 56;

/** Empty {@link LineRecords} with room for `lines` lines (grown as needed). */
export function lineRecords(lines = 4096): LineRecords {
  return {
    records: new Int32Array(lines * RECORD_INTS),
    ms: new Float64Array(lines),
    count: 0,
    strings: new Uint8Array(lines * LINE_STRING_BYTES),
    stringBytes: 0,
  };
}

/**
 * Checks lines and finds their fold fields. Contract (what makes it safe to skip JSON.parse):
 * it accepts a line only if JSON.parse would accept it as an object whose envelope passes
 * `envelopeTime`, and then its timestamp is `envelopeTime`'s and its slots hold the values
 * JSON.parse would give (the last of duplicate keys). It checks the whole line against the
 * JSON grammar, unknown fields and nested values included, and declines what it does not
 * handle itself: escapes in strings, a timestamp other than 20 or 24 bytes ending in `Z` with
 * `HH:MM:SS[.fff]` in place (the date part is the exact parser's to judge), a `seq` with a
 * sign, fraction, exponent or more than 15 digits, nesting deeper than 64, `{}`.
 */
export interface LineLocator {
  /**
   * Fills `into` with one record per line of `bytes[start..last]`, where `last` is the index of
   * the final `\n` (every line ends with one). Offsets in the records index `bytes`. The arrays
   * are replaced by bigger ones when short.
   */
  locate(bytes: Uint8Array, start: number, last: number, into: LineRecords): void;
}

interface LineScanExports {
  memory: WebAssembly.Memory;
  chunkBase(): number;
  recordsBase(): number;
  timesBase(): number;
  stringsBase(): number;
  stringBytes(): number;
  scanLines(start: number, last: number, bias: number, stringsBias: number): number;
}

// Node's own decoders behind Buffer#toString, without their argument checks (one call per string).
interface Slicers {
  latin1Slice(this: Uint8Array, start: number, end: number): string;
  utf8Slice(this: Uint8Array, start: number, end: number): string;
}
export const { latin1Slice, utf8Slice } = Buffer.prototype as unknown as Slicers;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled scanner, or `undefined` where WebAssembly SIMD is missing (compiled once). */
function lineScanModule(): WebAssembly.Module | undefined {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(LINE_SCAN_WASM, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled ?? undefined;
}

/** Whether this runtime can run the scanner; without it every line takes the exact path. */
export function canLocateLines(): boolean {
  return lineScanModule() !== undefined;
}

/**
 * A {@link LineLocator} with its own scanner instance (memory, remembered day), or `undefined`
 * where WebAssembly SIMD is missing.
 */
export function createLineLocator(): LineLocator | undefined {
  const module = lineScanModule();
  if (!module) return undefined;
  let heap = new Uint8Array(0);
  const instance = new WebAssembly.Instance(module, {
    lineScan: {
      // Called when the day differs from the last one accepted: the calendar is the exact parser's.
      timestampMs: (at: number, length: number) =>
        parseTimestamp(latin1Slice.call(heap, at, at + length)),
    },
  });
  const wasm = instance.exports as unknown as LineScanExports;
  const chunk = wasm.chunkBase();
  const recordsAt = wasm.recordsBase() >> 2;
  const timesAt = wasm.timesBase() >> 3;
  const stringsAt = wasm.stringsBase();
  let ints = new Int32Array(0);
  let floats = new Float64Array(0);
  const views = () => {
    heap = new Uint8Array(wasm.memory.buffer);
    ints = new Int32Array(wasm.memory.buffer);
    floats = new Float64Array(wasm.memory.buffer);
  };
  views();
  return {
    locate(bytes, start, last, into) {
      const length = last + 1 - start;
      // The scanner reads whole 16-byte words; each search stops at the line's `\n`.
      const need = chunk + length + 16;
      if (need > heap.length) {
        wasm.memory.grow(Math.ceil((need - heap.length) / 65536));
        views();
      }
      heap.set(bytes.subarray(start, last + 1), chunk);
      let count = 0;
      into.stringBytes = 0;
      for (let at = 0; at < length; ) {
        const got = wasm.scanLines(at, length - 1, start, into.stringBytes);
        if ((count + got) * RECORD_INTS > into.records.length) grow(into, count + got);
        into.records.set(
          ints.subarray(recordsAt, recordsAt + got * RECORD_INTS),
          count * RECORD_INTS,
        );
        into.ms.set(floats.subarray(timesAt, timesAt + got), count);
        const packed = wasm.stringBytes();
        const filled = into.stringBytes + packed;
        if (filled > into.strings.length) growStrings(into, filled);
        into.strings.set(heap.subarray(stringsAt, stringsAt + packed), into.stringBytes);
        into.stringBytes = filled;
        count += got;
        at = into.records[(count - 1) * RECORD_INTS]! - start + 1;
      }
      into.count = count;
    },
  };
}

function growStrings(into: LineRecords, bytes: number): void {
  const strings = new Uint8Array(Math.max(bytes, into.strings.length * 2));
  strings.set(into.strings.subarray(0, into.stringBytes));
  into.strings = strings;
}

function grow(into: LineRecords, lines: number): void {
  const size = Math.max(lines, (into.ms.length * 2) | 0, 64);
  const records = new Int32Array(size * RECORD_INTS);
  records.set(into.records);
  const ms = new Float64Array(size);
  ms.set(into.ms);
  into.records = records;
  into.ms = ms;
}
