import { isToolQuarantined, type TrustState } from '@selfheal/events';
import { Gauge, type Registry } from 'prom-client';

/** One server's trust as `/health/ecosystem` and the stream's snapshot show it (RFC 0017). */
export interface TrustView {
  /** The last logged score, else the server's neutral. */
  score: number;
  quarantined: boolean;
  /** When the quarantine began, while quarantined. */
  quarantined_since?: string;
  /** Tools held for approval (a changed definition, or a new one where approval is required). */
  held_tools: string[];
}

/** The {@link TrustView} of `server` in `state`. */
export function trustView(state: TrustState, server: string, neutral: number): TrustView {
  const s = Object.hasOwn(state.servers, server) ? state.servers[server] : undefined;
  return {
    score: s?.score ?? neutral,
    quarantined: s?.quarantined !== undefined,
    ...(s?.quarantined ? { quarantined_since: s.quarantined.since } : {}),
    held_tools: Object.entries(s?.tools ?? {})
      .filter(([, pin]) => isToolQuarantined(pin))
      .map(([tool]) => tool)
      .sort(),
  };
}

/**
 * Registers `selfheal_trust_score{server}`, `selfheal_server_quarantined{server}` (1 while
 * quarantined) and `selfheal_tools_held{server}` (tools waiting for approval), read from
 * `view` at each scrape.
 */
export function registerTrustGauges(
  registry: Registry,
  servers: readonly string[],
  view: (server: string) => TrustView,
): void {
  const gauge = (name: string, help: string, value: (v: TrustView) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['server'],
      registers: [registry],
      collect() {
        for (const server of servers) this.set({ server }, value(view(server)));
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
