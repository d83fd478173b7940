import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { checkHealthEndpoint } from '@selfheal/health-endpoint/compliance';
import { afterEach, describe, expect, it } from 'vitest';
import { startHealthyServer } from './createHealthyServer.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function started(options: Parameters<typeof startHealthyServer>[0] = {}) {
  const server = await startHealthyServer(options);
  cleanups.push(server.close);
  return server;
}

async function connect(url: string) {
  const client = new Client({ name: 'examples-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  cleanups.push(() => client.close());
  return client;
}

async function health(url: string) {
  const r = await fetch(url);
  return { code: r.status, body: (await r.json()) as Record<string, unknown> };
}

const text = (result: Awaited<ReturnType<Client['callTool']>>) =>
  (result.content as { type: string; text: string }[])[0]?.text;

describe('startHealthyServer', () => {
  it('is a real MCP server over Streamable HTTP with echo and add', async () => {
    const server = await started();
    const client = await connect(server.url);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['add', 'echo', 'set_health']);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
    expect(text(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }))).toBe('5');
  });

  it('flips its backend check with the set_health tool, and each state conforms', async () => {
    const server = await started({ version: '1.0.0' });
    const client = await connect(server.url);
    expect(await health(server.health)).toMatchObject({
      code: 200,
      body: { status: 'ok', checks: { backend: 'ok' }, version: '1.0.0' },
    });
    expect((await checkHealthEndpoint(server.health)).conforms).toBe(true);

    await client.callTool({
      name: 'set_health',
      arguments: { status: 'degraded', reason: 'slow' },
    });
    expect(await health(server.health)).toMatchObject({
      code: 200,
      body: { status: 'degraded', error: 'backend: degraded (slow)' },
    });

    await client.callTool({ name: 'set_health', arguments: { status: 'down' } });
    expect(await health(server.health)).toMatchObject({ code: 503, body: { status: 'down' } });
    const report = await checkHealthEndpoint(server.health, { requireOk: true });
    expect(report.conforms).toBe(false);
  });

  it('rejects a bad status given to set_health without changing anything', async () => {
    const server = await started();
    const client = await connect(server.url);
    const result = await client.callTool({ name: 'set_health', arguments: { status: 'broken' } });
    expect(result.isError).toBe(true);
    expect((await health(server.health)).body.status).toBe('ok');
  });

  it('flips through POST /admin/health and names a bad body', async () => {
    const server = await started({ health: 'degraded' });
    const admin = server.health.replace('/health', '/admin/health');
    expect((await health(server.health)).body.status).toBe('degraded');
    const bad = await fetch(admin, { method: 'POST', body: '{"status":"meh"}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: '/status: expected one of "ok", "degraded", "down", found "meh"',
    });
    const notJson = await fetch(admin, { method: 'POST', body: 'down' });
    expect(notJson.status).toBe(400);
    const good = await fetch(admin, {
      method: 'POST',
      body: '{"status":"down","reason":"maintenance"}',
    });
    expect(good.status).toBe(200);
    expect(await health(server.health)).toMatchObject({
      code: 503,
      body: { error: 'backend: down (maintenance)' },
    });
  });
});

// Each test starts a Node process: give it room on a loaded machine (the default 5 s is not).
describe('node dist/healthyServer.js (the command)', { timeout: 20_000 }, () => {
  const entry = fileURLToPath(new URL('../dist/healthyServer.js', import.meta.url));

  function launch(args: string[], env: NodeJS.ProcessEnv = {}) {
    const child = spawn(process.execPath, [entry, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => stop(child));
    return child;
  }

  function firstLine(child: ChildProcess): Promise<string> {
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.split('\n', 1)[0]!);
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        err += chunk;
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${err}`)));
    });
  }

  function stop(child: ChildProcess): Promise<number | null> {
    if (child.exitCode !== null) return Promise.resolve(child.exitCode);
    return new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
  }

  it('prints {url, health, pid} on --port 0, honours the env status, and exits 0 on SIGTERM', async () => {
    const child = launch(['--port', '0'], { SELFHEAL_EXAMPLE_HEALTH: 'degraded' });
    const line = JSON.parse(await firstLine(child)) as { url: string; health: string; pid: number };
    expect(line.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(line.health).toBe(line.url.replace(/\/mcp$/, '/health'));
    expect(line.pid).toBe(child.pid);
    expect((await health(line.health)).body.status).toBe('degraded');
    expect(await stop(child)).toBe(0);
  });

  it('--health wins over the environment', async () => {
    const child = launch(['--health', 'down'], { SELFHEAL_EXAMPLE_HEALTH: 'ok' });
    const line = JSON.parse(await firstLine(child)) as { health: string };
    expect((await health(line.health)).code).toBe(503);
  });

  it('exits 2 with a message naming the flag for bad input', async () => {
    const child = launch(['--health', 'sick']);
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain(
      '--health / SELFHEAL_EXAMPLE_HEALTH: expected ok, degraded or down, found "sick"',
    );
  });
});
