import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventFactory, segmentPath } from '@selfheal/events';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../test/helpers/manualClock.js';
import { alertKey } from './alertLedger.js';
import { readAlertLedger } from './alertService.js';

describe('the alert ledger read back from a log', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('owes exactly the deliveries the log does not record as done, across segments and a torn line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-ledger-'));
    dirs.push(dir);
    const events = createEventFactory({ clock: manualClock() });
    const fired = (id: string, server: string) =>
      events.createOther('alert_fired', {
        server_name: server,
        alert_id: id,
        rule: 'down',
        rule_type: 'down',
        severity: 'critical',
        summary: `${server} down`,
        sinks: ['hook', 'pd'],
      });
    const a = fired('down/a/1', 'a');
    const b = fired('down/b/1', 'b');
    const outcome = (type: string, notice: typeof a, sink: string, extra = {}) =>
      events.createOther(type, {
        alert_id: notice.alert_id as string,
        notice_id: notice.event_id!,
        action: 'trigger',
        sink,
        attempt: 1,
        ...extra,
      });
    const resolvedA = events.createOther('alert_resolved', {
      server_name: 'a',
      alert_id: 'down/a/1',
      rule: 'down',
      summary: 'a up',
      sinks: ['hook', 'pd'],
    });
    const line = (e: object) => `${JSON.stringify(e)}\n`;
    const path = join(dir, 'events.jsonl');
    // An older segment: a fired, delivered to hook, finally refused by pd.
    writeFileSync(
      segmentPath(path, 10),
      [
        line(a),
        line({
          event_type: 'server_down',
          timestamp: a.timestamp,
          trace_id: 't',
          server_name: 'a',
        }),
        line(outcome('alert_delivered', a, 'hook', { status: 202 })),
        line(outcome('alert_delivery_failed', a, 'pd', { error: 'HTTP 400', final: true })),
      ].join(''),
    );
    // The active file: a resolved (owed to both), b fired, delivered to pd, a retry for hook
    // pending, a second copy of b's notice (an echo), and a torn last line.
    writeFileSync(
      path,
      [
        line(resolvedA),
        line(b),
        line(outcome('alert_delivered', b, 'pd')),
        line(
          outcome('alert_delivery_failed', b, 'hook', {
            error: 'refused',
            final: false,
            attempt: 3,
          }),
        ),
        line(b),
        '{"event_type":"alert_delivered","timestamp":"2026-',
      ].join(''),
    );
    const ledger = await readAlertLedger(path);
    expect([...ledger.open.keys()]).toEqual([alertKey('down', 'b')]);
    expect(
      [...ledger.pending.values()].map((p) => [p.action, p.alertId, p.sink, p.attempts]),
    ).toEqual([
      ['resolve', 'down/a/1', 'hook', 0],
      ['resolve', 'down/a/1', 'pd', 0],
      ['trigger', 'down/b/1', 'hook', 3],
    ]);
    // The resolve carries its alert's fire, so the sinks can show what is resolved.
    expect(ledger.pending.values().next().value!.fired).toMatchObject({ alert_id: 'down/a/1' });
  });

  it('a log that does not exist yet owes nothing', async () => {
    const ledger = await readAlertLedger(join(tmpdir(), 'no-such-folder-selfheal', 'events.jsonl'));
    expect(ledger.pending.size).toBe(0);
  });
});
