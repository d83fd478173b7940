import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EXPOSED_NAME } from '../src/naming.js';
import { type RunningGateway, startGateway } from './helpers/gatewayHarness.js';
import { everythingStdio } from './helpers/upstreams.js';

// A server name a team might really use, long enough that prefixed tool names pass 64.
const LONG = 'acme-analytics-warehouse-replica-eu-west-1-readonly-reporting';

describe('exposed names past 64 characters, over a real server', { timeout: 60_000 }, () => {
  let gw: RunningGateway;
  const warnings: string[] = [];

  beforeAll(async () => {
    gw = await startGateway(
      { mcpServers: { [LONG]: everythingStdio(), ev: everythingStdio() } },
      [],
      { beforeStart: (gateway) => void gateway.on('warning', (m) => warnings.push(m)) },
    );
  }, 60_000);
  afterAll(() => gw?.stop());

  it('lists every tool within 64 characters, the tool name whole, and calls it by that name', async () => {
    const client = await gw.connect();
    const { tools } = await client.listTools();
    const long = tools.filter((tool) => !tool.name.startsWith('ev__'));
    expect(long.length).toBeGreaterThan(3);
    for (const tool of tools) expect(tool.name.length).toBeLessThanOrEqual(MAX_EXPOSED_NAME);
    const echo = long.find((tool) => tool.name.endsWith('__echo'))!;
    // The prefix cut to fit, marked with a hash; `__echo` whole.
    expect(echo.name).toBe(`${LONG.slice(0, 51)}-${echo.name.slice(52, 58)}__echo`);
    expect(echo.name).toMatch(/-[0-9a-f]{6}__echo$/);
    expect(echo.name).toHaveLength(MAX_EXPOSED_NAME);
    const result = await client.callTool({ name: echo.name, arguments: { message: 'long' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: long' }]);
    // The other server's names are untouched.
    const plain = await client.callTool({ name: 'ev__echo', arguments: { message: 'short' } });
    expect(plain.content).toEqual([{ type: 'text', text: 'Echo: short' }]);
    expect(warnings.some((w) => w.includes(`is exposed as "${echo.name}"`))).toBe(true);
  });
});
