import type { SelfhealEvent } from '@selfheal/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventArb, timelineArb } from '../../test/arbitraries.js';
import { createManualClock } from '../../test/helpers.js';
import { createEventFactory } from '../model/createEvent.js';
import { createHealthProjector, initialHealthState, project, projectAll } from './projection.js';

const clock = createManualClock();
const ev = createEventFactory({ clock });
const s = 'flaky';
const check = (status: 'ok' | 'degraded' | 'down', response_time_ms = 5, error?: string) =>
  ev.healthCheckCompleted({
    server_name: s,
    status,
    response_time_ms,
    ...(error ? { error } : {}),
  });
const fold = (...events: SelfhealEvent[]) => projectAll(events).servers[s]!;

describe('project', () => {
  it('moves counters, last check and response time on checks, but never the status', () => {
    const state = fold(check('ok'), check('down', 5000, 'timeout'), check('down', 5001, 'timeout'));
    expect(state).toMatchObject({
      status: 'unknown',
      lifecycle: 'running',
      consecutive_failures: 2,
      consecutive_successes: 0,
      last_check_status: 'down',
      response_time_ms: 5001,
      error: 'timeout',
    });
    const after = project({ servers: { [s]: state } }, check('degraded', 40)).servers[s]!;
    expect(after).toMatchObject({
      consecutive_failures: 0,
      consecutive_successes: 1,
      consecutive_ok: 0,
      status: 'unknown',
    });
    expect(after.error).toBeUndefined();
  });

  it('counts ok checks in a row apart: a degraded check ends that run, not the answered run', () => {
    const state = fold(check('ok'), check('ok'), check('degraded'), check('ok'));
    expect(state).toMatchObject({ consecutive_successes: 4, consecutive_ok: 1 });
    expect(fold(check('ok'), check('ok'), check('down'))).toMatchObject({
      consecutive_ok: 0,
      consecutive_failures: 1,
    });
  });

  it('changes status only on explicit transition events', () => {
    const down = fold(check('down'), ev.serverDown({ server_name: s, reason: '3 failed checks' }));
    expect(down).toMatchObject({ status: 'down', error: '3 failed checks' });
    expect(down.status_since).toBe(down.updated_at);
    expect(fold(ev.serverDegraded({ server_name: s })).status).toBe('degraded');
    expect(
      fold(ev.serverDown({ server_name: s }), ev.serverRecovered({ server_name: s })).status,
    ).toBe('ok');
  });

  it('follows the lifecycle through recovery, exhaustion, reset and the operator', () => {
    const steps: [SelfhealEvent, string, Partial<Record<string, unknown>>][] = [
      [
        ev.serverRegistered({ server_name: s, transport: 'stdio' }),
        'starting',
        { transport: 'stdio' },
      ],
      [ev.serverStarted({ server_name: s }), 'running', {}],
      [ev.serverDown({ server_name: s }), 'running', { status: 'down' }],
      [
        ev.recoveryStarted({ server_name: s, reason: 'down', attempt: 1, strategy: 'restart' }),
        'recovering',
        { recovery_attempts: 1 },
      ],
      [
        ev.recoveryFailed({ server_name: s, error: 'exit 1', attempt: 1 }),
        'recovering',
        { error: 'exit 1' },
      ],
      [
        ev.recoveryStarted({ server_name: s, reason: 'down', attempt: 2, strategy: 'restart' }),
        'recovering',
        { recovery_attempts: 2 },
      ],
      [
        ev.recoveryExhausted({ server_name: s, requires_manual: true }),
        'failed',
        { requires_manual: true },
      ],
      [ev.serverRecovered({ server_name: s }), 'failed', { status: 'ok', requires_manual: true }],
      [ev.serverDisabled({ server_name: s, operator: 'alice' }), 'disabled', {}],
      [
        ev.recoveryStarted({ server_name: s, reason: 'x', attempt: 3, strategy: 'restart' }),
        'disabled',
        { recovery_attempts: 3 },
      ],
      [ev.serverEnabled({ server_name: s }), 'failed', {}],
      [
        ev.serverReset({ server_name: s }),
        'starting',
        { requires_manual: false, recovery_attempts: 0 },
      ],
      [ev.serverRecovered({ server_name: s }), 'running', {}],
      [
        ev.recoveryStarted({ server_name: s, reason: 'down', attempt: 1, strategy: 'restart' }),
        'recovering',
        {},
      ],
      // Success keeps the count: a crash right after continues the schedule.
      [ev.recoverySuccessful({ server_name: s, attempts: 1 }), 'running', { recovery_attempts: 1 }],
      [
        ev.recoveryStarted({ server_name: s, reason: 'again', attempt: 2, strategy: 'restart' }),
        'recovering',
        { recovery_attempts: 2 },
      ],
      [ev.recoverySuccessful({ server_name: s, attempts: 2 }), 'running', { recovery_attempts: 2 }],
      [
        ev.recoveryAttemptsReset({ server_name: s, stable_seconds: 300 }),
        'running',
        { recovery_attempts: 0 },
      ],
    ];
    let state = initialHealthState;
    for (const [event, lifecycle, fields] of steps) {
      state = project(state, event);
      expect(state.servers[s], event.event_type).toMatchObject({ lifecycle, ...fields });
    }
  });

  it('passes unknown types and server-less events through untouched (the same object)', () => {
    const state = projectAll([check('ok')]);
    expect(project(state, ev.createOther('pr_merged', { server_name: s }))).toBe(state);
    expect(project(state, ev.sinkFailed({ sink: 'ws', error: 'x', failures: 1 }))).toBe(state);
    expect(project(state, { ...check('ok'), status: 'healthy' })).toBe(state);
  });

  it('never mutates its input', () => {
    fc.assert(
      fc.property(timelineArb, eventArb, (events, event) => {
        const state = projectAll(events);
        const before = structuredClone(state);
        project(state, event);
        expect(state).toEqual(before);
      }),
    );
  });

  it('replaying a prefix and then the rest equals replaying all', () => {
    fc.assert(
      fc.property(timelineArb, fc.nat(), (events, cut) => {
        const at = events.length === 0 ? 0 : cut % (events.length + 1);
        const prefix = projectAll(events.slice(0, at));
        expect(projectAll(events.slice(at), prefix)).toEqual(projectAll(events));
      }),
    );
  });

  it('the in-place projector computes the same state as project, also from a prefix', () => {
    fc.assert(
      fc.property(timelineArb, fc.nat(), (events, cut) => {
        const at = events.length === 0 ? 0 : cut % (events.length + 1);
        const projector = createHealthProjector(projectAll(events.slice(0, at)));
        for (const e of events.slice(at)) projector.apply(e);
        expect(projector.state()).toEqual(projectAll(events));
      }),
    );
  });

  it('keeps order-independent fields so: the set of servers does not depend on order', () => {
    fc.assert(
      fc.property(
        fc
          .array(eventArb, { maxLength: 60 })
          .chain((events) =>
            fc.tuple(
              fc.constant(events),
              fc.shuffledSubarray(events, { minLength: events.length }),
            ),
          ),
        ([events, shuffled]) => {
          const keys = (list: SelfhealEvent[]) => Object.keys(projectAll(list).servers).sort();
          expect(keys(shuffled)).toEqual(keys(events));
        },
      ),
    );
  });
});

