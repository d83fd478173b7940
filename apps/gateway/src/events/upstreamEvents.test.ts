import { createEventBus, createEventFactory, createHealthProjector } from '@selfheal/events';
import { validate } from '@selfheal/schemas';
import { EventEmitter } from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/loadConfig.js';
import type {
  UpstreamServer,
  UpstreamServerEvents,
  UpstreamState,
} from '../upstream/upstreamServer.js';
import { publishUpstreamEvents } from './upstreamEvents.js';

function fakeUpstream() {
  const emitter = new EventEmitter<UpstreamServerEvents>();
  let state: UpstreamState = { status: 'connecting', since: 0, attempt: 0 };
  const spec = resolveConfig({ mcpServers: { s: { command: 'x' } } }, 'test').upstreams[0]!;
  const upstream = Object.assign(emitter, {
    spec,
    get state() {
      return state;
    },
  }) as unknown as UpstreamServer;
  return {
    upstream,
    go(next: UpstreamState) {
      const previous = state;
      state = next;
      emitter.emit('status', next, previous);
    },
    reconnect(attempt: number, delay: number) {
      emitter.emit('reconnecting', attempt, delay);
    },
  };
}

function setup() {
  let now = Date.UTC(2026, 10, 21, 10);
  const clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => {} };
  const events = createEventFactory({ clock });
  const bus = createEventBus({ events, clock });
  const seen: Record<string, unknown>[] = [];
  const projector = createHealthProjector();
  bus.events$.subscribe((e) => {
    seen.push(e as Record<string, unknown>);
    projector.apply(e);
  });
  const fake = fakeUpstream();
  publishUpstreamEvents([fake.upstream], bus, events);
  return { fake, seen, projector, tick: (ms: number) => (now += ms), now: () => now };
}

describe('publishUpstreamEvents', () => {
  it('maps a down episode to valid W3 events that project to down, then ok', () => {
    const { fake, seen, projector, tick, now } = setup();
    tick(250);
    fake.go({ status: 'up', since: now() });
    expect(projector.state().servers.s?.status).toBe('ok');
    tick(1000);
    fake.go({
      status: 'down',
      since: now(),
      error: 'connection closed',
      attempt: 0,
      retryAt: now() + 1000,
    });
    expect(projector.state().servers.s).toMatchObject({
      status: 'down',
      error: 'connection closed',
    });
    tick(1000);
    fake.reconnect(1, 1000);
    fake.go({
      status: 'down',
      since: now() - 1000,
      error: 'refused',
      attempt: 1,
      retryAt: now() + 2000,
    });
    tick(2000);
    fake.reconnect(2, 2000);
    fake.go({ status: 'up', since: now() });
    expect(projector.state().servers.s?.status).toBe('ok');
    expect(seen.map((e) => e.event_type)).toEqual([
      'server_registered',
      'server_started',
      'health_check_completed',
      'server_recovered',
      'health_check_completed',
      'server_down',
      'recovery_started',
      'recovery_failed',
      'recovery_started',
      'health_check_completed',
      'recovery_successful',
      'server_recovered',
    ]);
    for (const event of seen) expect(validate('event', event).issues).toEqual([]);
    // One incident, one trace: from server_down to its server_recovered.
    const episode = seen.slice(4);
    expect(new Set(episode.map((e) => e.trace_id)).size).toBe(1);
    expect(seen.at(-1)).toMatchObject({ previous_status: 'down', downtime_seconds: 3 });
  });

  it('says recovery is exhausted when reconnects stop', () => {
    const { fake, seen, projector } = setup();
    fake.go({ status: 'down', since: 0, error: 'spawn ENOENT', attempt: 0 });
    expect(seen.map((e) => e.event_type).slice(-3)).toEqual([
      'health_check_completed',
      'server_down',
      'recovery_exhausted',
    ]);
    expect(projector.state().servers.s).toMatchObject({ status: 'down', requires_manual: true });
  });
});
