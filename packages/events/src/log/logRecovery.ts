import type { LogFileHandle, LogFileSystem } from './logFileSystem.js';
import { scanLog } from './logReader.js';
import { listSegments } from './logSegments.js';

/** What opening the log found on disk. */
export interface LogRecovery {
  /** Bytes already in the active file. */
  bytes: number;
  /** The last seq already in the log (active file or rotated segments); -1 for a new log. */
  lastSeq: number;
  /** The file did not end with a newline (a torn or unterminated last line). */
  unterminated: boolean;
}

const TAIL_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * Reads what an existing log file tells a writer that continues it: its size, the last `seq`
 * in the log (from the last 64 KiB; a full scan if none is there; the newest rotated segment
 * if the file is empty) and whether it ends without a newline (a torn or unterminated line).
 */
export async function recoverLog(
  path: string,
  file: LogFileHandle,
  fs: LogFileSystem,
): Promise<LogRecovery> {
  const bytes = await file.size();
  if (bytes === 0) {
    const segments = await listSegments(path, fs);
    return { bytes, lastSeq: segments.at(-1)?.lastSeq ?? -1, unterminated: false };
  }
  const tail = await file.readTail(TAIL_BYTES);
  const unterminated = tail[tail.length - 1] !== NEWLINE;
  const lines = tail.toString('utf8').split('\n');
  // The first piece may be cut in the middle unless the tail is the whole file.
  const from = tail.length < bytes ? 1 : 0;
  for (let i = lines.length - 1; i >= from; i--) {
    const seq = seqOf(lines[i]!);
    if (seq !== undefined) return { bytes, lastSeq: seq, unterminated };
  }
  // No seq in the tail (a foreign file, or a long run of bad lines): read it all.
  let max = -1;
  await scanLog(path, ({ event }) => {
    if (typeof event.seq === 'number' && event.seq > max) max = event.seq;
  });
  if (max < 0) {
    const segments = await listSegments(path, fs);
    max = segments.at(-1)?.lastSeq ?? -1;
  }
  return { bytes, lastSeq: max, unterminated };
}

function seqOf(line: string): number | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value = JSON.parse(line) as { seq?: unknown };
    return Number.isInteger(value.seq) && (value.seq as number) >= 0
      ? (value.seq as number)
      : undefined;
  } catch {
    return undefined;
  }
}
