import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SelfhealEvent } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { createHealthFold } from './healthFold.js';
import { replayLogs } from './replay.js';

const T0 = Date.UTC(2026, 10, 21, 10);
const at = (seconds: number, server: string, event_type: string, fields = {}) =>
  ({
    event_type,
    timestamp: new Date(T0 + seconds * 1000).toISOString(),
    trace_id: 't',
    server_name: server,
    ...fields,
  }) as SelfhealEvent;
const check = (s: number, server: string, status: string) =>
  at(s, server, 'health_check_completed', { status, response_time_ms: 3 });

/** Two servers: a detected outage auto-recovered, a crash an operator had to reset, one open. */
const LOG: SelfhealEvent[] = [
  at(0, 'a', 'server_registered', { transport: 'stdio' }),
  at(0, 'b', 'server_registered', { transport: 'http' }),
  check(1, 'a', 'ok'),
  check(1, 'b', 'ok'),
  check(30, 'a', 'down'),
  check(40, 'a', 'down'),
  at(40, 'a', 'server_down', { reason: 'probe failed' }),
  at(41, 'a', 'recovery_started', { strategy: 'restart', attempt: 1, reason: 'down' }),
  at(70, 'a', 'server_recovered'),
  at(100, 'b', 'server_down', { reason: 'exited with code 1; stderr: boom' }),
  at(101, 'b', 'recovery_exhausted', { requires_manual: true }),
  at(200, 'b', 'server_reset', { operator: 'ana' }),
  at(230, 'b', 'server_recovered'),
  at(300, 'a', 'server_down', { reason: 'exited' }),
];

function fold(until?: number) {
  const f = createHealthFold(until === undefined ? {} : { until });
  for (const e of LOG) f.apply(e, Date.parse(e.timestamp));
  return f.result();
}

describe('createHealthFold', () => {
  it('lists each incident with the samples its server MTTD and MTTR average', () => {
    const r = fold();
    expect(r.incidents.map((i) => [i.server_name, i.detect_ms, i.repair_ms, i.manual])).toEqual([
      ['a', 10_000, 30_000, false],
      ['b', null, 130_000, true],
      ['a', null, null, false],
    ]);
    expect(r.incidents[2]).toMatchObject({ recovered_ms: null, duration_ms: 0 });
    expect(r.servers.a!.sla).toMatchObject({ incidents: 2, open_incidents: 1, mttr_ms: 30_000 });
    expect(r.servers.b!.sla).toMatchObject({ incidents: 1, mttd_ms: null, mttr_ms: 130_000 });
    expect(r.incidents[0]).toMatchObject({
      started_ms: T0 + 30_000,
      auto_recovered_within_2m: true,
    });
  });

  it('an open incident lasts up to the end of the window', () => {
    const r = fold(T0 + 150_000);
    const open = r.incidents.find((i) => i.server_name === 'b')!;
    expect(open).toMatchObject({ recovered_ms: null, repair_ms: null, duration_ms: 50_000 });
    expect(r.servers.b!.state).toMatchObject({ status: 'down', lifecycle: 'failed' });
  });

  it('gives the servers and roll-up of selfheal replay, with and without until', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-fold-'));
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, `${LOG.map((e) => JSON.stringify(e)).join('\n')}\n`);
    for (const until of [undefined, T0 + 40_000, T0 + 100_500, T0 + 229_999]) {
      const report = await replayLogs([file], until === undefined ? {} : { until });
      const r = fold(until);
      expect(JSON.parse(JSON.stringify(r.servers))).toEqual(report.servers);
      expect(r.ecosystem).toEqual(report.ecosystem);
    }
  });
});
