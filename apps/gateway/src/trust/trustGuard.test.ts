import { createEventBus, createEventFactory } from '@selfheal/events';
import type { SelfhealConfig, SelfhealEvent } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { GatewayErrorCode } from '../errors.js';
import { createTrustGuard } from './trustGuard.js';

/** A guard on a real bus with a clock the test moves; every event it sees is in `seen`. */
function setup(trust: SelfhealConfig['trust'] = {}, servers = ['a', 'b']) {
  let now = Date.UTC(2026, 11, 6, 4, 0, 0);
  const clock = { now: () => now };
  const events = createEventFactory({ clock, repo: 'test', validate: true });
  const bus = createEventBus({ events, clock: { ...clock, setTimeout, clearTimeout } });
  const seen: SelfhealEvent[] = [];
  bus.events$.subscribe((e) => seen.push(e));
  const document = {
    mcpServers: Object.fromEntries(servers.map((s) => [s, { command: 'x' }])),
    trust,
  } as SelfhealConfig;
  const guard = createTrustGuard({ document, bus, events, clock });
  const check = async (server: string, status: 'ok' | 'down') => {
    bus.publish(
      events.createOther('health_check_completed', {
        server_name: server,
        status,
        response_time_ms: 1,
      }),
    );
    await Promise.resolve(); // signals from the bus are taken after the event reached every sink
  };
  const emit = async (server: string, type: string, fields: Record<string, unknown>) => {
    bus.publish(events.createOther(type, { server_name: server, ...fields }));
    await Promise.resolve();
  };
  return {
    guard,
    seen,
    check,
    emit,
    tick: (ms: number) => {
      now += ms;
    },
    types: () => seen.map((e) => e.event_type),
  };
}

const echo = { name: 'echo', description: 'one', inputSchema: { type: 'object' } };

describe('createTrustGuard: quarantine', () => {
  it('quarantines a server below the threshold, refuses its calls with the reason and the command, and releases it after the probation', async () => {
    const t = setup({ quarantine_below: 0.3, probation_checks: 3 });
    for (let i = 0; i < 4; i++) t.guard.observeAttempt('a', false, 10);
    expect(t.guard.score('a')).toBeLessThan(0.3);
    const q = t.seen.find((e) => e.event_type === 'server_quarantined')!;
    expect(q).toMatchObject({ server_name: 'a', threshold: 0.3, reason: 'call_failed' });
    const refused = t.guard.refusal('a', 'echo')!;
    expect(refused.code).toBe(GatewayErrorCode.ServerQuarantined);
    expect(refused.message).toContain('selfheal approve a');
    expect(refused.message).toContain('after 3 good health checks in a row');
    // A quarantined server is left out of a chain while another can serve.
    expect(
      t.guard.route([
        { server: 'a', name: 'echo' },
        { server: 'b', name: 'echo' },
      ]),
    ).toEqual([{ server: 'b', name: 'echo' }]);
    expect(() => t.guard.route([{ server: 'a', name: 'echo' }])).toThrow(/quarantined/);

    // A failed check starts the probation over; three good ones in a row end it.
    await t.check('a', 'ok');
    await t.check('a', 'ok');
    await t.check('a', 'down');
    await t.check('a', 'ok');
    await t.check('a', 'ok');
    expect(t.guard.state().servers.a!.quarantined).toBeDefined();
    await t.check('a', 'ok');
    expect(t.guard.state().servers.a!.quarantined).toBeUndefined();
    expect(t.seen.find((e) => e.event_type === 'server_released')).toMatchObject({
      by: 'probation',
      checks: 3,
    });
    // Evidence starts again from neutral.
    expect(t.guard.score('a')).toBe(0.5);
    expect(t.guard.refusal('a', 'echo')).toBeUndefined();
  });

  it("hides a quarantined server's tools in hide mode, and an operator ends the quarantine", () => {
    const t = setup({ quarantine_below: 0.3, quarantine: 'hide' });
    const changed: string[] = [];
    t.guard.onListChanged((s) => changed.push(s));
    expect(t.guard.filterTools('a', [echo])).toEqual([echo]);
    for (let i = 0; i < 4; i++) t.guard.observeAttempt('a', false, 10);
    expect(t.guard.filterTools('a', [echo])).toEqual([]);
    const done = t.guard.approve('a', undefined, { operator: 'ana' });
    expect(done).toMatchObject({ released: true });
    expect(t.seen.find((e) => e.event_type === 'server_released')).toMatchObject({
      by: 'operator',
      operator: 'ana',
    });
    expect(t.guard.filterTools('a', [echo])).toEqual([echo]);
    expect(changed).toContain('a');
  });

  it('never quarantines with quarantine_below 0, and scores nothing when disabled', () => {
    const off = setup({ quarantine_below: 0 });
    for (let i = 0; i < 20; i++) off.guard.observeAttempt('a', false, 10);
    expect(off.guard.score('a')).toBeLessThan(0.2);
    expect(off.types()).not.toContain('server_quarantined');
    const disabled = setup({ enabled: false });
    for (let i = 0; i < 20; i++) disabled.guard.observeAttempt('a', false, 10);
    expect(disabled.types()).toEqual([]);
  });
});

