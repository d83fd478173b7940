import { validate } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../test/helpers.js';
import { EventsError } from '../errors.js';
import { createEventFactory } from './createEvent.js';
import { KNOWN_EVENT_TYPES, schemaEventTypes } from './eventTypes.js';

const clock = createManualClock();
const events = createEventFactory({ clock });
const server_name = 'everything';

// One example per known type, built through its helper.
const samples = [
  events.healthCheckCompleted({
    server_name,
    status: 'down',
    response_time_ms: 5001,
    error: 'timeout',
    checks: { database: 'down' },
    probe: 'http',
  }),
  events.serverDegraded({ server_name, previous_status: 'ok', reason: 'slow' }),
  events.serverDown({ server_name, consecutive_failures: 3, reason: '3 failed checks' }),
  events.serverRecovered({ server_name, previous_status: 'down', downtime_seconds: 12.5 }),
  events.recoveryStarted({ server_name, reason: 'server_down', attempt: 1, strategy: 'restart' }),
  events.recoverySuccessful({ server_name, attempts: 2, duration_ms: 1500 }),
  events.recoveryFailed({ server_name, error: 'exit 1', attempt: 2 }),
  events.recoveryExhausted({ server_name, requires_manual: true, attempts: 5 }),
  events.recoveryAttemptsReset({ server_name, stable_seconds: 300 }),
  events.serverRegistered({ server_name, transport: 'stdio' }),
  events.serverStarted({ server_name, pid: 4242 }),
  events.serverDisabled({ server_name, operator: 'alice', reason: 'maintenance' }),
  events.serverEnabled({ server_name, operator: 'alice' }),
  events.serverReset({ server_name }),
  events.sinkFailed({ sink: 'websocket', error: 'socket hang up', failures: 1 }),
  events.gatewayStarted({ pid: 4242, version: '0.3.0', servers: ['everything'] }),
  events.gatewayStopped({ uptime_seconds: 3600, reason: 'SIGTERM' }),
];

describe('createEventFactory', () => {
  it('has a helper for every known type, and every event it builds is schema-valid', () => {
    expect(samples.map((e) => e.event_type)).toEqual(KNOWN_EVENT_TYPES);
    for (const type of KNOWN_EVENT_TYPES) expect(schemaEventTypes().has(type)).toBe(true);
    for (const event of samples) {
      expect(validate('event', event).issues).toEqual([]);
    }
  });

  it('fills the envelope from the injected clock and options', () => {
    const e = createEventFactory({ clock, repo: 'monitor' }).serverDown({
      server_name: 'a',
      trace_id: 'incident-7',
    });
    expect(e).toMatchObject({
      event_type: 'server_down',
      timestamp: '2026-11-21T10:00:00.000Z',
      trace_id: 'incident-7',
      repo: 'monitor',
      server_name: 'a',
    });
    expect(e.seq).toBeUndefined();
    expect(e.event_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('gives unique ids that sort in creation order within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => events.serverReset({ server_name }).event_id!);
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps extra fields and builds foreign types with createOther', () => {
    const e = createEventFactory({ clock }).createOther('pr_merged', { pr: 12 });
    expect(e).toMatchObject({ event_type: 'pr_merged', pr: 12 });
    expect(validate('event', e).valid).toBe(true);
    expect(events.serverDown({ server_name, region: 'eu' })).toMatchObject({ region: 'eu' });
  });

  it('rejects values the types cannot catch, naming the pointer', () => {
    const bad = () =>
      events.healthCheckCompleted({ server_name: '', status: 'ok', response_time_ms: -1 });
    expect(bad).toThrow(EventsError);
    expect(bad).toThrow(/\/response_time_ms: expected a number >= 0, found -1/);
    expect(bad).toThrow(/\/server_name/);
    expect(() => events.createOther('NotSnake')).toThrow(/\/event_type/);
  });
});
