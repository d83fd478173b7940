import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../src/alerts/signature.js';
import { startAlertReceiver } from './helpers/alertReceiver.js';
import { alertsFolder, hook, pd, ROUTING_KEY, SECRET, until } from './helpers/alertsFolder.js';
import { startCli } from './helpers/cliProcess.js';

describe('alerts end to end', { timeout: 30_000 }, () => {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const start = (config: string, dir: string) => {
    const cli = startCli(['start', '--config', config, '--port', '0', '--call-log', 'off'], dir);
    cleanup.push(async () => {
      if (cli.child.exitCode === null && cli.child.signalCode === null) {
        cli.child.kill('SIGTERM');
        await cli.exited;
      }
    });
    return cli;
  };

  it('a stdio server killed past the threshold: one trigger, then one resolve with the same dedup key', async () => {
    const receiver = await startAlertReceiver();
    cleanup.push(() => receiver.close());
    const f = alertsFolder(receiver);
    cleanup.push(() => rmSync(f.dir, { recursive: true, force: true }));
    const cli = start(f.config, f.dir);
    await cli.until(/ready: 1 of 1 servers up/);
    const first = f.pid();
    process.kill(first, 'SIGKILL');
    const [trigger] = await receiver.until(1, pd('trigger'));
    const [resolve] = await receiver.until(1, pd('resolve'));
    await receiver.until(1, hook('resolve'));
    // Everything owed was delivered and recorded: nothing more is on its way.
    await until(
      () => f.events().filter((e) => e.event_type === 'alert_delivered').length === 4,
      'four alert_delivered events',
    );
    expect(f.pid()).not.toBe(first);
    expect(receiver.received.filter(pd('trigger'))).toHaveLength(1);
    expect(receiver.received.filter(pd('resolve'))).toHaveLength(1);
    expect(receiver.received.filter(hook('trigger'))).toHaveLength(1);
    expect(receiver.received.filter(hook('resolve'))).toHaveLength(1);
    expect(trigger!.json).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      payload: { source: 'victim', severity: 'critical', component: 'victim' },
    });
    expect(String((trigger!.json.payload as Record<string, unknown>).summary)).toMatch(
      /^victim has been down for \d+ s \(threshold 1 s\)$/,
    );
    expect(resolve!.json).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: trigger!.json.dedup_key,
    });
    // The webhook is signed; its alert id is the PagerDuty dedup key.
    const signed = receiver.received.find(hook('trigger'))!;
    expect(signed.json).toMatchObject({
      alert: { id: trigger!.json.dedup_key, server_name: 'victim' },
    });
    expect(
      verifyWebhook({
        secret: SECRET,
        body: signed.raw.toString('utf8'),
        signature: signed.headers['x-selfheal-signature'] as string,
        timestamp: signed.headers['x-selfheal-timestamp'] as string,
        nowSeconds: Date.now() / 1000,
      }),
    ).toBe(true);
    const types = f.events().map((e) => e.event_type);
    expect(types.filter((t) => t === 'alert_fired')).toHaveLength(1);
    expect(types.filter((t) => t === 'alert_resolved')).toHaveLength(1);
  });

  it('selfheal monitor runs the same alerts', async () => {
    const receiver = await startAlertReceiver();
    cleanup.push(() => receiver.close());
    const f = alertsFolder(receiver);
    cleanup.push(() => rmSync(f.dir, { recursive: true, force: true }));
    const monitor = startCli(['monitor', '--config', f.config], f.dir);
    cleanup.push(async () => {
      if (monitor.child.exitCode === null) {
        monitor.child.kill('SIGTERM');
        await monitor.exited;
      }
    });
    await monitor.until(/victim server_started/);
    await until(
      () => existsSync(f.pidFile) && readFileSync(f.pidFile, 'utf8') !== '',
      'the pid file',
    );
    process.kill(f.pid(), 'SIGKILL');
    const [trigger] = await receiver.until(1, pd('trigger'));
    await monitor.until(/victim alert_fired: victim has been down/);
    expect(trigger!.json).toMatchObject({ event_action: 'trigger', payload: { source: 'victim' } });
  });
});
