import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/runCli.js';
import { connect, startGateway, untilLogged } from './helpers/trustGateway.js';

const MISBEHAVING = fileURLToPath(
  new URL('../../../examples/servers/misbehaving.js', import.meta.url),
);

describe('protocol violations (RFC 0017)', () => {
  it("withholds a result that breaks the tool's outputSchema with a clear error, counts it and a stdout line that is not JSON-RPC against the server, and replay shows the trust the gateway showed", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-violation-'));
    const config = join(dir, 'gateway.yaml');
    const log = join(dir, 'events.jsonl');
    writeFileSync(
      config,
      [
        'mcpServers:',
        `  weather: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(MISBEHAVING)}] }`,
        // Only violations move the score while the test reads it (checks and answered calls
        // count for nothing), in steps fine enough to show a stray line's light weight.
        'trust: { weights: { check_ok: 0, call_ok: 0 }, step: 0.01 }',
        'event_emission: { path: events.jsonl, durability: per_event }',
        '',
      ].join('\n'),
    );
    const { gateway, url } = await startGateway(dir, config);
    const { client } = await connect(url);
    // Listing makes the client's SDK validate structuredContent against each outputSchema.
    await client.listTools();
    const call = (name: string, args: Record<string, unknown>) =>
      client.callTool({ name: `weather__${name}`, arguments: args });
    const origin = new URL(url).origin;
    const shownTrust = async () => {
      const eco = (await (await fetch(`${origin}/health/ecosystem`)).json()) as {
        details: { server_name: string; trust: { score: number; quarantined: boolean } }[];
      };
      return eco.details.find((d) => d.server_name === 'weather')!.trust;
    };

    const fine = await call('forecast', { city: 'Paris' });
    expect(fine.structuredContent).toEqual({ temperature: 21 });
    const before = (await shownTrust()).score;

    // The client gets a tool error naming the server, the tool and the first schema error,
    // where its SDK would otherwise have rejected the result without saying which server.
    const broken = await call('forecast', { city: 'Atlantis' });
    expect(broken.isError).toBe(true);
    expect(broken.structuredContent).toBeUndefined();
    expect((broken.content as { text: string }[])[0]!.text).toBe(
      `server "weather" answered tools/call "forecast" with a result that breaks the tool's outputSchema: structuredContent/temperature: expected a value of type number, found "warm". The result was withheld (trust.on_violation: error); the server must be fixed to return what its tool declares.`,
    );
    expect(broken._meta).toMatchObject({
      'selfheal/error': { code: 'OUTPUT_SCHEMA_VIOLATION', server: 'weather', tool: 'forecast' },
    });
    const violation = await untilLogged(log, (all) =>
      all.find((e) => e.event_type === 'protocol_violation' && e.kind === 'output_schema'),
    );
    expect(violation).toMatchObject({
      server_name: 'weather',
      tool: 'forecast',
      error: 'structuredContent/temperature: expected a value of type number, found "warm"',
      action: 'error',
    });
    const pinned = await untilLogged(log, (all) =>
      all.find((e) => e.event_type === 'tool_pinned' && e.tool === 'forecast'),
    );
    expect(violation.hash).toBe(pinned.hash);
    const fell = await untilLogged(log, (all) =>
      all.find((e) => e.event_type === 'trust_changed' && e.signal === 'protocol_violation'),
    );
    expect(fell.score as number).toBeLessThan(before);

    // A line on stdout that is not JSON-RPC: skipped (the call is answered), and a violation.
    const chatty = await call('chatter', {});
    expect(chatty.isError).toBeFalsy();
    const garbage = await untilLogged(log, (all) =>
      all.find((e) => e.event_type === 'protocol_violation' && e.kind === 'invalid_message'),
    );
    expect(garbage).toMatchObject({ server_name: 'weather' });
    expect(garbage.error).toMatch(
      /^wrote a line to stdout that is not JSON \(Unexpected token 'c', "chatter ca"\.\.\. is not valid JSON\); stdout is for JSON-RPC only \(log to stderr\)$/,
    );
    const shown = await untilLogged(log, (all) =>
      all.some((e) => e.event_type === 'trust_changed' && e.signal === 'invalid_message')
        ? true
        : undefined,
    ).then(shownTrust);
    expect(shown.score).toBeLessThan(fell.score as number);

    // Replay of the log gives the trust /health/ecosystem showed.
    const replayed = JSON.parse((await runCli('replay', log, '--json')).stdout) as {
      trust: { servers: Record<string, { score?: number }> };
    };
    expect(replayed.trust.servers.weather!.score).toBe(shown.score);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  }, 60_000);

  it("counts a stdout line that is not JSON-RPC from a client's own process (session: per_client)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-violation-own-'));
    const config = join(dir, 'gateway.yaml');
    const log = join(dir, 'events.jsonl');
    writeFileSync(
      config,
      [
        'mcpServers:',
        `  weather: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(MISBEHAVING)}], session: per_client }`,
        'event_emission: { path: events.jsonl, durability: per_event }',
        '',
      ].join('\n'),
    );
    const { gateway, url } = await startGateway(dir, config);
    const { client } = await connect(url);
    // Served by the client's own process: the shared connection's never sees the call.
    const chatty = await client.callTool({ name: 'weather__chatter', arguments: {} });
    expect(chatty.isError).toBeFalsy();
    const garbage = await untilLogged(log, (all) =>
      all.find((e) => e.event_type === 'protocol_violation' && e.kind === 'invalid_message'),
    );
    expect(garbage).toMatchObject({ server_name: 'weather' });
    expect(garbage.error).toMatch(/^wrote a line to stdout that is not JSON \(/);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  }, 60_000);
});
