// Cuts a file read in chunks into runs of complete lines, for both of `readLog`'s readers (this
// thread's and the worker's): where to read next, where the complete lines of a chunk are, the
// unfinished line carried to the next chunk, and lines too long to hold.

/** What one read brought. */
export interface ChunkRead {
  /** The newline that ends a skipped long line came in this read (a line to count). */
  longEnded: boolean;
  /** Complete lines, `buffer[start..last]` (`last` the index of the final `\n`), if any. */
  lines?: { buffer: Buffer; start: number; last: number };
}

/** See {@link createLineChunker}. */
export interface LineChunker {
  /**
   * Where to read next. First grows the buffer for a long line, or starts skipping a line longer
   * than `maxLineBytes`: then `long` is that line's start, for its report.
   */
  target(): { buffer: Buffer; offset: number; length: number; long?: string };
  /**
   * Takes `bytesRead` bytes read into the last target (not 0: that is the end of the file).
   * When it returns `lines`, call {@link LineChunker.carry} once they are handled.
   */
  took(bytesRead: number): ChunkRead;
  /** Moves the unfinished line to the start of `into` (default: the same buffer); reads go there. */
  carry(into?: Buffer): void;
  /** At the end of the file: the unterminated last line, unless it was a skipped long one. */
  tail(): Buffer | undefined;
}

const NEWLINE = 0x0a;
/** Characters of a skipped line kept for its report. */
export const PREVIEW = 120;

/**
 * Creates a {@link LineChunker} reading into buffers of `chunkBytes` (from `allocate`), grown up
 * to `maxLineBytes` for a long line; a line longer than that is reported (`long`) and skipped.
 */
export function createLineChunker(
  chunkBytes: number,
  maxLineBytes: number,
  allocate: (bytes: number) => Buffer,
): LineChunker {
  let buffer = allocate(chunkBytes);
  let kept = 0; // bytes of an unfinished line at the start of buffer
  let skipping = false; // inside a line longer than maxLineBytes
  let end = 0;
  let last = 0;
  return {
    target() {
      let long: string | undefined;
      if (kept === buffer.length) {
        if (buffer.length >= maxLineBytes) {
          if (!skipping) long = buffer.toString('utf8', 0, PREVIEW);
          skipping = true;
          kept = 0;
        } else {
          const bigger = allocate(Math.min(buffer.length * 2, maxLineBytes));
          buffer.copy(bigger, 0, 0, kept);
          buffer = bigger;
        }
      }
      return { buffer, offset: kept, length: buffer.length - kept, ...(long ? { long } : {}) };
    },
    took(bytesRead) {
      end = kept + bytesRead;
      let start = 0;
      let longEnded = false;
      if (skipping) {
        const nl = buffer.indexOf(NEWLINE, kept);
        if (nl < 0 || nl >= end) {
          kept = 0;
          return { longEnded };
        }
        skipping = false;
        longEnded = true;
        start = nl + 1;
      }
      last = buffer.lastIndexOf(NEWLINE, end - 1);
      if (last < start) {
        // No complete line yet: keep reading (growing the buffer if full).
        if (start > 0) buffer.copy(buffer, 0, start, end);
        kept = end - start;
        return { longEnded };
      }
      return { longEnded, lines: { buffer, start, last } };
    },
    carry(into = buffer) {
      kept = end - last - 1;
      if (into.length < kept) into = allocate(buffer.length);
      buffer.copy(into, 0, last + 1, end);
      buffer = into;
    },
    tail() {
      return kept > 0 && !skipping ? buffer.subarray(0, kept) : undefined;
    },
  };
}
