import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/loadConfig.js';
import { type AlertReceiver, startAlertReceiver } from './helpers/alertReceiver.js';
import { runCli } from './helpers/runCli.js';

process.env.SELFHEAL_CLI_PD_KEY = 'cli-routing-key';

describe('selfheal alerts test', () => {
  let receiver: AlertReceiver;
  let dir: string;
  let config: string;
  let closedPort: number;
  beforeAll(async () => {
    receiver = await startAlertReceiver();
    // A port nothing listens on: a receiver started and stopped.
    const away = await startAlertReceiver();
    closedPort = away.port;
    await away.close();
    dir = mkdtempSync(join(tmpdir(), 'sh-alerts-cli-'));
    config = join(dir, 'selfheal.json');
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: { a: { url: 'http://127.0.0.1:9/mcp' } },
        alerts: {
          sinks: {
            hook: { type: 'webhook', url: `${receiver.url}/hook` },
            chat: { type: 'slack', url: `${receiver.url}/slack` },
            pd: {
              type: 'pagerduty',
              url: `${receiver.url}/pd`,
              routing_key_env: 'SELFHEAL_CLI_PD_KEY',
            },
            script: {
              type: 'command',
              command: 'cat > notice.json && echo "$SELFHEAL_ALERT_ACTION" > action.txt',
            },
            broken: { type: 'command', command: 'echo no route >&2; exit 3' },
            gone: {
              type: 'webhook',
              url: `http://127.0.0.1:${closedPort}/nothing-listens`,
              timeout_seconds: 2,
            },
          },
        },
      }),
    );
  });
  afterAll(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a test alert to each sink and prints each answer; exit 1 when one fails', async () => {
    const { code, stdout } = await runCli('alerts', 'test', '--config', config);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^hook \(webhook\): delivered in \d+ ms: HTTP 202 /m);
    expect(stdout).toMatch(/^chat \(slack\): delivered/m);
    expect(stdout).toMatch(/^pd \(pagerduty trigger\): delivered .*HTTP 202 .*success/m);
    expect(stdout).toMatch(/^pd \(pagerduty resolve\): delivered/m);
    expect(stdout).toMatch(/^script \(command\): delivered in \d+ ms: exit 0/m);
    expect(stdout).toMatch(/^broken \(command\): FAILED in \d+ ms: .*exit code 3: no route/m);
    expect(stdout).toMatch(
      /^gone \(webhook\): FAILED in \d+ ms: POST http:\/\/127\.0\.0\.1:\d+\/…: ECONNREFUSED/m,
    );
    const byPath = (p: string) => receiver.received.filter((r) => r.path === p);
    expect(byPath('/hook')[0]!.json).toMatchObject({
      action: 'trigger',
      test: true,
      alert: { severity: 'info' },
    });
    expect(byPath('/slack')[0]!.json.text).toMatch(/Test\* test: Selfheal test alert/);
    const [trigger, resolve] = byPath('/pd').map((r) => r.json);
    expect(trigger).toMatchObject({
      event_action: 'trigger',
      routing_key: 'cli-routing-key',
      payload: { severity: 'info' },
    });
    expect(resolve).toEqual({
      routing_key: 'cli-routing-key',
      event_action: 'resolve',
      dedup_key: trigger!.dedup_key,
    });
    // The command ran in the config's folder with the notice on stdin.
    expect(JSON.parse(readFileSync(join(dir, 'notice.json'), 'utf8'))).toMatchObject({
      test: true,
    });
    expect(readFileSync(join(dir, 'action.txt'), 'utf8').trim()).toBe('trigger');
  });

  it('--sink sends to one sink; an unknown one is a usage error naming the known ones', async () => {
    const before = receiver.received.length;
    const one = await runCli('alerts', 'test', '--config', config, '--sink', 'hook');
    expect(one.code).toBe(0);
    expect(receiver.received.length).toBe(before + 1);
    const bad = await runCli('alerts', 'test', '--config', config, '--sink', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no sink "nope" under alerts.sinks');
    expect(bad.stderr).toContain('known: hook, chat, pd, script, broken, gone');
  });
});

describe('alerts config errors', () => {
  const load =
    (alerts: unknown, env: Record<string, string> = {}) =>
    () =>
      resolveConfig(
        { mcpServers: { a: { url: 'http://127.0.0.1:9/mcp' } }, alerts },
        'f.yaml',
        '/tmp',
        env,
      );

  it('name the key and the fix', () => {
    expect(load({ sinks: { pd: { type: 'pagerduty', routing_key_env: 'PD_KEY' } } })).toThrow(
      'f.yaml: alerts.sinks.pd.routing_key_env: the environment variable PD_KEY is not set',
    );
    expect(load({ sinks: { pd: { type: 'pagerduty' } } })).toThrow(
      /\/alerts\/sinks\/pd: .*routing_key_env/,
    );
    expect(load({ rules: { d: { type: 'down', sinks: ['pager'] } } })).toThrow(
      'alerts.rules.d.sinks: no sink "pager" under alerts.sinks (known: none)',
    );
    expect(load({ rules: { d: { type: 'down' } }, servers: { b: { d: false } } })).toThrow(
      'alerts.servers.b: no server "b" under mcpServers (known: a)',
    );
    expect(load({ rules: { d: { type: 'down' } }, servers: { a: { x: false } } })).toThrow(
      'alerts.servers.a.x: no rule "x" under alerts.rules (known: d)',
    );
    expect(
      load({ rules: { d: { type: 'down' } }, servers: { a: { d: { type: 'flapping' } } } }),
    ).toThrow(/\/alerts\/servers\/a\/d: .*keeps the rule's type/);
    expect(
      load({ sinks: { s: { type: 'slack', url_env: 'HOOK' } } }, { HOOK: 'hooks.slack.com/x' }),
    ).toThrow('alerts.sinks.s.url_env: HOOK holds no http(s) URL');
  });
});
