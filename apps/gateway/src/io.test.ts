import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createSafeWriter } from './io.js';

/** A stream whose reader went away: every write fails with EPIPE, as a closed pipe does. */
function closedPipe() {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      written.push(String(chunk));
      const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      callback(error);
    },
  });
  return { stream, written };
}

describe('createSafeWriter', () => {
  it('drops writes after EPIPE instead of raising an unhandled error', async () => {
    const { stream, written } = closedPipe();
    const write = createSafeWriter(stream);
    write('first\n');
    // The error event fires on a later tick; without a listener it would be thrown.
    await new Promise((resolve) => stream.once('close', resolve));
    write('second\n');
    write('third\n');
    expect(written).toEqual(['first\n']);
  });

  it('writes everything to a healthy stream', () => {
    const written: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, callback) {
        written.push(String(chunk));
        callback();
      },
    });
    const write = createSafeWriter(stream);
    write('a');
    write('b');
    expect(written).toEqual(['a', 'b']);
  });

  it('drops writes to a stream already destroyed', () => {
    const stream = new Writable({ write: (_c, _e, cb) => cb() });
    stream.destroy();
    const write = createSafeWriter(stream);
    expect(() => write('late\n')).not.toThrow();
  });
});
