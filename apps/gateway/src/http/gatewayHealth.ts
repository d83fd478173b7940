import {
  type ComponentResult,
  createHealthEndpoint,
  type HealthEndpoint,
} from '@selfheal/health-endpoint';
import type { Gateway } from '../gateway.js';
import { GATEWAY_VERSION } from '../version.js';

/**
 * The gateway's own W3 `/health` (via `@selfheal/health-endpoint`): component `mcp` (the
 * gateway serves) and `upstreams`, `ok` while every upstream is up and `degraded` while some are
 * not, naming them. An upstream never makes the gateway `down`: it still serves the others.
 * `uptime_seconds` counts from the process start.
 */
export function createGatewayHealth(gateway: Gateway): HealthEndpoint {
  return createHealthEndpoint({
    version: GATEWAY_VERSION,
    clock: { now: () => gateway.clock.now() },
    checks: {
      mcp: () => 'ok',
      upstreams: () => upstreamsCheck(gateway),
    },
  });
}

/**
 * `ok` when every upstream is up, else `degraded` with each one that is not and why, the cause
 * first: a public reason is cut at 160 characters, so of a process's stderr tail only its last
 * line (`process exited (exit code 3); stderr: FATAL: ...`), the likeliest cause, is kept.
 */
export function upstreamsCheck(gateway: Gateway): ComponentResult {
  const notUp = gateway.upstreams
    .filter((u) => u.state.status !== 'up')
    .map((u) => {
      const { state } = u;
      const since = new Date(state.since).toISOString();
      return state.status === 'down'
        ? `${u.spec.name} down (${lastStderrLine(state.error)}) since ${since}`
        : `${u.spec.name} ${state.status} since ${since}`;
    });
  if (notUp.length === 0) return { status: 'ok' };
  return {
    status: 'degraded',
    error: `${notUp.length} of ${gateway.upstreams.length} servers not up: ${notUp.join(', ')}`,
  };
}

/** `...; stderr: a | b | c` → `...; stderr: c`; any other text unchanged. */
export function lastStderrLine(reason: string): string {
  const at = reason.indexOf('; stderr: ');
  if (at < 0) return reason;
  const lines = reason.slice(at + '; stderr: '.length).split(' | ');
  return `${reason.slice(0, at)}; stderr: ${lines.at(-1)}`;
}
