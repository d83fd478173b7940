/** Options of {@link createLineSplitter}. */
export interface LineSplitterOptions {
  /**
   * A line longer than this many bytes is not read: `onTooLong` is told, and the rest of the
   * line, up to its newline, is dropped. @default no limit
   */
  maxLineBytes?: number;
  /**
   * A line passed `maxLineBytes`: `bytes` of it seen so far (more than the limit), and whether
   * it has ended (when not, the rest of it is dropped as it comes).
   */
  onTooLong?: (bytes: number, ended: boolean) => void;
  /** Drops everything up to the first newline: the stream is known to be inside a line. */
  startInsideLine?: boolean;
}

/** A byte stream split into lines; see {@link createLineSplitter}. */
export interface LineSplitter {
  /** Reads `chunk`: each line it ends goes to `onLine`, in order; the rest is kept. */
  push(chunk: Buffer): void;
  /** Bytes of the line begun and not yet ended (0 while a line over the limit is dropped). */
  readonly pendingBytes: number;
  /** Whether the rest of a line over the limit is being dropped. */
  readonly dropping: boolean;
  /** Stops for good: the line begun, the lines left in a chunk being read and later chunks are dropped. */
  stop(): void;
}

/**
 * Splits a byte stream (a pipe, a socket, an HTTP body) into lines at `\n`; a `\r` before it
 * is left on the line for the reader. A line is decoded as UTF-8 whole, from the bytes of
 * every chunk it spans, joined once when its newline comes: a character cut between two reads
 * stays whole, and a line of n reads is copied once, not n times (joining the line so far
 * with each read, and searching it again, is quadratic in its length).
 */
export function createLineSplitter(
  onLine: (line: string) => void,
  options: LineSplitterOptions = {},
): LineSplitter {
  const limit = options.maxLineBytes ?? Number.POSITIVE_INFINITY;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let dropping = options.startInsideLine ?? false;
  let stopped = false;
  const forget = () => {
    pending = [];
    pendingBytes = 0;
  };
  const lineOf = (chunk: Buffer, start: number, end: number): string => {
    if (pending.length === 0) return chunk.toString('utf8', start, end);
    pending.push(chunk.subarray(start, end));
    const line = Buffer.concat(pending).toString('utf8');
    forget();
    return line;
  };
  return {
    push(chunk) {
      if (stopped) return;
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1 && !stopped; nl = chunk.indexOf(10, start)) {
        const bytes = pendingBytes + nl - start;
        const from = start;
        start = nl + 1;
        if (dropping) dropping = false;
        else if (bytes > limit) {
          forget();
          options.onTooLong?.(bytes, true);
        } else onLine(lineOf(chunk, from, nl));
      }
      if (stopped || dropping || start === chunk.length) return;
      pending.push(start === 0 ? chunk : chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > limit) {
        const bytes = pendingBytes;
        forget();
        dropping = true;
        options.onTooLong?.(bytes, false);
      }
    },
    get pendingBytes() {
      return pendingBytes;
    },
    get dropping() {
      return dropping;
    },
    stop() {
      stopped = true;
      forget();
    },
  };
}
