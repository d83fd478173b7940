import type { Client } from '@modelcontextprotocol/client';
import type { ServerHealth } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import { EventEmitter } from 'eventemitter3';
import { GATEWAY_LIBRARY_DEFAULTS } from '../config/libraryDefaults.js';
import type { UpstreamSpec } from '../config/loadConfig.js';
import type { Catalog, ListMethod } from './catalog.js';
import { createCatalogListing } from './catalogListing.js';
import { createClientSessionBound } from './clientSessionBound.js';
import { createSessionWaiters } from './sessionWaiters.js';
import { SharedCalls } from './sharedCalls.js';
import {
  describeUnavailable,
  isSameUpstreamState,
  type UpstreamContext,
  upstreamStateOf,
} from './upstreamState.js';

/** Where one upstream stands for routing, from the monitor's session and projected health. */
export type UpstreamState =
  | { status: 'connecting'; since: number; attempt: number }
  | { status: 'up'; since: number }
  | {
      status: 'down';
      since: number;
      error: string;
      /** Recovery attempts so far (the projection's `recovery_attempts`). */
      attempt: number;
      /**
       * True once recovery gave up (`recovery_exhausted`) or an operator disabled the server:
       * nothing happens until someone acts. False while the monitor is still recovering it.
       */
      manual: boolean;
    };

/**
 * The gateway's own MCP session with a server. The server's monitor owns it (for stdio, over
 * the process it supervises): `ServerMonitor` from `@selfheal/monitor` is one.
 */
export interface SessionSource {
  /** The live initialised session, if any. */
  readonly client: Client | undefined;
  /** Called with each new session, and with undefined when it closes; returns the unsubscribe. */
  onSession(listener: (client: Client | undefined) => void): () => void;
  /** Asks for a health check now (a client session saw the server fail). */
  requestCheck(): void;
}

/** Events of one upstream (internal; the event log gets the monitor's events instead). */
export interface UpstreamServerEvents {
  status: (state: UpstreamState, previous: UpstreamState) => void;
  /** A new catalog was listed (session opened, reopened, or a list_changed notification). */
  catalog: (catalog: Catalog) => void;
  /** The server said this list changed, and the catalog has been listed again. */
  listChanged: (method: ListMethod) => void;
}

/** Options of {@link createUpstreamServer}. */
export interface UpstreamServerOptions {
  spec: UpstreamSpec;
  clock: Clock;
  /** The monitor's session with this server. */
  source: SessionSource;
  /** The server's projected health now (undefined before its first event). */
  health: () => ServerHealth | undefined;
  /** Deadline of each list request, ms. @default 30000 */
  timeoutMs?: number;
  /** A catalog known from before (e.g. a previous run), served while the server is down. */
  initialCatalog?: Catalog;
  /**
   * How many client sessions of their own (RFC 0010) may be open with this server at once.
   * @default 64
   */
  maxClientSessions?: number;
}

/** A slot of the server's bound on per-client sessions; release it when the session closes. */
export type ClientSessionSlot = () => void;

/**
 * One configured upstream server as routing sees it: its state (from the monitor's health
 * events and session), and its last known good catalog, listed over the monitor's session
 * each time one opens (so a restarted process is listed again) and on `list_changed`.
 * Recovery is the monitor's alone: there is no reconnect loop here (RFC 0008).
 */
