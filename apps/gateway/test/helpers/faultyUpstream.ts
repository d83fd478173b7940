import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { SelfhealEvent } from '@selfheal/schemas';
import { afterAll, beforeAll } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { type RunningGateway, startGateway } from './gatewayHarness.js';

/** The configurable stdio server of the failure suites (`examples/servers/faulty.js`). */
export const FAULTY = fileURLToPath(
  new URL('../../../../examples/servers/faulty.js', import.meta.url),
);

/**
 * A config entry for the faulty server with `env` (ERROR_RATE, SLOW_RATE, HANG_FILE, ...).
 * Health probes are off: the suites assert what the call path does, not what a monitor does.
 */
export const faultyServer = (env: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: [FAULTY],
  env,
  health_check: { enabled: false },
  ...extra,
});

/** What a faulty server process saw (its `stats` tool, never faulted). */
export interface FaultyStats {
  pid: number;
  calls: Record<string, number>;
  failed: number;
  slow: number;
  dropped: number;
}

/** Reads the stats of the process behind `client`'s session for the server exposed as `prefix`. */
export async function faultyStats(client: Client, prefix: string): Promise<FaultyStats> {
  const result = await client.callTool({ name: `${prefix}__stats`, arguments: {} });
  const text = (result as { content: { text: string }[] }).content[0]!.text;
  return JSON.parse(text) as FaultyStats;
}

/** Every event the gateway publishes from now on, with waits that end on an event, not a clock. */
export function recordEvents(gateway: Gateway) {
  const events: SelfhealEvent[] = [];
  const waiters: { test: (e: SelfhealEvent) => boolean; resolve: (e: SelfhealEvent) => void }[] =
    [];
  const subscription = gateway.bus.events$.subscribe((event) => {
    events.push(event);
    for (const waiter of [...waiters]) {
      if (!waiter.test(event)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  });
  const matches = (type: string, fields: Record<string, unknown>) => (e: SelfhealEvent) =>
    e.event_type === type &&
    Object.entries(fields).every(([k, v]) => (e as Record<string, unknown>)[k] === v);
  return {
    events,
    ofType: (type: string, fields: Record<string, unknown> = {}) =>
      events.filter(matches(type, fields)) as (SelfhealEvent & Record<string, unknown>)[],
    /** Resolves with the next event of `type` whose fields match (published after this call). */
    next: (type: string, fields: Record<string, unknown> = {}) =>
      new Promise<SelfhealEvent & Record<string, unknown>>((resolve) =>
        waiters.push({ test: matches(type, fields), resolve: resolve as never }),
      ),
    clear: () => {
      events.length = 0;
    },
    stop: () => subscription.unsubscribe(),
  };
}

/** Runs `count` calls of `call(i)`, at most `concurrency` at once, and returns their results. */
export async function runCalls<T>(
  count: number,
  concurrency: number,
  call: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await call(i);
      }
    }),
  );
  return results;
}

/** The text of a tool result. */
export const textOf = (result: unknown) =>
  (result as { content?: { text?: string }[] }).content?.map((c) => c.text ?? '').join('') ?? '';

/** A gateway of one failure suite, its recorded events and one connected client. */
export interface FaultyGateway {
  readonly gw: RunningGateway;
  readonly client: Client;
  readonly recorder: ReturnType<typeof recordEvents>;
}

/**
 * For the `describe` block it is called in: starts a gateway over `mcpServers` before its tests
 * (no restarts: `recovery.max_attempts` 0), records its events, connects one client; stops
 * them after. The fields are set once the block's `beforeAll` has run.
 */
export function useFaultyGateway(mcpServers: Record<string, unknown>): FaultyGateway {
  const run = {} as {
    gw: RunningGateway;
    client: Client;
    recorder: ReturnType<typeof recordEvents>;
  };
  beforeAll(async () => {
    run.gw = await startGateway({ mcpServers, recovery: { max_attempts: 0 } });
    run.recorder = recordEvents(run.gw.gateway);
    run.client = await run.gw.connect();
  }, 30_000);
  afterAll(async () => {
    run.recorder?.stop();
    await run.gw?.stop();
  });
  return run;
}