describe('createTrustGuard: reload', () => {
  it('takes the trust settings of a reloaded config, for known servers and new ones', () => {
    const t = setup({ quarantine_below: 0 });
    expect(t.guard.settings('a').quarantineBelow).toBe(0);
    t.guard.reconfigure({
      mcpServers: { a: { command: 'x' }, c: { command: 'x', trust: { routing_margin: 0.4 } } },
      trust: { quarantine_below: 0.3 },
    } as SelfhealConfig);
    expect(t.guard.settings('a').quarantineBelow).toBe(0.3);
    expect(t.guard.settings('c').routingMargin).toBe(0.4);
    for (let i = 0; i < 20; i++) t.guard.observeAttempt('a', false, 10);
    expect(t.types()).toContain('server_quarantined');
  });
});

describe('createTrustGuard: routing', () => {
  it('keeps config order within the margin, and puts a less distrusted server first past it', () => {
    const t = setup({ routing_margin: 0.1, quarantine_below: 0 });
    const chain = [
      { server: 'a', name: 'echo' },
      { server: 'b', name: 'echo' },
    ];
    expect(t.guard.route(chain).map((x) => x.server)).toEqual(['a', 'b']);
    // Many answers from b do not outrank a, which did nothing wrong.
    for (let i = 0; i < 20; i++) t.guard.observeAttempt('b', true, 5);
    expect(t.guard.route(chain).map((x) => x.server)).toEqual(['a', 'b']);
    // One or two failures are the breaker's business: no distrust yet, the order stays.
    t.guard.observeAttempt('a', false, 5);
    t.guard.observeAttempt('a', false, 5);
    expect(t.guard.distrust('a')).toBe(0);
    expect(t.guard.route(chain).map((x) => x.server)).toEqual(['a', 'b']);
    // The third makes a record (ROUTING_MIN_BAD): 3 bad in 4 (the prior) + 3, past the margin.
    t.guard.observeAttempt('a', false, 5);
    expect(t.guard.distrust('a')).toBeCloseTo(3 / 7, 10);
    expect(t.guard.route(chain).map((x) => x.server)).toEqual(['b', 'a']);
    // A server that is down keeps its place: the chain skips it and says so.
    expect(t.guard.route(chain, (s) => s === 'a').map((x) => x.server)).toEqual(['a', 'b']);
  });

  it('a recovery forgives the bad record of the outage', async () => {
    const t = setup({ quarantine_below: 0 });
    t.guard.observeAttempt('a', true, 5);
    await t.emit('a', 'server_down', { reason: 'exited', consecutive_failures: 1 });
    await t.check('a', 'down');
    t.guard.observeAttempt('a', false, 5);
    expect(t.guard.distrust('a')).toBeCloseTo(0.5, 10); // 3 + 1 + 1 bad of 4 + 1 + 5
    await t.emit('a', 'server_recovered', { previous_status: 'down' });
    expect(t.guard.distrust('a')).toBe(0);
    expect(t.guard.score('a')).toBeGreaterThan(0.5);
  });

  it('logs a trust_changed only when a score enters another step', () => {
    const t = setup({ step: 0.25, quarantine_below: 0 });
    t.guard.observeAttempt('a', true, 5); // 0.6: same step as 0.5
    expect(t.types()).toEqual([]);
    for (let i = 0; i < 4; i++) t.guard.observeAttempt('a', true, 5); // 0.78
    expect(t.types()).toEqual(['trust_changed']);
    expect(t.seen[0]).toMatchObject({ previous: 0.5, signal: 'call_ok' });
  });

  it('counts an answer slower than latency_factor times the baseline as slow', () => {
    const t = setup({ quarantine_below: 0, step: 0.01 });
    for (let i = 0; i < 6; i++) t.guard.observeAttempt('a', true, 10);
    t.guard.observeAttempt('a', true, 100);
    expect(t.seen.at(-1)).toMatchObject({ event_type: 'trust_changed', signal: 'slow_call' });
    const last = t.seen.at(-1) as unknown as { score: number; previous: number };
    expect(last.score).toBeLessThan(last.previous);
  });
});

