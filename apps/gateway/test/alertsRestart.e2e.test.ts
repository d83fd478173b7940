import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startAlertReceiver } from './helpers/alertReceiver.js';
import { alertsFolder, hook, pd, until } from './helpers/alertsFolder.js';
import { startCli } from './helpers/cliProcess.js';

describe('alerts across a gateway restart', { timeout: 30_000 }, () => {
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

  it('a gateway SIGKILLed between fire and delivery: the restarted one delivers it exactly once', async () => {
    const receiver = await startAlertReceiver();
    cleanup.push(() => receiver.close());
    const f = alertsFolder(receiver);
    cleanup.push(() => rmSync(f.dir, { recursive: true, force: true }));
    // The receiver is away: the alert fires, its delivery fails and is owed.
    await receiver.close();
    const cli = start(f.config, f.dir);
    await cli.until(/ready: 1 of 1 servers up/);
    process.kill(f.pid(), 'SIGKILL');
    const fired = await until(
      () => f.events().find((e) => e.event_type === 'alert_fired'),
      'alert_fired in the log',
    );
    await until(
      () => f.events().some((e) => e.event_type === 'alert_delivery_failed'),
      'a failed delivery in the log',
    );
    cli.child.kill('SIGKILL');
    await cli.exited;
    expect(f.events().some((e) => e.event_type === 'alert_delivered')).toBe(false);
    await receiver.listen();
    const again = start(f.config, f.dir);
    // Owed from the log: the trigger, to both sinks.
    await again.until(/alerts {2}1 open, 2 deliveries owed from the log/);
    const [trigger] = await receiver.until(1, pd('trigger'));
    expect(trigger!.json.dedup_key).toBe(fired.alert_id);
    // The new gateway sees the server up and resolves the alert the old one fired.
    await receiver.until(1, pd('resolve'));
    await receiver.until(1, hook('resolve'));
    await until(
      () => f.events().filter((e) => e.event_type === 'alert_delivered').length === 4,
      'four alert_delivered events',
    );
    again.child.kill('SIGTERM');
    await again.exited;
    expect(receiver.received.filter(pd('trigger'))).toHaveLength(1);
    expect(receiver.received.filter(hook('trigger'))).toHaveLength(1);
    expect(receiver.received.filter(pd('resolve'))[0]!.json.dedup_key).toBe(fired.alert_id);
    // A third start owes nothing: none is sent twice.
    const third = start(f.config, f.dir);
    await third.until(/alerts {2}0 open, 0 deliveries owed from the log/);
    expect(f.events().filter((e) => e.event_type === 'alert_fired')).toHaveLength(1);
  });
});
