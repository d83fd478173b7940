import type { SelfhealEvent } from '@selfheal/schemas';

/** A tool's pin: the approved definition, and a listed one waiting for approval (RFC 0017). */
export interface ToolPinState {
  /** The approved definition's hash; absent for a new tool held before its first approval. */
  readonly hash?: string;
  /** The approved definition, for the diff of a later change. */
  readonly definition?: Record<string, unknown>;
  /** A definition the server lists that is not the approved one: the tool is quarantined. */
  readonly pending?: {
    readonly hash: string;
    readonly definition: Record<string, unknown>;
    readonly diff: readonly string[];
    readonly reason: string;
    readonly since: string;
  };
}

/** A server's trust as the log records it. */
export interface ServerTrust {
  /** The last `trust_changed` score; absent before the first (the configured neutral). */
  readonly score?: number;
  /** Set while the server is quarantined. */
  readonly quarantined?: {
    readonly since: string;
    readonly score: number;
    readonly reason?: string;
  };
  /** Pins by upstream tool name. */
  readonly tools: Readonly<Record<string, ToolPinState>>;
}

/** Trust, quarantine and pins of every server seen: the fold of a log with {@link projectTrust}. */
export interface TrustState {
  readonly servers: Readonly<Record<string, ServerTrust>>;
}

/** The state before any event. */
export const initialTrustState: TrustState = Object.freeze({ servers: Object.freeze({}) });

/** The event types {@link projectTrust} applies. */
export const TRUST_EVENT_TYPES: ReadonlySet<string> = new Set([
  'tool_pinned',
  'tool_definition_changed',
  'tool_approved',
  'trust_changed',
  'server_quarantined',
  'server_released',
]);

const EMPTY: ServerTrust = Object.freeze({ tools: Object.freeze({}) });

/**
 * `projectTrust(state, event) -> state`, pure: pins, pending tool definitions, trust scores and
 * quarantines, from the events of RFC 0017. Every other event (and one without `server_name`
 * or `tool` where it needs one) returns `state` itself. Never mutates its arguments.
 */
export function projectTrust(state: TrustState, event: SelfhealEvent): TrustState {
  const name = event.server_name;
  if (typeof name !== 'string' || name === '' || !TRUST_EVENT_TYPES.has(event.event_type))
    return state;
  const before = Object.hasOwn(state.servers, name) ? state.servers[name]! : EMPTY;
  const after = projectServerTrust(before, event);
  if (after === before) return state;
  return { servers: { ...state.servers, [name]: after } };
}

/** One server's part of {@link projectTrust}. */
export function projectServerTrust(server: ServerTrust, event: SelfhealEvent): ServerTrust {
  const e = event as Record<string, unknown>;
  const tool = typeof e.tool === 'string' ? e.tool : undefined;
  const withTool = (pin: ToolPinState): ServerTrust =>
    tool === undefined ? server : { ...server, tools: { ...server.tools, [tool]: pin } };
  switch (event.event_type) {
    case 'tool_pinned':
    case 'tool_approved': {
      if (tool === undefined || typeof e.hash !== 'string') return server;
      const old = server.tools[tool];
      // An approval pins the definition it approved: the pending one when the hashes agree.
      const definition =
        (e.definition as Record<string, unknown> | undefined) ??
        (old?.pending?.hash === e.hash ? old.pending.definition : old?.definition);
      return withTool({ hash: e.hash, ...(definition ? { definition } : {}) });
    }
    case 'tool_definition_changed': {
      if (tool === undefined || typeof e.hash !== 'string') return server;
      const old = server.tools[tool] ?? {};
      return withTool({
        ...(old.hash === undefined ? {} : { hash: old.hash }),
        ...(old.definition === undefined ? {} : { definition: old.definition }),
        pending: {
          hash: e.hash,
          definition: (e.definition ?? {}) as Record<string, unknown>,
          diff: Array.isArray(e.diff) ? (e.diff as string[]) : [],
          reason: typeof e.reason === 'string' ? e.reason : 'changed',
          since: event.timestamp,
        },
      });
    }
    case 'trust_changed':
      return typeof e.score === 'number' ? { ...server, score: e.score } : server;
    case 'server_quarantined':
      return {
        ...server,
        quarantined: {
          since: event.timestamp,
          score: typeof e.score === 'number' ? e.score : (server.score ?? 0),
          ...(typeof e.reason === 'string' ? { reason: e.reason } : {}),
        },
      };
    case 'server_released': {
      if (server.quarantined === undefined) return server;
      const { quarantined: _, ...rest } = server;
      return rest;
    }
    default:
      return server;
  }
}

/** Folds `events` in order with {@link projectTrust}, starting from `state`. */
export function projectTrustAll(
  events: Iterable<SelfhealEvent>,
  state: TrustState = initialTrustState,
): TrustState {
  let s = state;
  for (const event of events) s = projectTrust(s, event);
  return s;
}

/** Whether a tool is quarantined: it has a pending definition, or was never approved. */
export function isToolQuarantined(pin: ToolPinState | undefined): boolean {
  return pin !== undefined && (pin.pending !== undefined || pin.hash === undefined);
}

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
export function trustView(state: TrustState, server: string, neutral = 0.5): TrustView {
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
