import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startAlertReceiver } from './helpers/alertReceiver.js';
import { alertsFolder, hook, pd, until } from './helpers/alertsFolder.js';
import { startCli } from './helpers/cliProcess.js';

// The receiver stays away for the real 30 s, so this file takes about 40 s: over the
// usual 20 s a file, on purpose (RFC 0015). SELFHEAL_ALERTS_OUTAGE_MS shortens it for a quick
// local run; the delivery's backoff over a 30 s outage is also covered on a manual clock
// (src/alerts/alertDelivery.test.ts).
const OUTAGE_MS = Number(process.env.SELFHEAL_ALERTS_OUTAGE_MS ?? 30_000);

describe('alerts while the receiver is away', { timeout: OUTAGE_MS + 40_000 }, () => {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it(`a receiver down for ${OUTAGE_MS / 1000} s gets the alert once, after it returns`, async () => {
    const receiver = await startAlertReceiver();
    cleanup.push(() => receiver.close());
    const f = alertsFolder(receiver);
    cleanup.push(() => rmSync(f.dir, { recursive: true, force: true }));
    const cli = startCli(
      ['start', '--config', f.config, '--port', '0', '--call-log', 'off'],
      f.dir,
    );
    cleanup.push(async () => {
      if (cli.child.exitCode === null) {
        cli.child.kill('SIGTERM');
        await cli.exited;
      }
    });
    await cli.until(/ready: 1 of 1 servers up/);
    await receiver.close();
    process.kill(f.pid(), 'SIGKILL');
    await until(
      () => f.events().some((e) => e.event_type === 'alert_delivery_failed'),
      'a failed delivery in the log',
    );
    const away = Date.now();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const failedWhileAway = f.events().filter((e) => e.event_type === 'alert_delivery_failed');
    await receiver.listen();
    const back = Date.now();
    const [trigger] = await receiver.until(1, pd('trigger'));
    await receiver.until(1, pd('resolve'));
    await receiver.until(1, hook('resolve'));
    await until(
      () => f.events().filter((e) => e.event_type === 'alert_delivered').length === 4,
      'four alert_delivered events',
    );
    expect(back - away).toBeGreaterThanOrEqual(OUTAGE_MS);
    // Tried again and again while away (backoff capped at 2 s), every attempt an event.
    expect(failedWhileAway.length).toBeGreaterThanOrEqual(Math.min(10, OUTAGE_MS / 2000));
    expect(failedWhileAway.every((e) => e.final === false)).toBe(true);
    // Once: one trigger and one resolve per sink, the trigger first, nothing while away.
    const order = receiver.received.map((r) => `${r.path} ${r.json.event_action ?? r.json.action}`);
    expect(order.filter((o) => o.startsWith('/pd'))).toEqual(['/pd trigger', '/pd resolve']);
    expect(order.filter((o) => o.startsWith('/hook'))).toEqual(['/hook trigger', '/hook resolve']);
    expect(receiver.received.filter(hook('trigger'))[0]!.json.alert).toMatchObject({
      id: trigger!.json.dedup_key,
    });
  });
});
