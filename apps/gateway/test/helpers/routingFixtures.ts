import type { LinkHost } from '../../src/session/upstreamLink.js';
import type { UpstreamServer } from '../../src/upstream/upstreamServer.js';

/**
 * An upstream as routing reads it, with no process behind it: a name (its prefix too), a
 * config, and a catalog listing `tools` and `prompts` by name.
 */
export function catalogUpstream(
  name: string,
  tools: string[] = ['echo'],
  config: Record<string, unknown> = {},
  prompts: string[] = [],
): UpstreamServer {
  const items = (names: string[]) =>
    names.map((n) => ({ name: n, inputSchema: { type: 'object' } }));
  return {
    spec: { name, prefix: name, config },
    catalog: { tools: items(tools), prompts: items(prompts), resources: [], resourceTemplates: [] },
  } as unknown as UpstreamServer;
}

/** A link host for tests that open no session: its factory throws if one is asked for. */
export const noSessionHost = {
  factory: () => {
    throw new Error('no session is opened here');
  },
  timeoutMs: 1000,
  clientInfo: () => ({ name: 'test', version: '0' }),
  clientCapabilities: () => ({}),
} as unknown as LinkHost;
