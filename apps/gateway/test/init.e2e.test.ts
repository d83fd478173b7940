import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { FAULTY, textOf } from './helpers/faultyUpstream.js';

const BIN = fileURLToPath(new URL('../bin/selfheal.js', import.meta.url));
/** VS Code's own input variable syntax, as it appears in its mcp.json. */
const TOKEN = ['$', '{input:token}'].join('');

/** `selfheal init ...args` as a real process with a home of its own. */
function init(args: string[], home: string, cwd: string) {
  const run = spawnSync(process.execPath, [BIN, 'init', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
});

describe('selfheal init (RFC 0020)', () => {
  it('imports Claude Desktop’s servers, and the printed entry runs them through selfheal stdio', async () => {
    const home = mkdtempSync(join(tmpdir(), 'selfheal-home-'));
    const work = mkdtempSync(join(tmpdir(), 'selfheal-work-'));
    mkdirSync(join(home, '.config', 'Claude'), { recursive: true });
    writeFileSync(
      join(home, '.config', 'Claude', 'claude_desktop_config.json'),
      JSON.stringify({
        globalShortcut: 'Ctrl+Space',
        mcpServers: {
          faulty: { command: process.execPath, args: [FAULTY], env: { FAULT_TOOLS: '' } },
        },
      }),
    );
    const result = init(['--from', 'claude'], home, work);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = join(work, 'selfheal.json');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({
      mcpServers: {
        faulty: { command: process.execPath, args: [FAULTY], env: { FAULT_TOOLS: '' } },
      },
    });
    expect(result.stdout).toContain(`Wrote ${out}: 1 server (faulty) from ${home}/.config/Claude/`);
    // The servers' env may hold API keys: only the owner reads the file.
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const printed = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as {
      mcpServers: { selfheal: { command: string; args: string[] } };
    };
    expect(printed.mcpServers.selfheal).toEqual({
      command: 'npx',
      args: ['-y', '@selfheal/gateway', 'stdio', '--config', out],
    });

    // What the client would run (npx resolves @selfheal/gateway to this bin once published).
    const args = printed.mcpServers.selfheal.args.slice(2);
    const client = new Client({ name: 'desktop', version: '1' });
    clients.push(client);
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, ...args],
        cwd: work,
        stderr: 'ignore',
      }),
    );
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('faulty__echo');
    const answer = await client.callTool({ name: 'faulty__echo', arguments: { message: 'hi' } });
    expect(textOf(answer)).toBe('hi');

    // Run again: the config is not overwritten without --force.
    const again = init(['--from', 'claude'], home, work);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(
      `selfheal init: ${out} exists; give another --out FILE, or --force to overwrite it\n`,
    );
  }, 30_000);

  it('reads VS Code’s servers with type, leaves out selfheal itself, and warns of input variables', () => {
    const home = mkdtempSync(join(tmpdir(), 'selfheal-home-'));
    const work = mkdtempSync(join(tmpdir(), 'selfheal-work-'));
    mkdirSync(join(work, '.vscode'));
    writeFileSync(
      join(work, '.vscode', 'mcp.json'),
      JSON.stringify({
        inputs: [{ type: 'promptString', id: 'token', password: true }],
        servers: {
          echo: { type: 'stdio', command: process.execPath, args: [FAULTY] },
          remote: {
            type: 'http',
            url: 'http://127.0.0.1:9/mcp',
            headers: { Authorization: `Bearer ${TOKEN}` },
          },
          selfheal: {
            type: 'stdio',
            command: 'npx',
            args: ['-y', '@selfheal/gateway', 'stdio', '--config', 'old.json'],
          },
        },
      }),
    );
    const result = init(['--out', 'gw.json'], home, work);
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(join(work, 'gw.json'), 'utf8'))).toEqual({
      mcpServers: {
        echo: { command: process.execPath, args: [FAULTY] },
        remote: {
          type: 'http',
          url: 'http://127.0.0.1:9/mcp',
          headers: { Authorization: `Bearer ${TOKEN}` },
        },
      },
    });
    expect(result.stderr).toContain('left out server "selfheal": it runs selfheal itself');
    expect(result.stderr).toContain(
      `server "remote" uses ${['$', '{input:...}'].join('')} variables`,
    );
    const printed = JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
    expect(printed).toEqual({
      servers: {
        selfheal: {
          type: 'stdio',
          command: 'npx',
          args: ['-y', '@selfheal/gateway', 'stdio', '--config', join(work, 'gw.json')],
        },
      },
    });
    expect(result.stdout).toContain('Point VS Code at the gateway');

    // No client config at all: where it looked, exit 2.
    const none = init([], home, mkdtempSync(join(tmpdir(), 'selfheal-work-')));
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no desktop client config found; looked at:');
    expect(none.stderr).toContain(join(home, '.cursor', 'mcp.json'));
  });
});
