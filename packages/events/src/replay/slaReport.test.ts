import type { SelfhealEvent } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { createSlaTracker } from './slaReport.js';

const T0 = Date.UTC(2026, 10, 21, 10);
const at = (seconds: number, event_type: string, fields: Record<string, unknown> = {}) => ({
  event: {
    event_type,
    timestamp: new Date(T0 + seconds * 1000).toISOString(),
    trace_id: 't',
    server_name: 'a',
    ...fields,
  } as SelfhealEvent,
  ms: T0 + seconds * 1000,
});
const check = (s: number, status: string) =>
  at(s, 'health_check_completed', { status, response_time_ms: 1 });

function run(events: { event: SelfhealEvent; ms: number }[], endSeconds: number) {
  const tracker = createSlaTracker();
  for (const { event, ms } of events) tracker.add(event, ms);
  return tracker.report(T0 + endSeconds * 1000).a!;
}

describe('createSlaTracker', () => {
  it('computes uptime, MTTD, MTTR and auto-recovery for two incidents', () => {
    const sla = run(
      [
        check(0, 'ok'),
        // incident 1: failed checks from 30 s, down at 90 s, restarted, back at 150 s
        check(30, 'down'),
        check(60, 'down'),
        check(90, 'down'),
        at(90, 'server_down'),
        at(91, 'recovery_started', { strategy: 'restart', attempt: 1, reason: 'down' }),
        at(150, 'server_recovered'),
        check(180, 'ok'),
        // incident 2: process exit, no failed check; an operator resets; back after 300 s
        at(400, 'server_down'),
        at(401, 'recovery_exhausted', { requires_manual: true }),
        at(500, 'server_reset', { operator: 'alice' }),
        at(700, 'server_recovered'),
        at(800, 'server_degraded'),
      ],
      1000,
    );
    expect(sla).toEqual({
      window_ms: 1_000_000,
      down_ms: 60_000 + 300_000,
      degraded_ms: 200_000,
      uptime_percent: 64,
      incidents: 2,
      open_incidents: 0,
      mttd_ms: 60_000,
      mttd_samples: 1,
      mttr_ms: (60_000 + 300_000) / 2,
      auto_recovered_within_2m: 0.5,
      restarts: 1,
      manual_interventions: 1,
      recovery_exhausted: 1,
    });
  });

  it('counts an incident still open at the end of the window as down until then', () => {
    const sla = run([check(0, 'ok'), at(50, 'server_down'), at(60, 'server_down')], 100);
    expect(sla).toMatchObject({
      incidents: 1,
      open_incidents: 1,
      down_ms: 50_000,
      uptime_percent: 50,
      mttr_ms: null,
      auto_recovered_within_2m: 0,
    });
  });

  it('a recovery slower than 2 minutes is not counted as automatic', () => {
    const sla = run([at(0, 'server_down'), at(121, 'server_recovered')], 200);
    expect(sla.auto_recovered_within_2m).toBe(0);
    expect(
      run([at(0, 'server_down'), at(120, 'server_recovered')], 200).auto_recovered_within_2m,
    ).toBe(1);
  });

  it('has no figures to average before anything happened', () => {
    expect(run([check(0, 'ok')], 0)).toMatchObject({
      uptime_percent: null,
      mttd_ms: null,
      mttr_ms: null,
      auto_recovered_within_2m: null,
    });
  });

  describe('with a window starting at since', () => {
    const windowed = (
      events: { event: SelfhealEvent; ms: number }[],
      since: number,
      end: number,
    ) => {
      const tracker = createSlaTracker({ since: T0 + since * 1000 });
      for (const { event, ms } of events) tracker.add(event, ms);
      return {
        sla: tracker.report(T0 + end * 1000).a!,
        incidents: tracker.incidents(T0 + end * 1000),
      };
    };
    const LOG = [
      check(0, 'ok'),
      // before the window: an outage over and done, and one still open at 200 s
      at(10, 'server_down'),
      at(20, 'server_recovered'),
      at(150, 'server_down'),
      at(160, 'recovery_started', { strategy: 'restart', attempt: 1, reason: 'down' }),
      // in the window [200 s, 1000 s]: the open one recovers at 300 s, a new one 500..560 s
      at(300, 'server_recovered'),
      check(480, 'down'),
      at(500, 'server_down'),
      at(501, 'recovery_started', { strategy: 'restart', attempt: 1, reason: 'down' }),
      at(560, 'server_recovered'),
    ];

    it('counts the time from since on, down from since for an outage open then', () => {
      const { sla, incidents } = windowed(LOG, 200, 1000);
      expect(sla).toMatchObject({
        window_ms: 800_000,
        down_ms: 100_000 + 60_000,
        uptime_percent: 80,
        // The outage open at since is downtime of the window, not one of its incidents.
        incidents: 1,
        open_incidents: 0,
        mttd_ms: 20_000,
        mttr_ms: 60_000,
        auto_recovered_within_2m: 1,
        restarts: 1,
      });
      expect(incidents.map((i) => i.down_ms)).toEqual([T0 + 500_000]);
    });

    it('equals the whole-log figures when since is at or before the first event', () => {
      const whole = run(LOG, 1000);
      expect(windowed(LOG, 0, 1000).sla).toEqual(whole);
      expect(windowed(LOG, -50, 1000).sla).toEqual(whole);
    });

    it('reports the window without changing the tracker when no event has reached since', () => {
      const tracker = createSlaTracker({ since: T0 + 200_000 });
      for (const { event, ms } of LOG.slice(0, 5)) tracker.add(event, ms);
      // Down since 150 s, still down at 400 s: the whole window [200 s, 400 s] is down.
      expect(tracker.report(T0 + 400_000).a).toMatchObject({
        window_ms: 200_000,
        down_ms: 200_000,
        uptime_percent: 0,
        incidents: 0,
        restarts: 0,
      });
      // An end before since: an empty window.
      expect(tracker.report(T0 + 180_000).a).toMatchObject({ window_ms: 0, uptime_percent: null });
      // The report changed nothing: the events go on as without it.
      for (const { event, ms } of LOG.slice(5)) tracker.add(event, ms);
      expect(tracker.report(T0 + 1000_000).a).toEqual(windowed(LOG, 200, 1000).sla);
    });
  });
});
