import { createEventFactory } from '@selfheal/events';
import type { SelfhealEvent } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../test/helpers/manualClock.js';
import { resolveConfig } from '../config/loadConfig.js';
import { type AlertFleet, createAlertEngine } from './alertEngine.js';
import { applyAlertEvent, initialLedger, type PendingDelivery } from './alertLedger.js';

function setup(
  section: Record<string, unknown>,
  servers = ['a', 'b'],
  fleet?: Omit<AlertFleet, 'isShared'>,
) {
  const config = resolveConfig(
    {
      mcpServers: Object.fromEntries(
        servers.map((n) => [
          n,
          // A server named local* is a stdio server (a process of each replica).
          n.startsWith('local') ? { command: 'node' } : { url: `http://127.0.0.1:9/${n}` },
        ]),
      ),
      alerts: { sinks: { hook: { type: 'webhook', url: 'http://127.0.0.1:9/hook' } }, ...section },
    },
    'test.json',
    '/tmp',
    {},
  );
  const clock = manualClock();
  const events = createEventFactory({ clock });
  const published: SelfhealEvent[] = [];
  const owed: PendingDelivery[] = [];
  const engine = createAlertEngine({
    settings: config.alerts!,
    clock,
    events,
    publish: (event) => {
      published.push(event);
      // The bus echoes every event back, as the gateway's does.
      engine.observe(event);
    },
    owe: (p) => owed.push(p),
    ...(fleet && {
      fleet: { ...fleet, isShared: (server: string) => !server.startsWith('local') },
    }),
  });
  const feed = (type: string, fields: Record<string, unknown> = {}) =>
    engine.observe(events.createOther(type, fields));
  const alerts = (type: string) => published.filter((e) => e.event_type === type);
  return { clock, engine, feed, alerts, owed, events };
}

