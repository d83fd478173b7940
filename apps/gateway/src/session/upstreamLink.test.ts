import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, Server } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { noSessionHost as host } from '../../test/helpers/routingFixtures.js';
import type { Catalog, RawItem } from '../upstream/catalog.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import { UpstreamLink } from './upstreamLink.js';

/** A tool `forecast` whose result is `{ temperature }` of the given JSON type. */
const forecast = (type: string): RawItem => ({
  name: 'forecast',
  inputSchema: { type: 'object' },
  outputSchema: { type: 'object', properties: { temperature: { type } } },
});

/**
 * A link over the shared session to a server that lists `served.tools`, and a catalog the
 * monitor listed earlier with an older definition of the same tool.
 */
async function sharedLink(served: { tools: RawItem[] }, listChanged: boolean) {
  const [a, b] = InMemoryTransport.createLinkedPair();
  const capabilities = { tools: listChanged ? { listChanged: true } : {} };
  const server = new Server({ name: 'weather', version: '1' }, { capabilities });
  server.fallbackRequestHandler = async (request) => {
    if (request.method === 'tools/list') return { tools: served.tools } as never;
    throw new Error('unexpected');
  };
  await server.connect(b);
  const client = new Client({ name: 'selfheal', version: '1' });
  await client.connect(a);
  const catalog = {
    tools: [forecast('number')],
    prompts: [],
    resources: [],
    resourceTemplates: [],
    capabilities,
  } as unknown as Catalog;
  const upstream = {
    spec: { name: 'weather', prefix: 'weather', config: {} },
    catalog,
    state: { status: 'up' },
    liveCatalog: () => catalog,
    session: async () => client,
  } as unknown as UpstreamServer;
  return { link: new UpstreamLink(upstream, host), catalog };
}

describe('UpstreamLink.listedTool', () => {
  it("regression: after a live list over the shared session it gave the catalog's older definition; now the one its client was shown", async () => {
    const served = { tools: [forecast('string')] };
    const { link } = await sharedLink(served, false);
    expect(link.listedTool('forecast')).toEqual(forecast('number')); // nothing listed yet
    const listed = await link.list('tools/list', new AbortController().signal);
    expect(listed).toEqual([forecast('string')]);
    // What trust checks a result against, and what the Mcp-Param headers and retries follow.
    expect(link.listedTool('forecast')).toEqual(forecast('string'));
    expect(link.toolAnnotations('forecast')).toBeUndefined();
  });

  it('gives a tool added since the client listed as the catalog has it', async () => {
    const served = { tools: [forecast('string')] };
    const { link, catalog } = await sharedLink(served, false);
    await link.list('tools/list', new AbortController().signal);
    const added = { name: 'alerts', inputSchema: { type: 'object' } };
    catalog.tools.push(added); // the monitor listed the server again since
    expect(link.listedTool('alerts')).toEqual(added);
    expect(link.listedTool('forecast')).toEqual(forecast('string'));
  });

  it('reads the catalog again once a list is served from it (the server now announces its changes)', async () => {
    const served = { tools: [forecast('string')] };
    const { link, catalog } = await sharedLink(served, false);
    await link.list('tools/list', new AbortController().signal);
    expect(link.listedTool('forecast')).toEqual(forecast('string'));
    // The server came back announcing list changes; the monitor listed it again.
    (catalog as unknown as { capabilities: unknown }).capabilities = {
      tools: { listChanged: true },
    };
    catalog.tools.splice(0, 1, forecast('boolean'));
    const listed = await link.list('tools/list', new AbortController().signal);
    expect(listed).toBe(catalog.tools);
    expect(link.listedTool('forecast')).toEqual(forecast('boolean'));
  });
});
