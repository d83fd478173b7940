import { createFakeClock } from '@selfheal/internal/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../config/registry.js';
import { createMonitorStore } from '../monitor/monitorStore.js';
import { parseConfig } from '../testing/parseConfig.js';
import {
  decideCheck,
  decideExit,
  decideRecovery,
  decideStable,
  decideTransitions,
} from './decide.js';
import type { ServerView } from './serverView.js';

const [server] = createRegistry(
  parseConfig(
    { mcpServers: { s: { command: 'node' } }, recovery: { reset_after_seconds: 300 } },
    't.json',
  ),
  { env: {} },
);
const s = server!;
const view = (fields: Partial<ServerView> = {}): ServerView => ({
  server_name: 's',
  status: 'ok',
  lifecycle: 'running',
  consecutive_failures: 0,
  consecutive_successes: 0,
  consecutive_ok: 0,
  recovery_attempts: 0,
  requires_manual: false,
  ...fields,
});
const T0 = Date.parse('2026-11-21T10:00:00.000Z');

describe('decideCheck', () => {
  it('drops failed checks inside the start-up grace, keeps good ones', () => {
    const down = { probe: 'ping' as const, status: 'down' as const, response_time_ms: 5 };
    expect(decideCheck(s, down, true)).toEqual([]);
    expect(decideCheck(s, down, false)).toEqual([
      { event_type: 'health_check_completed', server_name: 's', ...down },
    ]);
    expect(decideCheck(s, { ...down, status: 'ok' }, true)).toHaveLength(1);
  });
});