describe('createTrustGuard: pins', () => {
  it('holds every tool of a new server when require_approval.new_servers, until approved', () => {
    const t = setup({ require_approval: { new_servers: true } });
    expect(t.guard.filterTools('a', [echo])).toEqual([]);
    expect(t.seen[0]).toMatchObject({
      event_type: 'tool_definition_changed',
      reason: 'new_server',
      tool: 'echo',
    });
    expect(t.guard.refusal('a', 'echo')!.message).toContain('waits for an operator');
    t.guard.approve('a', 'echo', { operator: 'ana' });
    expect(t.guard.filterTools('a', [echo])).toEqual([echo]);
    // A tool new to a server with pins is let through (new_tools is off).
    const other = { name: 'other', description: 'x' };
    expect(t.guard.filterTools('a', [echo, other])).toEqual([echo, other]);
  });

  it('holds a new tool of a known server when require_approval.new_tools', () => {
    const t = setup({ require_approval: { new_tools: true } });
    expect(t.guard.filterTools('a', [echo])).toEqual([echo]);
    const other = { name: 'other', description: 'x' };
    expect(t.guard.filterTools('a', [echo, other])).toEqual([echo]);
    expect(t.seen.at(-1)).toMatchObject({ reason: 'new_tool', tool: 'other' });
  });

  it('writes one event per change however often it is listed, and ends a change that is undone', async () => {
    const t = setup();
    t.guard.filterTools('a', [echo]);
    const drifted = { ...echo, description: 'two' };
    for (let i = 0; i < 3; i++) expect(t.guard.filterTools('a', [drifted])).toEqual([]);
    expect(t.types().filter((x) => x === 'tool_definition_changed')).toHaveLength(1);
    // Back to the approved definition: pinned again, no approval needed.
    expect(t.guard.filterTools('a', [echo])).toEqual([echo]);
    expect(t.types().filter((x) => x === 'tool_pinned')).toHaveLength(2);
    // The change cost trust (definition_changed, weight 5: (4 * 0.5) / (4 + 5)).
    await Promise.resolve();
    expect(t.guard.score('a')).toBe(0.2222);
  });

  it('refuses to approve what is not held, naming what is', () => {
    const t = setup();
    t.guard.filterTools('a', [echo, { name: 'x', description: '1' }]);
    t.guard.filterTools('a', [echo, { name: 'x', description: '2' }]);
    expect(() => t.guard.approve('a', 'echo', { operator: 'ana' })).toThrow(
      'nothing to approve: tool "echo" of server "a" is served at its approved definition; tools of "a" waiting for approval: x',
    );
    expect(() => t.guard.approve('b', undefined, { operator: 'ana' })).toThrow(/not quarantined/);
  });
});

