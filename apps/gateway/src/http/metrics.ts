import type { Gateway } from '../gateway.js';

/**
 * A first Prometheus text exposition: upstream states and open sessions. The metrics issue
 * replaces it with figures derived from the event log.
 */
export function renderMetrics(gateway: Gateway, sessions: number): string {
  const lines = [
    '# HELP selfheal_upstream_up 1 when the gateway reaches the upstream server, else 0.',
    '# TYPE selfheal_upstream_up gauge',
    ...gateway.upstreams.map(
      (u) =>
        `selfheal_upstream_up{server="${escapeLabel(u.spec.name)}"} ${u.state.status === 'up' ? 1 : 0}`,
    ),
    '# HELP selfheal_sessions Open MCP client sessions over HTTP.',
    '# TYPE selfheal_sessions gauge',
    `selfheal_sessions ${sessions}`,
  ];
  return `${lines.join('\n')}\n`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