describe('alert rules', () => {
  it('down: fires once when a server stays down past after_seconds, resolves once when it is up', () => {
    const t = setup({ rules: { down: { type: 'down', after_seconds: 30 } } });
    t.feed('server_down', { server_name: 'a', reason: 'exited' });
    t.clock.advance(29_999);
    expect(t.alerts('alert_fired')).toHaveLength(0);
    t.clock.advance(1);
    expect(t.alerts('alert_fired')).toHaveLength(1);
    // Still down: more failures and recoveries that fail open nothing new.
    t.feed('server_down', { server_name: 'a', reason: 'again' });
    t.feed('recovery_failed', { server_name: 'a', attempt: 1, error: 'x' });
    t.clock.advance(60_000);
    expect(t.alerts('alert_fired')).toHaveLength(1);
    t.feed('server_recovered', { server_name: 'a' });
    t.feed('server_recovered', { server_name: 'a' });
    const [fired] = t.alerts('alert_fired') as Record<string, unknown>[];
    const resolved = t.alerts('alert_resolved') as Record<string, unknown>[];
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.alert_id).toBe(fired!.alert_id);
    expect(fired).toMatchObject({
      server_name: 'a',
      rule: 'down',
      severity: 'critical',
      sinks: ['hook'],
    });
    // One delivery owed per notice and sink.
    expect(t.owed.map((p) => p.action)).toEqual(['trigger', 'resolve']);
  });

  it('down: a server back before after_seconds fires nothing', () => {
    const t = setup({ rules: { down: { type: 'down', after_seconds: 30 } } });
    t.feed('server_down', { server_name: 'a', reason: 'exited' });
    t.clock.advance(10_000);
    t.feed('server_recovered', { server_name: 'a' });
    t.clock.advance(60_000);
    expect(t.alerts('alert_fired')).toHaveLength(0);
    expect(t.alerts('alert_resolved')).toHaveLength(0);
  });

  it('an alert open in the log stays open across a restart until the server is seen up', () => {
    const t = setup({ rules: { down: { type: 'down', after_seconds: 5 } } });
    t.feed('server_down', { server_name: 'a', reason: 'exited' });
    t.clock.advance(5000);
    const logged = t.alerts('alert_fired');
    expect(logged).toHaveLength(1);
    // A new engine that read the log.
    const ledger = initialLedger();
    for (const e of logged) applyAlertEvent(ledger, e);
    const clock = manualClock(t.clock.now() + 1000);
    const events = createEventFactory({ clock });
    const out: SelfhealEvent[] = [];
    const config = resolveConfig(
      {
        mcpServers: { a: { url: 'http://127.0.0.1:9/a' } },
        alerts: {
          sinks: { hook: { type: 'webhook', url: 'http://127.0.0.1:9/hook' } },
          rules: { down: { type: 'down', after_seconds: 5 } },
        },
      },
      'test.json',
      '/tmp',
      {},
    );
    const engine = createAlertEngine({
      settings: config.alerts!,
      clock,
      events,
      ledger,
      publish: (e) => out.push(e),
      owe: () => {},
    });
    engine.observe(
      events.createOther('server_registered', { server_name: 'a', transport: 'stdio' }),
    );
    engine.observe(events.createOther('server_down', { server_name: 'a', reason: 'still' }));
    clock.advance(10_000);
    expect(out).toHaveLength(0);
    engine.observe(events.createOther('server_recovered', { server_name: 'a' }));
    expect(out.map((e) => [e.event_type, (e as Record<string, unknown>).alert_id])).toEqual([
      ['alert_resolved', (logged[0] as Record<string, unknown>).alert_id],
    ]);
  });

  it('recovery_exhausted: fires on recovery_exhausted, resolves when the server serves again', () => {
    const t = setup({ rules: { exhausted: { type: 'recovery_exhausted' } } });
    t.feed('recovery_exhausted', { server_name: 'b', requires_manual: true, attempts: 5 });
    expect(t.alerts('alert_fired')).toHaveLength(1);
    t.feed('server_reset', { server_name: 'b', operator: 'me' });
    expect(t.alerts('alert_resolved')).toHaveLength(0);
    t.feed('server_recovered', { server_name: 'b' });
    expect(t.alerts('alert_resolved')).toHaveLength(1);
  });

  it('flapping: k incidents within the window fire; it resolves when one leaves the window', () => {
    const t = setup({ rules: { flap: { type: 'flapping', incidents: 3, window_seconds: 600 } } });
    for (let i = 0; i < 3; i++) {
      t.feed('server_down', { server_name: 'a', reason: 'x' });
      t.feed('server_recovered', { server_name: 'a' });
      if (i < 2) t.clock.advance(100_000);
    }
    expect(t.alerts('alert_fired')).toHaveLength(1);
    // The first incident was 200 s ago: it leaves the window at 600 s.
    t.clock.advance(399_999);
    expect(t.alerts('alert_resolved')).toHaveLength(0);
    t.clock.advance(1);
    expect(t.alerts('alert_resolved')).toHaveLength(1);
  });

  it('event: types named in fire_on open an alert (quarantine events, RFC 0017), clear_on resolves it', () => {
    const t = setup({
      rules: {
        quarantine: {
          type: 'event',
          fire_on: ['server_quarantined', 'tool_definition_changed'],
          clear_on: ['server_released'],
          resolve_after_seconds: 60,
        },
      },
    });
    const quarantined = { server_name: 'a', score: 0.15, threshold: 0.2 };
    t.feed('server_quarantined', { ...quarantined, reason: 'definition_changed' });
    t.feed('server_quarantined', { ...quarantined, reason: 'call_failed' });
    expect(t.alerts('alert_fired')).toHaveLength(1);
    expect(t.alerts('alert_fired')[0]).toMatchObject({ summary: 'a: server_quarantined' });
    t.feed('server_released', { server_name: 'a', by: 'operator' });
    expect(t.alerts('alert_resolved')).toHaveLength(1);
    // Without a clearing event: resolved resolve_after_seconds after the last match.
    t.feed('tool_definition_changed', {
      server_name: 'b',
      tool: 'echo',
      hash: `sha256:${'1'.repeat(64)}`,
      definition: { name: 'echo' },
      diff: ['~ /description: "a" -> "b"'],
    });
    t.clock.advance(59_999);
    expect(t.alerts('alert_resolved')).toHaveLength(1);
    t.clock.advance(1);
    expect(t.alerts('alert_resolved')).toHaveLength(2);
    expect(t.alerts('alert_fired')).toHaveLength(2);
  });

  it('per-server overrides: a rule off for one server, another threshold for another', () => {
    const t = setup({
      rules: { down: { type: 'down', after_seconds: 10 } },
      servers: { a: { down: false }, b: { down: { after_seconds: 100 } } },
    });
    t.feed('server_down', { server_name: 'a', reason: 'x' });
    t.feed('server_down', { server_name: 'b', reason: 'x' });
    t.clock.advance(99_000);
    expect(t.alerts('alert_fired')).toHaveLength(0);
    t.clock.advance(1000);
    expect(t.alerts('alert_fired').map((e) => e.server_name)).toEqual(['b']);
  });

  it('slo_burn: fires when both windows of a pair burn past the rate, resolves when the short one cools', () => {
    const t = setup({
      rules: {
        calls: {
          type: 'slo_burn',
          objective: 'call_success',
          target: 0.99,
          windows: [{ long_seconds: 3600, short_seconds: 300, burn_rate: 14.4 }],
        },
      },
    });
    const call = (outcome: string) =>
      t.feed('call_completed', {
        server_name: 'a',
        method: 'tools/call',
        latency_ms: 1,
        attempts: 1,
        outcome,
      });
    // 10% errors: burn rate 10, under 14.4.
    for (let i = 0; i < 100; i++) call(i % 10 === 0 ? 'error' : 'ok');
    t.clock.advance(60_000);
    expect(t.alerts('alert_fired')).toHaveLength(0);
    // Then 30% errors for a minute: long window 20% (burn 20), short window the same.
    for (let i = 0; i < 100; i++) call(i % 10 < 3 ? 'timeout' : 'ok');
    t.clock.advance(30_000);
    const fired = t.alerts('alert_fired') as Record<string, unknown>[];
    expect(fired).toHaveLength(1);
    expect(fired[0]!.details).toMatchObject({ long_burn_rate: 20, short_burn_rate: 20 });
    // Good calls only: the short window (5 min) forgets the errors, the long one still has them.
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 20; j++) call('ok');
      t.clock.advance(30_000);
    }
    expect(t.alerts('alert_resolved')).toHaveLength(1);
    expect(t.alerts('alert_fired')).toHaveLength(1);
  });

  it('slo_burn availability counts health checks; fewer than min_events decides nothing', () => {
    const t = setup({
      rules: {
        avail: {
          type: 'slo_burn',
          objective: 'availability',
          target: 0.9,
          min_events: 5,
          windows: [{ long_seconds: 60, short_seconds: 10, burn_rate: 2 }],
        },
      },
    });
    const check = (status: string) =>
      t.feed('health_check_completed', { server_name: 'a', status, response_time_ms: 1 });
    for (let i = 0; i < 4; i++) check('down');
    t.clock.advance(1000);
    expect(t.alerts('alert_fired')).toHaveLength(0);
    check('down');
    t.clock.advance(1000);
    expect(t.alerts('alert_fired')).toHaveLength(1);
  });

  it('at start, an alert open in the log whose rule no longer applies is resolved; others stay open', () => {
    const old = setup({
      rules: { down: { type: 'down', after_seconds: 0 }, flap: { type: 'flapping', incidents: 1 } },
    });
    old.feed('server_down', { server_name: 'a', reason: 'x' });
    old.feed('server_down', { server_name: 'b', reason: 'x' });
    const ledger = initialLedger();
    for (const e of old.alerts('alert_fired')) applyAlertEvent(ledger, e);
    expect(ledger.open.size).toBe(4);
    const config = resolveConfig(
      {
        mcpServers: { a: { url: 'http://127.0.0.1:9/a' } },
        alerts: {
          sinks: { hook: { type: 'webhook', url: 'http://127.0.0.1:9/hook' } },
          rules: { down: { type: 'down' } },
        },
      },
      'test.json',
      '/tmp',
      {},
    );
    const clock = manualClock();
    const out: SelfhealEvent[] = [];
    const owed: PendingDelivery[] = [];
    const engine = createAlertEngine({
      settings: config.alerts!,
      clock,
      events: createEventFactory({ clock }),
      ledger,
      publish: (e) => out.push(e),
      owe: (p) => owed.push(p),
    });
    engine.resolveOrphans();
    // b left the config: both its alerts go; a keeps the rule it still has.
    expect(out.map((e) => [e.server_name, (e as Record<string, unknown>).rule])).toEqual([
      ['a', 'flap'],
      ['b', 'down'],
      ['b', 'flap'],
    ]);
    expect(out.every((e) => e.event_type === 'alert_resolved')).toBe(true);
    expect(owed.map((p) => `${p.action} ${p.sink}`)).toEqual([
      'resolve hook',
      'resolve hook',
      'resolve hook',
    ]);
    expect([...ledger.open.values()].map((o) => o.rule)).toEqual(['down']);
  });
});