describe('createTrustGuard: protocol violations', () => {
  const forecast = {
    name: 'forecast',
    description: 'weather',
    inputSchema: { type: 'object' },
    outputSchema: {
      type: 'object',
      properties: { temperature: { type: 'number' } },
      required: ['temperature'],
    },
  };
  const good = { content: [], structuredContent: { temperature: 21 } };
  const bad = {
    content: [{ type: 'text', text: 'warm' }],
    structuredContent: { temperature: 'warm' },
  };

  it('withholds a result that breaks the pinned outputSchema: a tool error naming server, tool and first error; logged; trust falls', async () => {
    const t = setup({ quarantine_below: 0 });
    t.guard.filterTools('a', [forecast]);
    const pinned = t.guard.state().servers.a!.tools.forecast!.hash!;
    expect(t.guard.observeAnswer('a', 'forecast', undefined, good, 5)).toBe(good);
    const before = t.guard.score('a');
    const answer = t.guard.observeAnswer('a', 'forecast', undefined, bad, 5);
    expect(answer).toEqual({
      isError: true,
      content: [
        {
          type: 'text',
          text: `server "a" answered tools/call "forecast" with a result that breaks the tool's outputSchema: structuredContent/temperature: expected a value of type number, found "warm". The result was withheld (trust.on_violation: error); the server must be fixed to return what its tool declares.`,
        },
      ],
      _meta: {
        'selfheal/error': {
          code: GatewayErrorCode.OutputSchemaViolation,
          server: 'a',
          tool: 'forecast',
          hash: pinned,
          error: 'structuredContent/temperature: expected a value of type number, found "warm"',
        },
      },
    });
    expect(t.seen.find((e) => e.event_type === 'protocol_violation')).toMatchObject({
      server_name: 'a',
      kind: 'output_schema',
      tool: 'forecast',
      hash: pinned,
      action: 'error',
    });
    await Promise.resolve(); // the signal is taken from the event on the bus
    expect(t.guard.score('a')).toBeLessThan(before);
    expect(t.seen.at(-1)).toMatchObject({
      event_type: 'trust_changed',
      signal: 'protocol_violation',
    });
  });

  it('passes the result on with on_violation pass, still logged and counted', async () => {
    const t = setup({ quarantine_below: 0, on_violation: 'pass' });
    t.guard.filterTools('a', [forecast]);
    expect(t.guard.observeAnswer('a', 'forecast', undefined, bad, 5)).toBe(bad);
    expect(t.seen.find((e) => e.event_type === 'protocol_violation')).toMatchObject({
      action: 'pass',
    });
    await Promise.resolve();
    // (4 * 0.5) / (4 + 5): the violation alone, no call_ok for the answer.
    expect(t.guard.score('a')).toBe(0.2222);
  });

  it('checks against the listed definition where pinning is off', () => {
    const t = setup({ quarantine_below: 0, pin_tools: false });
    t.guard.filterTools('a', [forecast]);
    expect(t.guard.state().servers.a).toBeUndefined();
    expect(t.guard.observeAnswer('a', 'forecast', forecast, bad, 5)).toMatchObject({
      isError: true,
    });
    expect(t.guard.observeAnswer('a', 'forecast', undefined, bad, 5)).toBe(bad);
  });

  it('logs and counts one violation of a kind per server and tool a minute', async () => {
    const t = setup({ quarantine_below: 0 });
    t.guard.filterTools('a', [forecast]);
    for (let i = 0; i < 5; i++) t.guard.observeAnswer('a', 'forecast', undefined, bad, 5);
    t.guard.invalidMessage('a', new Error('wrote a line to stdout that is not JSON'));
    t.guard.invalidMessage('a', new Error('wrote a line to stdout that is not JSON'));
    t.guard.invalidMessage('b', new Error('sent an SSE event that is not JSON'));
    const violations = () => t.seen.filter((e) => e.event_type === 'protocol_violation');
    expect(violations().map((e) => [e.server_name, (e as { kind?: string }).kind])).toEqual([
      ['a', 'output_schema'],
      ['a', 'invalid_message'],
      ['b', 'invalid_message'],
    ]);
    await Promise.resolve();
    // A broken result (weight 5) and a stray line (weight 0.5): (4 * 0.5) / (4 + 5.5) = 0.2105,
    // inside the step entered at 0.2222 = (4 * 0.5) / (4 + 5), so that is the score shown.
    expect(t.guard.score('a')).toBe(0.2222);
    t.tick(60_000);
    t.guard.invalidMessage('a', new Error('wrote a line to stdout that is not JSON'));
    expect(violations()).toHaveLength(4);
  });

  it('quarantines a server whose violations take it below the threshold', async () => {
    // (4 * 0.5) / (4 + 5 + 0.5) = 0.21: under 0.25.
    const t = setup({ quarantine_below: 0.25 });
    t.guard.invalidMessage('a', new Error('sent a JSON answer that is not JSON'));
    t.guard.filterTools('a', [forecast]);
    t.guard.observeAnswer('a', 'forecast', undefined, bad, 5);
    await Promise.resolve();
    expect(t.seen.find((e) => e.event_type === 'server_quarantined')).toMatchObject({
      server_name: 'a',
      reason: 'protocol_violation',
    });
  });
});
