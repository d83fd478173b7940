import { describe, expect, it } from 'vitest';
import type { UpstreamSpec } from '../config/loadConfig.js';
import { createTransportFactory } from './transportFactory.js';

/** A stdio server spec that runs `script` with Node (it never speaks MCP; only stderr is read). */
const stdioSpec = (script: string): UpstreamSpec => ({
  name: 'noisy',
  transport: 'stdio',
  prefix: 'noisy',
  config: { command: process.execPath, args: ['-e', script] },
});

/** Polls `lines()` until `done` holds for it, and returns it. */
async function until(lines: () => string[], done: (lines: string[]) => boolean): Promise<string[]> {
  for (let i = 0; i < 400; i++) {
    if (done(lines())) return lines();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`stderr never got there: ${JSON.stringify(lines())}`);
}

describe("createTransportFactory: a stdio process's stderr for error messages", () => {
  it('keeps its last 8 lines, a character cut between writes whole, and the end of a line without end within 4 KiB', async () => {
    const factory = createTransportFactory({ closeGraceMs: 200 });
    const script = [
      'const w = (s) => process.stderr.write(s);',
      "for (let i = 1; i <= 12; i++) w('line ' + i + '\\n');",
      // The ü cut in two writes; later, a line that never ends.
      "const b = Buffer.from('grüße\\n'); w(b.subarray(0, 3));",
      'setTimeout(() => w(b.subarray(3)), 50);',
      "setTimeout(() => w('x'.repeat(100000)), 400);",
      'setTimeout(() => {}, 10000);',
    ].join('\n');
    const { transport, recentStderr } = factory(stdioSpec(script));
    await transport.start();
    try {
      expect(await until(recentStderr, (l) => l.at(-1) === 'grüße')).toEqual([
        'line 6',
        'line 7',
        'line 8',
        'line 9',
        'line 10',
        'line 11',
        'line 12',
        'grüße',
      ]);
      const [long, ...more] = await until(recentStderr, (l) => l.at(-1)?.endsWith('x') === true);
      expect(more).toEqual([]);
      expect(long).toBe('x'.repeat(4096)); // its last 4 KiB, not the 100,000 bytes written
    } finally {
      await transport.close();
    }
  });
});
