import type { PassThrough } from 'node:stream';
import { createFakeClock } from '@selfheal/internal/testing';
import { describe, expect, it } from 'vitest';
import { createFakeSpawner } from '../testing/fakeSpawner.js';
import { createProcessSupervisor } from './processSupervisor.js';

const spec = { command: 'server', args: [], env: {} };

function setup(stopGraceMs = 5000) {
  const clock = createFakeClock();
  const spawner = createFakeSpawner();
  const supervisor = createProcessSupervisor({ spec, spawner, clock, stopGraceMs });
  return { clock, spawner, supervisor };
}

describe('createProcessSupervisor', () => {
  it('keeps at most one live process, even with concurrent starts and restarts', async () => {
    const { spawner, supervisor } = setup();
    const [a, b] = await Promise.all([supervisor.start(), supervisor.start()]);
    expect(a).toBe(b);
    await Promise.all([supervisor.restart(), supervisor.restart(), supervisor.start()]);
    expect(spawner.spawned).toHaveLength(3);
    expect(spawner.live()).toBe(1);
  });

  it('stops with SIGTERM when the process obeys', async () => {
    const { spawner, supervisor } = setup();
    await supervisor.start();
    expect(await supervisor.stop()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(spawner.spawned[0]!.signals).toEqual(['SIGTERM']);
    expect(supervisor.current).toBeUndefined();
  });

  it('sends SIGKILL exactly at the end of the grace, not before', async () => {
    const { clock, spawner, supervisor } = setup(5000);
    spawner.ignoreTerm = true;
    await supervisor.start();
    let done = false;
    void supervisor.stop().then(() => {
      done = true;
    });
    await clock.advance(4999);
    expect(spawner.spawned[0]!.signals).toEqual(['SIGTERM']);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(spawner.spawned[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(done).toBe(true);
  });

  it('reports an unexpected exit at once and a stop as expected', async () => {
    const { spawner, supervisor } = setup();
    const exits: [string | number | null, boolean][] = [];
    supervisor.onExit((info, expected) => exits.push([info.signal ?? info.code, expected]));
    await supervisor.start();
    spawner.spawned[0]!.exit({ code: 1 });
    await Promise.resolve();
    expect(exits).toEqual([[1, false]]);
    expect(supervisor.current).toBeUndefined();
    await supervisor.start();
    await supervisor.stop();
    expect(exits).toEqual([
      [1, false],
      ['SIGTERM', true],
    ]);
  });

  it('starts nothing after close', async () => {
    const { spawner, supervisor } = setup();
    await supervisor.start();
    await supervisor.close();
    await expect(supervisor.start()).rejects.toMatchObject({ code: 'CLOSED' });
    expect(spawner.live()).toBe(0);
  });
});

describe('exits carry their cause', () => {
  it('regression: a server that printed FATAL and exited was reported only by its exit code', async () => {
    const spawner = createFakeSpawner();
    const supervisor = createProcessSupervisor({
      spec: { command: 'server', args: [], env: { GITHUB_TOKEN: 'ghp_secret_value' } },
      spawner,
      clock: createFakeClock(),
    });
    const exits: unknown[] = [];
    supervisor.onExit((info) => exits.push(info));
    const process = await supervisor.start();
    (process.stderr as PassThrough).write(
      'loaded ghp_secret_value\nFATAL: GITHUB_TOKEN is not set\n',
    );
    expect(supervisor.recentStderr()).toEqual([
      'loaded [redacted]',
      'FATAL: GITHUB_TOKEN is not set',
    ]);
    spawner.spawned[0]!.exit({ code: 3 });
    await process.exited;
    await Promise.resolve();
    expect(exits).toEqual([
      {
        code: 3,
        signal: null,
        stderr: ['loaded [redacted]', 'FATAL: GITHUB_TOKEN is not set'],
      },
    ]);
  });
});
