import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '@selfheal/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { faultyServer, faultyStats, textOf, useFaultyGateway } from '../helpers/faultyUpstream.js';

/** A hung upstream: calls time out, the breaker opens, and a half-open probe closes it again. */
describe('a hung upstream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-hung-'));
  const hangFile = join(dir, 'hang');
  const echo = (message: string) =>
    run.client.callTool({ name: 'hung__echo', arguments: { message } });
  const errorCode = (result: Record<string, unknown>) =>
    (result._meta as { 'selfheal/error'?: { code?: string } } | undefined)?.['selfheal/error']
      ?.code;

  const run = useFaultyGateway({
    hung: faultyServer(
      { HANG_FILE: hangFile },
      {
        resilience: {
          // The whole server hangs: one breaker for all its calls (isolate_tools off), as before
          // tools were isolated; breakersJudgeUpstream covers one hung tool among healthy ones.
          circuit_breaker: {
            consecutive_failures: 3,
            open_ms: 800,
            open_jitter: 0,
            isolate_tools: false,
          },
          // A short deadline for echo only: the first request of a session also waits for
          // the process to start, which the stats call below absorbs under the default.
          tools: { echo: { attempt_timeout_ms: 400 } },
        },
      },
    ),
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('times out, opens the breaker, refuses fast, and closes after a half-open probe succeeds', async () => {
    expect((await faultyStats(run.client, 'hung')).dropped).toBe(0);
    expect(textOf(await echo('before'))).toBe('before');

    // Hung: each call ends at the attempt timeout (echo is not idempotent: never retried).
    writeFileSync(hangFile, '');
    const opened = run.recorder.next('circuit_opened', { circuit: 'hung' });
    for (let i = 0; i < 3; i++) {
      const result = await echo(`hung ${i}`);
      expect(result.isError).toBe(true);
      expect(errorCode(result)).toBe('ATTEMPT_TIMEOUT');
      expect(textOf(result)).toMatch(/hung/);
    }
    expect(await opened).toMatchObject({ open_ms: 800 });
    const timedOut = run.recorder.ofType('call_completed', {
      server_name: 'hung',
      outcome: 'timeout',
    });
    expect(timedOut).toHaveLength(3);
    for (const call of timedOut) expect(call.latency_ms).toBeGreaterThanOrEqual(400);

    // Open: refused at once with a clear error, without reaching the server.
    const halfOpen = run.recorder.next('circuit_half_opened', { circuit: 'hung' });
    const refused = await echo('refused');
    expect(refused.isError).toBe(true);
    expect(errorCode(refused)).toBe('CIRCUIT_OPEN');
    expect(textOf(refused)).toMatch(/hung/);
    const [rejected] = run.recorder.ofType('call_completed', { outcome: 'rejected' });
    expect(rejected?.latency_ms).toBeLessThan(400);
    // Every method passes the same breaker: tools/list is refused too and served from the last
    // known catalog, each tool marked with why.
    const listed = await run.client.listTools();
    expect(listed.tools.map((t) => t.name)).toContain('hung__echo');
    expect(listed.tools[0]?._meta?.['selfheal/unavailable']).toMatch(/server "hung".*open/);
    expect(
      run.recorder.ofType('call_completed', { method: 'tools/list', outcome: 'rejected' }),
    ).toHaveLength(1);

    // Half-open while still hung: the probe times out and the breaker reopens for longer.
    await halfOpen;
    const reopened = run.recorder.next('circuit_opened', { circuit: 'hung' });
    expect(errorCode(await echo('probe while hung'))).toBe('ATTEMPT_TIMEOUT');
    expect(await reopened).toMatchObject({ open_ms: 1600 });

    // The server answers again: the next half-open probe succeeds and the breaker closes.
    const halfOpenAgain = run.recorder.next('circuit_half_opened', { circuit: 'hung' });
    rmSync(hangFile);
    expect(errorCode(await echo('still open'))).toBe('CIRCUIT_OPEN');
    await halfOpenAgain;
    const closed = run.recorder.next('circuit_closed', { circuit: 'hung' });
    expect(textOf(await echo('probe'))).toBe('probe');
    await closed;
    expect(textOf(await echo('after'))).toBe('after');

    // The server saw 4 requests it left unanswered (3 timeouts and the failed probe) and none
    // of the refused calls.
    const stats = await faultyStats(run.client, 'hung');
    expect(stats.dropped).toBe(4);
    expect(stats.calls.echo).toBe(3);
    for (const event of run.recorder.events) expect(validate('event', event).issues).toEqual([]);
  }, 20_000);
});
