import { basename, dirname, extname, join } from 'node:path';
import { type LogFileSystem, nodeLogFileSystem } from './logFileSystem.js';

const SEQ_DIGITS = 12;

function parts(path: string) {
  const ext = extname(path);
  return { dir: dirname(path), stem: basename(path, ext), ext };
}

/**
 * Where the active log `path` goes when it is rotated: `<stem>.<last seq, 12 digits><ext>`
 * beside it (`selfheal-events.000000001234.jsonl`), so names sort in log order.
 */
export function segmentPath(path: string, lastSeq: number): string {
  const { dir, stem, ext } = parts(path);
  return join(dir, `${stem}.${String(lastSeq).padStart(SEQ_DIGITS, '0')}${ext}`);
}

/** The last seq named by each rotated segment of `path`, ascending, with its path. */
export async function listSegments(
  path: string,
  fs: LogFileSystem = nodeLogFileSystem,
): Promise<{ path: string; lastSeq: number }[]> {
  const { dir, stem, ext } = parts(path);
  const prefix = `${stem}.`;
  const found: { path: string; lastSeq: number }[] = [];
  for (const name of await fs.list(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith(ext)) continue;
    const middle = name.slice(prefix.length, name.length - ext.length);
    if (middle.length === SEQ_DIGITS && /^\d+$/.test(middle)) {
      found.push({ path: join(dir, name), lastSeq: Number(middle) });
    }
  }
  return found.sort((a, b) => a.lastSeq - b.lastSeq);
}

/**
 * Every file of the log whose active file is `path`, oldest first: its rotated segments, then
 * `path` itself. Hand the list to `replayLogs` to replay the whole log.
 */
export async function listLogFiles(
  path: string,
  fs: LogFileSystem = nodeLogFileSystem,
): Promise<string[]> {
  return [...(await listSegments(path, fs)).map((s) => s.path), path];
}
