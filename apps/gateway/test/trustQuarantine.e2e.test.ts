import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/runCli.js';
import { connect, startGateway, toolNames, until, untilLogged } from './helpers/trustGateway.js';

const FAULTY = fileURLToPath(new URL('../../../examples/servers/faulty.js', import.meta.url));

describe('quarantine (RFC 0017)', () => {
  it('refuses a quarantined server until an operator approves it, and hides another until its probation ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-quarantine-'));
    const config = join(dir, 'gateway.yaml');
    const log = join(dir, 'events.jsonl');
    const errors = join(dir, 'errors-on');
    writeFileSync(errors, '');
    const server = (prefix: string, trust: string) =>
      `{ command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(FAULTY)}], env: { ERROR_RATE: "1", ERROR_FILE: ${JSON.stringify(errors)} }, prefix: ${prefix}, resilience: { circuit_breaker: { enabled: false } }, trust: ${trust} }`;
    writeFileSync(
      config,
      [
        'mcpServers:',
        // Passing checks count for nothing here, so four failed calls take a server below 0.35 (its recovery at start weighs one good).
        `  refused: ${server('r', '{ quarantine: refuse, probation_checks: 1000 }')}`,
        `  hidden: ${server('h', '{ quarantine: hide, probation_checks: 10 }')}`,
        'health_check: { interval_seconds: 0.2, startup_grace_seconds: 0 }',
        'trust: { quarantine_below: 0.35, weights: { check_ok: 0 } }',
        'event_emission: { path: events.jsonl, durability: per_event }',
        '',
      ].join('\n'),
    );
    const { gateway, url, socket } = await startGateway(dir, config);
    const { client, changes } = await connect(url);
    const call = (name: string) => client.callTool({ name, arguments: { message: 'x' } });
    for (let i = 0; i < 4; i++) await expect(call('r__echo')).rejects.toThrow(/injected/);
    const quarantined = await untilLogged(log, (all) =>
      all.find((e) => e.event_type === 'server_quarantined' && e.server_name === 'refused'),
    );
    expect(quarantined).toMatchObject({ threshold: 0.35, reason: 'call_failed' });
    // Refused with the reason and the command; still listed.
    const refused = await call('r__echo');
    expect(refused.isError).toBe(true);
    const text = (refused.content as { text: string }[])[0]!.text;
    expect(text).toContain('server "refused" is quarantined');
    expect(text).toContain('selfheal approve refused');
    expect(refused._meta).toMatchObject({ 'selfheal/error': { code: 'SERVER_QUARANTINED' } });
    expect(await toolNames(client)).toContain('r__echo');

    // Hide mode: the tools leave the list (clients are told) until 10 good checks in a row (2 s).
    const before = changes.length;
    for (let i = 0; i < 4; i++) await expect(call('h__echo')).rejects.toThrow(/injected/);
    await until(async () => (changes.length > before ? true : undefined));
    rmSync(errors);
    const listed = await toolNames(client);
    const released = await untilLogged(log, (all) =>
      all.find((e) => e.event_type === 'server_released' && e.server_name === 'hidden'),
    );
    expect(released).toMatchObject({ by: 'probation', checks: 10 });
    // Listed right after the list_changed, well inside the 2 s probation: hidden then.
    expect(listed.some((n) => n.startsWith('h__'))).toBe(false);
    expect(listed).toContain('r__echo');
    await until(async () => ((await toolNames(client)).includes('h__echo') ? true : undefined));

    // An operator ends the other quarantine; the healed server serves again.
    const approved = await runCli('approve', 'refused', '--control', socket, '--operator', 'ana');
    expect(approved.code).toBe(0);
    const ok = await call('r__echo');
    expect(ok.isError).toBeFalsy();

    // Replay gives the quarantine states the gateway shows.
    const origin = new URL(url).origin;
    const eco = (await (await fetch(`${origin}/health/ecosystem`)).json()) as {
      details: { server_name: string; trust: { score: number; quarantined: boolean } }[];
    };
    const replayed = JSON.parse((await runCli('replay', log, '--json')).stdout) as {
      trust: { servers: Record<string, { score?: number; quarantined?: unknown }> };
    };
    for (const name of ['refused', 'hidden']) {
      const shown = eco.details.find((d) => d.server_name === name)!.trust;
      expect(shown.quarantined).toBe(false);
      expect(replayed.trust.servers[name]!.quarantined).toBeUndefined();
      expect(replayed.trust.servers[name]!.score).toBe(shown.score);
    }
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  }, 60_000);
});
