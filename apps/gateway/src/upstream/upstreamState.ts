import type { Client } from '@modelcontextprotocol/client';
import type { ServerHealth } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import type { EventEmitter } from 'eventemitter3';
import type { UpstreamSpec } from '../config/loadConfig.js';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import { answersAgain } from './answersAgain.js';
import type { Catalog } from './catalog.js';
import { describeTarget, reasonOf } from './connectUpstream.js';
import type { UpstreamServerEvents, UpstreamState } from './upstreamServer.js';

/** The gateway's own session with a server, as far as routing reads it. */
export interface SessionStanding {
  /** The monitor's live session, if any. */
  client: Client | undefined;
  /** The session whose catalog is listed: `up` needs one. */
  listed: Client | undefined;
  /** When the current session opened (epoch ms): a session newer than an outage answers. */
  openedAt: number | undefined;
}

/**
 * What the parts of one upstream server share (the session it follows, its state and catalog),
 * made by `createUpstreamServer` and read and written by its catalog listing and session
 * waiters.
 */
export interface UpstreamContext extends SessionStanding {
  readonly spec: UpstreamSpec;
  readonly clock: Clock;
  readonly emitter: EventEmitter<UpstreamServerEvents>;
  state: UpstreamState;
  /** The last known good catalog. */
  catalog: Catalog | undefined;
  stopped: boolean;
  /** Recomputes {@link state} from health and session; emits `status` on a change. */
  sync(): void;
}

/**
 * Where a server stands from its projected health and the gateway's session with it: down while
 * the projection says so (or an operator disabled it) unless the session answers again, up once
 * the current session is listed, connecting otherwise. Times missing from the projection are
 * `clock`'s now.
 */
export function upstreamStateOf(
  health: ServerHealth | undefined,
  session: SessionStanding,
  clock: Clock,
): UpstreamState {
  const since = (iso: string | undefined) => (iso ? Date.parse(iso) : clock.now());
  if (health?.lifecycle === 'disabled')
    return {
      status: 'down',
      since: since(health.updated_at),
      error: 'disabled by an operator',
      attempt: health.recovery_attempts,
      manual: true,
    };
  const isListed = session.listed !== undefined && session.listed === session.client;
  // Routing follows the upstream's answers, not the W3 success threshold (RFC 0008).
  const answers = health !== undefined && isListed && answersAgain(health, session.openedAt);
  if (health && (health.status === 'down' || health.lifecycle === 'failed') && !answers)
    return {
      status: 'down',
      since: since(health.status_since),
      error: health.error ?? 'down',
      attempt: health.recovery_attempts,
      manual: health.requires_manual || health.lifecycle === 'failed',
    };
  if (isListed) return { status: 'up', since: clock.now() };
  return { status: 'connecting', since: clock.now(), attempt: health?.recovery_attempts ?? 0 };
}

/**
 * Whether `next` says nothing new over `current`: the same status and, when down, the same
 * reason, attempts and need of an operator (a new `since` alone is no change).
 */
export function isSameUpstreamState(next: UpstreamState, current: UpstreamState): boolean {
  return (
    next.status === current.status &&
    (next.status !== 'down' ||
      (current.status === 'down' &&
        next.error === current.error &&
        next.manual === current.manual &&
        next.attempt === current.attempt))
  );
}

/** One sentence for callers: which server, since when, why, and what is being done. */
export function describeUnavailable(spec: UpstreamSpec, state: UpstreamState): string {
  const target = describeTarget(spec);
  if (state.status === 'connecting')
    return `server "${spec.name}" (${target}) is still starting (since ${iso(state.since)}); try again shortly.`;
  if (state.status === 'up')
    return `server "${spec.name}" (${target}) did not answer this session; the monitor sees it up, so the next call reconnects.`;
  const attempts = `${state.attempt} attempt${state.attempt === 1 ? '' : 's'}`;
  const action =
    state.error === 'disabled by an operator'
      ? `it stays down until an operator runs \`selfheal monitor enable ${spec.name}\` on the gateway's host.`
      : state.manual
        ? `recovery stopped after ${attempts}; it waits for an operator (fix the server, then \`selfheal monitor reset ${spec.name}\` on the gateway's host starts it again).`
        : `the monitor is recovering it (${attempts} so far).`;
  return `server "${spec.name}" (${target}) is down since ${iso(state.since)} (${reasonOf(state.error)}); ${action}`;
}

/**
 * GatewayError(UPSTREAM_UNAVAILABLE) for a caller who gets no session: the server's
 * {@link describeUnavailable} while it is down or when no `why` is given, else `why`.
 */
export function unavailableError(
  spec: UpstreamSpec,
  state: UpstreamState,
  why?: string,
): GatewayError {
  return new GatewayError(
    GatewayErrorCode.UpstreamUnavailable,
    why === undefined || state.status === 'down'
      ? describeUnavailable(spec, state)
      : `server "${spec.name}" (${describeTarget(spec)}): ${why}.`,
    { data: { server: spec.name, status: state.status, since: iso(state.since) } },
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
