import { createFakeClock } from '@selfheal/internal/testing';
import { describe, expect, it } from 'vitest';
import { createFakeSpawner } from '../testing/fakeSpawner.js';
import { createNodeSpawner } from './nodeSpawner.js';
import { runRecoveryCommand } from './recoveryCommand.js';

describe('runRecoveryCommand', () => {
  const spawner = createNodeSpawner();

  it('ok when the command exits 0', async () => {
    expect(await runRecoveryCommand({ command: 'true', spawner })).toEqual({ ok: true });
  });

  it('fails with the exit code and the last stderr line', async () => {
    const r = await runRecoveryCommand({ command: 'echo boom >&2; exit 4', spawner });
    expect(r).toEqual({
      ok: false,
      error: 'recovery command failed (exit code 4): boom: echo boom >&2; exit 4',
    });
  });

  it('kills the command at the timeout, not before', async () => {
    const clock = createFakeClock();
    const fake = createFakeSpawner();
    let result: unknown;
    void runRecoveryCommand({ command: 'sleep 100', spawner: fake, clock, timeoutMs: 3000 }).then(
      (r) => {
        result = r;
      },
    );
    await clock.advance(2999);
    expect(fake.spawned[0]!.signals).toEqual([]);
    expect(result).toBeUndefined();
    await clock.advance(1);
    expect(fake.spawned[0]!.signals).toEqual(['SIGKILL']);
    expect(fake.spawned[0]!.spec.args).toEqual(['-c', 'sleep 100']);
    expect(result).toEqual({
      ok: false,
      error: 'recovery command timed out after 3000 ms: sleep 100',
    });
  });
});
