import type { SelfhealEvent } from '@selfheal/schemas';
import { validate } from '@selfheal/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { FAULTY, recordEvents, textOf } from './helpers/faultyUpstream.js';
import { type RunningGateway, startGateway } from './helpers/gatewayHarness.js';

/**
 * Faster healing (RFC 0020): a real stdio server that had been stable is restarted at once on
 * its first crash, and a crash before it is stable again waits the backoff.
 */
describe('faster healing', () => {
  let gw: RunningGateway | undefined;
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });

  it('a SIGKILLed stable server is restarted without a backoff wait; its next early crash waits backoff(2)', async () => {
    gw = await startGateway({
      mcpServers: {
        crashy: { command: process.execPath, args: [FAULTY], env: { FAULT_TOOLS: '' } },
      },
      health_check: { interval_seconds: 0.2, success_threshold: 1, startup_grace_seconds: 0 },
      recovery: {
        stable_after_seconds: 0.5,
        // Long enough to tell apart from "at once" on a loaded machine.
        backoff: { initial_seconds: 3, multiplier: 2, max_seconds: 30 },
      },
    });
    const { gateway } = gw;
    const recorder = recordEvents(gateway);
    const client = await gw.connect();
    const monitor = gateway.monitor.servers.get('crashy')!;
    // Stable: good checks for longer than stable_after_seconds.
    for (let good = 0; good < 4; ) {
      const check = await recorder.next('health_check_completed', { server_name: 'crashy' });
      good = check.status === 'ok' ? good + 1 : 0;
    }
    const started = recorder.next('recovery_started', { server_name: 'crashy' });
    const successful = recorder.next('recovery_successful', { server_name: 'crashy' });
    const first = monitor.pid!;
    process.kill(first, 'SIGKILL');
    const attempt = await started;
    expect(attempt).toMatchObject({ attempt: 1, delay_ms: 0 });
    expect(attempt.stable_seconds).toBeGreaterThanOrEqual(0.5);
    await successful;
    expect(monitor.pid).not.toBe(first);
    // Calls flow on the new process as soon as it answers.
    let answer: unknown;
    for (let i = 0; i < 200; i++) {
      const result = await client.callTool({
        name: 'crashy__echo',
        arguments: { message: 'back' },
      });
      if (!result.isError) {
        answer = textOf(result);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(answer).toBe('back');

    // Killed again before it was stable: the backoff applies (attempt 2 waits 6 s).
    const second = recorder.next('recovery_started', { server_name: 'crashy' });
    // Still down by the W3 status (no good check yet): the exit is a failed process check.
    const exit = recorder.next('health_check_completed', {
      server_name: 'crashy',
      probe: 'process',
    });
    process.kill(monitor.pid!, 'SIGKILL');
    const again = await second;
    expect(again).toMatchObject({ attempt: 2, delay_ms: 6000 });
    expect(again).not.toHaveProperty('stable_seconds');
    const waited = Date.parse(again.timestamp) - Date.parse((await exit).timestamp);
    expect(waited).toBeGreaterThanOrEqual(6000);
    for (const event of recorder.events as SelfhealEvent[])
      expect(validate('event', event).issues).toEqual([]);
  }, 30_000);
});
