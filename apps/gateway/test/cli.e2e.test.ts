import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { everythingStdio } from './helpers/upstreams.js';

const CRASHING = fileURLToPath(new URL('./helpers/crashingServer.mjs', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/selfheal.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'selfheal-cli-'));
const children: ChildProcess[] = [];

function writeConfig(name: string, document: unknown) {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(document));
  return file;
}

/** Runs `selfheal ...args`; `until` resolves with stdout once a line matches (or at exit). */
function run(args: string[]) {
  // Run in a scratch folder: the embedded demo writes its event log under the working folder.
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: dir,
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => {
    stdout += c;
  });
  child.stderr!.on('data', (c) => {
    stderr += c;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    until: (pattern: RegExp) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout)) resolve(stdout);
        };
        child.stdout!.on('data', check);
        exited.then(() =>
          pattern.test(stdout)
            ? resolve(stdout)
            : reject(new Error(`exited before ${pattern}: ${stdout}${stderr}`)),
        );
        check();
      }),
  };
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('selfheal start', () => {
  it('with --port 0 prints the URL and a line per server, serves MCP, and stops on SIGTERM', async () => {
    const config = writeConfig('one.json', { mcpServers: { ev: everythingStdio() } });
    const gateway = run(['start', '--config', config, '--port', '0']);
    const stdout = await gateway.until(/ready: 1 of 1 servers up/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stdout)?.[1];
    expect(url).toBeDefined();
    expect(stdout).toMatch(/up {4}ev \(\d+ tools, \d+ prompts, \d+ resources\)/);
    const client = new Client({ name: 'cli-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url!)) as Transport);
    const result = await client.callTool({ name: 'ev__echo', arguments: { message: 'cli' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: cli' }]);
    await client.close();
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(gateway.output().stdout).toContain('stopping');
    const log = readFileSync(join(dir, 'selfheal-events.jsonl'), 'utf8').trim().split('\n');
    const all = log.map((line) => (JSON.parse(line) as { event_type: string }).event_type);
    // Each tool is pinned when first listed, and the call moves the server's trust (RFC 0017).
    expect(all.filter((t) => t === 'tool_pinned').length).toBeGreaterThan(0);
    const types = all.filter((t) => t !== 'tool_pinned' && t !== 'trust_changed');
    // Health events all reach the file; the successful call only as a call_summary (RFC 0009).
    // The run's start and stop bound it (RFC 0020); its last call_summary is flushed as the
    // log closes, after gateway_stopped, and replay folds it into the run that ended.
    expect(types).toEqual([
      'gateway_started',
      'server_registered',
      'server_started',
      'health_check_completed',
      'server_recovered',
      'gateway_stopped',
      'call_summary',
    ]);
  }, 60_000);

  it('without --config runs the embedded demo: examples (HTTP and stdio) and npm servers', async () => {
    const gateway = run(['start', '--port', '0']);
    // A line per server as it comes up; the crashing example also goes down and back later.
    const stdout = await gateway.until(/up {4}healthy[\s\S]*ready: \d+ of 5 servers up/);
    expect(stdout).toContain('(embedded demo) listening on http://127.0.0.1:');
    for (const name of ['everything', 'memory', 'healthy', 'slow', 'crashing'])
      expect(stdout).toMatch(new RegExp(`up {4}${name} \\(\\d+ tools`));
    expect(stdout).toMatch(
      /example healthy \(Streamable HTTP\) started at http:\/\/127\.0\.0\.1:\d+\/mcp/,
    );
    expect(stdout).toContain(`events  ${join(dir, '.selfheal/demo-events.jsonl')}`);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stdout)![1]!;
    const healthyUrl = /started at (http:\/\/\S+)/.exec(stdout)![1]!;
    const client = new Client({ name: 'demo-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)) as Transport);
    const example = await client.callTool({ name: 'healthy__echo', arguments: { text: 'hi' } });
    expect(JSON.stringify(example.content)).toContain('hi');
    const npm = await client.callTool({ name: 'everything__echo', arguments: { message: 'npm' } });
    expect(npm.content).toEqual([{ type: 'text', text: 'Echo: npm' }]);
    await client.close();
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    // The HTTP example the demo started is stopped with it.
    await expect(fetch(healthyUrl)).rejects.toThrow();
  }, 60_000);

  it('keeps serving when its stdout is closed early (selfheal start | head -1), exits 0', async () => {
    const config = writeConfig('epipe.json', { mcpServers: {} });
    const gateway = run(['start', '--config', config, '--port', '0']);
    const first = await gateway.until(/listening on \S+\n/);
    const url = /listening on (http:\/\/\S+)\/mcp/.exec(first)![1]!;
    // What `head -1` does after its line: the reading end of the pipe goes away.
    gateway.child.stdout!.destroy();
    // Lines written after that (per-server lines, "ready", "stopping") hit EPIPE.
    for (let i = 0; i < 3; i++) expect((await fetch(`${url}/health`)).status).toBe(200);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(gateway.output().stderr).not.toContain('EPIPE');
  }, 60_000);

  it('exits 2 naming file and pointer for an invalid config, 1 for a name collision', async () => {
    const bad = writeConfig('bad.json', { mcpServers: {}, gateway: { port: 'x' } });
    const invalid = run(['start', '--config', bad]);
    expect(await invalid.exited).toBe(2);
    expect(invalid.output().stderr).toContain(`${bad}: /gateway/port`);
    const tiny = { command: process.execPath, args: [CRASHING], prefix: '' };
    const clash = writeConfig('clash.json', { mcpServers: { a: tiny, b: tiny } });
    const collision = run(['start', '--config', clash, '--port', '0']);
    expect(await collision.exited).toBe(1);
    expect(collision.output().stderr).toContain(
      'name collision: tool "pid" is exposed by both "a"',
    );
    expect(await run(['start', '--port', 'abc']).exited).toBe(2);
  }, 60_000);
});

describe('selfheal stdio', () => {
  it('answers lines that are not JSON-RPC with JSON-RPC errors and keeps serving', async () => {
    const config = writeConfig('empty.json', { mcpServers: {} });
    const child = spawn(process.execPath, [BIN, 'stdio', '--config', config], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    const lines: Record<string, unknown>[] = [];
    let buffer = '';
    const got = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (lines.length >= n) resolve();
        };
        child.stdout!.on('data', (chunk) => {
          buffer += chunk;
          const parts = buffer.split('\n');
          buffer = parts.pop() ?? '';
          for (const part of parts) lines.push(JSON.parse(part));
          check();
        });
        check();
      });
    const done = got(3);
    child.stdin!.write('this is not json\n');
    child.stdin!.write('{"jsonrpc":"2.0","id":1}\n');
    child.stdin!.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })}\n`,
    );
    await done;
    expect(lines[0]).toMatchObject({ id: null, error: { code: -32700 } });
    expect(lines[1]).toMatchObject({ id: null, error: { code: -32600 } });
    expect(lines[2]).toMatchObject({ id: 7, result: { serverInfo: { name: 'selfheal' } } });
    child.stdin!.end();
    expect(await new Promise((r) => child.once('exit', r))).toBe(0);
  }, 60_000);

  it('serves a 2026-07-28 client statelessly over stdio', async () => {
    const config = writeConfig('stateless.json', { mcpServers: { ev: everythingStdio() } });
    const child = spawn(process.execPath, [BIN, 'stdio', '--config', config], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    const lines: Record<string, unknown>[] = [];
    let buffer = '';
    child.stdout!.on('data', (chunk) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts) lines.push(JSON.parse(part));
    });
    const answerTo = async (id: number) => {
      await vi.waitFor(() => expect(lines.some((l) => l.id === id)).toBe(true), {
        timeout: 30_000,
      });
      return lines.find((l) => l.id === id)!;
    };
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    const send = (id: number, method: string, params: Record<string, unknown> = {}) =>
      child.stdin!.write(
        `${JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: meta } })}\n`,
      );
    // The probe a 2026-07-28 client sends first on stdio.
    send(1, 'server/discover');
    expect((await answerTo(1)).result).toMatchObject({
      supportedVersions: ['2026-07-28'],
      resultType: 'complete',
    });
    send(2, 'tools/call', { name: 'ev__echo', arguments: { message: 'stateless' } });
    expect((await answerTo(2)).result).toMatchObject({
      content: [{ type: 'text', text: 'Echo: stateless' }],
      resultType: 'complete',
    });
    send(3, 'ping');
    expect((await answerTo(3)).error).toMatchObject({ code: -32601 });
    child.stdin!.end();
    expect(await new Promise((r) => child.once('exit', r))).toBe(0);
  }, 60_000);

  it('serves the gateway over stdio to a desktop-style client, logs on stderr only', async () => {
    const config = writeConfig('stdio.json', { mcpServers: { ev: everythingStdio() } });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'stdio', '--config', config],
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (c) => {
      stderr += c;
    });
    const client = new Client({ name: 'desktop', version: '1' });
    // Any non-JSON-RPC line on stdout would make the SDK client fail here.
    await client.connect(transport);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('ev__echo');
    expect(await client.callTool({ name: 'ev__echo', arguments: { message: 'io' } })).toEqual({
      content: [{ type: 'text', text: 'Echo: io' }],
    });
    expect(stderr).toMatch(/up {4}ev/);
    await client.close();
  }, 60_000);
});
