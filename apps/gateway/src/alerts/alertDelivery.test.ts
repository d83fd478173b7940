import { createEventFactory } from '@selfheal/events';
import type { SelfhealEvent } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../test/helpers/manualClock.js';
import type { SinkSpec } from './alertConfig.js';
import { createAlertDelivery, retryDelayMs } from './alertDelivery.js';
import { applyAlertEvent, initialLedger } from './alertLedger.js';
import type { AlertTransport, DeliveryResult, Notice } from './notice.js';

const settings = { initialMs: 1000, multiplier: 2, maxMs: 60_000, giveUpMs: 86_400_000 };

function sink(name: string, rate = { max: 100, perMs: 60_000 }): SinkSpec {
  return {
    name,
    type: 'webhook',
    url: 'http://127.0.0.1:9/',
    headers: {},
    timeoutMs: 5000,
    rateLimit: rate,
  };
}

/** A sink in memory whose answer the test sets; records the time of every attempt. */
function memorySink(clock: { now(): number }) {
  const attempts: { at: number; notice: Notice }[] = [];
  let answer: () => DeliveryResult = () => ({ ok: true, status: 202 });
  const transport: AlertTransport = {
    send: async (notice) => {
      attempts.push({ at: clock.now(), notice });
      return answer();
    },
  };
  return { transport, attempts, set: (a: () => DeliveryResult) => (answer = a) };
}

function fire(events: ReturnType<typeof createEventFactory>, id: string, sinks: string[]) {
  return events.createOther('alert_fired', {
    server_name: 'a',
    alert_id: id,
    rule: 'down',
    rule_type: 'down',
    severity: 'critical',
    summary: `${id} fired`,
    sinks,
  });
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('alert delivery', () => {
  it('a sink down for 30 s gets the notice once, on the first attempt after it is back', async () => {
    const clock = manualClock();
    const events = createEventFactory({ clock });
    const mem = memorySink(clock);
    const start = clock.now();
    mem.set(() =>
      clock.now() - start < 30_000
        ? { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:9' }
        : { ok: true, status: 202 },
    );
    const log: SelfhealEvent[] = [];
    const ledger = initialLedger();
    const delivery = createAlertDelivery({
      sinks: new Map([['hook', sink('hook')]]),
      transports: new Map([['hook', mem.transport]]),
      delivery: settings,
      clock,
      events,
      publish: (e) => {
        log.push(e);
        applyAlertEvent(ledger, e);
      },
      random: () => 0,
    });
    const fired = fire(events, 'x', ['hook']);
    applyAlertEvent(ledger, fired);
    for (const p of ledger.pending.values()) delivery.enqueue(p);
    for (let t = 0; t < 40; t++) {
      await settle();
      clock.advance(1000);
    }
    await settle();
    // Attempts at 0, 1, 3, 7, 15 and 31 s: five refused, the sixth delivered, then nothing.
    expect(mem.attempts.map((a) => (a.at - start) / 1000)).toEqual([0, 1, 3, 7, 15, 31]);
    expect(log.filter((e) => e.event_type === 'alert_delivery_failed')).toHaveLength(5);
    expect(log.filter((e) => e.event_type === 'alert_delivered')).toEqual([
      expect.objectContaining({ notice_id: fired.event_id, sink: 'hook', attempt: 6, status: 202 }),
    ]);
    expect(ledger.pending.size).toBe(0);
  });

  it('a resolve never overtakes its trigger; a 4xx is final; the rate limit delays, never drops', async () => {
    const clock = manualClock();
    const events = createEventFactory({ clock });
    const mem = memorySink(clock);
    const log: SelfhealEvent[] = [];
    const delivery = createAlertDelivery({
      sinks: new Map([['hook', sink('hook', { max: 2, perMs: 60_000 })]]),
      transports: new Map([['hook', mem.transport]]),
      delivery: settings,
      clock,
      events,
      publish: (e) => log.push(e),
      random: () => 0,
    });
    const ledger = initialLedger();
    const notices = [fire(events, 'x', ['hook']), fire(events, 'y', ['hook'])];
    notices.push(
      events.createOther('alert_resolved', {
        server_name: 'a',
        alert_id: 'x',
        rule: 'down',
        summary: 'up',
        sinks: ['hook'],
      }),
    );
    mem.set(() => ({ ok: false, status: 400, permanent: true, error: 'HTTP 400' }));
    for (const n of notices) applyAlertEvent(ledger, n);
    for (const p of ledger.pending.values()) delivery.enqueue(p);
    await settle();
    await settle();
    expect(mem.attempts.map((a) => a.notice.alertId)).toEqual(['x', 'y']);
    expect(log.map((e) => [e.event_type, (e as Record<string, unknown>).final])).toEqual([
      ['alert_delivery_failed', true],
      ['alert_delivery_failed', true],
    ]);
    mem.set(() => ({ ok: true, status: 202 }));
    clock.advance(59_999);
    await settle();
    expect(mem.attempts).toHaveLength(2);
    clock.advance(1);
    await settle();
    await settle();
    expect(mem.attempts.map((a) => `${a.notice.action} ${a.notice.alertId}`)).toEqual([
      'trigger x',
      'trigger y',
      'resolve x',
    ]);
  });

  it('backoff grows by the multiplier up to max, less at most 20% jitter', () => {
    expect([1, 2, 3, 4, 8].map((n) => retryDelayMs(settings, n, 0))).toEqual([
      1000, 2000, 4000, 8000, 60_000,
    ]);
    expect(retryDelayMs(settings, 3, 0.999)).toBeGreaterThanOrEqual(3200);
  });
});

describe('alert delivery in a fleet (RFC 0018)', () => {
  it('drops a delivery before its next attempt once this replica may not send it; it stays owed', async () => {
    const clock = manualClock();
    const events = createEventFactory({ clock });
    const mem = memorySink(clock);
    mem.set(() => ({ ok: false, error: 'connect ECONNREFUSED 127.0.0.1:9' }));
    const ledger = initialLedger();
    let holder = true;
    const delivery = createAlertDelivery({
      sinks: new Map([['hook', sink('hook')]]),
      transports: new Map([['hook', mem.transport]]),
      delivery: settings,
      clock,
      events,
      publish: (e) => applyAlertEvent(ledger, e),
      mayDeliver: () => holder,
      random: () => 0,
    });
    applyAlertEvent(ledger, fire(events, 'x', ['hook']));
    for (const p of ledger.pending.values()) delivery.enqueue(p);
    await settle();
    expect(mem.attempts).toHaveLength(1);
    // The lease moved: the retry due in 1 s is not made, and the queue empties.
    holder = false;
    for (let t = 0; t < 10; t++) {
      clock.advance(1000);
      await settle();
    }
    expect(mem.attempts).toHaveLength(1);
    expect(delivery.waiting).toBe(0);
    expect(ledger.pending.size).toBe(1);
  });
});
