import { ProtocolError } from '@modelcontextprotocol/server';
import { createEventBus, createEventFactory } from '@selfheal/events';
import { systemClock } from '@selfheal/internal';
import { createPolicyFromConfig } from '@selfheal/resilience';
import type { SelfhealEvent } from '@selfheal/schemas';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import { classifyGatewayError } from './serverPolicies.js';
import { traceContextOf } from './traceContext.js';
import { executeUpstreamCall, toWireError } from './upstreamCall.js';
import { wireError } from './upstreamLink.js';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

function setup(resilience: Record<string, unknown> = {}) {
  vi.useFakeTimers({ now: T0 });
  const events = createEventFactory({ clock: systemClock, repo: 'selfheal' });
  const bus = createEventBus({ events, clock: systemClock });
  const seen: SelfhealEvent[] = [];
  bus.events$.subscribe((e) => seen.push(e));
  const policy = createPolicyFromConfig(
    { serverName: 's', clock: systemClock, sink: () => {}, classify: classifyGatewayError },
    { retry: { initial_delay_ms: 10, max_delay_ms: 10, jitter: 'none' }, ...resilience },
  );
  const host = { policies: new Map([['s', policy]]), bus, events, clock: systemClock };
  const run = <T>(method: string, attempt: (signal: AbortSignal) => Promise<T>) =>
    executeUpstreamCall(host, { server: 's', method, trace: traceContextOf(undefined), attempt });
  const completed = () => seen.filter((e) => e.event_type === 'call_completed');
  return { run, completed, policy };
}

/** The connection broke after the request left: what UpstreamLink throws. */
const lost = () =>
  new GatewayError(GatewayErrorCode.UpstreamUnavailable, 'server "s" lost its connection', {
    cause: new ProtocolError(-32000, 'Connection closed'),
  });

describe('executeUpstreamCall: every method through the server policy', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries a resources/read whose connection broke (reads are safe), one call_completed', async () => {
    const { run, completed, policy } = setup();
    let attempts = 0;
    const result = run('resources/read', async () => {
      if (attempts++ === 0) throw lost();
      return { contents: [] };
    });
    await vi.advanceTimersByTimeAsync(10);
    await expect(result).resolves.toEqual({ contents: [] });
    expect(attempts).toBe(2);
    expect(completed()).toEqual([
      expect.objectContaining({ method: 'resources/read', attempts: 2, outcome: 'ok' }),
    ]);
    policy.dispose();
  });

  it('does not retry an answer (JSON-RPC -32002) and hands it to the client unchanged', async () => {
    const { run, completed, policy } = setup();
    let attempts = 0;
    const answer = wireError(-32002, 'Resource not found');
    const result = run('resources/read', async () => {
      attempts++;
      throw answer;
    });
    await expect(result).rejects.toBe(answer);
    expect(toWireError(answer, 's')).toBe(answer);
    expect(attempts).toBe(1);
    expect(completed()[0]).toMatchObject({ outcome: 'error', error_code: '-32002' });
    policy.dispose();
  });

  it('ends a hung prompts/get at the attempt timeout, as -32001 naming the server', async () => {
    const { run, completed, policy } = setup({
      attempt_timeout_ms: 500,
      retry: { max_attempts: 1 },
    });
    const result = run('prompts/get', () => new Promise(() => {}));
    const settled = result.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(499);
    expect(completed()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const wire = toWireError(await settled, 's') as { code: number; message: string };
    expect(wire.code).toBe(-32001);
    expect(wire.message).toMatch(/server "s" did not answer in time/);
    expect(completed()[0]).toMatchObject({ method: 'prompts/get', outcome: 'timeout' });
    policy.dispose();
  });

  it('gives the upstream’s own -32603 once retries of a completion run out', async () => {
    const { run, policy } = setup({
      retry: { max_attempts: 2, initial_delay_ms: 1, max_delay_ms: 1 },
    });
    let attempts = 0;
    const result = run('completion/complete', async () => {
      attempts++;
      throw wireError(-32603, 'internal');
    }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    const error = await result;
    expect(attempts).toBe(2);
    expect((error as { code: string }).code).toBe('RETRIES_EXHAUSTED');
    expect(toWireError(error, 's')).toMatchObject({ code: -32603, message: 'internal' });
    policy.dispose();
  });

  it('refuses a list at once while the breaker is open, as -32010 with CIRCUIT_OPEN', async () => {
    const { run, completed, policy } = setup({
      retry: { max_attempts: 1 },
      circuit_breaker: { consecutive_failures: 1, open_ms: 1000 },
    });
    await expect(run('tools/list', async () => Promise.reject(lost()))).rejects.toBeDefined();
    let called = false;
    const refused = await run('tools/list', async () => {
      called = true;
      return [];
    }).catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(toWireError(refused, 's')).toMatchObject({
      code: -32010,
      data: { server: 's', code: 'CIRCUIT_OPEN' },
    });
    expect(completed().map((e) => (e as unknown as { outcome: string }).outcome)).toEqual([
      'error',
      'rejected',
    ]);
    policy.dispose();
  });
});