describe('a server removed by a config reload', () => {
  it('leaves the state, in the pure fold and the projector alike', () => {
    const at = '2026-12-06T04:00:00.000Z';
    const registered = (name: string) =>
      ({
        event_type: 'server_registered',
        timestamp: at,
        trace_id: 't',
        server_name: name,
        transport: 'stdio',
      }) as SelfhealEvent;
    const reloaded = {
      event_type: 'config_reloaded',
      timestamp: at,
      trace_id: 't',
      source: '/srv/selfheal.json',
      added: [],
      removed: ['gone'],
      restarted: [],
    } as unknown as SelfhealEvent;
    const events = [registered('kept'), registered('gone'), reloaded];
    expect(Object.keys(projectAll(events).servers)).toEqual(['kept']);
    const projector = createHealthProjector();
    for (const event of events) projector.apply(event);
    expect(projector.state()).toEqual(projectAll(events));
    // A server added again later starts afresh.
    expect(Object.keys(projectAll([...events, registered('gone')]).servers)).toEqual([
      'kept',
      'gone',
    ]);
  });
});

describe('a reload in a fleet (RFC 0018): one replica reloads, the others serve on', () => {
  const at = '2026-12-06T04:00:00.000Z';
  const of = (replica: string, e: Record<string, unknown>) =>
    ({ timestamp: at, trace_id: 't', replica, ...e }) as unknown as SelfhealEvent;
  const started = (replica: string, servers: string[]) =>
    of(replica, { event_type: 'gateway_started', pid: 1, servers });
  const registered = (replica: string, name: string) =>
    of(replica, { event_type: 'server_registered', server_name: name, transport: 'stdio' });
  const reloaded = (replica: string, removed: string[]) =>
    of(replica, {
      event_type: 'config_reloaded',
      source: '/srv/selfheal.json',
      added: [],
      removed,
      restarted: [],
    });
  const stopped = (replica: string) =>
    of(replica, { event_type: 'gateway_stopped', uptime_seconds: 1, reason: 'SIGTERM' });
  const names = (events: SelfhealEvent[]) => {
    const projector = createHealthProjector();
    for (const event of events) projector.apply(event);
    return Object.keys(projector.state().servers);
  };
  const fleet = [
    started('a', ['api', 'files']),
    registered('a', 'api'),
    registered('a', 'files'),
    started('b', ['api', 'files']),
    registered('b', 'api'),
    registered('b', 'files'),
  ];

  it("keeps a server another replica still serves after one replica's reload removed it", () => {
    expect(names([...fleet, reloaded('a', ['files'])])).toEqual(['api', 'files']);
  });

  it('removes it once the last replica serving it removed it, or stopped', () => {
    expect(names([...fleet, reloaded('a', ['files']), reloaded('b', ['files'])])).toEqual(['api']);
    expect(names([...fleet, stopped('b'), reloaded('a', ['files'])])).toEqual(['api']);
  });

  it("a restarted replica serves what its new run's start names, not its killed run's", () => {
    expect(names([...fleet, started('b', ['api']), reloaded('a', ['files'])])).toEqual(['api']);
  });

  it("a projector seeded from another one's state and serving replicas folds on as it does", () => {
    const source = createHealthProjector();
    for (const event of fleet) source.apply(event);
    expect(source.serving()).toEqual({ api: ['a', 'b'], files: ['a', 'b'] });
    // The dashboard's page: seeded from a snapshot, then the stream's events.
    const seeded = createHealthProjector(source.state(), source.serving());
    seeded.apply(reloaded('a', ['files']));
    expect(Object.keys(seeded.state().servers)).toEqual(['api', 'files']);
    seeded.apply(reloaded('b', ['files']));
    expect(Object.keys(seeded.state().servers)).toEqual(['api']);
    // Seeded from the state alone, it knows no replica and takes the server out at once.
    const bare = createHealthProjector(source.state());
    bare.apply(reloaded('a', ['files']));
    expect(Object.keys(bare.state().servers)).toEqual(['api']);
  });
});
