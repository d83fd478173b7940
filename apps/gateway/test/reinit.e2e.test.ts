import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recordEvents } from './helpers/faultyUpstream.js';
import { type RunningGateway, startGateway } from './helpers/gatewayHarness.js';
import { startTestUpstream, type TestUpstream } from './helpers/testUpstream.js';

const SESSION = fileURLToPath(new URL('./helpers/sessionServer.mjs', import.meta.url));
const text = (result: unknown) =>
  (result as { content: { text: string }[] }).content.map((c) => c.text).join('');

describe('transparent re-initialisation of a client session’s upstream link', () => {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-reinit-'));
  const crashLog = join(dir, 'crashes.log');
  let upstream: TestUpstream;
  let gw: RunningGateway;
  let client: Client;
  let events: ReturnType<typeof recordEvents>;

  beforeAll(async () => {
    writeFileSync(crashLog, '');
    upstream = await startTestUpstream();
    gw = await startGateway({
      mcpServers: {
        // A session of the client's own (RFC 0010): re-initialised with its capabilities.
        solo: {
          command: process.execPath,
          args: [SESSION],
          env: { CRASH_LOG: crashLog },
          session: 'per_client',
        },
        spare: { command: process.execPath, args: [SESSION], session: 'per_client' },
        // The shared connection: the monitor restarts the process, the call waits for it.
        shared: { command: process.execPath, args: [SESSION] },
        t: { url: upstream.url },
      },
      // A fallback must not take a call that may have run on solo already (RFC 0008).
      fallbacks: { solo__slow_write: ['spare__slow_write'] },
    });
    client = await gw.connect({ roots: { listChanged: true } }, 'reinit-client');
    events = recordEvents(gw.gateway);
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await upstream?.stop();
  });

  const pidOf = async (server = 'solo') =>
    Number(text(await client.callTool({ name: `${server}__pid`, arguments: {} })));

  /**
   * Calls a slow tool (it answers at once on a resend: its mark file exists by then), and kills
   * the client session's own process of `solo` with SIGKILL while the upstream works on it.
   */
  const killMidCall = async (tool: string) => {
    const pid = await pidOf(tool.split('__')[0]);
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const call = client.callTool(
      { name: tool, arguments: { mark: join(dir, `${tool}-${pid}`) } },
      undefined,
      { onprogress: () => started() },
    );
    await running;
    process.kill(pid, 'SIGKILL');
    return { pid, result: await call };
  };

  it('resends a read-only call in flight when its process dies, on a new process with the same capabilities', async () => {
    const caps = text(await client.callTool({ name: 'solo__caps', arguments: {} }));
    expect(JSON.parse(caps)).toEqual({
      capabilities: { roots: { listChanged: true } },
      client: 'reinit-client',
    });
    const { pid, result } = await killMidCall('solo__slow_read');
    expect(result.isError).toBeFalsy();
    const answeredBy = Number(text(result));
    expect(answeredBy).not.toBe(pid);
    expect(events.ofType('request_resent', { tool: 'slow_read' })).toMatchObject([
      { server_name: 'solo', method: 'tools/call', outcome: 'answered' },
    ]);
    expect(await pidOf()).toBe(answeredBy);
    expect(text(await client.callTool({ name: 'solo__caps', arguments: {} }))).toBe(caps);
  });

  it('resends a read-only call in flight on the shared connection once the monitor has restarted its process', async () => {
    const { pid, result } = await killMidCall('shared__slow_read');
    expect(result.isError).toBeFalsy();
    const answeredBy = Number(text(result));
    expect(answeredBy).not.toBe(pid);
    expect(await pidOf('shared')).toBe(answeredBy);
    expect(events.ofType('request_resent', { server_name: 'shared' })).toMatchObject([
      { method: 'tools/call', tool: 'slow_read', outcome: 'answered' },
    ]);
    // The process the monitor supervises is the one that answered: no process of the client's.
    expect(gw.gateway.monitor.servers.get('shared')!.pid).toBe(answeredBy);
  });

  it('fails a call with side effects clearly instead of resending it or falling back; the next call gets a new session', async () => {
    const { pid, result } = await killMidCall('solo__slow_write');
    expect(result.isError).toBe(true);
    expect(result._meta?.['selfheal/served_by']).toBeUndefined();
    expect(text(result)).toMatch(
      /^server "solo" \(stdio: .*sessionServer\.mjs\): the session broke while tools\/call "slow_write" was in flight \(the connection closed: the process exited or the stream ended\); not resent: the tool is not annotated read-only or idempotent, so it may have run/,
    );
    const next = await pidOf();
    expect(next).not.toBe(pid);
    // Not resent, so no event says it was.
    expect(events.ofType('request_resent', { tool: 'slow_write' })).toEqual([]);
  });

  it('resends once only: a read-only call that kills every process it runs on runs twice, then fails', async () => {
    const result = await client.callTool({ name: 'solo__crash_read', arguments: {} });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(
      /^server "solo" .*: the session broke while tools\/call "crash_read" was in flight .*; resent once on a new session, which broke too/,
    );
    expect(readFileSync(crashLog, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(events.ofType('request_resent', { tool: 'crash_read' })).toMatchObject([
      {
        server_name: 'solo',
        method: 'tools/call',
        cause: 'the connection closed: the process exited or the stream ended',
        outcome: 'failed',
      },
    ]);
    expect(await pidOf()).toBeGreaterThan(0);
  });

  it('reports a resend the upstream answered with a JSON-RPC error as such, and gives the client that error', async () => {
    const call = client.callTool({
      name: 'solo__crash_then_refuse',
      arguments: { mark: join(dir, 'refuse') },
    });
    await expect(call).rejects.toThrow(/MCP error -32050: refused on a new session/);
    expect(events.ofType('request_resent', { tool: 'crash_then_refuse' })).toMatchObject([
      { server_name: 'solo', method: 'tools/call', outcome: 'error' },
    ]);
  });

  it('re-initialises a Streamable HTTP session the server forgot (404) and resends the call', async () => {
    expect(text(await client.callTool({ name: 't__echo', arguments: { text: 'one' } }))).toBe(
      'one',
    );
    const before = upstream.initializedBy.length;
    await upstream.forgetSessions();
    // echo has no annotations: resent only because a 404 proves it was never processed.
    const result = await client.callTool({ name: 't__echo', arguments: { text: 'two' } });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe('two');
    // One new session: the shared connection, which is the monitor's (RFC 0010).
    expect(upstream.initializedBy.slice(before)).toEqual(['selfheal']);
    const [resent] = events.ofType('request_resent', { server_name: 't' });
    expect(resent).toMatchObject({
      method: 'tools/call',
      tool: 'echo',
      cause: 'HTTP 404: the server no longer knows the session',
      outcome: 'answered',
    });
    // In the call's trace and session, as its call_completed.
    await vi.waitFor(() =>
      expect(events.ofType('call_completed', { trace_id: resent!.trace_id })).toMatchObject([
        { server_name: 't', outcome: 'ok', session_id: resent!.session_id },
      ]),
    );
    expect(resent!.session_id).toEqual(expect.any(String));
  });
});
