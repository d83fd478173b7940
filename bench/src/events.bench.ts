import { checkEnvelope, initialHealthState, parseTimestamp, project } from '@selfheal/events';
import { getValidator } from '@selfheal/schemas';
import { bench, describe } from 'vitest';

// The per-line cost of replay's fast path (envelope check) next to full ajv validation.
const line = JSON.stringify({
  event_type: 'health_check_completed',
  timestamp: '2026-11-21T10:00:00.000Z',
  trace_id: '01JD0000000000000000000000',
  repo: 'selfheal',
  event_id: '01JD0000000000000000000001',
  seq: 7,
  server_name: 'everything',
  status: 'ok',
  response_time_ms: 4.5,
});
const validateEvent = getValidator('event');
const parsed = JSON.parse(line);

describe('event line: fast envelope check vs ajv', () => {
  bench('JSON.parse only', () => {
    JSON.parse(line);
  });
  bench('JSON.parse + checkEnvelope + parseTimestamp', () => {
    const e = JSON.parse(line);
    if (checkEnvelope(e) === undefined) parseTimestamp(e.timestamp);
  });
  bench('JSON.parse + ajv (full event schema)', () => {
    validateEvent(JSON.parse(line));
  });
});

describe('timestamp to epoch ms', () => {
  bench('parseTimestamp (canonical fast path)', () => {
    parseTimestamp('2026-11-21T10:00:00.123Z');
  });
  bench('parseTimestamp (offset, general path)', () => {
    parseTimestamp('2026-11-21T10:00:00.123+02:00');
  });
  bench('Date.parse (accepts more than the schema)', () => {
    Date.parse('2026-11-21T10:00:00.123Z');
  });
});

describe('projection step', () => {
  bench('project(state, health_check_completed)', () => {
    project(initialHealthState, parsed);
  });
});
