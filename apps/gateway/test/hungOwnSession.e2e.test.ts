import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from './helpers/gatewayHarness.js';

const SESSION = fileURLToPath(new URL('./helpers/sessionServer.mjs', import.meta.url));
const text = (result: unknown) =>
  (result as { content?: { text: string }[] }).content?.map((c) => c.text).join('') ?? '';

describe('a client session’s own upstream process that hangs', () => {
  let gw: RunningGateway;
  let client: Client;
  const stopped: number[] = [];

  beforeAll(async () => {
    gw = await startGateway({
      mcpServers: { solo: { command: process.execPath, args: [SESSION], session: 'per_client' } },
      resilience: { timeout_ms: 1500 },
    });
    client = await gw.connect({}, 'hung-own-session');
  }, 60_000);

  afterAll(async () => {
    for (const pid of stopped) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already: recycled
      }
    }
    await gw?.stop();
  });

  const pid = async () => {
    const result = await client.callTool({ name: 'solo__pid', arguments: {} }).catch((e) => e);
    return Number(text(result)) || undefined;
  };

  it('regression: is replaced after a timeout, instead of timing out every call', async () => {
    const first = await pid();
    expect(first).toBeGreaterThan(0);
    // The monitor watches its own process of solo, not this one: health stays ok.
    process.kill(first!, 'SIGSTOP');
    stopped.push(first!);
    expect(await pid()).toBeUndefined(); // timed out
    let next: number | undefined;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      next = await pid();
      if (next !== undefined) break;
    }
    expect(next).toBeGreaterThan(0);
    expect(next).not.toBe(first);
  }, 40_000);
});