describe('alerts in a fleet of replicas (RFC 0018)', () => {
  const rules = { rules: { down: { type: 'down', after_seconds: 5 } } };

  it("a remote server's alert is decided only while this replica holds the lease; a new holder decides at once", () => {
    let held = false;
    const t = setup(rules, ['a', 'local'], { replica: 'gw-2', holdsLease: () => held });
    t.feed('server_down', { server_name: 'a', reason: 'refused' });
    t.clock.advance(10_000);
    expect(t.alerts('alert_fired')).toHaveLength(0);
    held = true;
    t.engine.takeOver();
    const fired = t.alerts('alert_fired') as Record<string, unknown>[];
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ server_name: 'a', rule: 'down' });
    expect(String(fired[0]!.summary)).not.toContain('replica');
    // Lost again: the server's return is the next holder's to resolve.
    held = false;
    t.feed('server_recovered', { server_name: 'a' });
    expect(t.alerts('alert_resolved')).toHaveLength(0);
  });

  it("another replica's notice of a remote server is owed here only once this replica holds the lease", () => {
    let held = false;
    const t = setup(rules, ['a'], { replica: 'gw-2', holdsLease: () => held });
    const other = createEventFactory({ clock: t.clock, replica: 'gw-1' });
    t.engine.observe(
      other.createOther('alert_fired', {
        server_name: 'a',
        alert_id: 'down/a/1',
        rule: 'down',
        rule_type: 'down',
        severity: 'critical',
        summary: 'a is down',
        sinks: ['hook'],
        details: {},
      }),
    );
    expect(t.owed).toHaveLength(0);
    expect(t.engine.ledger.open.size).toBe(1);
    held = true;
    t.engine.takeOver();
    expect(t.owed.map((p) => [p.alertId, p.action])).toEqual([['down/a/1', 'trigger']]);
    // The holder resolves the alert the dead replica fired, under its id.
    t.feed('server_recovered', { server_name: 'a' });
    expect(t.alerts('alert_resolved')).toMatchObject([{ alert_id: 'down/a/1' }]);
  });

  it("a stdio server's alert is its replica's, whoever holds the lease, and names the replica", () => {
    const t = setup(rules, ['a', 'local'], { replica: 'gw-2', holdsLease: () => false });
    t.feed('server_down', { server_name: 'local', reason: 'exited' });
    t.clock.advance(5000);
    const fired = t.alerts('alert_fired') as Record<string, unknown>[];
    expect(fired).toHaveLength(1);
    expect(String(fired[0]!.alert_id)).toMatch(/^down\/local@gw-2\//);
    expect(fired[0]!.summary).toContain('(replica gw-2)');
    expect(fired[0]!.details).toMatchObject({ replica: 'gw-2' });
  });
});
