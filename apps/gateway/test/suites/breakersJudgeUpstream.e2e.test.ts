import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { SelfhealEvent } from '@selfheal/schemas';
import { validate } from '@selfheal/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { FAULTY, faultyStats, recordEvents, runCalls, textOf } from '../helpers/faultyUpstream.js';
import type { RunningGateway } from '../helpers/gatewayHarness.js';
import { startGateway } from '../helpers/gatewayHarness.js';

/**
 * Breakers judge the upstream, not the gateway (RFC 0008): a hung tool opens its own breaker
 * only, the gateway's refusals while a server is down do not hold its breaker open past its
 * return, and many clients starting at once are not slow calls.
 */
describe('breakers judge the upstream', () => {
  let gw: RunningGateway | undefined;
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });

  const echo = (client: Client, prefix: string, message: string) =>
    client.callTool({ name: `${prefix}__echo`, arguments: { message } });

  it('regression: six hung calls to one tool, then every other tool’s calls succeed', async () => {
    gw = await startGateway({
      mcpServers: {
        hung: {
          command: process.execPath,
          args: [FAULTY],
          env: { HANG_TOOLS: 'lookup', FAULT_TOOLS: '' },
          health_check: { enabled: false },
          resilience: {
            circuit_breaker: { consecutive_failures: 3, open_ms: 60_000 },
            tools: { lookup: { attempt_timeout_ms: 400, retry: { max_attempts: 1 } } },
          },
        },
      },
      recovery: { max_attempts: 0 },
    });
    const recorder = recordEvents(gw.gateway);
    const clients = await Promise.all(Array.from({ length: 4 }, () => gw!.connect()));
    expect(textOf(await echo(clients[0]!, 'hung', 'warm'))).toBe('warm');

    const hung = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        clients[i % 4]!.callTool({ name: 'hung__lookup', arguments: { message: `${i}` } }),
      ),
    );
    for (const result of hung) expect(result.isError).toBe(true);
    expect(recorder.ofType('circuit_opened').map((e) => e.circuit)).toEqual(['hung/lookup']);

    // Other clients' healthy calls all flow: the server's breaker never opened.
    const results = await runCalls(24, 8, (i) => echo(clients[i % 4]!, 'hung', `m${i}`));
    expect(results.map((r) => r.isError ?? false)).toEqual(new Array(24).fill(false));
    expect(results.map(textOf)).toEqual(results.map((_, i) => `m${i}`));
    const listed = await clients[1]!.listTools();
    expect(listed.tools[0]?._meta?.['selfheal/unavailable']).toBeUndefined();
    expect(recorder.ofType('circuit_opened', { circuit: 'hung' })).toHaveLength(0);
    for (const event of recorder.events) expect(validate('event', event).issues).toEqual([]);
  }, 30_000);

  // Regression too: a check that began on the killed process (its session already closed, its
  // exit not yet known) waited out the 2 s era probe on the dead pipe and reported "cannot open
  // an MCP session: Not connected: the process stdin is closed" after the restart, and the
  // server, still down by the W3 status, was restarted a second time (about 1 run in 4). A check
  // that outlives its process now says nothing (RFC 0020).
  it('regression: a SIGKILLed stdio server takes calls again as soon as it is back, not 3 checks later', {
    timeout: 60_000,
  }, async () => {
    gw = await startGateway({
      mcpServers: {
        crashy: { command: process.execPath, args: [FAULTY], env: { FAULT_TOOLS: '' } },
      },
      health_check: {
        probes: ['ping'],
        interval_seconds: 1,
        timeout_seconds: 5,
        // The W3 status needs 5 good checks in a row (about 5 s) to say recovered; routing
        // must not wait for them.
        success_threshold: 5,
        startup_grace_seconds: 0,
      },
    });
    const { gateway } = gw;
    const recorder = recordEvents(gateway);
    const clients = await Promise.all(Array.from({ length: 4 }, () => gw!.connect()));
    // Each client session has its own process too (RFC 0006): the crash takes them all.
    const pids = [gateway.monitor.servers.get('crashy')!.pid!];
    for (const client of clients) pids.push((await faultyStats(client, 'crashy')).pid);

    const down = recorder.next('server_down', { server_name: 'crashy' });
    const started = recorder.next('server_started', { server_name: 'crashy' });
    const recovered = recorder.next('server_recovered', { server_name: 'crashy' });
    let stop = false;
    const outcomes: { at: number; ok: boolean }[] = [];
    // Each client keeps calling through the outage (paced, so the loop does not starve the
    // machine of the CPU the restart needs).
    const load = Promise.all(
      clients.map(async (client, i) => {
        for (let n = 0; !stop; n++) {
          const result = await echo(client, 'crashy', `${i}-${n}`);
          outcomes.push({ at: Date.now(), ok: !result.isError });
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }),
    );
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const downEvent = await down;
    const startedEvent = await started;
    const back = Date.parse(startedEvent.timestamp);
    const recoveredEvent = await recovered;
    stop = true;
    await load;

    // The first call that succeeds after the restart comes before the W3 server_recovered
    // (which waits for success_threshold good checks), within a generous bound of the restart.
    const at = (event: SelfhealEvent) => recorder.events.indexOf(event);
    const firstOk = recorder.events.find(
      (e, i) =>
        i > at(startedEvent) &&
        e.event_type === 'call_completed' &&
        e.server_name === 'crashy' &&
        (e as { outcome?: string }).outcome === 'ok',
    );
    expect(firstOk).toBeDefined();
    expect(at(firstOk!)).toBeLessThan(at(recoveredEvent));
    expect(Date.parse(firstOk!.timestamp) - back).toBeLessThan(5000);
    // The gateway's own refusals while it was down counted for nothing: any breaker that
    // opened did so on lost connections, and closed again when the server answered.
    const afterDown = recorder.events.slice(at(downEvent));
    for (const opened of afterDown.filter((e) => e.event_type === 'circuit_opened')) {
      expect(opened).toMatchObject({ circuit: 'crashy' });
      expect(at(opened)).toBeLessThan(at(startedEvent));
    }
    const closedOnReturn = afterDown.filter((e) => e.event_type === 'circuit_closed');
    for (const closed of closedOnReturn)
      expect(closed).toMatchObject({ reason: 'server_recovered' });
    expect(
      recorder.events.filter(
        (e) =>
          e.event_type === 'call_completed' &&
          (e as { outcome?: string }).outcome === 'rejected' &&
          at(e) > at(firstOk!),
      ),
    ).toEqual([]);
    expect(outcomes.some((o) => !o.ok)).toBe(true); // the outage was seen by the clients
    for (const event of recorder.events) expect(validate('event', event).issues).toEqual([]);
  });

  it('regression: 64 clients connecting at once to a healthy server: all calls succeed', async () => {
    gw = await startGateway({
      mcpServers: {
        busy: {
          command: process.execPath,
          args: [FAULTY],
          env: { FAULT_TOOLS: '' },
          health_check: { enabled: false },
          // Each client session starts its own process here: on a loaded machine that takes
          // seconds, which the deadlines allow; the breaker must not count it as slowness.
          resilience: { attempt_timeout_ms: 60_000, timeout_ms: 90_000 },
        },
      },
      recovery: { max_attempts: 0 },
    });
    const recorder = recordEvents(gw.gateway);
    const clients = await Promise.all(Array.from({ length: 64 }, () => gw!.connect()));
    const results = await Promise.all(clients.map((client, i) => echo(client, 'busy', `c${i}`)));
    expect(results.filter((r) => r.isError).map(textOf)).toEqual([]);
    expect(results.map(textOf)).toEqual(clients.map((_, i) => `c${i}`));
    expect(recorder.ofType('circuit_opened')).toEqual([]);
  }, 120_000);
});
