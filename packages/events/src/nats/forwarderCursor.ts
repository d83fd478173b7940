import { readFile, writeFile } from 'node:fs/promises';

/**
 * The forwarder's cursor file: `<log seq>` (as first written) or `<log seq> <stream seq>`,
 * the last event of the log the stream has acknowledged (with every one before it) and that
 * event's stream sequence. What a restart reads to send what is missing and nothing more.
 */
export interface ForwarderCursor {
  seq: number;
  streamSeq: number | undefined;
}

/** Reads the cursor at `path`; undefined when there is none or it does not parse. */
export async function readCursor(path: string): Promise<ForwarderCursor | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    const match = /^(-?\d+)(?: (\d+))?$/.exec(text);
    if (!match || Number(match[1]) < -1) return undefined;
    return {
      seq: Number(match[1]),
      streamSeq: match[2] === undefined ? undefined : Number(match[2]),
    };
  } catch {
    return undefined;
  }
}

/**
 * Writes the cursor after each acknowledged batch: the latest value only, one write at a time
 * (a batch acknowledged while the last write runs replaces the value waiting, if any). A
 * failed write is left for the next one: the cursor only saves re-sends.
 */
export interface CursorWriter {
  write(seq: number, streamSeq: number | undefined): void;
  /** Resolves when no write runs or waits. */
  idle(): Promise<void>;
}

/** Creates the {@link CursorWriter} of the file at `path`. */
export function createCursorWriter(path: string): CursorWriter {
  let pending: string | undefined;
  let running: Promise<void> | undefined;
  const run = async () => {
    while (pending !== undefined) {
      const value = pending;
      pending = undefined;
      await writeFile(path, value).catch(() => {});
    }
    running = undefined;
  };
  return {
    write(seq, streamSeq) {
      pending = streamSeq === undefined ? `${seq}\n` : `${seq} ${streamSeq}\n`;
      running ??= run();
    },
    idle: () => running ?? Promise.resolve(),
  };
}
