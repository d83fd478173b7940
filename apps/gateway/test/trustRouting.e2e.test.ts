import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/runCli.js';
import { connect, events, startGateway, until } from './helpers/trustGateway.js';

const FAULTY = fileURLToPath(new URL('../../../examples/servers/faulty.js', import.meta.url));

describe('routing by trust (RFC 0017)', () => {
  it('a server failing 30% of its calls loses its traffic to its fallback as its trust falls, and wins it back once it heals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-trust-'));
    const config = join(dir, 'gateway.yaml');
    const log = join(dir, 'events.jsonl');
    const errors = join(dir, 'errors-on');
    writeFileSync(errors, '');
    const server = (env: string) =>
      `{ command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(FAULTY)}], env: ${env}`;
    writeFileSync(
      config,
      [
        'mcpServers:',
        // No breaker on either: only trust moves the traffic here.
        `  flaky: ${server(`{ ERROR_RATE: "0.3", ERROR_FILE: ${JSON.stringify(errors)}, FAULT_SEED: "7" }`)}, fallback: [backup], resilience: { circuit_breaker: { enabled: false } } }`,
        `  backup: ${server('{}')}, resilience: { circuit_breaker: { enabled: false } } }`,
        'health_check: { interval_seconds: 0.2, startup_grace_seconds: 0 }',
        // Fast-moving scores, so the test runs in seconds: evidence halves every 2 s and a
        // passing check weighs as much as a call.
        'trust: { half_life_seconds: 2, weights: { check_ok: 1 } }',
        'event_emission: { path: events.jsonl, durability: per_event }',
        '',
      ].join('\n'),
    );
    const { gateway, url } = await startGateway(dir, config);
    const { client } = await connect(url);
    /**
     * Calls flaky__echo `n` times, 50 ms apart: the server each went to. A JSON-RPC error is
     * flaky's (the backup never fails; an upstream's error answer is not a reason to fall back).
     */
    const calls = async (n: number) => {
      const served: string[] = [];
      for (let i = 0; i < n; i++) {
        try {
          const r = await client.callTool({ name: 'flaky__echo', arguments: { message: `${i}` } });
          served.push(String((r._meta as Record<string, unknown>)['selfheal/served_by']));
        } catch (error) {
          expect((error as Error).message).toContain('faulty: injected internal error');
          served.push('flaky');
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return served;
    };
    const share = (served: string[]) => served.filter((s) => s === 'flaky').length / served.length;

    // While it fails, flaky is tried first only until its trust falls; then the fallback is,
    // and flaky gets a call again only when its checks have raised it back, to fail again.
    const early = await calls(10);
    const failing = await calls(60);
    // At equal trust the config order stands: flaky first.
    expect(early[0]).toBe('flaky');
    expect(share(failing)).toBeLessThan(0.35);
    const fell = events(log).find(
      (e) =>
        e.event_type === 'trust_changed' && e.server_name === 'flaky' && e.signal === 'call_failed',
    );
    expect(fell).toBeDefined();

    // Healed: its checks raise its trust back within the routing margin, and it keeps the
    // traffic it wins back (every call now answers).
    rmSync(errors);
    const healed = await until(async () => {
      const window = await calls(20);
      return window.every((s) => s === 'flaky') ? window : undefined;
    });
    expect(healed).toHaveLength(20);
    const steady = await calls(20);
    expect(share(steady)).toBe(1);

    // Replay of the log gives the scores the gateway shows.
    const origin = new URL(url).origin;
    const eco = (await (await fetch(`${origin}/health/ecosystem`)).json()) as {
      details: { server_name: string; trust: { score: number } }[];
    };
    const replayed = JSON.parse((await runCli('replay', log, '--json')).stdout) as {
      trust: { servers: Record<string, { score?: number }> };
    };
    for (const name of ['flaky', 'backup'])
      expect(replayed.trust.servers[name]?.score ?? 0.5).toBe(
        eco.details.find((d) => d.server_name === name)!.trust.score,
      );
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  }, 60_000);
});
