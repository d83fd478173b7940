import type { SelfhealEvent } from '@selfheal/schemas';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/loadConfig.js';
import { createGateway } from '../src/gateway.js';

// The fleet view of a gateway replica (RFC 0018): the fold of the shared stream, fed here by
// hand; the gateway is created and never started (nothing connects).
describe("a replica's fleet view", () => {
  it("keeps a server another replica serves when one replica's reload removes it", async () => {
    const config = resolveConfig(
      {
        mcpServers: {
          remote: { url: 'http://127.0.0.1:9/mcp' },
          files: { command: 'node' },
        },
      },
      'test.json',
      '/tmp',
      {},
    );
    const stream = new Subject<SelfhealEvent>();
    const gateway = createGateway({ config, fleet: { replica: 'gw-a', events$: stream } });
    const at = new Date().toISOString();
    const of = (replica: string, e: Record<string, unknown>) =>
      stream.next({ timestamp: at, trace_id: 't', replica, ...e } as unknown as SelfhealEvent);
    for (const replica of ['gw-a', 'gw-b']) {
      of(replica, { event_type: 'gateway_started', pid: 1, servers: ['remote', 'files'] });
      for (const [name, transport] of [
        ['remote', 'streamable-http'],
        ['files', 'stdio'],
      ])
        of(replica, { event_type: 'server_registered', server_name: name, transport });
    }
    of('gw-b', {
      event_type: 'config_reloaded',
      source: '/srv/b.json',
      added: [],
      removed: ['files'],
      restarted: [],
    });
    expect(Object.keys(gateway.health().servers).sort()).toEqual(['files', 'remote']);
    expect(
      gateway
        .ecosystem()
        .details.map((d) => d.server_name)
        .sort(),
    ).toEqual(['files', 'remote']);
    of('gw-a', {
      event_type: 'config_reloaded',
      source: '/srv/a.json',
      added: [],
      removed: ['files'],
      restarted: [],
    });
    expect(Object.keys(gateway.health().servers)).toEqual(['remote']);
    await gateway.stop();
  });
});
