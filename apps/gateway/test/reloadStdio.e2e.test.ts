import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { everythingStdio, memoryStdio } from './helpers/upstreams.js';

const BIN = fileURLToPath(new URL('../bin/selfheal.js', import.meta.url));

describe('selfheal stdio reloads its config file', { timeout: 40_000 }, () => {
  it('adds a server while the desktop client stays connected, and tells it the tools changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-reload-stdio-'));
    const file = join(dir, 'selfheal.json');
    writeFileSync(file, JSON.stringify({ mcpServers: { ev: everythingStdio() } }));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'stdio', '--config', file],
      cwd: dir,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const client = new Client({ name: 'desktop', version: '1' });
    let toolsChanged = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      toolsChanged++;
    });
    await client.connect(transport);
    try {
      const before = (await client.listTools()).tools.map((t) => t.name);
      expect(before.some((name) => name.startsWith('mem__'))).toBe(false);
      const seen = toolsChanged;
      writeFileSync(
        file,
        JSON.stringify({
          mcpServers: { ev: everythingStdio(), mem: memoryStdio(join(dir, 'memory.jsonl')) },
        }),
      );
      // Human lines stay off stdout, which carries the protocol.
      const deadline = Date.now() + 20_000;
      while (!/config reloaded from .*added mem; 1 server untouched/.test(stderr)) {
        if (Date.now() > deadline) throw new Error(`no reload on stderr:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(toolsChanged).toBeGreaterThan(seen);
      const after = (await client.listTools()).tools.map((t) => t.name);
      expect(after).toContain('mem__read_graph');
      expect(after).toEqual(expect.arrayContaining(before));
      const echoed = await client.callTool({ name: 'ev__echo', arguments: { message: 'on' } });
      expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: on' }]);
    } finally {
      await client.close();
    }
  });
});