describe('decideTransitions', () => {
  it('server_down at the failure threshold, not one check before', () => {
    const failing = { status: 'ok' as const, last_check_status: 'down' as const, error: 'x' };
    expect(decideTransitions(s, view({ ...failing, consecutive_failures: 2 }), T0)).toEqual([]);
    expect(decideTransitions(s, view({ ...failing, consecutive_failures: 3 }), T0)).toEqual([
      {
        event_type: 'server_down',
        server_name: 's',
        previous_status: 'ok',
        reason: 'x',
        consecutive_failures: 3,
      },
    ]);
    expect(
      decideTransitions(s, view({ ...failing, status: 'down', consecutive_failures: 9 }), T0),
    ).toEqual([]);
  });

  it('server_recovered after the success threshold, with the downtime', () => {
    const since = new Date(T0 - 42_000).toISOString();
    const back = { status: 'down' as const, last_check_status: 'ok' as const, status_since: since };
    expect(decideTransitions(s, view({ ...back, consecutive_successes: 2 }), T0)).toEqual([]);
    expect(decideTransitions(s, view({ ...back, consecutive_successes: 3 }), T0)).toEqual([
      {
        event_type: 'server_recovered',
        server_name: 's',
        previous_status: 'down',
        downtime_seconds: 42,
      },
    ]);
  });

  it('settles an unknown server on its first good check', () => {
    expect(
      decideTransitions(
        s,
        view({ status: 'unknown', last_check_status: 'ok', consecutive_successes: 1 }),
        T0,
      ),
    ).toMatchObject([{ event_type: 'server_recovered', previous_status: 'unknown' }]);
  });

  it('degraded warns on a healthy server', () => {
    expect(
      decideTransitions(s, view({ last_check_status: 'degraded', error: 'slow db' }), T0),
    ).toEqual([
      { event_type: 'server_degraded', server_name: 's', previous_status: 'ok', reason: 'slow db' },
    ]);
  });

  it('degraded to ok takes success_threshold ok checks in a row; degraded ones do not count', () => {
    const degraded = { status: 'degraded' as const, last_check_status: 'ok' as const };
    expect(
      decideTransitions(s, view({ ...degraded, consecutive_successes: 9, consecutive_ok: 2 }), T0),
    ).toEqual([]);
    expect(
      decideTransitions(s, view({ ...degraded, consecutive_successes: 9, consecutive_ok: 3 }), T0),
    ).toEqual([{ event_type: 'server_recovered', server_name: 's', previous_status: 'degraded' }]);
    // Another degraded report on a degraded server: nothing new.
    expect(
      decideTransitions(s, view({ status: 'degraded', last_check_status: 'degraded' }), T0),
    ).toEqual([]);
  });

  it('a down server that answers degraded again is degraded after the success threshold', () => {
    const back = { status: 'down' as const, last_check_status: 'degraded' as const, error: 'cold' };
    expect(decideTransitions(s, view({ ...back, consecutive_successes: 2 }), T0)).toEqual([]);
    expect(decideTransitions(s, view({ ...back, consecutive_successes: 3 }), T0)).toEqual([
      { event_type: 'server_degraded', server_name: 's', previous_status: 'down', reason: 'cold' },
    ]);
  });

  it('with health checks disabled, one good (process) check is enough to be back', () => {
    const off = { ...s, health: { ...s.health, enabled: false } };
    expect(
      decideTransitions(
        off,
        view({ status: 'down', last_check_status: 'ok', consecutive_successes: 1 }),
        T0,
      ),
    ).toMatchObject([{ event_type: 'server_recovered', previous_status: 'down' }]);
  });

  it('degraded reports never bring a server down nor start a recovery (property)', () => {
    const threshold = s.health.failureThreshold;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('ok', 'degraded', 'down'), { minLength: 1, maxLength: 60 }),
        (statuses) => {
          const clock = createFakeClock();
          const store = createMonitorStore({ clock, publish: () => {} });
          let run = 0;
          let longestRun = 0;
          const emitted: string[] = [];
          for (const status of statuses) {
            run = status === 'down' ? run + 1 : 0;
            longestRun = Math.max(longestRun, run);
            const result = { probe: 'http' as const, status, response_time_ms: 1 };
            for (const d of decideCheck(s, result, false)) store.emit(d);
            for (const d of decideTransitions(s, store.view('s'), clock.now())) {
              emitted.push(d.event_type);
              store.emit(d);
            }
            const v = store.view('s');
            if (longestRun < threshold) {
              expect(v.status).not.toBe('down');
              expect(decideRecovery(s, v)).toEqual({ action: 'none' });
            }
            if (v.status === 'degraded') expect(decideRecovery(s, v)).toEqual({ action: 'none' });
          }
          if (longestRun < threshold) expect(emitted).not.toContain('server_down');
          if (!statuses.includes('down') && statuses.includes('degraded')) {
            expect(emitted).toContain('server_degraded');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('nothing for a disabled server', () => {
    expect(
      decideTransitions(
        s,
        view({ lifecycle: 'disabled', last_check_status: 'down', consecutive_failures: 5 }),
        T0,
      ),
    ).toEqual([]);
  });
});

describe('decideExit', () => {
  it('is a failed process check and server_down at once', () => {
    expect(decideExit(view(), { code: null, signal: 'SIGKILL' })).toEqual([
      {
        event_type: 'health_check_completed',
        server_name: 's',
        probe: 'process',
        status: 'down',
        response_time_ms: 0,
        error: 'process exited (killed by SIGKILL)',
      },
      {
        event_type: 'server_down',
        server_name: 's',
        previous_status: 'ok',
        reason: 'process exited (killed by SIGKILL)',
      },
    ]);
    expect(decideExit(view({ status: 'down' }), { code: 1, signal: null })).toHaveLength(1);
  });

  it('names the last stderr lines in the check and in server_down', () => {
    const [check, down] = decideExit(view(), {
      code: 3,
      signal: null,
      stderr: ['starting', 'FATAL: GITHUB_TOKEN is not set'],
    });
    const reason =
      'process exited (exit code 3); stderr: starting | FATAL: GITHUB_TOKEN is not set';
    expect(check).toMatchObject({ error: reason });
    expect(down).toMatchObject({ event_type: 'server_down', reason });
  });

  it('a command not found (spawn ENOENT, exit 127) stops recovery at once with the reason', () => {
    for (const info of [
      { code: null, signal: null, error: 'spawn nope ENOENT', errorCode: 'ENOENT' },
      { code: 127, signal: null, stderr: ['sh: 1: nope: not found'] },
    ]) {
      const drafts = decideExit(view(), info);
      expect(drafts.map((d) => d.event_type)).toEqual([
        'health_check_completed',
        'server_down',
        'recovery_exhausted',
      ]);
      expect(drafts[2]).toMatchObject({ requires_manual: true, permanent: true, attempts: 0 });
      expect(String(drafts[2]!.reason)).toMatch(/command not found.*not retried/);
    }
  });

  it('a transient exit (code 1, a signal) leaves recovery to its attempts', () => {
    for (const info of [
      { code: 1, signal: null },
      { code: null, signal: 'SIGKILL' },
    ]) {
      expect(decideExit(view(), info).map((d) => d.event_type)).not.toContain('recovery_exhausted');
    }
    expect(
      decideExit(view({ requires_manual: true }), { code: 127, signal: null }).map(
        (d) => d.event_type,
      ),
    ).not.toContain('recovery_exhausted');
  });
});

describe('decideRecovery', () => {
  const down = { status: 'down' as const, last_check_status: 'down' as const };

  it('walks the 1, 2, 4, 8, 16 s schedule, then is exhausted', () => {
    const delays = [0, 1, 2, 3, 4].map((n) =>
      decideRecovery(s, view({ ...down, recovery_attempts: n })),
    );
    expect(delays).toEqual(
      [1000, 2000, 4000, 8000, 16000].map((delayMs, i) => ({
        action: 'attempt',
        attempt: i + 1,
        delayMs,
      })),
    );
    expect(decideRecovery(s, view({ ...down, recovery_attempts: 5 }))).toEqual({
      action: 'exhausted',
      event: {
        event_type: 'recovery_exhausted',
        server_name: 's',
        requires_manual: true,
        attempts: 5,
      },
    });
  });

  it('does nothing for a healthy, disabled, failed or answering server', () => {
    expect(decideRecovery(s, view())).toEqual({ action: 'none' });
    expect(decideRecovery(s, view({ ...down, lifecycle: 'disabled' }))).toEqual({ action: 'none' });
    expect(
      decideRecovery(s, view({ ...down, lifecycle: 'failed', requires_manual: true })),
    ).toEqual({ action: 'none' });
    expect(decideRecovery(s, view({ status: 'down', last_check_status: 'ok' }))).toEqual({
      action: 'none',
    });
  });

  it('manual strategy waits for an operator at once', () => {
    const manual = { ...s, recovery: { ...s.recovery, strategy: 'manual' as const } };
    expect(decideRecovery(manual, view(down))).toMatchObject({
      action: 'exhausted',
      event: { requires_manual: true, attempts: 0 },
    });
  });
});

describe('decideStable', () => {
  it('resets the attempt counter after reset_after_seconds of ok, not before', () => {
    const since = (ms: number) => new Date(T0 - ms).toISOString();
    const v = (ms: number) => view({ recovery_attempts: 2, status_since: since(ms) });
    expect(decideStable(s, v(299_999), T0)).toEqual([]);
    expect(decideStable(s, v(300_000), T0)).toEqual([
      { event_type: 'recovery_attempts_reset', server_name: 's', stable_seconds: 300 },
    ]);
    expect(decideStable(s, view({ status_since: since(900_000) }), T0)).toEqual([]);
  });
});
