// Scenario 4: CHAOS_CLIENTS new SDK clients connect at the same moment to a gateway in front of
// one healthy stdio server, and each calls echo once. Target: every one connects and succeeds.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  closeAll,
  finish,
  newMarker,
  nodeServer,
  sizeOf,
  startGateway,
  UPSTREAM,
} from '../harness.mjs';

/** @param {{clients: number}} sizes */
export async function newClients({ clients: n }) {
  const marker = newMarker('new-clients');
  const gateway = await startGateway('new-clients', { chaos: nodeServer(UPSTREAM, marker) });
  const t0 = Date.now();
  const bytes0 = sizeOf(gateway.events);
  const clients = [];
  const outcomes = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      try {
        const client = new Client({ name: `chaos-new-${i}`, version: '1' });
        clients.push(client);
        await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url)), {
          timeout: 30_000,
        });
        const result = await client.callTool(
          { name: 'chaos__echo', arguments: { message: `hello ${i}` } },
          undefined,
          { timeout: 30_000 },
        );
        const error = result.isError ? result.content?.map((c) => c.text).join(' ') : undefined;
        return { ok: !result.isError, at: Date.now(), error };
      } catch (error) {
        return { ok: false, at: Date.now(), error: String(error?.message ?? error) };
      }
    }),
  );
  await closeAll(clients);
  const ok = outcomes.filter((o) => o.ok);
  const firstOk = ok.length === 0 ? undefined : Math.min(...ok.map((o) => o.at)) - t0;
  const lastOk = ok.length === 0 ? undefined : Math.max(...ok.map((o) => o.at)) - t0;
  const end = await finish(gateway, marker, { t0, bytes0 });
  const failed = outcomes.find((o) => !o.ok);
  return {
    scenario: `4 ${n} new clients at once`,
    successRate: ok.length / n,
    firstSuccessMs: firstOk,
    ...end,
    target: 'success 100%',
    pass: ok.length === n,
    notes: `last success at ${lastOk ?? '-'} ms${failed ? `; first failure: ${failed.error ?? 'isError'}` : ''}`,
  };
}
