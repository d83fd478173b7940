import type { TrustView } from '@selfheal/events';
import { Gauge, type Registry } from 'prom-client';

/**
 * Registers `selfheal_trust_score{server}`, `selfheal_server_quarantined{server}` (1 while
 * quarantined) and `selfheal_tools_held{server}` (tools waiting for approval), read from
 * `view` at each scrape.
 */
export function registerTrustGauges(
  registry: Registry,
  servers: () => readonly string[],
  view: (server: string) => TrustView,
): void {
  const gauge = (name: string, help: string, value: (v: TrustView) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['server'],
      registers: [registry],
      collect() {
        for (const server of servers()) this.set({ server }, value(view(server)));
      },
    });
  gauge(
    'selfheal_trust_score',
    'Trust score of the server in [0, 1], as last logged.',
    (v) => v.score,
  );
  gauge('selfheal_server_quarantined', '1 while the server is quarantined, else 0.', (v) =>
    v.quarantined ? 1 : 0,
  );
  gauge(
    'selfheal_tools_held',
    'Tools of the server held until an operator approves them.',
    (v) => v.held_tools.length,
  );
}
