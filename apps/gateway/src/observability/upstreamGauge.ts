import { Gauge, type Registry } from 'prom-client';
import type { UpstreamServer } from '../upstream/upstreamServer.js';

/** Registers `selfheal_upstream_up{server}`: 1 while the gateway reaches the upstream, else 0. */
export function registerUpstreamGauge(
  registry: Registry,
  upstreams: readonly UpstreamServer[],
): void {
  new Gauge({
    name: 'selfheal_upstream_up',
    help: '1 when the gateway reaches the upstream server, else 0.',
    labelNames: ['server'],
    registers: [registry],
    collect() {
      for (const u of upstreams) this.set({ server: u.spec.name }, u.state.status === 'up' ? 1 : 0);
    },
  });
}
