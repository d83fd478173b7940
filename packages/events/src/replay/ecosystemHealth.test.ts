import { validate } from '@selfheal/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timelineArb } from '../../test/arbitraries.js';
import { rollUpEcosystem } from './ecosystemHealth.js';
import { projectAll } from './projection.js';
import { initialServerHealth, type ServerStatus } from './serverHealth.js';

const now = Date.UTC(2026, 10, 21, 12);
const stateOf = (...statuses: ServerStatus[]) => ({
  servers: Object.fromEntries(
    statuses.map((status, i) => [
      `s${i}`,
      { ...initialServerHealth(`s${i}`, '2026-11-21T10:00:00Z'), status },
    ]),
  ),
});

describe('rollUpEcosystem (W3 rules)', () => {
  it.each([
    [[], 'ok'],
    [['ok', 'ok'], 'ok'],
    [['ok', 'down'], 'degraded'],
    [['ok', 'ok', 'degraded'], 'ok'],
    [['ok', 'degraded'], 'ok'],
    [['ok', 'degraded', 'degraded'], 'degraded'],
    [['unknown', 'unknown', 'degraded'], 'ok'],
  ] as [ServerStatus[], string][])('%j -> %s', (statuses, status) => {
    const doc = rollUpEcosystem(stateOf(...statuses), now);
    expect(doc.status).toBe(status);
    expect(doc.servers.total).toBe(statuses.length);
  });

  it('counts each status and lists details sorted by name', () => {
    const doc = rollUpEcosystem(stateOf('down', 'ok', 'degraded', 'unknown'), now);
    expect(doc.servers).toEqual({ total: 4, healthy: 1, degraded: 1, down: 1, unknown: 1 });
    expect(doc.timestamp).toBe('2026-11-21T12:00:00.000Z');
    expect(doc.details.map((d) => [d.server_name, d.status])).toEqual([
      ['s0', 'down'],
      ['s1', 'ok'],
      ['s2', 'degraded'],
      ['s3', 'unknown'],
    ]);
  });

  it('always produces a document valid against the ecosystem-health schema', () => {
    fc.assert(
      fc.property(timelineArb, (events) => {
        const doc = JSON.parse(JSON.stringify(rollUpEcosystem(projectAll(events), now)));
        expect(validate('ecosystem-health', doc).issues).toEqual([]);
      }),
    );
  });
});