export interface UpstreamServer extends EventEmitter<UpstreamServerEvents> {
  readonly spec: UpstreamSpec;
  readonly state: UpstreamState;
  /** The last known good catalog, or undefined if the server was never listed. */
  readonly catalog: Catalog | undefined;
  /**
   * The shared connection (RFC 0010): the monitor's live session with the server, over which
   * every client's requests go unless a client needs a session of its own. Undefined while none
   * is open.
   */
  readonly client: Client | undefined;
  /** The client calls in flight on the shared connection, and its routing of what the server sends. */
  readonly shared: SharedCalls;
  /** The catalog if it was listed on the current session (so `list_changed` keeps it fresh). */
  liveCatalog(): Catalog | undefined;
  /**
   * The shared session: the current one, else the next one the monitor opens (a restart),
   * other than `not` (a session that just broke). Rejects when `signal` aborts, after
   * `waitMs`, and while the server is down: at once, or with `not` (a request to send again
   * on the next session) only once recovery needs an operator.
   * @throws GatewayError(UPSTREAM_UNAVAILABLE) naming the server and why.
   */
  session(signal: AbortSignal | undefined, waitMs: number, not?: Client): Promise<Client>;
  /** Client sessions of their own open with this server now. */
  readonly clientSessions: number;
  /**
   * Whether the server speaks MCP 2026-07-28 too, as last probed: stateless callers' requests
   * then go to it as they came, statelessly (RFC 0013).
   */
  readonly speaksStateless: boolean;
  /** Records what the server's transport found out about its revision (a stdio server's). */
  noteStateless(stateless: boolean): void;
  /**
   * Takes a slot for a client session of its own.
   * @throws GatewayError(CLIENT_SESSIONS_EXHAUSTED) past the bound, naming it and the fix.
   */
  acquireClientSession(): ClientSessionSlot;
  /** Resolves once the catalog of the current session (if any) is listed or failed. */
  start(): Promise<void>;
  /** Recomputes the state after a health event of this server; emits `status` on a change. */
  sync(): void;
  /** Tells the server a client-session connection failed: the monitor checks it now. */
  reportFailure(error: unknown): Promise<void>;
  /** One sentence for callers: which server, since when, why, and what is being done. */
  describeUnavailable(): string;
  /** Stops following the monitor's session. Idempotent. */
  stop(): Promise<void>;
}

/** Creates an {@link UpstreamServer} following `source` (the server's monitor). */
export function createUpstreamServer(options: UpstreamServerOptions): UpstreamServer {
  const { spec, clock, source } = options;
  const timeoutMs = options.timeoutMs ?? GATEWAY_LIBRARY_DEFAULTS.requestTimeoutMs;
  const shared = new SharedCalls(spec.name);
  const emitter = new EventEmitter<UpstreamServerEvents>();
  const context: UpstreamContext = {
    spec,
    clock,
    emitter,
    state: { status: 'connecting', since: clock.now(), attempt: 0 },
    catalog: options.initialCatalog,
    client: undefined,
    listed: undefined,
    openedAt: undefined,
    stopped: false,
    sync() {
      if (context.stopped) return;
      const next = upstreamStateOf(options.health(), context, clock);
      if (isSameUpstreamState(next, context.state)) return;
      const previous = context.state;
      context.state = next;
      // Waiters for whom no session is coming (see `session`) are told at once.
      if (next.status === 'down') waiters.wake();
      emitter.emit('status', next, previous);
    },
  };
  const waiters = createSessionWaiters(context);
  const catalogs = createCatalogListing(context, timeoutMs);
  const bound = createClientSessionBound(
    spec.name,
    options.maxClientSessions ?? GATEWAY_LIBRARY_DEFAULTS.maxClientSessions,
  );
  let speaksStateless = false;
  let listing: Promise<void> = Promise.resolve();

  const follow = (next: Client | undefined) => {
    if (context.stopped || next === context.client) return;
    context.client = next;
    context.listed = undefined;
    context.openedAt = next ? clock.now() : undefined;
    if (next) {
      // Usually installed before the handshake (the gateway's session profile); a source that
      // did not (a test's) gets the handlers here.
      shared.install(next);
      listing = catalogs.refresh(next);
      waiters.wake();
    }
    context.sync();
  };
  const unfollow = source.onSession(follow);
  shared.on('listChanged', catalogs.onListChanged);

  const server = emitter as UpstreamServer;
  Object.defineProperties(server, {
    spec: { value: spec },
    state: { get: () => context.state },
    catalog: { get: () => context.catalog },
    client: { get: () => context.client },
    shared: { value: shared },
    clientSessions: { get: () => bound.open },
    speaksStateless: { get: () => speaksStateless },
  });
  Object.assign(server, {
    liveCatalog: () =>
      context.listed !== undefined && context.listed === context.client
        ? context.catalog
        : undefined,
    noteStateless(stateless: boolean) {
      speaksStateless = stateless;
    },
    session: waiters.wait,
    acquireClientSession: bound.acquire,
    async start() {
      follow(source.client);
      await listing;
    },
    sync: context.sync,
    async reportFailure(_error: unknown) {
      if (!context.stopped) source.requestCheck();
    },
    describeUnavailable: () => describeUnavailable(spec, context.state),
    async stop() {
      context.stopped = true;
      unfollow();
      shared.off('listChanged', catalogs.onListChanged);
      context.client = undefined;
      context.listed = undefined;
      waiters.wake(true);
    },
  });
  return server;
}
