import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { createEventFactory } from '../model/createEvent.js';
import { createEventLog, type Durability } from './eventLog.js';
import { scanLog } from './logReader.js';

const child = fileURLToPath(new URL('../../test/crashAppender.mjs', import.meta.url));

/** Runs the appender until it has acknowledged `acks` events, SIGKILLs it, returns the acks. */
function appendThenKill(path: string, durability: Durability, acks: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, path, durability], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let buffer = '';
    let stderr = '';
    proc.stderr.on('data', (d) => {
      stderr += d;
    });
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
      }
      if (acked.length >= acks && proc.exitCode === null && !proc.killed) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`appender exited ${code}: ${stderr}`));
      // Only whole `ack` lines count: a partial line at the kill was never acknowledged to us.
      else resolve(acked);
    });
  });
}

describe.each(['per_event', 'batched', 'none'] as const)(
  'crash (SIGKILL) with durability %s',
  (durability) => {
    it('replay recovers every acknowledged event; appending again continues cleanly', async () => {
      const path = join(tempDir(), 'events.jsonl');
      const acked = await appendThenKill(path, durability, 300);
      expect(acked.length).toBeGreaterThanOrEqual(300);

      const seqs = new Set<number>();
      const summary = await scanLog(path, ({ event }) => {
        seqs.add(event.seq!);
      });
      for (const seq of acked) expect(seqs.has(seq), `acknowledged seq ${seq}`).toBe(true);
      // Nothing in the middle is damaged: at most a torn last line.
      expect(summary.invalid - (summary.torn ? 1 : 0)).toBe(0);

      // Simulate the worst case as well: a write torn in the middle of a line.
      appendFileSync(path, '{"event_type":"health_check_compl');
      const log = await createEventLog({ path, durability });
      expect(log.recovery.unterminated).toBe(true);
      const next = await log.append(createEventFactory().serverReset({ server_name: 's1' }));
      await log.close();
      expect(next.seq).toBeGreaterThan(Math.max(...acked));

      const after: number[] = [];
      const final = await scanLog(path, ({ event }) => {
        after.push(event.seq!);
      });
      expect(after.at(-1)).toBe(next.seq);
      for (const seq of acked) expect(after.includes(seq)).toBe(true);
      expect(final.torn).toBeUndefined();
      expect(final.issues.map((i) => i.reason.slice(0, 8))).toEqual(
        final.invalid === 2 ? ['not JSON', 'not JSON'] : ['not JSON'],
      );
    });
  },
);
