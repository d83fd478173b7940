import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Options of {@link createStderrTail}. */
export interface StderrTailOptions {
  /** Lines kept, newest last. @default 5 */
  maxLines?: number;
  /** Bytes kept in all (UTF-16 code units, near enough for messages). @default 2048 */
  maxBytes?: number;
}

/** The last lines a process wrote to a stream, bounded. */
export interface StderrTail {
  /** The last non-empty lines (the unfinished one too), newest last, within the bounds. */
  lines(): string[];
}

/**
 * Follows `stream` (a server's stderr) and keeps only its last lines: at most `maxLines`, at
 * most `maxBytes` in all (the oldest lines go first; a single longer line keeps its end).
 * Reading never pauses the stream, so a server that writes a lot never blocks on it.
 */
export function createStderrTail(stream: Readable, options: StderrTailOptions = {}): StderrTail {
  const maxLines = options.maxLines ?? 5;
  const maxBytes = options.maxBytes ?? 2048;
  const kept: string[] = [];
  let partial = '';
  // A character cut between two reads is decoded once both halves are in.
  const decoder = new StringDecoder('utf8');
  stream.on('data', (chunk: Buffer | string) => {
    const text = partial + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const lastBreak = text.lastIndexOf('\n');
    partial = lastChars(text.slice(lastBreak + 1), maxBytes);
    kept.push(...lastLines(text, lastBreak, maxLines));
    if (kept.length > maxLines) kept.splice(0, kept.length - maxLines);
  });
  return {
    lines() {
      const all = partial.trim() === '' ? [...kept] : [...kept, partial.trimEnd()];
      const lines = all.slice(-maxLines);
      let total = 0;
      const within: string[] = [];
      for (let i = lines.length - 1; i >= 0; i--) {
        const line = lines[i]!;
        if (total + line.length > maxBytes) {
          if (within.length === 0) within.unshift(`…${lastChars(line, maxBytes - 1)}`);
          break;
        }
        total += line.length;
        within.unshift(line);
      }
      return within;
    },
  };
}

/**
 * The last `n` non-blank lines of `text` that end at its line break `end` or before (none when
 * `end` is -1), oldest first, their ends trimmed (a `\r` of a `\r\n` too). Read backwards from
 * `end`, so a chunk of many lines costs the lines kept (and blank ones between), not all.
 */
function lastLines(text: string, end: number, n: number): string[] {
  const lines: string[] = [];
  while (end >= 0 && lines.length < n) {
    const start = end === 0 ? 0 : text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end).trimEnd();
    if (line !== '') lines.push(line);
    end = start - 1;
  }
  return lines.reverse();
}

/** The last `n` UTF-16 units of `text`, without the half of a character cut at the start. */
function lastChars(text: string, n: number): string {
  if (n <= 0) return '';
  const end = text.slice(-n);
  const first = end.charCodeAt(0);
  return first >= 0xdc00 && first <= 0xdfff ? end.slice(1) : end;
}
