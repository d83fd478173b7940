import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLineGuard } from './stdioServer.js';

/** A guard whose passed lines and error answers are collected as text. */
function guarded() {
  const out = new PassThrough();
  const answers: string[] = [];
  out.on('data', (chunk) => answers.push(String(chunk)));
  const guard = createLineGuard(out);
  let passed = '';
  guard.on('data', (chunk) => {
    passed += chunk;
  });
  /** Writes `bytes` in pieces of `size` and waits for the guard to pass them on. */
  const feed = async (bytes: Buffer, size: number) => {
    for (let at = 0; at < bytes.length; at += size) guard.write(bytes.subarray(at, at + size));
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { feed, answers, passed: () => passed };
}

const call = (id: number, text: string) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'a__echo', arguments: { text } },
  });

describe('createLineGuard', () => {
  it('regression: a character cut between two reads was decoded as U+FFFD; now a line is decoded whole', async () => {
    const { feed, answers, passed } = guarded();
    const text = `${'é'.repeat(40_000)}${'€'.repeat(30_000)}😀`;
    // 65,536 and 7 cut inside two-, three- and four-byte characters somewhere along the line.
    for (const size of [65_536, 7]) {
      const before = passed().length;
      await feed(Buffer.from(`${call(size, text)}\n`), size);
      expect(JSON.parse(passed().slice(before))).toMatchObject({
        id: size,
        params: { arguments: { text } },
      });
    }
    expect(answers).toEqual([]);
  });

  it('answers a line over the limit once, drops the rest of it, and passes the next line', async () => {
    const { feed, answers, passed } = guarded();
    const long = `${call(1, 'x'.repeat(5 * 1024 * 1024))}\n${call(2, 'after')}\n`;
    await feed(Buffer.from(long), 65_536);
    expect(answers.map((line) => JSON.parse(line))).toEqual([
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'Invalid Request: a line longer than 4194304 bytes' },
      },
    ]);
    expect(passed()).toBe(`${call(2, 'after')}\n`);
  });

  it('passes the last line when the input ends without its newline', async () => {
    const out = new PassThrough();
    const guard = createLineGuard(out);
    let passed = '';
    guard.on('data', (chunk) => {
      passed += chunk;
    });
    const ended = new Promise((resolve) => guard.on('end', resolve));
    guard.end(Buffer.from(`${call(1, 'a')}\n${call(2, 'b')}`));
    await ended;
    expect(passed).toBe(`${call(1, 'a')}\n${call(2, 'b')}\n`);
  });

  it('answers a line that is not JSON-RPC with an error and passes the lines around it', async () => {
    const { feed, answers, passed } = guarded();
    await feed(Buffer.from(`${call(1, 'a')}\nhello\n\n${call(2, 'b')}\r\n`), 5);
    expect(answers).toHaveLength(1);
    expect(JSON.parse(answers[0]!)).toMatchObject({ id: null, error: { code: -32700 } });
    expect(passed()).toBe(`${call(1, 'a')}\n${call(2, 'b')}\r\n`);
  });
});
