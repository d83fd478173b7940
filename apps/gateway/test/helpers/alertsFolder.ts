import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertReceiver, Received } from './alertReceiver.js';

const SERVER = fileURLToPath(new URL('./pidFileServer.mjs', import.meta.url));
/** The webhook secret the folders' configs name (in SELFHEAL_E2E_HOOK_SECRET). */
export const SECRET = 'e2e-webhook-secret';
/** The PagerDuty routing key they name (in SELFHEAL_E2E_PD_KEY). */
export const ROUTING_KEY = 'e2e-routing-key-0123456789abcdef';
process.env.SELFHEAL_E2E_HOOK_SECRET = SECRET;
process.env.SELFHEAL_E2E_PD_KEY = ROUTING_KEY;

/** A config folder: one stdio server that writes its pid, alerts to a local receiver. */
export function alertsFolder(receiver: AlertReceiver, extra: { afterSeconds?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sh-alerts-'));
  const pidFile = join(dir, 'victim.pid');
  const config = {
    mcpServers: {
      victim: { command: process.execPath, args: [SERVER], env: { PID_FILE: pidFile } },
    },
    health_check: {
      probes: ['ping', 'process'],
      interval_seconds: 1,
      unhealthy_interval_seconds: 0.5,
      success_threshold: 1,
      startup_grace_seconds: 0,
    },
    // The first restart comes 3 s after the crash: down past the 1 s threshold.
    recovery: { backoff: { initial_seconds: 3 } },
    event_emission: { path: 'events.jsonl' },
    alerts: {
      rules: { down: { type: 'down', after_seconds: extra.afterSeconds ?? 1 } },
      sinks: {
        hook: {
          type: 'webhook',
          url: `${receiver.url}/hook`,
          secret_env: 'SELFHEAL_E2E_HOOK_SECRET',
        },
        pd: {
          type: 'pagerduty',
          url: `${receiver.url}/pd`,
          routing_key_env: 'SELFHEAL_E2E_PD_KEY',
        },
      },
      delivery: { timeout_seconds: 2, retry: { initial_seconds: 0.5, max_seconds: 2 } },
    },
  };
  writeFileSync(join(dir, 'selfheal.json'), JSON.stringify(config, null, 2));
  return {
    dir,
    config: join(dir, 'selfheal.json'),
    pid: () => Number(readFileSync(pidFile, 'utf8')),
    pidFile,
    events: (): Record<string, unknown>[] =>
      existsSync(join(dir, 'events.jsonl'))
        ? readFileSync(join(dir, 'events.jsonl'), 'utf8')
            .split('\n')
            .filter((l) => l.trim() !== '')
            .flatMap((l) => {
              try {
                return [JSON.parse(l)];
              } catch {
                return [];
              }
            })
        : [],
  };
}

/** Polls `read` until it returns a value (a deadline for a hung test, not a pass condition). */
export async function until<T>(read: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A PagerDuty event of `action` the receiver took (answered 202). */
export const pd = (action: string) => (r: Received) =>
  r.path === '/pd' && r.answered === 202 && r.json.event_action === action;
/** A webhook notice of `action` the receiver took (answered 202). */
export const hook = (action: string) => (r: Received) =>
  r.path === '/hook' && r.answered === 202 && r.json.action === action;
