import { readdirSync, readFileSync } from 'node:fs';
import { loadSchema, validate } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../test/helpers.js';
import { EventsError } from '../errors.js';
import { createEventFactory, type EventFactory } from './createEvent.js';
import type { EventConstructor } from './eventConstructors.generated.js';
import {
  DEPRECATED_EVENT_TYPES,
  isKnownEventType,
  KNOWN_EVENT_TYPES,
  type KnownEventType,
  schemaEventTypes,
} from './eventTypes.js';

const clock = createManualClock();
const events = createEventFactory({ clock });
const server_name = 'everything';

// The helpers the factory had before they were generated, each with typed fields.
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

/** The valid examples of the event schema, by type (the first of each). */
const examplesDir = new URL('../../../../schemas/examples/event/valid/', import.meta.url);
const examples = new Map<string, Record<string, unknown>>();
for (const file of readdirSync(examplesDir).sort()) {
  const example = JSON.parse(readFileSync(new URL(file, examplesDir), 'utf8'));
  if (!examples.has(example.event_type)) examples.set(example.event_type, example);
}
const ENVELOPE = ['event_type', 'timestamp', 'trace_id', 'repo', 'event_id', 'seq', 'replica'];
const fieldsOf = (event: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(event).filter(([key]) => !ENVELOPE.includes(key)));
const camelCase = (type: string) => type.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

describe('createEventFactory', () => {
  it('keeps the helpers it had, and every event they build is schema-valid', () => {
    for (const event of samples) {
      expect(validate('event', event).issues).toEqual([]);
    }
  });

  it('knows every type the schema describes: a constructor per written type, none for a deprecated one', () => {
    const described = Object.keys((loadSchema('event').$defs as { typeIs: object }).typeIs);
    expect([...schemaEventTypes()].sort()).toEqual([...described].sort());
    expect(KNOWN_EVENT_TYPES).toContain('call_completed');
    expect(KNOWN_EVENT_TYPES).toContain('request_resent');
    expect(DEPRECATED_EVENT_TYPES).toEqual(['request_replayed']);
    expect(isKnownEventType('request_replayed')).toBe(false);
    expect('requestReplayed' in events).toBe(false);
  });

  it.each([...KNOWN_EVENT_TYPES])(
    '%s: its camelCase constructor builds the schema example',
    (type) => {
      const example = examples.get(type);
      expect(example, `schemas/examples/event/valid has no ${type} example`).toBeDefined();
      const construct = events[
        camelCase(type) as keyof EventFactory
      ] as EventConstructor<KnownEventType>;
      const event = construct({ ...fieldsOf(example!), trace_id: 'trace-1' } as never);
      expect(event).toEqual({
        event_type: type,
        timestamp: '2026-11-21T10:00:00.000Z',
        trace_id: 'trace-1',
        repo: 'selfheal',
        event_id: event.event_id,
        ...fieldsOf(example!),
      });
      expect(Object.keys(event).slice(0, 5)).toEqual(
        ENVELOPE.slice(0, 5).filter((k) => k !== 'seq'),
      );
    },
  );

  it('puts the envelope on a body, leaving the body as it was', () => {
    const body = { event_type: 'retry_attempted', server_name, method: 'tools/call', attempt: 1 };
    const factory = createEventFactory({ clock, repo: 'gw', replica: 'r1', validate: false });
    const event = factory.envelop(body, 'call-9');
    expect(event).toEqual({
      event_type: 'retry_attempted',
      timestamp: '2026-11-21T10:00:00.000Z',
      trace_id: 'call-9',
      repo: 'gw',
      event_id: event.event_id,
      replica: 'r1',
      server_name,
      method: 'tools/call',
      attempt: 1,
    });
    expect(body).toEqual({
      event_type: 'retry_attempted',
      server_name,
      method: 'tools/call',
      attempt: 1,
    });
    expect(factory.envelop({ event_type: 'x_y', trace_id: 'own' }).trace_id).toBe('own');
    const fresh = factory.envelop({ event_type: 'x_y' });
    expect(fresh.trace_id).toBe(fresh.event_id);
  });

  it('keeps the type it was asked for, and a fresh timestamp per millisecond', () => {
    const own = createManualClock();
    const factory = createEventFactory({ clock: own, validate: false });
    expect(factory.createOther('a_b', { event_type: 'c_d' }).event_type).toBe('a_b');
    expect(factory.serverReset({ server_name }).timestamp).toBe('2026-11-21T10:00:00.000Z');
    own.advance(1);
    expect(factory.serverReset({ server_name }).timestamp).toBe('2026-11-21T10:00:00.001Z');
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
