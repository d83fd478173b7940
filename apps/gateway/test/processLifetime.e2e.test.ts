import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, startCli } from './helpers/cliProcess.js';

const STUBBORN = fileURLToPath(new URL('./helpers/stubbornServer.mjs', import.meta.url));
const running: CliProcess[] = [];
const markers: string[] = [];

/** Live (not zombie) processes whose command line contains `marker` (Linux /proc). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker))
        found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  // Whatever a failed run left behind must not outlive the test.
  for (const marker of markers.splice(0))
    for (const pid of processesWith(marker)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
});

describe.skipIf(!existsSync('/proc/self/cmdline'))('a SIGKILLed gateway', () => {
  it('leaves no server process behind: supervised, per session, direct and under sh -c, stdin close ignored', async () => {
    // The regression: the per-session processes (and anything a wrapper started) of servers
    // that ignore stdin's end were left running with PPID 1 after a SIGKILL of the gateway.
    const dir = mkdtempSync(join(tmpdir(), 'sh-orphans-'));
    const tag = `selfheal-orphan-${process.pid}-${Date.now()}`;
    const direct = `--marker=${tag}-direct`;
    const shelled = `--marker=${tag}-shelled`;
    markers.push(direct, shelled);
    const node = JSON.stringify(process.execPath);
    const config = join(dir, 'gateway.yaml');
    writeFileSync(
      config,
      [
        'mcpServers:',
        // A session per client (RFC 0010), so that the client's calls start processes of their own.
        `  direct: { command: ${node}, args: [${JSON.stringify(STUBBORN)}, ${JSON.stringify(direct)}], session: per_client }`,
        // `; true` keeps the shell alive as the server's parent: the server is a grandchild.
        `  shelled: { command: /bin/sh, args: [-c, ${JSON.stringify(`${node} ${STUBBORN} ${shelled}; true`)}], session: per_client }`,
        'event_emission: { path: events.jsonl }',
        '',
      ].join('\n'),
    );
    const gateway = startCli(['start', '--config', config, '--port', '0'], dir);
    running.push(gateway);
    await gateway.until(/ready: 2 of 2 servers up/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(gateway.stdout())![1]!;

    const client = new Client({ name: 'orphans-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)) as Transport);
    const pidOf = async (tool: string) => {
      const result = await client.callTool({ name: tool, arguments: {} });
      return Number((result.content as { text: string }[])[0]!.text);
    };
    // Each call runs on the client session's own process of that server.
    const sessionPids = [await pidOf('direct__pid'), await pidOf('shelled__pid')];
    // The monitor's process and the session's: two servers each, plus two shells for `shelled`.
    expect(processesWith(direct)).toHaveLength(2);
    expect(processesWith(shelled)).toHaveLength(4);
    for (const pid of sessionPids)
      expect(processesWith(pid === sessionPids[0] ? direct : shelled)).toContain(pid);

    gateway.child.kill('SIGKILL');
    await gateway.exited;
    const deadline = Date.now() + 10_000;
    while (
      processesWith(direct).length + processesWith(shelled).length > 0 &&
      Date.now() < deadline
    )
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(processesWith(direct)).toEqual([]);
    expect(processesWith(shelled)).toEqual([]);
  }, 60_000);
});
