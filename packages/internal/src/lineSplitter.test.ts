import { describe, expect, it } from 'vitest';
import { createLineSplitter, type LineSplitterOptions } from './lineSplitter.js';

/** A splitter that collects its lines and its too-long reports. */
function split(options: LineSplitterOptions = {}) {
  const lines: string[] = [];
  const tooLong: [number, boolean][] = [];
  const splitter = createLineSplitter((line) => lines.push(line), {
    ...options,
    onTooLong: (bytes, ended) => tooLong.push([bytes, ended]),
  });
  const feed = (bytes: Buffer, cuts: number[]) => {
    const at = [0, ...cuts, bytes.length];
    for (let i = 1; i < at.length; i++) splitter.push(bytes.subarray(at[i - 1], at[i]));
  };
  return { splitter, lines, tooLong, feed };
}

describe('createLineSplitter', () => {
  it('gives the same lines wherever the stream is cut, characters of two, three and four bytes whole', () => {
    const text = 'a é € 😀\r\nsecond\n\nlast';
    const bytes = Buffer.from(`${text}\n`);
    for (let a = 1; a < bytes.length; a++) {
      for (const b of [a + 1, a + 3, bytes.length - 1]) {
        if (b <= a || b >= bytes.length) continue;
        const { lines, feed } = split();
        feed(bytes, [a, b]);
        expect(lines).toEqual(['a é € 😀\r', 'second', '', 'last']);
      }
    }
  });

  it('keeps an unended line until its newline, and counts its bytes', () => {
    const { splitter, lines } = split();
    splitter.push(Buffer.from('{"a":'));
    splitter.push(Buffer.from('1'));
    expect(lines).toEqual([]);
    expect(splitter.pendingBytes).toBe(6);
    splitter.push(Buffer.from('}\n'));
    expect(lines).toEqual(['{"a":1}']);
    expect(splitter.pendingBytes).toBe(0);
  });

  it('reports a line over the limit once and drops the rest of it, whether it ends in the chunk or later', () => {
    const { splitter, lines, tooLong, feed } = split({ maxLineBytes: 8 });
    feed(Buffer.from('ok\n0123456789\nnext\n'), []);
    expect(tooLong).toEqual([[10, true]]);
    expect(lines).toEqual(['ok', 'next']);
    feed(Buffer.from('0123456789abcdef\nafter\n'), [5, 12]);
    expect(tooLong).toEqual([
      [10, true],
      [12, false],
    ]);
    expect(splitter.dropping).toBe(false);
    expect(lines).toEqual(['ok', 'next', 'after']);
  });

  it('starts by dropping up to the first newline when told the stream is inside a line', () => {
    const { lines, feed } = split({ startInsideLine: true });
    feed(Buffer.from('rest of a long line\n{"b":2}\n'), [4]);
    expect(lines).toEqual(['{"b":2}']);
  });

  it('passes nothing on after stop, not even the lines left in the chunk being read', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => {
      lines.push(line);
      if (line === 'stop') splitter.stop();
    });
    splitter.push(Buffer.from('one\nstop\ntwo\nthr'));
    splitter.push(Buffer.from('ee\n'));
    expect(lines).toEqual(['one', 'stop']);
    expect(splitter.pendingBytes).toBe(0);
  });
});
