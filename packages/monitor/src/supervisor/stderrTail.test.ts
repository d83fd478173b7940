import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createStderrTail } from './stderrTail.js';

describe('createStderrTail', () => {
  it('keeps the last lines, the unfinished one too, and skips blank ones', () => {
    const stream = new PassThrough();
    const tail = createStderrTail(stream, { maxLines: 3 });
    stream.write('one\ntwo\n\nthree\r\nfo');
    stream.write('ur');
    expect(tail.lines()).toEqual(['two', 'three', 'four']);
  });

  it('keeps at most maxBytes, dropping the oldest lines and cutting one long line', () => {
    const stream = new PassThrough();
    const tail = createStderrTail(stream, { maxLines: 5, maxBytes: 10 });
    stream.write('aaaa\nbbbb\ncccc\n');
    expect(tail.lines()).toEqual(['bbbb', 'cccc']);
    stream.write(`${'x'.repeat(50)}\n`);
    const [only] = tail.lines();
    expect(only).toHaveLength(10);
    expect(only!.startsWith('…')).toBe(true);
  });

  it('keeps the same tail of a chunk of many thousands of lines, read from its end', () => {
    const stream = new PassThrough();
    // The gateway's bounds.
    const tail = createStderrTail(stream, { maxLines: 8, maxBytes: 4096 });
    // Built line by line, so the lines a reader should keep are known without splitting.
    const written: string[] = [];
    let text = '';
    for (let i = 0; i < 20_000; i++) {
      if (i % 5 === 3) text += ' \t \r\n';
      else if (i % 5 === 4) text += '\n';
      else {
        const line = `${i}: Fehler 😀${'x'.repeat(i % 7)}`;
        written.push(line);
        text += `${line}${i % 2 === 0 ? '' : ' \t'}${i % 3 === 0 ? '\r\n' : '\n'}`;
      }
    }
    // More blank lines at its end than lines kept, then an unfinished line.
    text += '\n \r\n\t\n'.repeat(20);
    stream.write(`${text}unfini`);
    expect(tail.lines()).toEqual([...written.slice(-7), 'unfini']);
    // The next chunk finishes that line: the lines kept from the first one stay.
    stream.write('shed\n\nlast');
    expect(tail.lines()).toEqual([...written.slice(-6), 'unfinished', 'last']);
  });

  it('regression: a character cut between two reads became U+FFFD; now it is whole', () => {
    const stream = new PassThrough();
    const tail = createStderrTail(stream);
    const bytes = Buffer.from('Fehler: Datei „größe.txt“ 😀 fehlt\n');
    for (let at = 0; at < bytes.length; at += 3) stream.write(bytes.subarray(at, at + 3));
    expect(tail.lines()).toEqual(['Fehler: Datei „größe.txt“ 😀 fehlt']);
  });

  it('cuts a long line without leaving half of a character at its start', () => {
    const stream = new PassThrough();
    const tail = createStderrTail(stream, { maxBytes: 4 });
    // Five UTF-16 units unfinished: its last four start with the low half of the first 😀.
    stream.write('😀😀a');
    expect(tail.lines()).toEqual(['😀a']);
  });
});
