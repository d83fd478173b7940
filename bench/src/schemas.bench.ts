import { getValidator } from '@selfheal/schemas';
import { bench, describe } from 'vitest';

// Replay validates every line it reads, so the validator's cost per event matters next to the
// cost of parsing the line at all.
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
const foreign = JSON.stringify({
  event_type: 'task_completed',
  trace_id: 'ecosystem-w3-health-monitoring',
  timestamp: '2025-11-12T17:00:00Z',
  repo: 'mcp-gateway',
  task_id: 'task-003',
});
const validateEvent = getValidator('event');

describe('event line: parse vs parse + validate', () => {
  bench('JSON.parse only', () => {
    JSON.parse(line);
  });
  bench('JSON.parse + validate (health event)', () => {
    validateEvent(JSON.parse(line));
  });
  bench('JSON.parse + validate (foreign event)', () => {
    validateEvent(JSON.parse(foreign));
  });
});
